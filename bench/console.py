"""The console's programme editor under a stopwatch: how long the editor page of the demo fair
(five rooms, thirty-two sessions) takes to answer, and how long a move takes to be saved (the
POST the editor's script sends on a drop: conflict checks, the write, the audit entry, the
warnings described). Sequential requests over one keep-alive connection, after a warm-up, so
the figures are the server's time per request, not a load test. See bench/README.md.

    python3 bench/console.py http://127.0.0.1:8080 admin@example.com 'password' [requests]
"""

import html as entities
import http.client
import json
import re
import statistics
import sys
import time
import urllib.parse
from datetime import datetime, timedelta

base, email, password = sys.argv[1], sys.argv[2], sys.argv[3]
n = int(sys.argv[4]) if len(sys.argv) > 4 else 200
host = urllib.parse.urlparse(base).netloc
conn = http.client.HTTPConnection(host)
cookies = {}


def request(method, path, body=None, headers=None):
    headers = dict(headers or {})
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
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


def csrf_of(html, action):
    form = re.search(r'<form[^>]*action="' + re.escape(action) + r'".*?</form>', html, re.S)
    return re.search(r'name="csrf" value="([0-9a-f]+)"', form.group(0)).group(1)


status, page, _ = request("GET", "/console/sign-in")
token = csrf_of(entities.unescape(page.decode()), "/console/sign-in")
body = urllib.parse.urlencode({"email": email, "password": password, "next": "/console", "csrf": token})
status, _, _ = request("POST", "/console/sign-in", body)
assert status == 303 and "salon_console" in cookies, f"sign-in: {status}"

editor = "/console/events/siccam/schedule"
status, page, _ = request("GET", editor)
assert status == 200, f"editor: {status}"
html = entities.unescape(page.decode())
card = re.search(r'data-session-id="(\d+)"[^>]*data-place="([^"]+)"[^>]*data-csrf="([0-9a-f]+)"', html)
if not card:
    card = re.search(r'data-session-id="(\d+)".*?data-place="([^"]+)".*?data-csrf="([0-9a-f]+)"', html, re.S)
session_id, place, csrf = card.group(1), card.group(2), card.group(3)
article = re.search(r'<article[^>]*data-session-id="' + session_id + r'"[^>]*>', html, re.S).group(0)
room = re.search(r'data-room-id="(\d+)"', article).group(1)
local = re.search(r'data-local="([^"]+)"', article).group(1)
minutes = int(re.search(r'data-minutes="(\d+)"', article).group(1))
end = (datetime.strptime(local, "%Y-%m-%dT%H:%M") + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M")
move = urllib.parse.urlencode({"csrf": csrf, "room_id": room, "starts_at": local, "ends_at": end})


def measure(label, call):
    for _ in range(20):
        call()
    times = [call() for _ in range(n)]
    times.sort()
    p95 = times[int(len(times) * 0.95) - 1]
    print(f"{label}: median {statistics.median(times):.1f} ms, p95 {p95:.1f} ms, max {times[-1]:.1f} ms ({n} requests)")


def load():
    status, _, elapsed = request("GET", editor)
    assert status == 200
    return elapsed


def moved():
    status, data, elapsed = request("POST", place, move, {"Accept": "application/json"})
    assert status == 200 and json.loads(data)["saved"], (status, data[:200])
    return elapsed


slots, cards = html.count('class="slot'), html.count('class="session-card')
print(f"editor page: {len(page) // 1024} KiB of HTML, {slots} slots, {cards} session cards")
measure("GET the editor page (demo fair, 5 rooms, 32 sessions)", load)
measure("POST a move (JSON, saved)", moved)

# The same page in Chromium, when Playwright is at hand: from navigation to the load event
# (HTML, CSS, the editor's script, layout of the 540 slots), what an organizer waits for.
try:
    from playwright.sync_api import sync_playwright
except ImportError:
    sync_playwright = None
if sync_playwright:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1920, "height": 1080})
        page.context.add_cookies([{"name": "salon_console", "value": cookies["salon_console"], "url": base + "/console"}])
        loads = []
        for i in range(30):
            page.goto(base + editor)
            timing = page.evaluate("JSON.stringify(performance.getEntriesByType('navigation')[0])")
            if i >= 5:
                loads.append(json.loads(timing)["loadEventEnd"])
        browser.close()
    loads.sort()
    print(f"Chromium, navigation to load event (1920 px): median {statistics.median(loads):.0f} ms, max {loads[-1]:.0f} ms ({len(loads)} loads)")
