"""The pages in a real browser: Debian's Chromium driven by Playwright, against a running
Salon (started by scripts/browser.sh, which also loads the demo fair and makes an admin).

Each step does what a visitor does — opens a page, types, presses buttons, follows the link
of an email it read from the mail folder — and asserts what the visitor sees: the text in the
page's language, `dir`, field errors beside their fields. Each step saves a screenshot under
$SHOTS (phone 390 px and desktop 1280 px). Any failed check fails the run; so does a Chromium
that cannot start.
"""

import os
import sys
import time
import urllib.request

from playwright.sync_api import sync_playwright

from common import mail_html, BASE, CHROMIUM, DESKTOP, PHONE, api, check, in_language, mail_to, passed, shot
import console
import door
import emails
import exhibitors
import meetings
import registrations
import team
import webhooks

WORDS = {
    "ar": {"done": "شكرًا لكم", "confirmed": "تم تأكيد تسجيلكم", "cancelled": "تم إلغاء تسجيلكم",
           "required": "هذه الخانة إلزامية", "not_found": "الصفحة غير موجودة"},
    "fr": {"done": "Merci", "confirmed": "Votre inscription est confirmée", "cancelled": "Votre inscription est annulée",
           "required": "Ce champ est obligatoire", "not_found": "Page introuvable"},
    "en": {"done": "Thank you", "confirmed": "Your registration is confirmed", "cancelled": "Your registration is cancelled",
           "required": "This field is required", "not_found": "Page not found"},
}


def register_confirm_badge_cancel(browser, lang):
    words = WORDS[lang]
    address = f"visitor-{lang}-{int(time.time() * 1000)}@example.com"
    phone = browser.new_page(viewport=PHONE)
    phone.on("dialog", lambda d: d.accept())
    phone.goto(f"{BASE}/events/siccam/register?lang={lang}")
    in_language(phone, lang)
    shot(phone, f"register-{lang}-390")
    phone.fill("#f-name", {
        "ar": "سارة بنموسى",
        "fr": "Yasmine Alaoui",
        "en": "Maximiliano Alexander Montgomery-Fitzwilliam de la Cruz Villanueva-Santamaría",
    }[lang])
    phone.fill("#f-email", address)
    phone.fill("#f-organization", "Atlas Contact")
    phone.check("#f-consent")
    phone.click("button[type=submit]")
    phone.wait_for_load_state()
    check(words["done"] in phone.inner_text("main"), f"register {lang}: thank-you page")
    in_language(phone, lang)
    shot(phone, f"registered-{lang}-390")

    link = mail_to(address, r"http\S+/confirm/slr_[\w-]+\S*")
    check(f"lang={lang}" in link, f"register {lang}: the emailed link carries ?lang")
    desktop = browser.new_page(viewport=DESKTOP)
    desktop.on("dialog", lambda d: d.accept())
    desktop.goto(link)
    in_language(desktop, lang)
    shot(desktop, f"confirm-{lang}-1280")
    desktop.click("button[type=submit]")
    desktop.wait_for_load_state()
    check("/r/slr_" in desktop.url, f"confirm {lang}: lands on the attendee page")
    check(words["confirmed"] in desktop.inner_text("main"), f"attendee page {lang}: confirmed")
    in_language(desktop, lang)
    shot(desktop, f"attendee-{lang}-1280")

    # Edit own details: a bad phone is refused beside its field, then a good change sticks.
    desktop.click("details summary")
    desktop.fill("#d-phone", "06 12 ab")
    with desktop.expect_navigation():
        desktop.eval_on_selector("form[action*='/details']", "f => f.submit()")
    check(desktop.get_attribute("#d-phone", "aria-invalid") == "true", f"details {lang}: bad phone marked")
    shot(desktop, f"details-error-{lang}-1280")
    desktop.fill("#d-phone", "+212 6 12 34 56 78")
    desktop.fill("#d-organization", "Atlas Contact Services")
    with desktop.expect_navigation():
        desktop.eval_on_selector("form[action*='/details']", "f => f.submit()")
    desktop.click("details summary")
    check(desktop.input_value("#d-organization") == "Atlas Contact Services", f"details {lang}: saved")
    in_language(desktop, lang)

    desktop.click("a[href*='/badge']")
    desktop.wait_for_load_state()
    in_language(desktop, lang)
    check("Atlas Contact Services" in desktop.inner_text("body"), f"badge {lang}: organization printed")
    fits = desktop.eval_on_selector(".badge", """b => {
        const box = b.getBoundingClientRect();
        return [...b.children].every(c => c.getBoundingClientRect().bottom <= box.bottom + 1)
            && b.scrollHeight <= b.clientHeight + 1;
    }""")
    check(fits, f"badge {lang}: fits A6 whatever the name")
    shot(desktop, f"badge-{lang}-1280")
    desktop.go_back()
    desktop.wait_for_load_state()

    desktop.click("form[action*='/cancel'] button")
    desktop.wait_for_load_state()
    check(words["cancelled"] in desktop.inner_text("main"), f"attendee page {lang}: cancelled")
    shot(desktop, f"cancelled-{lang}-1280")

    # The used link mints nothing: its way forward is a page whose button emails the link to
    # the attendee's page (none goes out for a cancelled registration; the page says so).
    manage = desktop.url
    desktop.goto(link)
    check(desktop.locator("a.button").count() == 1, f"used link {lang}: a way forward")
    shot(desktop, f"used-link-{lang}-1280")
    desktop.click("a.button")
    desktop.wait_for_load_state()
    check("/mine" in desktop.url and "/r/slr_" not in desktop.url, f"used link {lang}: no page opened by the link")
    in_language(desktop, lang)
    shot(desktop, f"used-link-email-{lang}-1280")
    with desktop.expect_navigation():
        desktop.click("form button")
    check(desktop.locator("[role=status]").count() == 1, f"used link {lang}: the email is on its way")
    in_language(desktop, lang)
    shot(desktop, f"used-link-sent-{lang}-1280")
    desktop.goto(manage)
    desktop.click("button.link")
    desktop.wait_for_load_state()
    check(desktop.locator("[role=status]").count() == 1, f"erase {lang}: done")
    shot(desktop, f"erased-{lang}-1280")
    res = desktop.goto(manage)
    check(res.status == 404, f"erase {lang}: the link no longer works")
    phone.close()
    desktop.close()


