"""Webhooks as a receiver sees them (SPEC §4.5), checked with the `standardwebhooks` package from
PyPI — the reference verifier of the Standard Webhooks specification — against a real `salon
serve`:

1. without `webhooks.allow_private`, an endpoint on this machine is refused (422 naming `url`);
2. every delivery of a fair's changes (registrations, a cancellation, a check-in, a release)
   reaches a local endpoint and verifies, with the data an organizer sees;
3. two 500s, then a 200: three attempts of one message under the same `webhook-id`, each
   logged with its status;
4. a 410 disables the endpoint, says why, and emails the fair's contact;
5. a change made just before a SIGKILL (by an instance with no sender) is delivered by the
   next instance.

Run by scripts/webhooks.sh (SALON_BIN, WORK set).
"""

import datetime
import email
import email.policy
import http.server
import json
import os
import pathlib
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

from standardwebhooks.webhooks import Webhook

BIN = os.environ["SALON_BIN"]
WORK = pathlib.Path(os.environ["WORK"])
CHECKS = 0
# Every server started, stopped at the end even when a check fails.
STARTED = []


def check(condition, what):
    global CHECKS
    CHECKS += 1
    if not condition:
        raise AssertionError(what)
    print(f"  ok  {what}")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Receiver:
    """A local endpoint: each path answers the statuses scripted for it, then 200."""

    def __init__(self):
        self.got = []
        self.script = {}
        self.lock = threading.Lock()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                with receiver.lock:
                    receiver.got.append((self.path, dict(self.headers), body.decode()))
                    queue = receiver.script.get(self.path, [])
                    status = queue.pop(0) if queue else 200
                self.send_response(status)
                self.send_header("content-length", "8")
                self.end_headers()
                self.wfile.write(b"received")

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def answer(self, path, statuses):
        with self.lock:
            self.script.setdefault(path, []).extend(statuses)

    def wait(self, path, count, timeout=15):
        deadline = time.time() + timeout
        while time.time() < deadline:
            with self.lock:
                got = [g for g in self.got if g[0] == path]
            if len(got) >= count:
                return got
            time.sleep(0.05)
        raise AssertionError(f"{path} got {len(got)} requests, not {count}")


class Salon:
    """One `salon serve` on the shared database in WORK, with its own settings."""

    def __init__(self, port, **env):
        self.url = f"http://127.0.0.1:{port}"
        full = dict(os.environ)
        full.update(
            SALON__SERVER__BIND=f"127.0.0.1:{port}",
            SALON__SERVER__PUBLIC_BASE_URL=self.url,
            SALON__RATE_LIMIT__PER_MINUTE="10000",
        )
        full.update({k: str(v) for k, v in env.items()})
        self.log = open(WORK / f"server-{port}.log", "a")
        self.process = subprocess.Popen([BIN, "serve"], cwd=WORK, env=full, stdout=self.log, stderr=self.log)
        STARTED.append(self.process)
        for _ in range(200):
            try:
                urllib.request.urlopen(self.url + "/readyz", timeout=1)
                return
            except OSError:
                time.sleep(0.05)
        raise AssertionError("salon did not start")

    def stop(self, sig=signal.SIGTERM):
        self.process.send_signal(sig)
        self.process.wait(timeout=20)


