#!/usr/bin/env bash
# Fuzzes the API against its own OpenAPI document with schemathesis (`--checks all`, a bounded
# number of examples per operation, 30 by default; schemathesis also runs its stateful phase,
# chaining operations through the links it infers): starts a fresh Salon in a temporary folder
# (SQLite, emails as files, the demo fair loaded, the rate limit lifted), then runs it three
# times — the API as the public and as an admin, and the public HTML pages (their forms and
# queries: a body that is not a form is 415, a query that does not read is 400, both pages). Any failure (a 5xx, an undocumented status, a body that does not match its
# schema, a valid request refused or an invalid one accepted, a missing `Allow` …) fails the
# run. `scripts/schemathesis.toml` names the operations whose rules between members a schema
# cannot state, and why. The console (tag `console`, behind a session cookie) is left to the
# browser suite; `DELETE /auth/tokens/{id}` to the tests (it would revoke the fuzzer's token).
#
#   PYTHON=/tmp/venv/bin/python scripts/api-fuzz.sh      # a python with schemathesis
#   EXAMPLES=50 scripts/api-fuzz.sh                        # examples per operation (default 30)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${SALON_BIN:-$root/target/debug/salon}
case "$bin" in /*) ;; *) bin=$root/$bin ;; esac
python=${PYTHON:-python3}
examples=${EXAMPLES:-30}
st=$(dirname "$python")/schemathesis
[ -x "$bin" ] || { echo "api-fuzz: $bin not built (run cargo build)" >&2; exit 1; }
[ -x "$st" ] || { echo "api-fuzz: no schemathesis next to $python" >&2; exit 1; }

work=$(mktemp -d)
port=$("$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base=http://127.0.0.1:$port
export SALON__SERVER__BIND=127.0.0.1:$port SALON__SERVER__PUBLIC_BASE_URL=$base
export SALON__RATE_LIMIT__PER_MINUTE=100000000
pid=
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work"
"$bin" migrate > /dev/null   # the database, here (admin and demo do not make one)
SALON_ADMIN_PASSWORD='fuzz password 123' "$bin" admin create --email fuzz@example.com > /dev/null
"$bin" demo > /dev/null
"$bin" serve > server.log 2>&1 &
pid=$!
for _ in $(seq 1 100); do curl -fsS "$base/readyz" > /dev/null 2>&1 && break; sleep 0.1; done
token=$(curl -fsS -X POST "$base/api/v1/auth/tokens" -H 'content-type: application/json' \
  -d '{"email":"fuzz@example.com","password":"fuzz password 123","name":"fuzz"}' \
  | "$python" -c 'import sys, json; print(json.load(sys.stdin)["token"])')

fuzz() {
  "$st" --config-file "$root/scripts/schemathesis.toml" run "$base/api/v1/openapi.json" --url "$base" --checks all \
    --max-examples "$examples" --suppress-health-check all --no-color "$@"
}
run() {
  fuzz --exclude-tag pages --exclude-tag console --exclude-path '/api/v1/auth/tokens/{id}' "$@"
}
status=0
echo "--- as the public"
run || status=1
echo "--- as an admin"
run --header "Authorization: Bearer $token" || status=1
echo "--- the pages, as the public"
fuzz --include-tag pages || status=1
if [ "$status" != 0 ]; then
  echo "--- server log (last lines)" >&2; tail -n 20 server.log >&2
fi
exit "$status"
