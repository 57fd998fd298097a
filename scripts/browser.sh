#!/usr/bin/env bash
# The browser suite (tests/browser/run.py): starts a fresh Salon in a temporary folder (SQLite,
# emails as files), makes an admin and loads the demo fair, then drives Debian's Chromium
# through every page flow and saves screenshots under $SHOTS (default target/browser-shots).
#
#   scripts/browser.sh                    # uses target/debug/salon and python3 with playwright
#   SALON_BIN=target/release/salon PYTHON=/tmp/venv/bin/python scripts/browser.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${SALON_BIN:-$root/target/debug/salon}
case "$bin" in /*) ;; *) bin=$root/$bin ;; esac
python=${PYTHON:-python3}
[ -x "$bin" ] || { echo "browser: $bin not built (run cargo build)" >&2; exit 1; }
export SHOTS=${SHOTS:-$root/target/browser-shots}
# Kept after the run: a relative folder is taken from the checkout, not the temporary one.
case "$SHOTS" in /*) ;; *) SHOTS=$root/$SHOTS ;; esac
mkdir -p "$SHOTS"

work=$(mktemp -d)
port=$("$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export SALON=http://127.0.0.1:$port
export SALON__SERVER__BIND=127.0.0.1:$port SALON__SERVER__PUBLIC_BASE_URL=$SALON
export MAIL_DIR=$work/var/mail
export SALON__RATE_LIMIT__PER_MINUTE=10000
# A failed delivery is failed at once (tests/browser/emails.py makes the mail folder unwritable
# for one email, then retries it from the console); nothing else in the suite fails to send.
export SALON__MAIL__MAX_ATTEMPTS=1
# The webhooks page (tests/browser/webhooks.py) delivers to a receiver on this machine.
export SALON__WEBHOOKS__ALLOW_PRIVATE=true
pid=
strict=
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  [ -n "$strict" ] && kill "$strict" 2>/dev/null && wait "$strict" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work"
"$bin" migrate > /dev/null   # the database, here (admin and demo do not make one)
SALON_ADMIN_PASSWORD='browser password 1' "$bin" admin create --email browser@example.com > /dev/null
"$bin" demo > /dev/null
"$bin" serve > server.log 2>&1 &
pid=$!
# A second instance on the same database, strict enough to show the 410 and 429 pages:
# confirmation links live 2 s, and 3 public posts a minute are allowed.
port2=$("$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export SALON_STRICT=http://127.0.0.1:$port2
SALON__SERVER__BIND=127.0.0.1:$port2 SALON__SERVER__PUBLIC_BASE_URL=$SALON_STRICT \
  SALON__REGISTRATION__CONFIRM_TTL=2s SALON__RATE_LIMIT__PER_MINUTE=3 \
  "$bin" serve > strict.log 2>&1 &
strict=$!
for _ in $(seq 1 100); do curl -fsS "$SALON/readyz" > /dev/null 2>&1 && curl -fsS "$SALON_STRICT/readyz" > /dev/null 2>&1 && break; sleep 0.1; done
export ADMIN_TOKEN=$(curl -fsS -X POST "$SALON/api/v1/auth/tokens" -H 'content-type: application/json' \
  -d '{"email":"browser@example.com","password":"browser password 1","name":"browser"}' \
  | "$python" -c 'import sys, json; print(json.load(sys.stdin)["token"])')
if ! "$python" "$root/tests/browser/run.py"; then
  echo "--- server log" >&2; tail -n 40 server.log >&2
  exit 1
fi
echo "screenshots: $SHOTS"
