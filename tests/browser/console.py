"""The console in a real browser: an organizer signs in, creates a fair, adds rooms, a speaker
and sessions, places them on the programme editor's grid by drag and drop (and without
JavaScript through each session's form), meets a conflict and a stale save, publishes the
fair and a release and finds it on the public programme; a viewer and a door steward are
refused; a cross-site form changes nothing. Screenshots in ar, fr and en at 1280 px, and the
editor at 1920 px with the demo fair's five rooms.
"""

import os
import time
from datetime import datetime, timezone
import urllib.error
import urllib.request

from common import BASE, DESKTOP, SHOTS, api, check, in_language, shot

ADMIN = ("browser@example.com", "browser password 1")
WIDE = {"width": 1920, "height": 1080}
# 22 February 2027 falls in Ramadan, when Morocco keeps UTC+0 (the rest of the year, UTC+1).
DAY = "2027-02-22"


def sign_in(page, who, path="/console"):
    page.goto(BASE + path)
    check("/console/sign-in" in page.url, f"console: {path} asks to sign in first")
    page.fill("#email", who[0])
    page.fill("#password", who[1])
    with page.expect_navigation():
        page.click("main button.primary")


def instant(text):
    """An RFC 3339 time as a UTC instant (the API writes the fair's offset, `Z` at UTC+0)."""
    return datetime.fromisoformat(text).astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M")


def session_of(slug, session_id):
    return api("GET", f"/api/v1/events/{slug}/sessions/{session_id}")


