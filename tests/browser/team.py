"""The team in the console, in Chromium: an admin invites an organizer, who chooses a password
from the emailed link and is signed in; the admin changes their role; deactivated, their open
session is refused at once and they cannot sign in again; reactivated, they can. Editors and
viewers are refused the team. Screenshots in ar, fr and en."""
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
    context.close()
