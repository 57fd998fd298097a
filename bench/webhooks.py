"""Webhook deliveries under a stopwatch (SPEC §4.5): how many signed deliveries a second one
instance's sender gets through to a local receiver, and what queuing them costs the writes
that cause them. See bench/README.md.

    cargo build --release
    python3 bench/webhooks.py [registrations] [concurrency]

It starts `target/release/salon` in a temporary folder (SQLite), on a fair with one endpoint
receiving every type, pointing at a receiver in this process (asyncio, keep-alive, answers
200 at once). First, with the sender off, it times `registrations` walk-ins without an endpoint,
then as many with one (each queues two deliveries: created and confirmed); then it starts the server again with the
sender on (`webhooks.concurrency` = `concurrency`) and times the queue's drain, from the first
delivery received to the last.
"""

import asyncio
import json
import os
import pathlib
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parent.parent
BIN = os.environ.get("SALON_BIN", str(ROOT / "target" / "release" / "salon"))
TOTAL = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
CONCURRENCY = int(sys.argv[2]) if len(sys.argv) > 2 else 16


class Receiver:
    """Counts the deliveries it gets: every POST answered 200 at once, on kept-alive
    connections."""

    def __init__(self):
        self.count = 0
        self.first = None
        self.last = None
        self.ids = set()
        loop = asyncio.new_event_loop()
        ready = threading.Event()

        async def handle(reader, writer):
            try:
                while True:
                    head = await reader.readuntil(b"\r\n\r\n")
                    length = 0
                    for line in head.split(b"\r\n"):
                        name, _, value = line.partition(b":")
                        lower = name.strip().lower()
                        if lower == b"content-length":
                            length = int(value.strip())
                        elif lower == b"webhook-id":
                            self.ids.add(value.strip())
                    await reader.readexactly(length)
                    now = time.perf_counter()
                    self.first = self.first or now
                    self.last = now
                    self.count += 1
                    writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
                    await writer.drain()
            except (asyncio.IncompleteReadError, ConnectionResetError):
                writer.close()

        async def serve():
            server = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=1024)
            self.port = server.sockets[0].getsockname()[1]
            ready.set()
            await server.serve_forever()

        threading.Thread(target=lambda: loop.run_until_complete(serve()), daemon=True).start()
        ready.wait()


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def start(work, port, **env):
    full = dict(os.environ, SALON__SERVER__BIND=f"127.0.0.1:{port}",
                SALON__SERVER__PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
                SALON__RATE_LIMIT__PER_MINUTE="1000000", SALON__WEBHOOKS__ALLOW_PRIVATE="true",
                SALON__MAIL__WORKER="false", SALON_LOG="warn")
    full.update(env)
    process = subprocess.Popen([BIN, "serve"], cwd=work, env=full,
                               stdout=subprocess.DEVNULL, stderr=open(work / "server.log", "a"))
    for _ in range(200):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1)
            return process
        except OSError:
            time.sleep(0.05)
    raise SystemExit("salon did not start")


def api(port, method, path, token, body=None):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method,
                                 data=None if body is None else json.dumps(body).encode())
    req.add_header("content-type", "application/json")
    if token:
        req.add_header("authorization", f"Bearer {token}")
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read() or b"null")


def main():
    receiver = Receiver()
    work = pathlib.Path(tempfile.mkdtemp())
    port = free_port()
    subprocess.run([BIN, "migrate"], cwd=work, check=True, stdout=subprocess.DEVNULL)
    subprocess.run([BIN, "admin", "create", "--email", "bench@example.com"], cwd=work, check=True,
                   stdout=subprocess.DEVNULL, env=dict(os.environ, SALON_ADMIN_PASSWORD="bench password 1"))
    server = start(work, port, SALON__WEBHOOKS__WORKER="false")
    token = api(port, "POST", "/api/v1/auth/tokens", None,
                {"email": "bench@example.com", "password": "bench password 1", "name": "bench"})["token"]
    api(port, "POST", "/api/v1/events", token, {
        "slug": "bench", "name": "Webhook bench", "timezone": "Africa/Casablanca",
        "starts_on": "2027-05-03", "ends_on": "2027-05-04", "venue": "OFEC", "city": "Casablanca",
        "languages": ["fr", "ar", "en"], "default_language": "fr", "opens_at": "09:00",
        "closes_at": "18:00", "contact_email": "contact@bench.example"})

    def walk_ins(prefix, start, step):
        for i in range(start, TOTAL, step):
            api(port, "POST", "/api/v1/events/bench/registrations", token, {
                "name": f"Guest {i}", "email": f"{prefix}{i}@example.com", "language": "fr", "category": "professional"})

    def timed(prefix):
        began = time.perf_counter()
        threads = [threading.Thread(target=walk_ins, args=(prefix, k, 8)) for k in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return time.perf_counter() - began

    took = timed("plain")
    print(f"{TOTAL} walk-ins (8 clients), no endpoint: {took:.1f} s, {TOTAL / took:.0f} walk-ins/s")
    api(port, "POST", "/api/v1/events/bench/webhooks", token, {
        "url": f"http://127.0.0.1:{receiver.port}/hooks", "event_types": ["registration.created", "registration.confirmed"]})
    took = timed("hooked")
    print(f"{TOTAL} walk-ins (8 clients), one endpoint, {2 * TOTAL} deliveries queued: {took:.1f} s, {TOTAL / took:.0f} walk-ins/s")
    server.terminate()
    server.wait()

    server = start(work, port, SALON__WEBHOOKS__CONCURRENCY=str(CONCURRENCY))
    deadline = time.time() + 600
    while receiver.count < 2 * TOTAL and time.time() < deadline:
        time.sleep(0.05)
    server.terminate()
    server.wait()
    took = receiver.last - receiver.first
    print(f"{receiver.count} deliveries received ({len(receiver.ids)} webhook-ids) in {took:.1f} s: "
          f"{receiver.count / took:.0f} deliveries/s (webhooks.concurrency {CONCURRENCY})")


if __name__ == "__main__":
    main()
