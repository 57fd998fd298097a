"""Meetings in Chromium (SPEC §4.4): an attendee who opened their own page finds "request a
meeting" on the directory, picks a free slot and sends a message; the exhibitor opens the
emailed link, accepts on its meetings page; the meeting is then on both pages and in the
attendee's agenda feed, and the acceptance email's calendar part reads in the `icalendar`
package as a REQUEST; cancelled by the exhibitor, the attendee's email carries a CANCEL of the
same UID. Screenshots in ar, fr and en, the request on a phone."""
import email
import glob
import json
import os
import time
import urllib.request
from email import policy

import icalendar

from common import BASE, DESKTOP, MAIL, PHONE, api, check, in_language, mail_to, shot
from console import ADMIN, sign_in
from exhibitors import applied


def calendar_part(address, method, timeout=15, uid=""):
    """The text/calendar part with `method` (and `uid` in it) of the newest email to `address`
    that has one."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        paths = sorted(glob.glob(os.path.join(MAIL, "*.eml")), key=os.path.getmtime, reverse=True)
        for path in paths:
            with open(path, "rb") as f:
                msg = email.message_from_bytes(f.read(), policy=policy.default)
            if address not in str(msg["To"]):
                continue
            for part in msg.walk():
                if part.get_content_type() == "text/calendar" and part.get_param("method") == method:
                    payload = part.get_payload(decode=True)
                    if uid.encode() in payload:
                        return payload
        time.sleep(0.2)
    raise AssertionError(f"no {method} calendar part in an email to {address}")


def suite(browser):
    fair = api("GET", "/api/v1/events/siccam")
    day = fair["ends_on"]
    api("PUT", "/api/v1/events/siccam/meetings/settings",
        {"blocks": [{"day": day, "starts": "10:00", "ends": "12:00"}], "slot_minutes": 20})
    company = f"Casablanca Voice {time.time_ns()}"
    ex_email = applied(company, 9)
    exhibitor = next(e for e in api("GET", "/api/v1/events/siccam/exhibitors?status=submitted&per_page=200")["items"]
                     if e["email"] == ex_email)
    api("POST", f"/api/v1/events/siccam/exhibitors/{exhibitor['id']}/approve", {"booth_code": None})
    buyer = f"buyer-{time.time_ns()}@example.com"
    api("POST", "/api/v1/events/siccam/registrations",
        {"name": "Nadia Berrada", "email": buyer, "organization": "Banque Atlas", "language": "fr"})
    own = mail_to(buyer, r"http\S+/r/slr_[\w-]+")

    # The attendee: their own page first (the browser remembers them), then the directory.
    attendee = browser.new_context(viewport=PHONE)
    page = attendee.new_page()
    page.goto(own.split("?")[0] + "?lang=fr")
    page.goto(f"{BASE}/events/siccam/exhibitors?lang=fr")
    card = page.locator("section.session", has_text=company)
    check(card.locator("a.button").count() == 1, "directory: a remembered attendee is offered a meeting")
    with page.expect_navigation():
        card.locator("a.button").click()
    in_language(page, "fr")
    slots = page.locator("input[name=starts_at]")
    check(slots.count() == 6, f"request: six free 20-minute slots ({slots.count()})")
    slots.nth(1).check()
    page.fill("#message", "Nous cherchons un partenaire pour 40 positions en arabe et en français.")
    shot(page, "meeting-request-fr-390")
    with page.expect_navigation():
        page.click("main button.primary")
    check(page.locator("#requested").count() == 1, "request: sent, said on the page")
    page.goto(own.split("?")[0] + "?lang=fr")
    check(company in page.inner_text("#meetings") and "en attente" in page.inner_text("#meetings"),
          "attendee page: the request, waiting")

    # The exhibitor: the emailed link opens its meetings page with the request first.
    link = mail_to(ex_email, r"http\S+/exhibitor/sle_[\w-]+/meetings/\d+\?lang=\w+&do=accept")
    booth = browser.new_context(viewport=DESKTOP)
    ex_page = booth.new_page()
    ex_page.goto(link)
    in_language(ex_page, "fr")
    focused = ex_page.locator("section.meeting.focus")
    check(focused.count() == 1 and "Nadia Berrada" in focused.inner_text() and "40 positions" in focused.inner_text(),
          "exhibitor: the emailed request first, with its message")
    shot(ex_page, "meetings-exhibitor-request-fr-1280")
    with ex_page.expect_navigation():
        focused.locator("button.primary").click()
    check("accepté" in ex_page.locator("section.meeting", has_text="Nadia Berrada").inner_text(),
          "exhibitor: accepted, on its page")
    # The exhibitor marks its first free slot unavailable: it is no longer offered.
    free = len(api("GET", f"/api/v1/events/siccam/meetings/slots?exhibitor_id={exhibitor['id']}"))
    ex_page.locator("#availability input[type=checkbox]").first.check()
    with ex_page.expect_navigation():
        ex_page.click("#availability button.primary")
    check(ex_page.locator("#availability input[type=checkbox]").first.is_checked(), "availability: saved")
    after = len(api("GET", f"/api/v1/events/siccam/meetings/slots?exhibitor_id={exhibitor['id']}"))
    check(after == free - 1, f"availability: one slot fewer offered ({free} → {after})")
    for lang in ("ar", "en"):
        ex_page.goto(link.split("/meetings/")[0] + f"/meetings?lang={lang}")
        in_language(ex_page, lang)
        shot(ex_page, f"meetings-exhibitor-{lang}-1280")
    booth.close()

    # The attendee's page, feed and email.
    for lang in ("en", "ar"):
        page.goto(own.split("?")[0] + f"?lang={lang}")
        in_language(page, lang)
        shot(page, f"meeting-attendee-{lang}-390")
    check(company in page.inner_text("#meetings"), "attendee page: the accepted meeting")
    feed = page.locator("input[aria-label]").last.input_value()
    with urllib.request.urlopen(feed) as res:
        cal = icalendar.Calendar.from_ical(res.read())
    summaries = [str(e.get("summary")) for e in cal.walk("VEVENT")]
    check(any(company in s for s in summaries), f"agenda feed: the meeting ({summaries})")
    invite = icalendar.Calendar.from_ical(calendar_part(buyer, "REQUEST"))
    events = invite.walk("VEVENT")
    check(str(invite.get("method")) == "REQUEST" and len(events) == 1 and str(events[0].get("uid")).startswith("meeting-"),
          "acceptance email: an iTIP REQUEST the icalendar package reads")
    uid = str(events[0].get("uid"))
    check(any(str(e.get("uid")) == uid for e in cal.walk("VEVENT")), "the feed and the email share the UID")

    # The exhibitor cancels from its page: the attendee's email carries an iTIP CANCEL.
    booth = browser.new_context(viewport=DESKTOP)
    ex_page = booth.new_page()
    ex_page.goto(link.split("/meetings/")[0] + "/meetings?lang=fr")
    with ex_page.expect_navigation():
        ex_page.locator("section.meeting", has_text="Nadia Berrada").locator("button.link").click()
    check("annulé" in ex_page.locator("section.meeting", has_text="Nadia Berrada").inner_text(),
          "exhibitor: cancelled from its page")
    booth.close()
    cancel = icalendar.Calendar.from_ical(calendar_part(buyer, "CANCEL"))
    check(str(cancel.get("method")) == "CANCEL" and str(cancel.walk("VEVENT")[0].get("uid")) == uid
          and str(cancel.walk("VEVENT")[0].get("status")) == "CANCELLED",
          "cancellation email: an iTIP CANCEL of the same UID the icalendar package reads")
    page.goto(own.split("?")[0] + "?lang=fr")
    check("annulé" in page.inner_text("#meetings"), "attendee page: the meeting cancelled")
    attendee.close()

    # A request declined by the exhibitor (through the API): the refusal carries a CANCEL too.
    mine = own.split("/r/")[1].split("?")[0]
    free = api("GET", f"/api/v1/events/siccam/meetings/slots?exhibitor_id={exhibitor['id']}")
    req = urllib.request.Request(f"{BASE}/api/v1/me/meetings", method="POST",
                                 data=json.dumps({"exhibitor_id": exhibitor["id"], "starts_at": free[-1]["starts_at"]}).encode(),
                                 headers={"authorization": f"Bearer {mine}", "content-type": "application/json"})
    with urllib.request.urlopen(req) as res:
        second = json.loads(res.read())["id"]
    ex_token = link.split("/exhibitor/")[1].split("/")[0]
    req = urllib.request.Request(f"{BASE}/api/v1/exhibitor/meetings/{second}/decline", method="POST",
                                 headers={"authorization": f"Bearer {ex_token}"})
    with urllib.request.urlopen(req) as res:
        check(json.loads(res.read())["status"] == "declined", "declined by the exhibitor")
    declined = icalendar.Calendar.from_ical(calendar_part(buyer, "CANCEL", uid=f"meeting-{second}@"))
    check(str(declined.get("method")) == "CANCEL" and str(declined.walk("VEVENT")[0].get("uid")).startswith(f"meeting-{second}@"),
          "refusal email: an iTIP CANCEL the icalendar package reads")

    # A browser that remembers no attendee is told to open their own link.
    stranger = browser.new_context(viewport=PHONE)
    page = stranger.new_page()
    page.goto(f"{BASE}/events/siccam/exhibitors/{exhibitor['id']}/meeting?lang=en")
    check(page.locator("input[name=starts_at]").count() == 0, "no remembered attendee: no request form")
    stranger.close()
    console_suite(browser, day, company)


def console_suite(browser, day, company):
    """The organizers' meetings page: a day's meetings, one booth's day sheet; a viewer reads
    without the cancel buttons or the settings' save."""
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    sign_in(page, ADMIN, f"/console/events/siccam/meetings?day={day}&lang=fr")
    in_language(page, "fr")
    check(company in page.inner_text("table.meetings"), "console: the day's meetings, with the bench exhibitor's")
    shot(page, "console-meetings-fr-1280")
    page.select_option("select[name=exhibitor_id]", label=page.locator("select[name=exhibitor_id] option", has_text="Atlas Contact").first.inner_text())
    with page.expect_navigation():
        page.click("form.filters button.primary")
    check("Atlas Contact Solutions" in page.inner_text("h1"), "console: a booth's day sheet")
    for lang in ("ar", "en"):
        page.goto(f"{BASE}/console/events/siccam/meetings?lang={lang}")
        in_language(page, lang)
        shot(page, f"console-meetings-{lang}-1280")
    context.close()
    viewer = f"viewer-meet-{time.time_ns()}@example.com"
    api("POST", "/api/v1/organizers", {"email": viewer, "password": "role password 1", "role": "viewer"})
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    sign_in(page, (viewer, "role password 1"), "/console/events/siccam/meetings?lang=en")
    check(page.locator("table.meetings button.danger").count() == 0 and page.locator("#settings button.primary").count() == 0,
          "viewer: no cancel button, no save")
    context.close()
