#!/usr/bin/env bash
# Load test of a release build on this machine, with wrk. See bench/README.md.
#
#   bench/run.sh [sqlite|postgres] [seconds] [connections]
#
# Starts a fresh server (SQLite file in a temporary folder, or a fresh PostgreSQL database on
# 127.0.0.1:5432 that is dropped afterwards), loads the demo fair, creates a bench event large
# enough that every session write succeeds, then measures in one run:
#   GET /healthz                                  (the baseline: the ratio is the figure)
#   GET /api/v1/events/siccam/sessions            (public, from the latest release)
#   GET /api/v1/events/siccam/sessions + If-None-Match  (the 304 a polling client gets)
#   GET /api/v1/events/siccam/sessions  + token   (organizer, the working copy)
#   POST /api/v1/events/bench/sessions            (conflict-checked writes; 2xx counted)
#   POST /api/v1/events/siccam/registrations      (public registrations, each queuing an email)
# then the server's resident memory (RSS) after all of that, and the mail worker's delivery
# rate: the server runs without its mail worker until the registrations (topped up by more
# of them, unmeasured) have left a backlog of at least 20 000 emails; it is then restarted
# with the worker on, and the drain to a local SMTP sink (bench/smtp_sink.py) is timed. The
# sink's own capacity is measured first (bench/sink_check.py).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
backend=${1:-sqlite}
secs=${2:-20}
conns=${3:-32}
threads=2
bin=${SALON_BIN:-$root/target/release/salon}
[ -x "$bin" ] || { echo "build first: cargo build --release" >&2; exit 1; }
command -v wrk >/dev/null || { echo "install wrk: apt-get install wrk" >&2; exit 1; }

work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base=http://127.0.0.1:$port
export SALON__SERVER__BIND=127.0.0.1:$port SALON__SERVER__PUBLIC_BASE_URL=$base
export SALON__DATABASE__POOL_SIZE=${POOL_SIZE:-8}
export SALON__RATE_LIMIT__PER_MINUTE=100000000
smtp_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export SALON__MAIL__URL=smtp://127.0.0.1:$smtp_port
backlog=${BACKLOG:-20000}
pgdb=
if [ "$backend" = postgres ]; then
  pgdb=salon_bench_$RANDOM$RANDOM
  psql -q -h 127.0.0.1 -U postgres -c "CREATE DATABASE $pgdb"
  export SALON__DATABASE__URL=postgres://postgres@127.0.0.1:5432/$pgdb
fi
pid=
sink=
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  [ -n "$sink" ] && kill "$sink" 2>/dev/null && wait "$sink" 2>/dev/null
  [ -n "$pgdb" ] && psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $pgdb WITH (FORCE)"
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work"
python3 "$root/bench/smtp_sink.py" "$smtp_port" > sink.log 2>&1 &
sink=$!
sleep 0.5
echo "--- $(python3 "$root/bench/sink_check.py" "$smtp_port" 20000 8)"

"$bin" migrate > /dev/null   # the database, here (admin and demo do not make one)

SALON_ADMIN_PASSWORD='bench password 123' "$bin" admin create --email bench@example.com > /dev/null
"$bin" demo > /dev/null
serve() {
  "$bin" serve >> server.log 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do curl -fsS "$base/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
}
rss() { awk '/VmRSS/ {printf "%.1f MiB", $2 / 1024}' "/proc/$pid/status"; }
SALON__MAIL__WORKER=false serve
echo "--- RSS at start: $(rss)"

json() { python3 -c "import sys, json; print(json.load(sys.stdin)$1)"; }
token=$(curl -fsS -X POST "$base/api/v1/auth/tokens" -H 'content-type: application/json' \
  -d '{"email":"bench@example.com","password":"bench password 123","name":"bench"}' | json '["token"]')
curl -fsS -X POST "$base/api/v1/events" -H "authorization: Bearer $token" -H 'content-type: application/json' -d '{
  "slug": "bench", "name": "Bench", "timezone": "UTC", "starts_on": "2030-01-01", "ends_on": "2030-01-31",
  "venue": "v", "city": "c", "languages": ["en"], "default_language": "en",
  "opens_at": "00:00", "closes_at": "23:59", "contact_email": "b@example.com"}' > /dev/null
rooms=100
first_room=
for i in $(seq 1 $rooms); do
  id=$(curl -fsS -X POST "$base/api/v1/events/bench/rooms" -H "authorization: Bearer $token" \
    -H 'content-type: application/json' -d "{\"name\": \"Room $i\", \"capacity\": 100}" | json '["id"]')
  [ -n "$first_room" ] || first_room=$id
done

echo "backend=$backend seconds=$secs connections=$conns threads=$threads pool=$SALON__DATABASE__POOL_SIZE cores=$(nproc)"
measure() {
  local name=$1; shift
  echo "--- $name"
  # The disk writes of the phase before are flushed first, so that no phase pays for them.
  sync
  sleep 2
  wrk -t$threads -c"$conns" -d"${secs}s" --latency "$@" | grep -E 'Requests/sec|^ +50%|^ +99%|Non-2xx|2xx:|requests in'
}
measure "GET /healthz" "$base/healthz"
measure "GET sessions (public, release)" "$base/api/v1/events/siccam/sessions"
etag=$(curl -fsS -o /dev/null -D - "$base/api/v1/events/siccam/sessions" | tr -d '\r' | sed -n 's/^etag: //Ip')
measure "GET sessions (public, 304 revalidation)" -H "If-None-Match: $etag" "$base/api/v1/events/siccam/sessions"
measure "GET sessions (organizer, working copy)" -H "authorization: Bearer $token" "$base/api/v1/events/siccam/sessions"
measure "GET /healthz" "$base/healthz"
measure "POST sessions" -s "$root/bench/post_sessions.lua" "$base" -- "$token" bench "$first_room" "$rooms" "$threads"
measure "GET /healthz" "$base/healthz"
measure "POST registrations" -s "$root/bench/post_registrations.lua" "$base" -- siccam
measure "GET /healthz" "$base/healthz"
echo "--- sessions written: $(curl -fsS "$base/api/v1/events/bench/sessions?per_page=1" -H "authorization: Bearer $token" | json '["total"]')"

echo "--- RSS after the $conns-connection phases: $(rss)"

# The worker's delivery rate on a backlog of at least $backlog emails.
pending() {
  if [ -n "$pgdb" ]; then
    psql -qtA -h 127.0.0.1 -U postgres -d "$pgdb" -c "SELECT count(*) FROM outbox_emails WHERE status <> 'sent'"
  else
    python3 -c "import sqlite3; print(sqlite3.connect('var/salon.db').execute(\"SELECT count(*) FROM outbox_emails WHERE status <> 'sent'\").fetchone()[0])"
  fi
}
run=0
while [ "$(pending)" -lt "$backlog" ]; do
  run=$((run + 1))
  wrk -t$threads -c"$conns" -d5s -s "$root/bench/post_registrations.lua" "$base" -- siccam "top-up-$run" > /dev/null
done
kill "$pid" && wait "$pid" || true
start_backlog=$(pending)
t0=$(date +%s.%N)
serve
while [ "$(pending)" -gt 0 ]; do sleep 0.1; done
t1=$(date +%s.%N)
python3 -c "b=$start_backlog; d=$t1-$t0; print(f'--- mail worker: drained a backlog of {b} emails in {d:.1f} s = {b/d if d>0 else 0:.0f} emails/s to the local SMTP sink (mail.concurrency 8)')"
echo "--- RSS after the drain: $(rss)"
