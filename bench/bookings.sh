#!/usr/bin/env bash
# Bookings under contention and a release that emails every attendee holding a seat
# (bench/bookings.py). See bench/README.md.
#
#   bench/bookings.sh [sqlite|postgres] [attendees] [connections]
#
# Starts a fresh release server (SQLite in a temporary folder, or a fresh PostgreSQL database
# on 127.0.0.1:5432 dropped afterwards) with the demo fair and emails written as files, so the
# attendees' manage links can be read back from them.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
backend=${1:-sqlite}
export ATTENDEES=${2:-3000}
export CONNECTIONS=${3:-32}
bin=${SALON_BIN:-$root/target/release/salon}
[ -x "$bin" ] || { echo "build first: cargo build --release" >&2; exit 1; }

work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export BASE=http://127.0.0.1:$port
export SALON__SERVER__BIND=127.0.0.1:$port SALON__SERVER__PUBLIC_BASE_URL=$BASE
export SALON__DATABASE__POOL_SIZE=${POOL_SIZE:-8}
export SALON__RATE_LIMIT__PER_MINUTE=100000000
export PGDB=
if [ "$backend" = postgres ]; then
  PGDB=salon_bench_$RANDOM$RANDOM
  psql -q -h 127.0.0.1 -U postgres -c "CREATE DATABASE $PGDB"
  export SALON__DATABASE__URL=postgres://postgres@127.0.0.1:5432/$PGDB
fi
pid=
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  [ -n "$PGDB" ] && psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $PGDB WITH (FORCE)"
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work"
"$bin" migrate > /dev/null   # the database, here (admin and demo do not make one)
SALON_ADMIN_PASSWORD='bench password 123' "$bin" admin create --email bench@example.com > /dev/null
"$bin" demo > /dev/null
"$bin" serve > server.log 2>&1 &
pid=$!
for _ in $(seq 1 100); do curl -fsS "$BASE/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
export TOKEN=$(curl -fsS -X POST "$BASE/api/v1/auth/tokens" -H 'content-type: application/json' \
  -d '{"email":"bench@example.com","password":"bench password 123","name":"bench"}' \
  | python3 -c 'import sys, json; print(json.load(sys.stdin)["token"])')
echo "backend=$backend cores=$(nproc) pool=$SALON__DATABASE__POOL_SIZE"
python3 "$root/bench/bookings.py"
