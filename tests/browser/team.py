"""The team in the console, in Chromium: an admin invites an organizer, who chooses a password
from the emailed link and is signed in; the admin changes their role; deactivated, their open
session is refused at once and they cannot sign in again; reactivated, they can. Editors and
viewers are refused the team. An organizer turns on two-factor sign-in with a code this test
computes (RFC 6238, from the key the page shows) and signs in with the next one. Screenshots in
ar, fr and en."""
import base64
import hashlib
import hmac
import struct
import time
import urllib.error
import urllib.request

from common import BASE, DESKTOP, PHONE, api, check, in_language, mail_to, shot
from console import ADMIN, sign_in

TEAM = "/console/team"
PASSWORD = "a long new password"


def suite(browser):
    invited = f"invited-{time.time_ns()}@example.com"
    admin = browser.new_context(viewport=DESKTOP)
    page = admin.new_page()
    sign_in(page, ADMIN, f"{TEAM}?lang=fr")
    in_language(page, "fr")
    page.fill("#email", invited)
    page.select_option("#role", "viewer")
    page.select_option("#language", "ar")
    with page.expect_navigation():
        page.click("#invite button.primary")
    check(page.locator(".notice.ok").count() == 1 and invited in page.inner_text("table.team"),
          "team: invited, listed")
    shot(page, "console-team-fr-1280")

    # The invitation, in Arabic: a password chosen from the emailed link, signed in at once.
    link = mail_to(invited, r"http\S+/console/invite/sli_[\w-]+\S*")
    guest = browser.new_context(viewport=PHONE)
    mine = guest.new_page()
    mine.goto(link)
    in_language(mine, "ar")
    mine.fill("#password", PASSWORD)
    mine.fill("#again", PASSWORD + "!")
    with mine.expect_navigation():
        mine.click("main button.primary")
    check(mine.locator("#again-error").count() == 1, "invitation: two different passwords are said")
    mine.fill("#password", PASSWORD)
    mine.fill("#again", PASSWORD)
    shot(mine, "console-invite-ar-390")
    with mine.expect_navigation():
        mine.click("main button.primary")
    check(mine.url.split("?")[0].endswith("/console") and invited in mine.inner_text("header"),
          f"invitation: signed in ({mine.url})")
    mine.goto(link)
    check(mine.locator("#password").count() == 0, "invitation: the link works once")

    # A new role, then deactivated: the open session is refused at once.
    page.goto(f"{BASE}{TEAM}?lang=en")
    in_language(page, "en")
    row = page.locator("table.team tr", has_text=invited)
    row.locator("select[name=role]").select_option("editor")
    with page.expect_navigation():
        row.locator("form.row-form button").click()
    check(page.locator("table.team tr", has_text=invited).locator("select[name=role]").input_value() == "editor",
          "team: the role changed")
    page.on("dialog", lambda d: d.accept())
    with page.expect_navigation():
        page.locator("table.team tr", has_text=invited).locator("button.danger").click()
    shot(page, "console-team-en-1280")
    mine.goto(f"{BASE}/console/events/siccam/schedule")
    check("/console/sign-in" in mine.url, "deactivated: the open session is refused at once")
    mine.fill("#email", invited)
    mine.fill("#password", PASSWORD)
    with mine.expect_navigation():
        mine.click("main button.primary")
    check("/console/sign-in" in mine.url, "deactivated: cannot sign in")
    with page.expect_navigation():
        page.locator("table.team tr", has_text=invited).locator("form button").last.click()
    sign_in(mine, (invited, PASSWORD), "/console/events/siccam/schedule")
    check("/schedule" in mine.url, "reactivated: signs in again")
    guest.close()
    page.goto(f"{BASE}{TEAM}?lang=ar")
    in_language(page, "ar")
    shot(page, "console-team-ar-1280")

    # The audit log: every console action with its author, filtered by what was done.
    page.goto(f"{BASE}/console/audit?lang=fr")
    page.select_option("select[name=action]", "deactivate")
    with page.expect_navigation():
        page.click("form.filters button.primary")
    log = page.inner_text("table.audit")
    check("browser@example.com" in log and "organizer" in log and "approve" not in log,
          "audit: the deactivation, by its author, and nothing else")
    page.goto(f"{BASE}/console/audit?action=approve&lang=en")
    check("browser@example.com" in page.inner_text("table.audit") and "exhibitor" in page.inner_text("table.audit"),
          "audit: the console's approval, by its author")
    shot(page, "console-audit-en-1280")
    for lang in ("ar", "fr"):
        page.goto(f"{BASE}/console/events/siccam/audit?lang={lang}")
        in_language(page, lang)
        shot(page, f"console-audit-fair-{lang}-1280")
    page.goto(f"{BASE}/console/events/siccam/audit?lang=en")
    log = page.inner_text("table.audit")
    check("approve" in log and "deactivate" not in log, "audit: the fair's own log holds its approval, not the team's changes")
    admin.close()

    for role in ("editor", "viewer"):
        who = f"{role}-team-{time.time_ns()}@example.com"
        api("POST", "/api/v1/organizers", {"email": who, "password": "role password 1", "role": role})
        context = browser.new_context(viewport=DESKTOP)
        page = context.new_page()
        sign_in(page, (who, "role password 1"), f"{TEAM}?lang=en")
        check(page.locator("table.team").count() == 0, f"{role}: the team is refused")
        page.goto(f"{BASE}/console/audit")
        check(page.locator("table.audit").count() == 0, f"{role}: the audit log is refused")
        context.close()
    account(browser)
    two_factor(browser)


