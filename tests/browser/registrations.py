"""Registrations in the console, in Chromium: an organizer registers a walk-in (confirmed at
once) and opens its badge; finds it again by a search typed in Arabic and by its badge code;
sends its email again and cancels it from its page, and reads the emails that result; erases
it after ticking the confirmation. A viewer reads but has no action; a door steward is refused.
Screenshots in ar, fr and en."""
import time

from common import BASE, DESKTOP, PHONE, api, check, in_language, mail_to, shot
from console import ADMIN, sign_in

LIST = "/console/events/siccam/registrations"


def suite(browser):
    email = f"walk-in-{time.time_ns()}@example.com"
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    # The fair's overview: each number is a link to the list behind it.
    sign_in(page, ADMIN, "/console/events/siccam?lang=fr")
    in_language(page, "fr")
    check(page.locator("a.figure-link").count() >= 10, "overview: the numbers of every area, each a link")
    shot(page, "console-overview-fr-1280")
    with page.expect_navigation():
        page.click("a.figure-link[href*='registrations?status=confirmed']")
    check("status=confirmed" in page.url and page.locator("table.registrations").count() == 1,
          "overview: the confirmed figure opens the confirmed registrations")
    page.goto(f"{BASE}{LIST}?lang=ar")
    in_language(page, "ar")
    shot(page, "console-registrations-ar-1280")

    # A walk-in: confirmed at once, its badge ready.
    with page.expect_navigation():
        page.click("a.button.primary")
    page.fill("#name", "أمينة العلوي")
    page.fill("#email", email)
    page.fill("#organization", "أطلس للاتصال")
    page.select_option("#category", "press")
    page.select_option("#language", "fr")
    shot(page, "console-walk-in-ar-1280")
    with page.expect_navigation():
        page.click("main form.form button.primary")
    check("/registrations/" in page.url and page.locator(".notice.ok").count() == 1,
          f"walk-in: registered, on its page ({page.url})")
    check("مؤكَّد" in page.inner_text(".pill"), "walk-in: confirmed at once")
    code = page.inner_text("dd code")
    registration = page.url.split("?")[0]
    mail_to(email, code)  # the confirmation, with the badge code
    with page.expect_popup() as popup:
        page.click("a.button.primary[target=_blank]")
    badge = popup.value
    badge.wait_for_load_state()
    check(code in badge.inner_text("body") and badge.locator("svg").count() >= 1,
          "walk-in: its printable badge, with the code and the QR")
    shot(badge, "console-walk-in-badge-1280")
    badge.close()

    # Found again by a search typed in Arabic, and by the badge code as a scanner types it.
    page.goto(f"{BASE}{LIST}?lang=ar")
    page.fill("input[name=q]", "أمينة")
    with page.expect_navigation():
        page.click("form.filters button.primary")
    check("أمينة العلوي" in page.inner_text("table.registrations"), "search: a name typed in Arabic finds it")
    shot(page, "console-registrations-search-ar-1280")
    page.fill("input[name=q]", code.lower().replace("-", ""))
    with page.expect_navigation():
        page.click("form.filters button.primary")
    rows = page.locator("table.registrations tbody tr")
    check(rows.count() == 1 and "أمينة العلوي" in rows.inner_text(), "search: found by its badge code")

    # Its page in French: send the email again, then cancel; the emails that result.
    page.goto(f"{registration}?lang=fr")
    in_language(page, "fr")
    with page.expect_navigation():
        page.click("#actions form:nth-of-type(2) button")
    check("en route" in page.inner_text(".notice.ok"), "resend: said")
    page.on("dialog", lambda d: d.accept())
    with page.expect_navigation():
        page.click("#actions button.danger[data-confirm]")
    check("Annulée" in page.inner_text(".pill"), "cancel: the registration is cancelled")
    mail_to(email, r"a été annulée")
    check("registration_cancelled" in page.inner_text("main") and "registration_confirmed" in page.inner_text("main"),
          "its page lists the emails written to it")
    shot(page, "console-registration-cancelled-fr-1280")

    # Erased only once the box is ticked.
    page.click("#actions form.erase button")  # the browser asks for the box first
    check(page.url.startswith(registration), "erase: nothing happens without the box")
    page.check("#actions form.erase input[type=checkbox]")
    with page.expect_navigation():
        page.click("#actions form.erase button")
    check("(effacée)" in page.inner_text("h1"), "erase: the personal data is gone")
    found = api("GET", "/api/v1/events/siccam/registrations?q=" + email)
    check(found["total"] == 0, "erase: the email is no longer found")
    page.goto(f"{BASE}{LIST}?lang=en")
    in_language(page, "en")
    shot(page, "console-registrations-en-1280")
    context.close()

    # A phone: the list does not scroll sideways.
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    sign_in(page, ADMIN, f"{LIST}?lang=fr")
    shot(page, "console-registrations-fr-390")
    context.close()

    # Roles: a viewer reads without actions; a door steward is refused.
    for role in ("viewer", "checkin"):
        who = f"{role}-reg-{time.time_ns()}@example.com"
        api("POST", "/api/v1/organizers", {"email": who, "password": "role password 1", "role": role})
        context = browser.new_context(viewport=DESKTOP)
        page = context.new_page()
        sign_in(page, (who, "role password 1"), f"{LIST}?lang=en")
        if role == "viewer":
            check(page.locator("table.registrations").count() == 1 and page.locator("a.button.primary").count() == 0,
                  "viewer: reads the list, no walk-in button")
            page.goto(f"{registration}?lang=en")
            check(page.locator("#actions").count() == 0, "viewer: no action on a registration")
        else:
            res = page.request.get(f"{BASE}{LIST}", max_redirects=0)
            check(res.status == 403, f"checkin: the registrations are refused ({res.status})")
        context.close()