def form_errors(browser, lang):
    page = browser.new_page(viewport=PHONE)
    page.goto(f"{BASE}/events/siccam/register?lang={lang}")
    page.fill("#f-email", "amina@")
    page.fill("#f-phone", "06 12 ab")
    with page.expect_navigation():
        page.eval_on_selector("form", "f => f.submit()")
    in_language(page, lang)
    for field in ["name", "email", "phone", "consent"]:
        check(page.get_attribute(f"#f-{field}", "aria-invalid") == "true", f"form {lang}: {field} marked")
        check(page.locator(f"#e-{field}").count() == 1, f"form {lang}: {field} explained beside it")
    check(WORDS[lang]["required"] in page.inner_text("main"), f"form {lang}: errors in the page's language")
    check(page.input_value("#f-email") == "amina@", f"form {lang}: typed values kept")
    if lang == "ar":
        said = page.inner_text("#e-email")
        check("\u2066name@example.com\u2069" in said and said.endswith("."),
              "form ar: the Latin example isolated, the stop at the sentence's end")
    focused = page.evaluate("document.activeElement && document.activeElement.id")
    check(focused == "f-name", f"form {lang}: the first field in error has the focus ({focused})")
    shot(page, f"register-errors-{lang}-390")
    page.close()


def error_pages(browser):
    page = browser.new_page(viewport=PHONE)
    for lang in ["ar", "fr", "en"]:
        res = page.goto(f"{BASE}/confirm/slr_not-a-real-link?lang={lang}")
        check(res.status == 404, f"unknown link {lang}: 404")
        in_language(page, lang)
        check(WORDS[lang]["not_found"] in page.inner_text("body"), f"unknown link {lang}: a page, in {lang}")
        shot(page, f"error-404-{lang}-390")
    res = page.goto(f"{BASE}/r/slr_unknown?lang=fr")
    check(res.status == 404 and "Page introuvable" in page.inner_text("body"), "unknown attendee link: 404 page")
    res = page.goto(f"{BASE}/events/no-such-fair/register?lang=en")
    check(res.status == 404 and "Page not found" in page.inner_text("body"), "unknown fair: 404 page")
    page.close()


