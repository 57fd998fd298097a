#!/usr/bin/env bash
# Validates the served OpenAPI document with openapi-spec-validator (the reference validator
# of OpenAPI 3.0/3.1): starts a fresh Salon in a temporary folder, fetches
# /api/v1/openapi.json and checks it, so client generators can trust it.
#
#   PYTHON=/tmp/venv/bin/python scripts/openapi-check.sh   # a python with openapi-spec-validator
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${SALON_BIN:-$root/target/debug/salon}
case "$bin" in /*) ;; *) bin=$root/$bin ;; esac
python=${PYTHON:-python3}
[ -x "$bin" ] || { echo "openapi-check: $bin not built (run cargo build)" >&2; exit 1; }

work=$(mktemp -d)
port=$("$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
pid=
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work"
SALON__SERVER__BIND=127.0.0.1:$port "$bin" serve > server.log 2>&1 &
pid=$!
for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$port/readyz" > /dev/null 2>&1 && break; sleep 0.1; done
curl -fsS "http://127.0.0.1:$port/api/v1/openapi.json" -o openapi.json
"$python" -m openapi_spec_validator openapi.json
