"""Webhooks in the console, in a real browser: an admin adds an endpoint (a local receiver) by
its form, sees its secret once, watches a registration's delivery arrive on the endpoint's
page with its attempt, sends it again, rotates the secret and deletes the endpoint; a wrong
address is said beside its field; an editor has no Webhooks tab. Screenshots in ar, fr and en
at 1280 px and on a phone.
"""

import http.server
import threading
import time

from common import BASE, DESKTOP, PHONE, api, check, in_language, shot
from console import ADMIN, sign_in


class Receiver:
    """A local endpoint that answers 200 and keeps what it got."""

    def __init__(self):
        self.got = []
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                receiver.got.append((dict(self.headers), body.decode()))
                self.send_response(200)
                self.send_header("content-length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/salon"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait(self, count, timeout=15):
        deadline = time.time() + timeout
        while time.time() < deadline and len(self.got) < count:
            time.sleep(0.05)
        return self.got


def suite(browser):
    receiver = Receiver()
    page = browser.new_page(viewport=DESKTOP)
    sign_in(page, ADMIN, "/console/events/siccam/webhooks?lang=en")
    check(page.locator("nav a.tab[aria-current=page]").inner_text().strip() == "Webhooks",
          "webhooks: the admin's tab is current")

    # A wrong address is said beside its field, and nothing is added.
    page.fill("#url", "ftp://crm.example.com/")
    page.click("#new button.primary")
    check(page.locator("#url-error").is_visible(), "webhooks: a wrong address is said beside its field")
    check(page.locator("table.webhooks").count() == 0, "webhooks: nothing added")
    page.fill("#url", "http://127.0.0.1:9/")
    for box in page.locator("input[name=event_types]").all():
        box.uncheck()
    page.click("#new button.primary")
    check(page.locator("#types-error").is_visible(), "webhooks: no change chosen is said too")

    # Added: the secret is on the page that answers the form, once.
    page.fill("#url", receiver.url)
    page.check("input[value='registration.created']")
    page.check("input[value='registration.confirmed']")
    page.click("#new button.primary")
    secret = page.locator("code.secret-value").inner_text().strip()
    check(secret.startswith("whsec_"), "webhooks: the secret is shown after adding")
    check("/webhooks/" in page.url and "whsec_" not in page.url, "webhooks: on the endpoint's page, the secret in no address")
    shot(page, "console-webhooks-secret-en-1280")
    page.reload()
    check(page.locator("code.secret-value").count() == 0, "webhooks: the secret is not shown again")
    page.click("a.button")  # all webhooks
    check(page.locator("table.webhooks tbody tr").count() == 1, "webhooks: the endpoint is listed once")

    # A registration reaches it; its page shows the delivery and the attempt.
    stamp = int(time.time() * 1000)
    api("POST", "/api/v1/events/siccam/registrations",
        {"name": "Hind Berrada", "email": f"hooks-{stamp}@example.com", "language": "fr", "category": "professional"})
    got = receiver.wait(2)
    check(len(got) == 2, "webhooks: the registration's two changes are delivered")
    page.click("table.webhooks tbody a")
    for _ in range(50):
        if page.locator("table.deliveries .pill.sent").count() == 2:
            break
        time.sleep(0.1)
        page.reload()
    check(page.locator("table.deliveries .pill.sent").count() == 2, "webhooks: both deliveries shown as delivered")
    check("HTTP 200" in page.locator("table.deliveries ol.attempts").first.inner_text(), "webhooks: with the attempt's answer")
    shot(page, "console-webhook-en-1280")

    with page.expect_navigation():
        page.locator("table.deliveries button").first.click()
    check(page.locator(".notice.ok").count() == 1, "webhooks: a delivery sent again says so")
    got = receiver.wait(3)
    check(len(got) == 3 and got[2][0]["webhook-id"] in {g[0]["webhook-id"] for g in got[:2]},
          "webhooks: sent again with the same webhook-id")

    page.once("dialog", lambda d: d.accept())
    with page.expect_navigation():
        page.click("#rotate button")
    rotated = page.locator("code.secret-value").inner_text().strip()
    check(rotated.startswith("whsec_") and rotated != secret, "webhooks: a new secret, shown once")

    # Turned off from its form, it receives nothing more.
    page.uncheck("input[name=enabled]")
    with page.expect_navigation():
        page.click("#edit button.primary")
    check(page.locator("input[name=enabled]").is_checked() is False, "webhooks: turned off")

    for lang in ("ar", "fr"):
        page.goto(page.url.split("?")[0] + f"?lang={lang}")
        in_language(page, lang)
        shot(page, f"console-webhook-{lang}-1280")
        page.goto(BASE + f"/console/events/siccam/webhooks?lang={lang}")
        in_language(page, lang)
        shot(page, f"console-webhooks-{lang}-1280")

    phone = browser.new_page(viewport=PHONE)
    sign_in(phone, ADMIN, "/console/events/siccam/webhooks?lang=ar")
    in_language(phone, "ar")
    shot(phone, "console-webhooks-ar-390")
    width = phone.evaluate("document.documentElement.scrollWidth")
    check(width <= PHONE["width"] + 1, f"webhooks: the list fits a phone ({width} px)")
    phone.close()

    page.goto(BASE + "/console/events/siccam/webhooks?lang=en")
    page.click("table.webhooks tbody a")
    page.once("dialog", lambda d: d.accept())
    with page.expect_navigation():
        page.click("#delete button")
    check(page.locator("table.webhooks").count() == 0, "webhooks: deleted")
    page.close()

    # An editor sees no Webhooks tab, and the page refuses them.
    editor = f"editor-hooks-{time.time_ns()}@example.com"
    api("POST", "/api/v1/organizers", {"email": editor, "password": "role password 1", "role": "editor"})
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    sign_in(page, (editor, "role password 1"), "/console/events/siccam?lang=en")
    check(page.locator("nav a.tab[href$='/webhooks']").count() == 0, "editor: no Webhooks tab")
    answer = page.goto(BASE + "/console/events/siccam/webhooks?lang=en")
    check(answer.status == 403, f"editor: the webhooks page is refused ({answer.status})")
    context.close()