def strict_error_pages(browser):
    """The 410, 429 and 403 pages, each in the visitor's language with a way forward."""
    strict = os.environ["SALON_STRICT"]
    page = browser.new_page(viewport=PHONE)
    address = f"late-{int(time.time() * 1000)}@example.com"
    page.goto(f"{strict}/events/siccam/register?lang=fr")
    page.fill("#f-name", "Karim Tazi")
    page.fill("#f-email", address)
    page.check("#f-consent")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    link = mail_to(address, r"http\S+/confirm/slr_[\w-]+\S*")
    time.sleep(2.5)
    res = page.goto(link)
    check(res.status == 410, "expired link: 410")
    in_language(page, "fr")
    check("Lien expiré" in page.inner_text("body"), "expired link: said in French")
    check("/register" in page.get_attribute("a.button", "href"), "expired link: the way to a new one")
    shot(page, "error-410-fr-390")
    status = 0
    for _ in range(4):
        page.goto(f"{strict}/events/siccam/register?lang=ar")
        page.fill("#f-name", "x")
        page.fill("#f-email", "flood@example.com")
        page.check("#f-consent")
        with page.expect_navigation() as nav:
            page.click("button[type=submit]")
        status = nav.value.status if nav.value else 0
        if status == 429:
            break
    check(status == 429, "too many posts: 429")
    in_language(page, "ar")
    check("طلبات كثيرة" in page.inner_text("body"), "429: said in Arabic, with when to retry")
    shot(page, "error-429-ar-390")
    page.goto(f"{BASE}/events/siccam/register?lang=en")
    page.eval_on_selector("input[name=csrf]", "i => i.value = 'forged'")
    page.fill("#f-name", "x")
    page.fill("#f-email", "forged@example.com")
    page.check("#f-consent")
    with page.expect_navigation() as nav:
        page.click("button[type=submit]")
    check(nav.value.status == 403, "unverified form: 403")
    check("could not be verified" in page.inner_text("body"), "403: said in English")
    check("/register" in page.get_attribute("a.button", "href"), "403: a fresh form")
    shot(page, "error-403-en-390")
    page.close()