def status_of(method, url, data=None, headers=None):
    req = urllib.request.Request(url, method=method, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(req) as res:
            return res.status
    except urllib.error.HTTPError as e:
        return e.code


def create_fair(page, slug):
    page.goto(BASE + "/console/events/new?lang=en")
    page.fill("#slug", slug)
    page.fill("#name-fr", "Salon de la console")
    page.fill("#name-en", "Console fair")
    page.fill("#name-ar", "معرض لوحة التحكم")
    page.fill("#description-fr", "Un salon créé depuis la console.")
    page.fill("#starts_on", DAY)
    page.fill("#ends_on", "2027-02-23")
    page.fill("#venue", "OFEC")
    page.fill("#city", "Casablanca")
    page.fill("#contact_email", "contact@console.example")
    with page.expect_navigation():
        page.click("main button.primary")
    check(page.url.startswith(f"{BASE}/console/events/{slug}"), "console: a new fair opens on its overview")
    check("Console fair" in page.inner_text("h1"), "console: the overview names the new fair")
    fair = api("GET", f"/api/v1/events/{slug}")
    check(fair["status"] == "draft" and fair["timezone"] == "Africa/Casablanca", "console: the fair is a draft, in Casablanca time")


def add(page, slug, kind, fields):
    page.goto(f"{BASE}/console/events/{slug}/programme-setup?lang=en")
    form = page.locator(f"#{kind} form.new")
    for name, value in fields.items():
        form.locator(f'[name="{name}"]').fill(value)
    with page.expect_navigation():
        form.locator("button.primary").click()


def new_session(page, slug, title, speaker):
    page.goto(f"{BASE}/console/events/{slug}/sessions/new?lang=en")
    page.fill("#title", title)
    page.locator(f'input[name="speaker_ids"][value="{speaker}"]').check()
    with page.expect_navigation():
        page.click("main form.form button.primary")
    check(f"/console/events/{slug}/schedule" in page.url, f"console: '{title}' created, back on the editor")


def slot(page, room, local):
    return page.locator(f'.slot[data-room-id="{room}"][data-local="{local}"]')


def programme(browser):
    slug = f"console-{int(time.time() * 1000)}"
    context = browser.new_context(viewport=DESKTOP)
    context.on("page", lambda p: p.on("dialog", lambda d: d.accept()))
    page = context.new_page()

    # A wrong password says so, in the form; the right one goes on to the page asked for.
    page.goto(BASE + "/console/events/new")
    page.fill("#email", ADMIN[0])
    page.fill("#password", "not the password")
    page.click("main button.primary")
    page.wait_for_load_state()
    check(page.locator("#problem").count() == 1, "sign-in: a wrong password is said beside the form")
    page.fill("#password", ADMIN[1])
    with page.expect_navigation():
        page.click("main button.primary")
    check(page.url.startswith(BASE + "/console/events/new"), "sign-in: back to the page asked for")
    cookie = [c for c in context.cookies() if c["name"] == "salon_console"]
    check(cookie and cookie[0]["httpOnly"] and cookie[0]["sameSite"] == "Lax" and cookie[0]["path"] == "/console",
          "sign-in: an HttpOnly, SameSite=Lax session cookie for /console")
    check(status_of("GET", BASE + "/console/sign-in?next=//evil.example/x") == 200, "sign-in: the form opens with any next")

    create_fair(page, slug)
    shot(page, "console-overview-en-1280")

    add(page, slug, "rooms", {"name[fr]": "Salle Atlas", "name[en]": "Atlas Room", "hall[fr]": "Hall A", "capacity": "120"})
    add(page, slug, "rooms", {"name[fr]": "Salle Anfa", "name[en]": "Anfa Room", "hall[fr]": "Hall A", "capacity": "80"})
    add(page, slug, "speakers", {"name": "Nadia El Amrani", "organization": "Atlas Contact"})
    rooms = api("GET", f"/api/v1/events/{slug}/rooms")["items"]
    speakers = api("GET", f"/api/v1/events/{slug}/speakers")["items"]
    check(len(rooms) == 2 and len(speakers) == 1, "console: two rooms and a speaker added from the setup page")
    shot(page, "console-setup-en-1280")
    # The same room saved from two tabs: the second save is refused, the first one kept.
    tabs = [context.new_page(), context.new_page()]
    for tab in tabs:
        tab.goto(f"{BASE}/console/events/{slug}/programme-setup?lang=en")
    for tab, seats in zip(tabs, ("110", "90")):
        row = tab.locator("#rooms form.setup-row").first
        row.locator('[name="capacity"]').fill(seats)
        row.locator("button[type=submit]").first.click()
        tab.wait_for_load_state()
    check("Someone saved this after you opened it" in tabs[1].inner_text("main"), "setup: a stale save is refused and said")
    check(api("GET", f"/api/v1/events/{slug}/rooms")["items"][0]["capacity"] == 110, "setup: the first save stands")
    for tab in tabs:
        tab.close()
    atlas, anfa = rooms[0]["id"], rooms[1]["id"]
    speaker = speakers[0]["id"]

    new_session(page, slug, "Session A", speaker)
    new_session(page, slug, "Session B", speaker)
    # A break in every room of the hall, from one form.
    page.goto(f"{BASE}/console/events/{slug}/sessions/new?lang=en")
    page.fill("#title", "Pause café")
    page.select_option("#kind", "break")
    page.select_option("#room_id", str(atlas))
    page.fill("#starts_at", f"{DAY}T16:00")
    page.fill("#ends_at", f"{DAY}T16:30")
    page.check('input[name="whole_hall"]')
    with page.expect_navigation():
        page.click("main form.form button.primary")
    breaks = [s for s in api("GET", f"/api/v1/events/{slug}/sessions")["items"] if s["title"] == "Pause café"]
    check(sorted(s["room_id"] for s in breaks) == sorted([atlas, anfa]), "editor: a break spans every room of its hall")
    ids = {s["title"]: s["id"] for s in api("GET", f"/api/v1/events/{slug}/sessions")["items"]}
    a, b = ids["Session A"], ids["Session B"]
    page.goto(f"{BASE}/console/events/{slug}/schedule?day={DAY}&lang=en")
    check(page.locator(".tray .session-card").count() == 2, "editor: both new sessions wait in the tray")
    check(slot(page, atlas, f"{DAY}T10:00").count() == 1, "editor: the grid has a slot per room and 5 minutes")

    # Drag A onto the Atlas room at 10:00: saved, and the API agrees (10:00 local is 10:00 UTC
    # in Ramadan).
    card_a = page.locator(f'.tray .session-card[data-session-id="{a}"]')
    with page.expect_navigation():
        card_a.drag_to(slot(page, atlas, f"{DAY}T10:00"), source_position={"x": 8, "y": 8})
    placed = page.locator(f'.grid .session-card[data-session-id="{a}"]')
    check(placed.count() == 1, "editor: the dragged session sits on the grid after the move")
    got = session_of(slug, a)
    check(got["room_id"] == atlas and instant(got["starts_at"]) == f"{DAY}T10:00",
          f"editor: the API has A in Atlas at 10:00 local ({got['starts_at']})")
    check(instant(got["ends_at"]) == f"{DAY}T11:00", "editor: a session from the tray lasts an hour")

    # Drag B onto the same slot: refused where it was dropped, naming A, nothing saved.
    card_b = page.locator(f'.tray .session-card[data-session-id="{b}"]')
    # The slot lies under A's card: the drop lands on the card, over that slot.
    card_b.drag_to(slot(page, atlas, f"{DAY}T10:00"), source_position={"x": 8, "y": 8}, force=True)
    refusal = page.locator(".grid .refusal")
    refusal.wait_for()
    check("Session A" in refusal.inner_text(), "editor: the refused move names the session in the way")
    check(session_of(slug, b)["room_id"] is None, "editor: the refused move saved nothing")
    shot(page, "console-editor-refused-en-1280")

    # The same move without JavaScript, through B's own form: refused with the conflict named,
    # then saved in the other room.
    still = browser.new_context(viewport=DESKTOP, java_script_enabled=False, storage_state=context.storage_state())
    plain = still.new_page()
    plain.goto(f"{BASE}/console/events/{slug}/sessions/{b}?lang=fr")
    plain.select_option("#room_id", str(atlas))
    plain.fill("#starts_at", f"{DAY}T10:30")
    plain.fill("#ends_at", f"{DAY}T11:30")
    plain.click("main form.form button.primary")
    plain.wait_for_load_state()
    check("Session A" in plain.inner_text(".notice.bad"), "no JavaScript: the conflict is named on the form")
    check(session_of(slug, b)["room_id"] is None, "no JavaScript: nothing saved")
    shot(plain, "console-session-conflict-fr-1280")
    # Nadia speaks in both: after A, in the other room.
    plain.select_option("#room_id", str(anfa))
    plain.fill("#starts_at", f"{DAY}T11:30")
    plain.fill("#ends_at", f"{DAY}T12:30")
    with plain.expect_navigation():
        plain.click("main form.form button.primary")
    got = session_of(slug, b)
    check(got["room_id"] == anfa and instant(got["starts_at"]) == f"{DAY}T11:30", "no JavaScript: the move is saved")

    # One session in two tabs: the second save is refused, the first one kept.
    first, second = context.new_page(), context.new_page()
    for tab in (first, second):
        tab.goto(f"{BASE}/console/events/{slug}/sessions/{b}?lang=en")
    first.fill("#title", "Session B, revised")
    with first.expect_navigation():
        first.click("main form.form button.primary")
    second.fill("#capacity", "40")
    second.click("main form.form button.primary")
    second.wait_for_load_state()
    check("Someone changed this session" in second.inner_text("main"), "two tabs: the stale save is refused and said")
    got = session_of(slug, b)
    check(got["title"] == "Session B, revised" and got["capacity"] is None, "two tabs: the first save stands")
    first.close()
    second.close()

    # Publish the fair, preview and publish a release, find it on the public programme.
    page.goto(f"{BASE}/console/events/{slug}/settings?lang=en")
    with page.expect_navigation():
        page.locator("main form[action$='/publish'] button").click()
    check(api("GET", f"/api/v1/events/{slug}")["status"] == "published", "settings: the fair is published")
    # The exhibitors' payment instructions, per language, from the settings form.
    page.goto(f"{BASE}/console/events/{slug}/settings?lang=fr")
    page.fill("#payment_instructions-fr", "Virement sous 15 jours au RIB 011 780 0000 1234.\nRéférence : votre société.")
    with page.expect_navigation():
        page.click("main form.form.card button.primary")
    said = api("GET", f"/api/v1/events/{slug}")["payment_instructions"]
    check("RIB 011 780" in str(said) and "Référence" in str(said), f"settings: payment instructions saved ({said!r})")
    check("RIB 011 780" in page.input_value("#payment_instructions-fr"), "settings: payment instructions shown again")
    page.goto(f"{BASE}/console/events/{slug}/releases/new?lang=en")
    diff = page.inner_text(".diff")
    check("Session A" in diff and "Session B, revised" in diff, "release page: the diff lists the new sessions")
    check(page.locator("[data-recipients]").get_attribute("data-recipients") == "0", "release page: nobody to email yet")
    shot(page, "console-release-en-1280")
    page.fill("#version", "1")
    page.fill("#comment", "Premier programme")
    with page.expect_navigation():
        page.click("main form.form button.primary")
    check("/releases" in page.url and "Premier programme" in page.inner_text("main"), "release: listed with its comment")
    page.goto(f"{BASE}/events/{slug}?day={DAY}&lang=fr")
    check("Session A" in page.inner_text("main"), "public programme: the released session is there")

    # Resize B by its lower edge (two steps of 5 minutes longer), then send it back to the tray
    # and place it again without JavaScript's help: the API follows each.
    page.set_viewport_size(WIDE)
    page.goto(f"{BASE}/console/events/{slug}/schedule?day={DAY}&lang=en")
    handle = page.locator(f'.grid .session-card[data-session-id="{b}"] .resize')
    box = handle.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    step = page.locator(".grid .slot").first.bounding_box()["height"]
    with page.expect_navigation():
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2 + 2 * step, steps=5)
        page.mouse.up()
    check(instant(session_of(slug, b)["ends_at"]) == f"{DAY}T12:40", "editor: resizing by the lower edge saves the new end")
    with page.expect_navigation():
        page.locator(f'.grid .session-card[data-session-id="{b}"]').drag_to(
            page.locator(".tray"), source_position={"x": 8, "y": 8})
    check(session_of(slug, b)["room_id"] is None, "editor: a session dragged to the tray is off the grid")
    plain.goto(f"{BASE}/console/events/{slug}/sessions/{b}?lang=en")
    plain.select_option("#room_id", str(anfa))
    plain.fill("#starts_at", f"{DAY}T11:30")
    plain.fill("#ends_at", f"{DAY}T12:30")
    with plain.expect_navigation():
        plain.click("main form.form button.primary")
    check(session_of(slug, b)["room_id"] == anfa, "no JavaScript: placed again from its form, as released")
    page.set_viewport_size(DESKTOP)

    # Move A in the editor after the release: the next release page shows was → now.
    page.set_viewport_size(WIDE)
    page.goto(f"{BASE}/console/events/{slug}/schedule?day={DAY}&lang=en")
    with page.expect_navigation():
        page.locator(f'.grid .session-card[data-session-id="{a}"]').drag_to(
            slot(page, atlas, f"{DAY}T13:00"), source_position={"x": 8, "y": 8})
    page.set_viewport_size(DESKTOP)
    page.goto(f"{BASE}/console/events/{slug}/releases/new?lang=fr")
    moved = page.locator('.diff li[data-change="moved"]')
    check(moved.count() == 1 and "10:00" in moved.inner_text() and "13:00" in moved.inner_text(),
          "release page: a moved session says when it was and when it is")
    shot(page, "console-release-moved-fr-1280")

    # In Arabic and French, right to left where it should be.
    for lang in ("ar", "fr"):
        page.goto(f"{BASE}/console/events/{slug}/schedule?day={DAY}&lang={lang}")
        in_language(page, lang)
        shot(page, f"console-editor-{lang}-1280")
        page.goto(f"{BASE}/console/events/{slug}?lang={lang}")
        shot(page, f"console-overview-{lang}-1280")
        page.goto(f"{BASE}/console/events/{slug}/settings?lang={lang}")
        shot(page, f"console-settings-{lang}-1280")
    page.goto(f"{BASE}/console?lang=en")
    check(page.get_attribute("html", "lang") == "en", "console: the language chosen last is kept")

    # The demo fair's five rooms at 1920 px.
    wide = context.new_page()
    wide.set_viewport_size(WIDE)
    wide.goto(f"{BASE}/console/events/siccam/schedule?lang=en")
    check(wide.locator(".grid .room").count() == 5, "editor: the demo fair's five rooms as columns")
    wide.screenshot(path=os.path.join(SHOTS, "console-editor-en-1920.png"))
    wide.close()

    # On a phone, no console page of the fair scrolls sideways, in any language.
    phone = context.new_page()
    phone.set_viewport_size({"width": 390, "height": 844})
    for lang in ("ar", "fr", "en"):
        for path in ("", "/schedule", "/settings", "/releases/new", "/programme-setup"):
            phone.goto(f"{BASE}/console/events/{slug}{path}?lang={lang}")
            width = phone.evaluate("document.documentElement.scrollWidth")
            check(width <= 390, f"console 390 px {lang} {path or '/'}: no sideways scroll ({width})")
        phone.goto(f"{BASE}/console/events/{slug}?lang={lang}")
        phone.screenshot(path=os.path.join(SHOTS, f"console-overview-{lang}-390.png"), full_page=True)
    phone.close()

    # A form on another site posting to the console changes nothing.
    evil = context.new_page()
    html = (f'<form method="post" action="{BASE}/console/events/{slug}/sessions/{a}/place">'
            f'<input name="room_id" value="{anfa}"><input name="starts_at" value="{DAY}T16:00">'
            f'<input name="ends_at" value="{DAY}T17:00"><button>go</button></form>')
    evil.route("http://evil.example/", lambda route: route.fulfill(body=html, content_type="text/html"))
    evil.goto("http://evil.example/")
    evil.click("button")
    evil.wait_for_load_state()
    check(session_of(slug, a)["room_id"] == atlas, "cross-site: a form from another site changes nothing")
    evil.close()

    # Sign out: the session is over.
    page.goto(f"{BASE}/console?lang=en")
    with page.expect_navigation():
        page.locator("header .who button").click()
    page.goto(f"{BASE}/console/events/{slug}")
    check("/console/sign-in" in page.url, "sign-out: the console asks to sign in again")
    still.close()
    context.close()
    return slug, a