def account(browser):
    """An organizer's own account: a token made (shown once) works with the API, then revoked
    it is refused; the password changed with the current one asked again."""
    who = f"account-{time.time_ns()}@example.com"
    api("POST", "/api/v1/organizers", {"email": who, "password": "role password 1", "role": "editor"})
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    sign_in(page, (who, "role password 1"), "/console/account?lang=fr")
    in_language(page, "fr")
    page.fill("#name", "Script des badges")
    with page.expect_navigation():
        page.click("#tokens button[type=submit]:not(.danger)")
    token = page.inner_text("code.token")
    check(token.startswith("slt_"), "account: the new token shown once")
    shot(page, "console-account-fr-1280")
    req = urllib.request.Request(f"{BASE}/api/v1/events/siccam/registrations?per_page=1",
                                 headers={"authorization": f"Bearer {token}"})
    check(urllib.request.urlopen(req).status == 200, "account: the token works with the API")
    page.goto(f"{BASE}/console/account?lang=fr")
    check(page.locator("code.token").count() == 0, "account: never shown again")
    with page.expect_navigation():
        page.click("#tokens button.danger")
    try:
        urllib.request.urlopen(req)
        refused = False
    except urllib.error.HTTPError as e:
        refused = e.code == 401
    check(refused, "account: a revoked token is refused")
    page.fill("#current", "not my password")
    page.fill("#password", "another long password")
    page.fill("#again", "another long password")
    with page.expect_navigation():
        page.click("#change-password button.primary")
    check(page.locator("#current-error").count() == 1, "account: a wrong current password is said")
    page.fill("#current", "role password 1")
    page.fill("#password", "another long password")
    page.fill("#again", "another long password")
    with page.expect_navigation():
        page.click("#change-password button.primary")
    check(page.locator(".notice.ok").count() == 1, "account: the password changed")
    for lang in ("ar", "en"):
        page.goto(f"{BASE}/console/account?lang={lang}")
        in_language(page, lang)
        shot(page, f"console-account-{lang}-1280")
    context.close()


def totp(key, step):
    """RFC 6238's code of `step` for the base32 `key` (HMAC-SHA-1, six digits)."""
    secret = base64.b32decode(key.replace(" ", "") + "=" * (-len(key.replace(" ", "")) % 8))
    digest = hmac.new(secret, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 1_000_000:06d}"


def two_factor(browser):
    """Two-factor sign-in turned on from the account page with a code computed here, then the
    sign-in asking for the next code; recovery codes shown once; a wrong code said."""
    who = f"two-factor-{time.time_ns()}@example.com"
    api("POST", "/api/v1/organizers", {"email": who, "password": "role password 1", "role": "viewer"})
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    sign_in(page, (who, "role password 1"), "/console/account?lang=ar")
    in_language(page, "ar")
    with page.expect_navigation():
        page.click("#two-factor button.primary")
    check(page.locator("#two-factor svg").count() == 1, "two-factor: a QR code to scan")
    key = page.inner_text("#totp-secret")
    shot(page, "console-two-factor-ar-390")
    page.fill("#code", "000000")
    with page.expect_navigation():
        page.click("#two-factor button.primary")
    check(page.locator("#code-error").is_visible(), "two-factor: a wrong code is said beside the field")
    confirmed = int(time.time()) // 30
    page.fill("#code", totp(key, confirmed))
    with page.expect_navigation():
        page.click("#two-factor button.primary")
    codes = page.locator("ol.recovery-codes li").all_inner_texts()
    check(len(codes) == 10, f"two-factor: on, ten recovery codes shown ({len(codes)})")
    shot(page, "console-two-factor-codes-ar-390")
    page.goto(f"{BASE}/console/account?lang=fr")
    check(page.locator("ol.recovery-codes").count() == 0, "two-factor: the recovery codes never shown again")
    shot(page, "console-two-factor-fr-390")
    context.close()

    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    sign_in(page, (who, "role password 1"), "/console?lang=en")
    check(page.locator("#code").count() == 1, "two-factor: the password alone does not sign in")
    shot(page, "console-sign-in-code-en-1280")
    page.fill("#code", "111111")
    with page.expect_navigation():
        page.click("main button.primary")
    check(page.locator("#problem").count() == 1 and page.locator("#code").count() == 1,
          "two-factor: a wrong code is refused")
    # The code that turned it on is spent: the next one (accepted one step early, as for a
    # phone whose clock runs ahead) signs in.
    page.fill("#code", totp(key, max(confirmed + 1, int(time.time()) // 30)))
    with page.expect_navigation():
        page.click("main button.primary")
    check(page.url.split("?")[0].endswith("/console") and who in page.inner_text("header"),
          f"two-factor: signed in with the computed code ({page.url})")
    context.close()