def exhibitor(browser):
    address = f"exhibitor-{int(time.time() * 1000)}@example.com"
    page = browser.new_page(viewport=PHONE)
    page.goto(f"{BASE}/events/siccam/exhibit?lang=fr")
    in_language(page, "fr")
    page.fill("#f-company_name", "Sahara Voice")
    page.fill("#f-contact_name", "Leila Benali")
    page.fill("#f-email", address)
    page.fill("#f-booth_area_m2", "18")
    page.select_option("#f-country", label="Maroc")
    page.check("#f-consent")
    shot(page, "exhibit-fr-390")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    check("Merci" in page.inner_text("main"), "exhibit: thank-you page")
    link = mail_to(address, r"http\S+/exhibitors/confirm/sle_[\w-]+\S*")
    page.goto(link)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    header = page.inner_text("header")
    check("Salon International des Centres de Contact" in header and "siccam" not in header,
          f"exhibitor confirmed: the fair by its name, not its slug ({header!r})")
    # Confirmed: its own page at once, under review, to complete or withdraw.
    check("/exhibitor/sle_" in page.url, f"exhibitor confirmed: on its own page ({page.url})")
    check("l’examinent" in page.inner_text("main"), "exhibitor page: under review")
    check(page.locator("#staff").count() == 0, "exhibitor page: no staff passes before approval")
    page.fill("#profile-sector", "Relation client")
    page.click("#profile form button.primary")
    page.wait_for_load_state()
    check(page.input_value("#profile-sector") == "Relation client", "exhibitor page: profile edited while under review")
    shot(page, "exhibitor-submitted-fr-390")
    items = api("GET", "/api/v1/events/siccam/exhibitors?status=submitted&per_page=200")["items"]
    ex = next(i for i in items if i["email"] == address)
    check(ex["country"] == "MA", f"exhibit: the country chosen is stored as its code ({ex['country']!r})")
    api("PATCH", "/api/v1/events/siccam", {"payment_instructions": {
        "fr": "Virement sous 15 jours au RIB 011 780 0000 1234 5678 9012 34.",
        "ar": "تحويل بنكي داخل أجل 15 يومًا."}})
    booths = api("GET", "/api/v1/events/siccam/booths?available=true&per_page=100")["items"]
    small = next(b for b in booths if b["area_m2"] < 18)
    booth = small["code"]
    out = api("POST", f"/api/v1/events/siccam/exhibitors/{ex['id']}/approve", {"booth_code": booth})
    check(any(w["code"] == "booth_smaller_than_requested" for w in out["warnings"]),
          f"approval onto a {small['area_m2']} m² booth for 18 m² asked: warned")
    price = mail_to(address, "Prix\u00a0: [^\n]+")
    check("MAD" in price and ",00" in price, f"approval email: the booth's price ({price!r})")
    mail_to(address, r"RIB 011 780[^\n]*")
    letter = browser.new_page(viewport=PHONE)
    letter.set_content(mail_html(address, r"RIB 011 780"))
    check("RIB 011 780" in letter.inner_text("body") and "MAD" in letter.inner_text("body"),
          "approval email (HTML): the price and the payment instructions")
    shot(letter, "email-exhibitor-approved-fr-390")
    letter.close()
    manage = mail_to(address, r"http\S+/exhibitor/sle_[\w-]+\S*")
    page.goto(manage)
    in_language(page, "fr")
    check(booth in page.inner_text("main"), "exhibitor page: its booth")
    shot(page, "exhibitor-page-fr-390")
    staff = f"staff-{int(time.time() * 1000)}@example.com"
    page.fill("#staff-name", "Youssef El Alami")
    page.fill("#staff-email", staff)
    page.click("#staff form button.primary")
    page.wait_for_load_state()
    check("Youssef El Alami" in page.inner_text("#staff"), "exhibitor page: staff pass added")
    mail_to(staff, r"/r/slr_[\w-]+/badge")
    shot(page, "exhibitor-staff-added-fr-390")
    page.fill("#staff-name", "")
    page.fill("#staff-email", "nobody@")
    page.click("#staff form button.primary")
    page.wait_for_load_state()
    check(page.get_attribute("#staff-email", "aria-invalid") == "true", "exhibitor page: a bad staff email beside its field")
    page.click("ul.staff form button")
    page.wait_for_load_state()
    check("retiré" in page.inner_text("#staff"), "exhibitor page: staff pass removed")
    page.fill("#profile-sector", "Centres de contact")
    page.fill("#profile-website", "https://sahara.example")
    page.click("#profile form button.primary")
    page.wait_for_load_state()
    check(page.input_value("#profile-sector") == "Centres de contact", "exhibitor page: profile saved")
    shot(page, "exhibitor-edited-fr-390")
    manage_url = page.url
    page.goto(f"{BASE}/events/siccam/exhibitors?lang=fr")
    check("Sahara Voice" in page.inner_text("main") and booth in page.inner_text("main"),
          "directory: the approved exhibitor with its booth")
    page.select_option("select[name=country]", label="Maroc")
    with page.expect_navigation():
        page.click("form.filters button")
    check("country=MA" in page.url and "Sahara Voice" in page.inner_text("main"),
          "directory: filtered by country, named in French")
    check("Hall\u00a0: Hall A" in page.inner_text("main"), "directory: a French colon after a no-break space")
    shot(page, "directory-country-fr-390")
    page.goto(manage_url)
    page.on("dialog", lambda d: d.accept())
    page.click("main > form button.link")
    page.wait_for_load_state()
    check("retirée" in page.inner_text("main"), "exhibitor page: withdrawn")
    shot(page, "exhibitor-withdrawn-fr-390")
    page.close()