def refused_roles(browser, slug, session_id):
    for role in ("viewer", "checkin"):
        email = f"{role}-{int(time.time() * 1000)}@example.com"
        api("POST", "/api/v1/organizers", {"email": email, "password": "role password 1", "role": role})
        context = browser.new_context(viewport=DESKTOP)
        page = context.new_page()
        sign_in(page, (email, "role password 1"), f"/console/events/{slug}/schedule?day={DAY}")
        if role == "viewer":
            check(page.locator(".grid .session-card").count() >= 1, "viewer: sees the programme")
            check(page.locator('.session-card[draggable="true"]').count() == 0, "viewer: nothing to drag")
            check(page.locator(".tray a.button").count() == 0, "viewer: no button to add a session")
            shot(page, "console-editor-viewer-en-1280")
            res = page.request.post(f"{BASE}/console/events/{slug}/sessions/{session_id}/place",
                                    form={"room_id": "", "starts_at": "", "ends_at": "", "csrf": "x"},
                                    headers={"origin": BASE}, max_redirects=0)
            check(res.status == 403, f"viewer: a replayed move is refused ({res.status})")
        else:
            check(page.locator("main h1").inner_text() != "" and page.locator(".grid").count() == 0,
                  "checkin: the programme editor is not shown")
            res = page.request.get(f"{BASE}/console/events/{slug}/schedule", max_redirects=0)
            check(res.status == 403, f"checkin: the editor answers 403 ({res.status})")
        check(session_of(slug, session_id)["room_id"] is not None, f"{role}: nothing changed")
        context.close()


def suite(browser):
    slug, session_id = programme(browser)
    refused_roles(browser, slug, session_id)
