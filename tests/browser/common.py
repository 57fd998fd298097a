"""What the browser suites share: the running Salon's address, the checks (every one counted),
screenshots, the mail folder and the API as the admin."""

import email
import glob
import json
import os
import re
import time
import urllib.request
from email import policy

BASE = os.environ["SALON"]
MAIL = os.environ["MAIL_DIR"]
SHOTS = os.environ.get("SHOTS", "target/browser-shots")
TOKEN = os.environ["ADMIN_TOKEN"]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

passed = []


def check(cond, what):
    if not cond:
        raise AssertionError(what)
    passed.append(what)


def shot(page, name):
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def mail_to(address, pattern, timeout=15):
    """The first match of `pattern` in the newest email to `address` that has one."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        paths = sorted(glob.glob(os.path.join(MAIL, "*.eml")), key=os.path.getmtime, reverse=True)
        for path in paths:
            with open(path, "rb") as f:
                msg = email.message_from_bytes(f.read(), policy=policy.default)
            if address not in str(msg["To"]):
                continue
            found = re.search(pattern, msg.get_body(("plain",)).get_content())
            if found:
                return found.group(0)
        time.sleep(0.2)
    raise AssertionError(f"no email to {address} matching {pattern}")


def mail_subject(address, pattern, timeout=15):
    """The subject of the newest email to `address` whose text matches `pattern`."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        paths = sorted(glob.glob(os.path.join(MAIL, "*.eml")), key=os.path.getmtime, reverse=True)
        for path in paths:
            with open(path, "rb") as f:
                msg = email.message_from_bytes(f.read(), policy=policy.default)
            if address in str(msg["To"]) and re.search(pattern, msg.get_body(("plain",)).get_content()):
                return str(msg["Subject"])
        time.sleep(0.2)
    raise AssertionError(f"no email to {address} matching {pattern}")


def mail_html(address, pattern, timeout=15):
    """The HTML part of the newest email to `address` whose text matches `pattern`."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        paths = sorted(glob.glob(os.path.join(MAIL, "*.eml")), key=os.path.getmtime, reverse=True)
        for path in paths:
            with open(path, "rb") as f:
                msg = email.message_from_bytes(f.read(), policy=policy.default)
            if address in str(msg["To"]) and re.search(pattern, msg.get_body(("plain",)).get_content()):
                return msg.get_body(("html",)).get_content()
        time.sleep(0.2)
    raise AssertionError(f"no email to {address} matching {pattern}")


def api(method, path, body=None):
    req = urllib.request.Request(
        BASE + path,
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"authorization": f"Bearer {TOKEN}", "content-type": "application/json"},
    )
    with urllib.request.urlopen(req) as res:
        return json.loads(res.read() or b"null")



def in_language(page, lang):
    check(page.get_attribute("html", "lang") == lang, f"{page.url}: lang={lang}")
    want = "rtl" if lang == "ar" else "ltr"
    check(page.get_attribute("html", "dir") == want, f"{page.url}: dir={want}")
