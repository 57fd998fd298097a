#!/usr/bin/env bash
# Runs the API tour (docs/api-tour.md) against a freshly started server, so the tour cannot rot.
#
# It extracts every ```sh block between <!-- tour:begin --> and <!-- tour:end --> in docs/api-tour.md
# and runs them in order, in a temporary folder (so `var/` is fresh), with `salon` meaning the
# built binary and $SALON the server's address. Any failing command fails the tour.
#
#   scripts/tour.sh                 # uses target/debug/salon (built by `cargo test`)
#   SALON_BIN=target/release/salon scripts/tour.sh
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
bin=${SALON_BIN:-$root/target/debug/salon}
[ -x "$bin" ] || { echo "tour: $bin not built (run cargo build)" >&2; exit 1; }
case "$bin" in /*) ;; *) bin=$root/$bin ;; esac

work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export SALON=http://127.0.0.1:$port
export SALON__SERVER__BIND=127.0.0.1:$port
export SALON__SERVER__PUBLIC_BASE_URL=$SALON
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

script=$work/tour-steps.sh
{
  echo "set -euo pipefail"
  echo "salon() { \"$bin\" \"\$@\"; }"
  awk '/<!-- tour:begin -->/{on=1} /<!-- tour:end -->/{on=0} on && /^```sh$/{inblock=1; next} inblock && /^```$/{inblock=0; print "echo \"tour: step done\" >&2"; next} inblock{print}' "$root/docs/api-tour.md"
} > "$script"
grep -q 'curl' "$script" || { echo "tour: no steps found in docs/api-tour.md" >&2; exit 1; }

cd "$work"
"$bin" serve > server.log 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
  curl -fsS "$SALON/readyz" > /dev/null 2>&1 && break
  sleep 0.1
done
curl -fsS "$SALON/readyz" > /dev/null || { cat server.log; echo "tour: server did not start" >&2; exit 1; }

if bash "$script"; then
  echo "tour: every step of the API tour (docs/api-tour.md) passed"
else
  status=$?
  echo "tour: a step failed (exit $status); server log:" >&2
  tail -n 30 server.log >&2
  exit "$status"
fi
