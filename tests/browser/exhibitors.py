"""Exhibitors in the console, in Chromium: an application confirmed by its applicant waits in
the review queue; the organizer opens it, approves it with the booth picker (the free booths of
the kind and area asked for come first) and the approval email states the booth and its price;
another is rejected with a reason that the applicant reads by email; the booths page shows the
approved exhibitor on its booth and each hall's occupancy. A viewer reads without the decision
forms. Screenshots in ar, fr and en."""
import time

from common import BASE, DESKTOP, api, check, in_language, mail_to, shot
from console import ADMIN, sign_in

LIST = "/console/events/siccam/exhibitors"


def applied(company, area, kind="standard"):
    """An application to the demo fair, confirmed by its applicant; its email."""
    email = f"ex-console-{time.time_ns()}@example.com"
    api("POST", "/api/v1/events/siccam/exhibitors", {
        "company_name": company, "contact_name": "Karim Bennani", "email": email, "booth_kind": kind,
        "booth_area_m2": area, "country": "MA", "language": "fr", "consent": True})
    token = mail_to(email, r"sle_[\w-]+")
    api("POST", "/api/v1/exhibitors/confirm", {"token": token})
    return email


def suite(browser):
    first = applied("Atlas Outsourcing", 9)
    second = applied("Rif Call", 18, "corner")
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    sign_in(page, ADMIN, f"{LIST}?lang=fr")
    in_language(page, "fr")
    queue = page.inner_text("table.exhibitors")
    check("Atlas Outsourcing" in queue and "Rif Call" in queue, "review queue: both confirmed applications")
    check(queue.index("Atlas Outsourcing") < queue.index("Rif Call"), "review queue: the oldest first")
    shot(page, "console-exhibitors-queue-fr-1280")

    # Approve with the picker: a free standard booth of at least 9 m² is offered first.
    with page.expect_navigation():
        page.click("table.exhibitors a:has-text('Atlas Outsourcing')")
    offered = page.locator("#booth_code option").first.inner_text()
    check("✓" in offered, f"picker: a matching free booth first ({offered!r})")
    booth = page.locator("#booth_code option").first.get_attribute("value")
    shot(page, "console-exhibitor-review-fr-1280")
    with page.expect_navigation():
        page.click("#actions form:first-of-type button.primary")
    check("Accepté" in page.inner_text(".notice.ok") and booth in page.inner_text("dl.facts"),
          f"approved onto {booth}, said on the page")
    price = mail_to(first, r"Prix\u00a0: [^\n]+")
    check("MAD" in price, f"approval email: booth {booth} and its price ({price!r})")
    mail_to(first, rf"Stand\u00a0: {booth}")
    shot(page, "console-exhibitor-approved-fr-1280")

    # Reject the other, in Arabic, with a reason the applicant reads.
    page.goto(f"{BASE}{LIST}?lang=ar")
    in_language(page, "ar")
    with page.expect_navigation():
        page.click("table.exhibitors a:has-text('Rif Call')")
    page.fill("textarea[name=reason]", "Plus aucun stand d’angle de 18 m² n’est disponible.")
    with page.expect_navigation():
        page.click("#actions button.danger")
    check(page.locator(".notice.ok").count() == 1, "rejected, said on the page")
    mail_to(second, r"Plus aucun stand d’angle")
    shot(page, "console-exhibitor-rejected-ar-1280")
    page.goto(f"{BASE}{LIST}?status=approved&lang=en")
    in_language(page, "en")
    check("Atlas Outsourcing" in page.inner_text("main"), "the approved tab lists it")
    shot(page, "console-exhibitors-approved-en-1280")

    # The booths: each hall's summary, and the approved exhibitor on its booth.
    with page.expect_navigation():
        page.click("a:has-text('Booths and halls')")
    row = page.locator("table.booths tr", has_text=booth)
    check("Atlas Outsourcing" in row.inner_text(), f"booths: {booth} held by the approved exhibitor")
    check(page.locator("table.halls tbody tr").count() >= 1 and page.locator("table.halls meter").count() >= 1,
          "booths: a summary per hall")
    page.goto(f"{BASE}/console/events/siccam/booths?lang=ar")
    in_language(page, "ar")
    shot(page, "console-booths-ar-1280")
    context.close()

    viewer = f"viewer-ex-{time.time_ns()}@example.com"
    api("POST", "/api/v1/organizers", {"email": viewer, "password": "role password 1", "role": "viewer"})
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    sign_in(page, (viewer, "role password 1"), f"{LIST}?status=all&lang=en")
    with page.expect_navigation():
        page.click("table.exhibitors a:has-text('Rif Call')")
    check(page.locator("#actions").count() == 0, "viewer: no decision form")
    page.goto(f"{BASE}/console/events/siccam/booths?lang=fr")
    check(page.locator("table.booths").count() == 1, "viewer: reads the booths")
    shot(page, "console-booths-fr-1280")
    page.goto(f"{BASE}/console/events/siccam/audit?lang=en")
    check(page.locator("table.audit").count() == 0, "viewer: the fair's audit log is refused")
    context.close()
