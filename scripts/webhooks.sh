#!/usr/bin/env bash
# The webhook suite (tests/webhooks/run.py): real `salon serve` processes in a temporary folder
# (SQLite, emails as files) deliver to a local endpoint, and every delivery is verified with the
# `standardwebhooks` package from PyPI; retries, 410, a SIGKILL and a private address too.
#
#   scripts/webhooks.sh                    # uses target/debug/salon and python3
#   SALON_BIN=target/release/salon PYTHON=/tmp/venv/bin/python scripts/webhooks.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${SALON_BIN:-$root/target/debug/salon}
case "$bin" in /*) ;; *) bin=$root/$bin ;; esac
python=${PYTHON:-python3}
[ -x "$bin" ] || { echo "webhooks: $bin not built (run cargo build)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
SALON_BIN=$bin WORK=$work "$python" "$root/tests/webhooks/run.py"
