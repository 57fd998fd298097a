"""Meetings under a stopwatch (SPEC §4.4): how many meeting requests a second the server
decides when many attendees ask one exhibitor for its slots at once — each request locks the
fair, checks every rule and writes the request and its email in one transaction — and how long
the day-before reminders of 2,000 attendees take to write. See bench/README.md.

    target/release/salon demo     # the demo fair runs today and tomorrow
    SALON__RATE_LIMIT__PER_MINUTE=1000000 target/release/salon serve 2> server.log &
    python3 bench/meetings.py http://127.0.0.1:8080 admin@example.com 'password' var/mail [attendees] [clients]
    grep 'meeting reminders queued' server.log    # the reminders' time, within a minute

The reminders of tomorrow's meetings are due from 17:00 in Casablanca today: run it after
that hour (or load the demo with `--on` tomorrow's date and set the clock's hour accordingly).
"""

import concurrent.futures
import email
import glob
import http.client
import json
import os
import random
import re
import statistics
import sys
import threading
import time
import urllib.parse
from email import policy

base, admin, password, mail_dir = sys.argv[1:5]
total = int(sys.argv[5]) if len(sys.argv) > 5 else 2000
clients = int(sys.argv[6]) if len(sys.argv) > 6 else 16
host = urllib.parse.urlparse(base).netloc
local = threading.local()


def api(method, path, body=None, token=None, ok=True):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    for attempt in range(2):
        conn = getattr(local, "conn", None)
        if conn is None:
            conn = local.conn = http.client.HTTPConnection(host)
        try:
            conn.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
            res = conn.getresponse()
            data = res.read()
            break
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
            # The server closed the idle keep-alive connection: a new one.
            local.conn = None
            if attempt:
                raise
    if ok:
        assert res.status < 300, (method, path, res.status, data[:300])
    return res.status, (json.loads(data) if data else None)


def mail_links(pattern):
    """Every match of `pattern` in the text of the emails, by recipient."""
    found = {}
    for path in glob.glob(os.path.join(mail_dir, "*.eml")):
        with open(path, "rb") as f:
            msg = email.message_from_bytes(f.read(), policy=policy.default)
        m = re.search(pattern, msg.get_body(("plain",)).get_content())
        if m:
            found[str(msg["To"]).strip("<>")] = m.group(1)
    return found


_, t = api("POST", "/api/v1/auth/tokens", {"email": admin, "password": password, "name": "bench meetings"})
token = t["token"]
_, fair = api("GET", "/api/v1/events/siccam")
day = fair["ends_on"]
api("PUT", "/api/v1/events/siccam/meetings/settings",
    {"blocks": [{"day": day, "starts": "09:00", "ends": "18:00"}], "slot_minutes": 20, "request_ttl": "48h"}, token)

# One exhibitor, approved, with its manage token from the approval email.
stamp = time.time_ns()
ex_email = f"bench-exhibitor-{stamp}@example.com"
api("POST", "/api/v1/events/siccam/exhibitors",
    {"company_name": f"Bench Outsourcing {stamp}", "contact_name": "Karim", "email": ex_email, "booth_kind": "standard",
     "booth_area_m2": 9, "language": "fr", "consent": True})
time.sleep(2)
confirm = mail_links(r"/exhibitors/confirm/(sle_[\w-]+)")[ex_email]
_, ex = api("POST", "/api/v1/exhibitors/confirm", {"token": confirm})
api("POST", f"/api/v1/events/siccam/exhibitors/{ex['id']}/approve", {"booth_code": None}, token)
time.sleep(2)
ex_token = mail_links(r"/exhibitor/(sle_[\w-]+)")[ex_email]

# The attendees, confirmed as organizers add them; their tokens from their emails.
emails = [f"bench-buyer-{stamp}-{i}@example.com" for i in range(total)]
started = time.perf_counter()
with concurrent.futures.ThreadPoolExecutor(clients) as pool:
    list(pool.map(lambda e: api("POST", "/api/v1/events/siccam/registrations",
                                {"name": "Acheteur", "email": e, "organization": "Banque"}, token), emails))
print(f"{total} attendees registered in {time.perf_counter() - started:.0f} s")
tokens = {}
for _ in range(60):
    tokens = mail_links(r"/r/(slr_[\w-]+)")
    if all(e in tokens for e in emails):
        break
    time.sleep(2)
tokens = [tokens[e] for e in emails]

_, slots = api("GET", f"/api/v1/events/siccam/meetings/slots?exhibitor_id={ex['id']}")
starts = [s["starts_at"] for s in slots]
print(f"{len(starts)} free slots tomorrow, one table")


def ask(args):
    t, start = args
    began = time.perf_counter()
    status, _ = api("POST", "/api/v1/me/meetings", {"exhibitor_id": ex["id"], "starts_at": start}, t, ok=False)
    return status, (time.perf_counter() - began) * 1000


random.seed(1)
asks = [(t, random.choice(starts)) for t in tokens]
started = time.perf_counter()
with concurrent.futures.ThreadPoolExecutor(clients) as pool:
    results = list(pool.map(ask, asks))
elapsed = time.perf_counter() - started
held = sum(1 for s, _ in results if s == 201)
refused = sum(1 for s, _ in results if s == 409)
times = sorted(ms for _, ms in results)
print(f"contention: {len(asks)} requests from {clients} clients for {len(starts)} slots of one table: "
      f"{len(asks) / elapsed:.0f} requests/s, {held} held, {refused} refused (409), "
      f"median {statistics.median(times):.1f} ms, p95 {times[int(len(times) * 0.95)]:.1f} ms")
assert held == len(starts), "exactly one request per slot holds the table"

# Every attendee a meeting tomorrow: 10-minute slots and 50 tables (2,700 places), a request
# each, all accepted.
api("PUT", "/api/v1/events/siccam/meetings/settings",
    {"blocks": [{"day": day, "starts": "09:00", "ends": "18:00"}], "slot_minutes": 10, "request_ttl": "48h"}, token)
api("PATCH", f"/api/v1/events/siccam/exhibitors/{ex['id']}", {"meeting_tables": 50}, token)
_, slots = api("GET", f"/api/v1/events/siccam/meetings/slots?exhibitor_id={ex['id']}")
starts = [s["starts_at"] for s in slots]
waiting = [(t, starts[i % len(starts)]) for i, (t, (s, _)) in enumerate(zip(tokens, results)) if s != 201]
with concurrent.futures.ThreadPoolExecutor(clients) as pool:
    assert all(s == 201 for s, _ in pool.map(ask, waiting))
_, mine = api("GET", "/api/v1/exhibitor/meetings", None, ex_token)
pending = [m["id"] for m in mine if m["status"] == "pending"]
started = time.perf_counter()
with concurrent.futures.ThreadPoolExecutor(clients) as pool:
    list(pool.map(lambda i: api("POST", f"/api/v1/exhibitor/meetings/{i}/accept", {}, ex_token), pending))
print(f"{len(pending)} meetings accepted in {time.perf_counter() - started:.1f} s; "
      "the reminders follow within a minute: see the server's log line 'meeting reminders queued'")
