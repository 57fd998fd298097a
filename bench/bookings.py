"""Bookings under contention and a release that emails every attendee with a seat.

Run by bench/bookings.sh against a fresh release server with the demo fair loaded and emails
written as files (so the attendees' manage links can be read back). Steps:

1. N attendees are created by an organizer (each a confirmed registration whose
   `registration_confirmed` email carries the manage link); their tokens are read from the
   emails.
2. Contention: all N book the same session at once (`CONNECTIONS` client threads, one request
   each): requests/s, latency p50/p99, and the exact count of booked seats against the
   session's capacity.
3. The organizers rename that session and publish a release: the time of the release request,
   then the time until the N `schedule_changed` emails are in the outbox (the notices job) and
   until every one is written out (the mail worker).
"""

import email
import glob
import http.client
import json
import os
import re
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from email import policy
from urllib.parse import urlparse

BASE = os.environ["BASE"]
TOKEN = os.environ["TOKEN"]
N = int(os.environ.get("ATTENDEES", "3000"))
CONNECTIONS = int(os.environ.get("CONNECTIONS", "32"))
PGDB = os.environ.get("PGDB", "")
HOST = urlparse(BASE)

local = threading.local()


def conn():
    if not hasattr(local, "c"):
        local.c = http.client.HTTPConnection(HOST.hostname, HOST.port, timeout=60)
    return local.c


def call(method, path, body=None, token=TOKEN):
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    data = json.dumps(body) if body is not None else None
    for attempt in range(3):
        try:
            c = conn()
            c.request(method, path, body=data, headers=headers)
            res = c.getresponse()
            raw = res.read()
            return res.status, (json.loads(raw) if raw else None)
        except (http.client.HTTPException, OSError):
            local.c = http.client.HTTPConnection(HOST.hostname, HOST.port, timeout=60)
            if attempt == 2:
                raise


def sql(query):
    if PGDB:
        out = subprocess.run(["psql", "-qtA", "-h", "127.0.0.1", "-U", "postgres", "-d", PGDB, "-c", query],
                             capture_output=True, text=True, check=True).stdout
        return int(out.strip() or 0)
    return sqlite3.connect("var/salon.db").execute(query).fetchone()[0]


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))]


def main():
    status, schedule = call("GET", "/api/v1/events/siccam/schedule", token=None)
    target = next(s for s in schedule["sessions"] if s["kind"] == "keynote")
    print(f"attendees={N} connections={CONNECTIONS} session={target['id']} capacity={target['capacity']}")

    t0 = time.time()
    with ThreadPoolExecutor(CONNECTIONS) as pool:
        made = list(pool.map(lambda i: call("POST", "/api/v1/events/siccam/registrations", {
            "name": f"Bench {i}", "email": f"bench{i}@example.com", "language": ["fr", "ar", "en"][i % 3],
            "category": "professional"})[0], range(N)))
    assert all(s == 201 for s in made), set(made)
    print(f"--- {N} attendees created in {time.time() - t0:.1f} s")
    tokens = set()
    deadline = time.time() + 300
    while len(tokens) < N and time.time() < deadline:
        tokens = set()
        for path in glob.glob("var/mail/*.eml"):
            with open(path, "rb") as f:
                msg = email.message_from_bytes(f.read(), policy=policy.default)
            found = re.search(r"/r/(slr_[\w-]{43})\?lang", msg.get_body(("plain",)).get_content())
            if found:
                tokens.add(found.group(1))
        time.sleep(0.5)
    assert len(tokens) >= N, f"only {len(tokens)} manage links"
    tokens = sorted(tokens)[:N]

    def book(token):
        start = time.perf_counter()
        status, _ = call("POST", "/api/v1/me/bookings", {"session_id": target["id"]}, token=token)
        return status, time.perf_counter() - start

    t0 = time.time()
    with ThreadPoolExecutor(CONNECTIONS) as pool:
        results = list(pool.map(book, tokens))
    took = time.time() - t0
    statuses = [s for s, _ in results]
    latencies = [d * 1000 for _, d in results]
    booked, waitlisted = statuses.count(201), statuses.count(202)
    print(f"--- contention: {N} bookings of one session in {took:.2f} s = {N / took:.0f} bookings/s, "
          f"p50 {percentile(latencies, 0.5):.1f} ms, p99 {percentile(latencies, 0.99):.1f} ms, "
          f"max {max(latencies):.1f} ms")
    print(f"    201 booked: {booked}, 202 waitlisted: {waitlisted}, other: {len(statuses) - booked - waitlisted}")
    status, summary = call("GET", "/api/v1/events/siccam/bookings/summary")
    row = next(r for r in summary if r["session_id"] == target["id"])
    exact = row["booked"] == target["capacity"] == booked and row["waitlisted"] == waitlisted
    print(f"    summary: booked {row['booked']} / capacity {row['capacity']}, waitlisted {row['waitlisted']} — exact: {exact}")
    assert exact

    before = sql("SELECT count(*) FROM outbox_emails WHERE kind = 'schedule_changed'")
    status, _ = call("PATCH", f"/api/v1/events/siccam/sessions/{target['id']}", {"title": target["title"] + " (nouveau titre)"})
    assert status == 200, status
    start = time.perf_counter()
    status, release = call("POST", "/api/v1/events/siccam/schedule/releases", {"version": "bench-1.1"})
    release_ms = (time.perf_counter() - start) * 1000
    assert status == 201, (status, release)
    t0 = time.time()
    while sql("SELECT count(*) FROM outbox_emails WHERE kind = 'schedule_changed'") - before < N:
        time.sleep(0.05)
    queued = time.time() - t0
    while sql("SELECT count(*) FROM outbox_emails WHERE kind = 'schedule_changed' AND status <> 'sent'") > 0:
        time.sleep(0.1)
    sent = time.time() - t0
    print(f"--- release changing a session {N} attendees hold: the release request took {release_ms:.0f} ms; "
          f"{N} schedule_changed emails queued by the notices job in {queued:.1f} s ({N / queued:.0f}/s), "
          f"all written out by the mail worker after {sent:.1f} s")
    changed = sql("SELECT count(DISTINCT registration_id) FROM outbox_emails WHERE kind = 'schedule_changed'")
    print(f"    distinct recipients: {changed} (one email each: {changed == N})")


if __name__ == "__main__":
    main()
