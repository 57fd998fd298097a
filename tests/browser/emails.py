"""Emails in the console, in Chromium: an email that could not be delivered is listed as failed
with its error and retried from its row; a template is edited in French with a syntax error, which is
said beside its field as it is typed (and nothing is saved), then fixed, previewed on sample
data and saved; the next email of that kind carries the fair's text; back to the built-in text.
A viewer is refused. Screenshots in ar, fr and en."""
import json
import os
import time
import urllib.request

from common import BASE, DESKTOP, MAIL, api, check, in_language, mail_subject, mail_to, shot
from console import ADMIN, sign_in

OUTBOX = "/console/events/siccam/emails"
EDITOR = "/console/events/siccam/email-templates/registration_confirm/fr"


def register(name, address):
    """A visitor's registration (no organizer's token): a confirmation link by email."""
    req = urllib.request.Request(f"{BASE}/api/v1/events/siccam/registrations", method="POST",
                                 data=json.dumps({"name": name, "email": address, "language": "fr", "consent": True}).encode(),
                                 headers={"content-type": "application/json"})
    urllib.request.urlopen(req).read()


def refused_by_the_relay(address):
    """An email to `address` that cannot be delivered: while it is sent, the mail folder is a
    file (even root cannot write into that), and the suite's server gives up at the first
    failure (scripts/browser.sh)."""
    away = MAIL + ".away"
    os.rename(MAIL, away)
    open(MAIL, "w").close()
    try:
        register("Omar Chraibi", address)
        for _ in range(100):
            found = api("GET", "/api/v1/events/siccam/emails?status=failed&per_page=200")["items"]
            if any(m["recipient"] == address for m in found):
                break
            time.sleep(0.1)
    finally:
        os.remove(MAIL)
        os.rename(away, MAIL)


def suite(browser):
    address = f"refused-{time.time_ns()}@example.com"
    refused_by_the_relay(address)
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    sign_in(page, ADMIN, f"{OUTBOX}?status=failed&lang=fr")
    in_language(page, "fr")
    row = page.locator("table.emails tr", has_text=address)
    check("failed" in row.inner_text() or "échec" in row.inner_text(), "outbox: the failed email, with its error")
    shot(page, "console-emails-failed-fr-1280")
    with page.expect_navigation():
        row.locator("button").click()
    check(page.locator(".notice.ok").count() == 1, "retry: said")
    for _ in range(50):
        found = api("GET", "/api/v1/events/siccam/emails?status=sent&per_page=200")["items"]
        if any(m["recipient"] == address for m in found):
            break
        time.sleep(0.2)
    check(any(m["recipient"] == address for m in found), "retry: the email is sent")

    # The editor: a syntax error said beside its field as it is typed, then a good text saved.
    page.goto(f"{BASE}{EDITOR}?lang=fr")
    check(page.locator("iframe[data-part=html]").count() == 1 and "confirm" in page.inner_text(".preview"),
          "editor: the built-in text, previewed")
    page.fill("#subject", "Confirmez {{ event_name")
    page.wait_for_selector("#subject-error")
    check("syntax" in page.inner_text("#subject-error"), "editor: a syntax error beside the subject, as typed")
    shot(page, "console-email-template-error-fr-1280")
    page.click("button[name=do][value=save]")
    page.wait_for_load_state()
    check(page.locator("#subject-error").count() == 1, "editor: a broken template is not saved")
    page.fill("#subject", "{{ event_name }} — un clic pour confirmer")
    page.wait_for_selector("#subject-error", state="detached")
    check("un clic pour confirmer" in page.inner_text("[data-part=subject]"), "editor: the preview follows the text")
    with page.expect_navigation():
        page.click("button[name=do][value=save]")
    check(page.locator(".notice.ok").count() == 1, "editor: saved")
    shot(page, "console-email-template-saved-fr-1280")
    newcomer = f"template-{time.time_ns()}@example.com"
    register("Sara Bennis", newcomer)
    subject = mail_subject(newcomer, r"/confirm/slr_")
    check("un clic pour confirmer" in subject, f"the next email carries the fair's text ({subject!r})")
    page.on("dialog", lambda d: d.accept())
    with page.expect_navigation():
        page.click("button.danger[data-confirm]")
    check(page.locator(".notice.ok").count() == 1 and page.locator("button.danger").count() == 0,
          "editor: back to the built-in text")
    for lang in ("ar", "en"):
        page.goto(f"{BASE}/console/events/siccam/email-templates?lang={lang}")
        in_language(page, lang)
        shot(page, f"console-email-templates-{lang}-1280")
        page.goto(f"{BASE}{OUTBOX}?status=sent&lang={lang}")
        in_language(page, lang)
        check(page.locator("table.emails tr", has_text=address).count() == 1, f"outbox ({lang}): the retried email is sent")
        shot(page, f"console-emails-sent-{lang}-1280")
    context.close()

    viewer = f"viewer-mail-{time.time_ns()}@example.com"
    api("POST", "/api/v1/organizers", {"email": viewer, "password": "role password 1", "role": "viewer"})
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    sign_in(page, (viewer, "role password 1"), f"{OUTBOX}?lang=en")
    check(page.locator("table.emails").count() == 0, "viewer: the outbox is refused")
    context.close()
