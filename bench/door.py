"""The door under a stopwatch: how long a badge check takes on a fair with thousands of
registrations — the POST the door page's script sends when a handheld scanner types a code and
Enter (the event locked, the badge found, the check-in written, today's count read) — and how
long the server takes to read a camera frame for its QR code. Sequential requests over one
keep-alive connection after a warm-up: the server's time per request, one round trip each. Then,
when Playwright is installed, Chromium at phone size: from the Enter key to the band showing the
badge. See bench/README.md.

    target/release/salon demo            # the demo fair runs today: its badges can be checked in
    python3 bench/door.py http://127.0.0.1:8080 admin@example.com 'password' [registrations] [checks]
"""

import html as entities
import http.client
import json
import re
import statistics
import sys
import time
import urllib.parse

base, email, password = sys.argv[1], sys.argv[2], sys.argv[3]
total = int(sys.argv[4]) if len(sys.argv) > 4 else 5000
n = int(sys.argv[5]) if len(sys.argv) > 5 else 500
host = urllib.parse.urlparse(base).netloc
conn = http.client.HTTPConnection(host)
cookies = {}


def request(method, path, body=None, headers=None, form=True):
    headers = dict(headers or {})
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    if body is not None and form:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    if body is not None:
        headers["Origin"] = base
    started = time.perf_counter()
    conn.request(method, path, body=body, headers=headers)
    res = conn.getresponse()
    data = res.read()
    elapsed = (time.perf_counter() - started) * 1000
    for value in res.headers.get_all("Set-Cookie") or []:
        name, _, rest = value.partition("=")
        cookies[name] = rest.split(";")[0]
    return res.status, data, elapsed


def api(method, path, body, token):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    conn.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
    res = conn.getresponse()
    data = res.read()
    assert res.status < 300, (res.status, data[:300])
    return json.loads(data)


# The registrations: confirmed at once, as organizers add them.
token = api("POST", "/api/v1/auth/tokens", {"email": email, "password": password, "name": "bench door"}, None)["token"]
already = api("GET", "/api/v1/events/siccam/registrations?per_page=1", None, token)["total"]
badges = []
started = time.perf_counter()
for i in range(max(0, total - already) + n + 40):
    out = api("POST", "/api/v1/events/siccam/registrations",
              {"name": f"Visiteur {i}", "email": f"door-bench-{time.time_ns()}@example.com",
               "organization": "Atlas Contact"}, token)
    badges.append(out["badge_code"])
print(f"{len(badges)} registrations added in {time.perf_counter() - started:.0f} s "
      f"(the fair holds {already + len(badges)})")

status, page, _ = request("GET", "/console/sign-in")
token_field = re.search(r'name="csrf" value="([0-9a-f]+)"', entities.unescape(page.decode()).split('action="/console/sign-in"')[1]).group(1)
status, _, _ = request("POST", "/console/sign-in", urllib.parse.urlencode(
    {"email": email, "password": password, "next": "/console", "csrf": token_field}))
assert status == 303, f"sign-in: {status}"
door = "/console/events/siccam/door"
status, page, _ = request("GET", door)
assert status == 200, f"door: {status}"
html = entities.unescape(page.decode())
csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', html.split('class="door-check"')[1]).group(1)
frame_csrf = re.search(r'data-csrf="([0-9a-f]+)"', html).group(1)


def check(code, want):
    status, data, elapsed = request("POST", door, urllib.parse.urlencode({"csrf": csrf, "badge_code": code}),
                                    {"Accept": "application/json"})
    assert status == 200 and json.loads(data)["kind"] == want, (status, data[:200])
    return elapsed


def measure(label, times):
    times.sort()
    p95 = times[int(len(times) * 0.95) - 1]
    print(f"{label}: median {statistics.median(times):.1f} ms, p95 {p95:.1f} ms, max {times[-1]:.1f} ms ({len(times)} requests)")


for code in badges[:20]:
    check(code, "in")
fresh = badges[20:20 + n]
measure("POST the door, a badge's first scan today (green)", [check(c, "in") for c in fresh])
measure("POST the door, the same badge again (amber)", [check(c, "again") for c in fresh])

# A camera frame: the grey picture the page's script sends where the browser has no
# BarcodeDetector (480 × 360, the badge's QR code held up to the phone).
try:
    import segno
except ImportError:
    segno = None
if segno:
    w, h = 480, 360
    rows = [list(r) for r in segno.make(badges[-1], error="m").matrix_iter(scale=1, border=4)]
    scale = (h * 3 // 4) // len(rows)
    side = scale * len(rows)
    grey = bytearray([200] * (w * h))
    for y in range(side):
        for x in range(side):
            grey[((h - side) // 2 + y) * w + (w - side) // 2 + x] = 30 if rows[y // scale][x // scale] else 235

    def frame(body):
        status, data, elapsed = request("POST", f"{door}/frame?w={w}&h={h}", bytes(body),
                                        {"x-csrf": frame_csrf, "Content-Type": "application/octet-stream"}, form=False)
        assert status == 200, (status, data[:200])
        return json.loads(data)["code"], elapsed

    assert frame(grey)[0] == badges[-1]
    measure("POST a camera frame holding the badge's QR code (read: the code)", [frame(grey)[1] for _ in range(100)])
    measure("POST a camera frame holding none (read: nothing)", [frame(bytearray([128] * (w * h)))[1] for _ in range(100)])

try:
    from playwright.sync_api import sync_playwright
except ImportError:
    sync_playwright = None
if sync_playwright:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 390, "height": 844})
        page.context.add_cookies([{"name": "salon_console", "value": cookies["salon_console"], "url": base + "/console"}])
        page.goto(base + door)
        shown = []
        for code in badges[20 + n:20 + n + 40]:
            page.fill("#badge_code", code)  # what the scanner types, at once
            started = time.perf_counter()
            page.keyboard.press("Enter")
            page.wait_for_selector(".door-result.in")
            shown.append((time.perf_counter() - started) * 1000)
            # Back to neutral, so the next green is this badge's.
            page.evaluate("document.getElementById('door-result').className = 'door-result'")
        browser.close()
    measure("Chromium (390 px): Enter after a code, to the green band (Playwright's round trips included)", shown)