def programme(browser):
    for lang in ["ar", "fr", "en"]:
        for name, size in [("390", PHONE), ("1280", DESKTOP)]:
            page = browser.new_page(viewport=size)
            page.goto(f"{BASE}/events/siccam?lang={lang}")
            in_language(page, lang)
            check(page.locator("nav.switcher a").count() == 3, f"programme {lang}: language switcher")
            check(page.locator("nav.tabs a").count() == 2, f"programme {lang}: a tab per fair day")
            check(page.locator("article.session").count() > 5, f"programme {lang}: the day's sessions")
            check(page.locator("ul.legend li").count() >= 2, f"programme {lang}: track legend with names")
            check("Africa/Casablanca" in page.inner_text("p.tz"), f"programme {lang}: time zone label")
            shot(page, f"programme-{lang}-{name}")
            page.close()
    # On wide screens no card cuts off its text: every speaker's name shows, in every language.
    clipped_js = """() => [...document.querySelectorAll('.grid article.session')]
        .filter(a => a.scrollHeight > a.clientHeight + 1 || a.scrollWidth > a.clientWidth + 1)
        .map(a => a.id)"""
    for width in (1280, 1440, 1920):
        for lang in ["ar", "fr", "en"]:
            page = browser.new_page(viewport={"width": width, "height": 900})
            for day in (1, 2):
                page.goto(f"{BASE}/events/siccam?lang={lang}")
                page.locator("nav.tabs a").nth(day - 1).click()
                page.wait_for_load_state()
                clipped = page.evaluate(clipped_js)
                check(clipped == [], f"programme {lang} {width} px, day {day}: no card clipped ({clipped})")
            if width == 1440:
                shot(page, f"programme-{lang}-{width}")
            page.close()
    page = browser.new_page(viewport=DESKTOP)
    page.goto(f"{BASE}/events/siccam?lang=en")
    grid = page.eval_on_selector(".grid", "g => getComputedStyle(g).display")
    check(grid == "grid", "programme 1280: a room x time grid")
    page.locator("nav.tabs a").nth(1).click()
    page.wait_for_load_state()
    check(page.locator("nav.tabs a[aria-current]").inner_text().startswith("Day 2"), "programme: day 2 tab")
    page.select_option("select[name=kind]", "keynote")
    page.click("form.filters button")
    page.wait_for_load_state()
    kinds = page.eval_on_selector_all("article.session", "a => a.map(s => s.querySelector('.meta').innerText)")
    check("kind=keynote" in page.url and kinds and all("Keynote" in k for k in kinds), f"programme: filtered by kind {kinds}")
    shot(page, "programme-filtered-en-1280")
    page.goto(f"{BASE}/events/siccam?lang=fr")
    page.locator("article.session h3 a").first.click()
    page.wait_for_load_state()
    check("/sessions/" in page.url, "session page opens from the programme")
    in_language(page, "fr")
    check(page.locator("a[download]").count() == 1, "session page: add to calendar")
    check("Langue de la session" in page.inner_text("main"), "session page: the session's language")
    check(page.locator("a[data-register]").count() == 1, "session page: a stranger is invited to register to book")
    shot(page, "session-fr-1280")
    ics = urllib.request.urlopen(BASE + page.get_attribute("a[download]", "href")).read().decode()
    check(ics.startswith("BEGIN:VCALENDAR") and "UID:session-" in ics, "session .ics parses as a calendar")
    if page.locator("main h3 a").count():
        page.locator("main h3 a").first.click()
        page.wait_for_load_state()
        check("/speakers/" in page.url, "speaker page from the session page")
        shot(page, "speaker-fr-1280")
        # In Arabic the times stay left to right ("09:30–10:15", never "10:15–09:30").
        page.goto(page.url.replace("lang=fr", "lang=ar"))
        in_language(page, "ar")
        times = page.locator("main .meta span[dir=ltr]")
        check(times.count() > 0, "speaker page ar: each session's times isolated left to right")
        start, end = times.first.inner_text().split("–")
        check(start < end, f"speaker page ar: {start}–{end} in order")
        shot(page, "speaker-ar-1280")
    page.goto(f"{BASE}/events/siccam/changes?lang=ar")
    in_language(page, "ar")
    shot(page, "changes-ar-1280")
    page.goto(f"{BASE}/events/siccam/exhibitors?lang=fr")
    in_language(page, "fr")
    check(page.locator("main").count() == 1, "directory: a page")
    shot(page, "directory-fr-1280")
    page.close()
    phone = browser.new_page(viewport=PHONE)
    phone.goto(f"{BASE}/events/siccam?lang=ar")
    grid = phone.eval_on_selector(".grid", "g => getComputedStyle(g).display")
    check(grid == "block", "programme 390: a list on phones")
    phone.goto(f"{BASE}/events/siccam/register")
    in_language(phone, "ar")
    phone.close()