def api(base, method, path, token, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header("authorization", f"Bearer {token}")
    if data is not None:
        req.add_header("content-type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            raw = r.read()
            return r.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as e:
        raw = e.read()
        return e.code, json.loads(raw) if raw else None


def verified(secret, request):
    """The body of a delivery, verified by standardwebhooks (raises if it does not verify)."""
    path, headers, body = request
    lower = {k.lower(): v for k, v in headers.items()}
    return Webhook(secret).verify(body, lower)


def main():
    port = free_port()
    receiver = Receiver()
    subprocess.run([BIN, "migrate"], cwd=WORK, check=True, stdout=subprocess.DEVNULL)
    subprocess.run(
        [BIN, "admin", "create", "--email", "hooks@example.com"],
        cwd=WORK, check=True, stdout=subprocess.DEVNULL,
        env=dict(os.environ, SALON_ADMIN_PASSWORD="webhooks password 1"),
    )

    print("1. a private address, without webhooks.allow_private")
    salon = Salon(port)
    status, body = api(salon.url, "POST", "/api/v1/auth/tokens", "",
                       {"email": "hooks@example.com", "password": "webhooks password 1", "name": "hooks"})
    token = body["token"]
    today = datetime.datetime.now(datetime.timezone.utc).date()
    event = {
        "slug": "hooks", "name": {"fr": "Salon des webhooks", "en": "Webhook fair", "ar": "معرض"},
        "timezone": "UTC", "starts_on": today.isoformat(),
        "ends_on": (today + datetime.timedelta(days=1)).isoformat(),
        "venue": "OFEC", "city": "Casablanca", "languages": ["fr", "ar", "en"],
        "default_language": "fr", "opens_at": "00:00", "closes_at": "23:59",
        "contact_email": "contact@hooks.example",
    }
    status, body = api(salon.url, "POST", "/api/v1/events", token, event)
    check(status == 201, f"the fair is created ({status})")
    api(salon.url, "POST", "/api/v1/events/hooks/publish", token, {})
    status, body = api(salon.url, "POST", "/api/v1/events/hooks/webhooks", token,
                       {"url": receiver.base + "/all", "event_types": ["registration.created"]})
    check(status == 422 and [e["field"] for e in body["errors"]] == ["url"],
          f"a loopback endpoint is refused, naming url ({status})")
    check("webhooks.allow_private" in json.dumps(body), "the refusal says which setting allows it")
    salon.stop()

    print("2. every delivery verifies with standardwebhooks")
    salon = Salon(port, SALON__WEBHOOKS__ALLOW_PRIVATE="true", SALON__WEBHOOKS__RETRY_BASE="200ms")
    every = ["registration.created", "registration.confirmed", "registration.cancelled",
             "registration.promoted", "booking.created", "booking.cancelled", "schedule.released",
             "exhibitor.submitted", "exhibitor.approved", "exhibitor.rejected",
             "exhibitor.withdrawn", "checkin.created", "meeting.requested", "meeting.accepted",
             "meeting.cancelled"]
    status, hook = api(salon.url, "POST", "/api/v1/events/hooks/webhooks", token,
                       {"url": receiver.base + "/all", "event_types": every})
    check(status == 201 and hook["secret"].startswith("whsec_"), "the endpoint is registered with its secret")
    secret = hook["secret"]
    status, reg = api(salon.url, "POST", "/api/v1/events/hooks/registrations", token,
                      {"name": "Salma Idrissi", "email": "salma@example.com", "language": "fr",
                       "category": "professional"})
    check(status == 201, "a walk-in is registered")
    status, scan = api(salon.url, "POST", "/api/v1/events/hooks/checkins", token,
                       {"badge_code": reg["badge_code"]})
    check(status == 201, "and checked in")
    status, _ = api(salon.url, "PATCH", f"/api/v1/events/hooks/registrations/{reg['id']}", token,
                    {"status": "cancelled"})
    check(status == 200, "then cancelled")
    status, _ = api(salon.url, "POST", "/api/v1/events/hooks/schedule/releases", token, {"version": "v1"})
    check(status == 201, "a programme is released")
    got = receiver.wait("/all", 5)
    bodies = [verified(secret, g) for g in got]
    check(len(bodies) == 5, "all five deliveries verify with the standardwebhooks package")
    # Deliveries are sent side by side, so they may arrive in any order (Standard Webhooks
    # promises none): each is found by its type.
    by_type = {b["type"]: b for b in bodies}
    check(sorted(by_type) == sorted(["registration.created", "registration.confirmed", "checkin.created",
                                     "registration.cancelled", "schedule.released"]), f"one of each change: {sorted(by_type)}")
    created = by_type["registration.created"]["data"]
    check(created["email"] == "salma@example.com" and created["id"] == reg["id"],
          "data is the registration as organizers see it")
    check(by_type["checkin.created"]["data"]["registration_id"] == reg["id"], "the check-in names its registration")
    check(by_type["registration.cancelled"]["data"]["status"] == "cancelled",
          "the cancellation carries the cancelled registration")
    check(by_type["schedule.released"]["data"]["version"] == "v1", "the release carries its version")
    ids = {g[1]["webhook-id"] for g in got}
    check(len(ids) == 5, "each change is its own message")
    signed = next(g for g in got if "Salma" in g[2])
    tampered = (signed[0], signed[1], signed[2].replace("Salma", "Salmo"))
    try:
        verified(secret, tampered)
        check(False, "a tampered body fails verification")
    except Exception:
        check(True, "a tampered body fails verification")

    print("3. retries after two 500s, with the same webhook-id")
    status, flaky = api(salon.url, "POST", "/api/v1/events/hooks/webhooks", token,
                        {"url": receiver.base + "/flaky", "event_types": ["registration.created"]})
    receiver.answer("/flaky", [500, 500])
    api(salon.url, "POST", "/api/v1/events/hooks/registrations", token,
        {"name": "Karim Bennani", "email": "karim@example.com", "language": "ar", "category": "professional"})
    got = receiver.wait("/flaky", 3)
    check(len({g[1]["webhook-id"] for g in got}) == 1, "three attempts of one message, one webhook-id")
    check(all(verified(flaky["secret"], g)["data"]["email"] == "karim@example.com" for g in got),
          "each attempt verifies")
    for _ in range(100):
        _, page = api(salon.url, "GET", f"/api/v1/events/hooks/webhooks/{flaky['id']}/deliveries", token)
        if page["items"][0]["status"] == "delivered":
            break
        time.sleep(0.05)
    attempts = page["items"][0]["attempts"]
    check([a["status_code"] for a in attempts] == [500, 500, 200], f"each attempt is logged: {attempts}")
    check(attempts[2]["response"] == "received", "with the start of the answer")

    print("4. a 410 disables the endpoint")
    status, gone = api(salon.url, "POST", "/api/v1/events/hooks/webhooks", token,
                       {"url": receiver.base + "/gone", "event_types": ["registration.created"]})
    receiver.answer("/gone", [410])
    api(salon.url, "POST", "/api/v1/events/hooks/registrations", token,
        {"name": "Nadia Alaoui", "email": "nadia@example.com", "language": "en", "category": "professional"})
    receiver.wait("/gone", 1)
    for _ in range(100):
        _, one = api(salon.url, "GET", f"/api/v1/events/hooks/webhooks/{gone['id']}", token)
        if not one["enabled"]:
            break
        time.sleep(0.05)
    check(one["enabled"] is False and "410" in one["disabled_reason"], f"disabled: {one['disabled_reason']}")
    mail = None
    for _ in range(100):
        for path in (WORK / "var" / "mail").glob("*.eml"):
            msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            if msg["To"] == "contact@hooks.example" and "Webhook" in msg["Subject"]:
                mail = msg
        if mail:
            break
        time.sleep(0.05)
    check(mail is not None, "the fair's contact is emailed")
    text = mail.get_body(("plain",)).get_content()
    check(receiver.base + "/gone" in text and "/console/events/hooks/webhooks" in text,
          "the email names the endpoint and links the console")
    salon.stop()

    print("5. a delivery survives a SIGKILL right after its change")
    salon = Salon(port, SALON__WEBHOOKS__WORKER="false", SALON__WEBHOOKS__ALLOW_PRIVATE="true")
    status, late = api(salon.url, "POST", "/api/v1/events/hooks/registrations", token,
                       {"name": "Youssef Tazi", "email": "youssef@example.com", "language": "fr",
                        "category": "professional"})
    check(status == 201, "a walk-in is registered")
    salon.stop(signal.SIGKILL)
    salon = Salon(port, SALON__WEBHOOKS__ALLOW_PRIVATE="true")
    mine = []
    for _ in range(300):
        with receiver.lock:
            got = [g for g in receiver.got if g[0] == "/all"]
        mine = [b for b in (verified(secret, g) for g in got) if b["data"].get("id") == late["id"]]
        if len(mine) >= 2:
            break
        time.sleep(0.05)
    check(sorted({b["type"] for b in mine}) == ["registration.confirmed", "registration.created"],
          f"the next instance delivers what the killed one committed, verified: {[b['type'] for b in mine]}")
    salon.stop()
    print(f"webhooks: {CHECKS} checks passed")


if __name__ == "__main__":
    try:
        main()
    except AssertionError as e:
        print(f"FAILED: {e}", file=sys.stderr)
        for log in WORK.glob("server-*.log"):
            print(f"--- {log.name}", file=sys.stderr)
            print("".join(log.read_text().splitlines(True)[-30:]), file=sys.stderr)
        sys.exit(1)
    finally:
        for process in STARTED:
            if process.poll() is None:
                process.kill()
                process.wait()