def bookings(browser):
    """An attendee books a seminar from the programme, sees it on the session page and on their
    own page (with the agenda feed), and leaves it again — all through the pages' forms."""
    address = f"seats-{int(time.time() * 1000)}@example.com"
    api("POST", "/api/v1/events/siccam/registrations",
        {"name": "Karim Tazi", "email": address, "language": "fr", "category": "professional"})
    manage = mail_to(address, r"http\S+/r/slr_[\w-]+\?lang=\w\w")
    page = browser.new_page(viewport=DESKTOP)
    page.goto(manage)
    in_language(page, "fr")
    section = page.locator("#bookings")
    check(section.count() == 1, "attendee page: a section for my sessions")
    check("Vous n'avez réservé aucune session" in section.inner_text(), "attendee page: no booking yet")
    feed = page.input_value("#bookings input[readonly]")
    check("/a/slf_" in feed and feed.endswith(".ics"), "attendee page: the agenda feed link")
    check(page.locator("#bookings a[href^='webcal://']").count() == 1, "attendee page: subscribe in a calendar")
    shot(page, "attendee-bookings-empty-fr-1280")

    # The programme, reached from the attendee page, offers a seat in each session.
    section.locator("a.button[href*='/events/siccam']").click()
    page.wait_for_load_state()
    check("/events/siccam" in page.url, "programme from the attendee page")
    cards = page.locator("article.session:has(form.seat)")
    check(cards.count() > 3, "programme: book buttons for a visiting attendee")
    clipped = page.eval_on_selector_all("article.session form.seat button", """bs => bs.filter(b => {
        const card = b.closest('article').getBoundingClientRect();
        return b.getBoundingClientRect().bottom > card.bottom + 1;
    }).length""")
    check(clipped == 0, f"programme 1280: every book button inside its card ({clipped} clipped)")
    card = cards.first
    title = card.locator("h3").inner_text()
    card_id = card.get_attribute("id")
    card.locator("form.seat button").click()
    page.wait_for_load_state()
    card = page.locator(f"article#{card_id}")
    check("Place réservée" in card.inner_text(), f"programme: '{title}' booked")
    check(card.locator("form.seat button.leave").count() == 1, "programme: a leave button once booked")
    shot(page, "programme-booked-fr-1280")

    # The session page says so too, and the feed now holds the session.
    card.locator("h3 a").click()
    page.wait_for_load_state()
    check("Place réservée" in page.inner_text("main"), "session page: booked")
    ics = urllib.request.urlopen(feed).read().decode()
    check(ics.count("BEGIN:VEVENT") == 1, "agenda feed: the booked session")
    shot(page, "session-booked-fr-1280")

    # On the attendee page (in Arabic this time): listed, and left with its button.
    page.goto(manage.replace("lang=fr", "lang=ar") if "lang=" in manage else manage + "?lang=ar")
    in_language(page, "ar")
    check(title in page.inner_text("#bookings"), "attendee page: the booking listed")
    shot(page, "attendee-booked-ar-1280")
    page.locator("#bookings form button.link").first.click()
    page.wait_for_load_state()
    check("لم تحجزوا أي جلسة" in page.inner_text("#bookings"), "attendee page: left, nothing booked")
    ics = urllib.request.urlopen(feed).read().decode()
    check("BEGIN:VEVENT" not in ics, "agenda feed: empty again")

    # A shared browser: another attendee's page does not take it over by being opened (a link
    # someone sends could); its button does.
    other = f"seats-other-{int(time.time() * 1000)}@example.com"
    api("POST", "/api/v1/events/siccam/registrations",
        {"name": "Salma Idrissi", "email": other, "language": "fr", "category": "professional"})
    page.goto(mail_to(other, r"http\S+/r/slr_[\w-]+\?lang=\w\w"))
    notice = page.locator("form[data-remember]")
    check(notice.count() == 1, "shared browser: the other attendee's page offers to book in her name")
    shot(page, "attendee-remember-fr-1280")
    with page.expect_navigation():
        notice.locator("button").click()
    check(page.locator("form[data-remember]").count() == 0, "shared browser: it now books in her name")
    page.close()


def pages(browser):
    """The public pages: registering in each language, form errors, error pages, exhibitors,
    the programme and seats."""
    for lang in ["ar", "fr", "en"]:
        register_confirm_badge_cancel(browser, lang)
        form_errors(browser, lang)
    error_pages(browser)
    strict_error_pages(browser)
    exhibitor(browser)
    programme(browser)
    bookings(browser)


def main():
    """Every suite, or those named in $SUITES (`SUITES=webhooks,team scripts/browser.sh`)."""
    only = {s for s in os.environ.get("SUITES", "").split(",") if s}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        suites = [
            ("pages", lambda: pages(browser)),
            ("console", lambda: console.suite(browser)),
            ("door", lambda: door.suite(p, browser)),
            ("registrations", lambda: registrations.suite(browser)),
            ("exhibitors", lambda: exhibitors.suite(browser)),
            ("emails", lambda: emails.suite(browser)),
            ("team", lambda: team.suite(browser)),
            ("meetings", lambda: meetings.suite(browser)),
            ("webhooks", lambda: webhooks.suite(browser)),
        ]
        for name, run in suites:
            if not only or name in only:
                run()
        browser.close()
    print(f"browser: {len(passed)} passed, 0 failed")


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # noqa: BLE001 - report and fail the run
        last = passed[-1] if passed else "none"
        print(f"browser: {len(passed)} passed, 1 failed after '{last}': {e}", file=sys.stderr)
        sys.exit(1)
