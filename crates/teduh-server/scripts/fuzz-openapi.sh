#!/usr/bin/env bash
# Property-based API fuzzing of teduh-server with schemathesis (PyPI) against /openapi.json.
# Usage: crates/teduh-server/scripts/fuzz-openapi.sh [path/to/teduh-server]
# Starts a throwaway server on SQLite, registers a supervisor for a bearer token, runs every
# schemathesis check and fails on any finding (in particular any 5xx). The binary record push
# and erase (operationIds push and eraseRecords) are excluded: their bodies are PushPages, which
# OpenAPI cannot describe, and they are fuzzed by tests/api.rs instead.
set -euo pipefail
SERVER=${1:-target/debug/teduh-server}
WORK=$(mktemp -d)
VENV=${SCHEMATHESIS_VENV:-$WORK/venv}
cleanup() { [[ -n "${PID:-}" ]] && kill "$PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
if [[ ! -x "$VENV/bin/schemathesis" ]]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q schemathesis
fi
PORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
"$SERVER" --data-dir "$WORK/data" admin init-org Fuzz >/dev/null
"$SERVER" --data-dir "$WORK/data" admin create-team T >/dev/null
CODE=$("$SERVER" --data-dir "$WORK/data" admin invite --team T --role supervisor | head -1)
"$SERVER" --data-dir "$WORK/data" --listen "127.0.0.1:$PORT" --auth-burst 100000 --auth-per-second 10000 >"$WORK/out" 2>"$WORK/err" &
PID=$!
for _ in $(seq 50); do grep -q listening "$WORK/out" 2>/dev/null && break; sleep 0.1; done
TOKEN=$(python3 - "$PORT" "$CODE" <<'PY'
import json, sys, urllib.request
port, code = sys.argv[1], sys.argv[2]
import base64
body = json.dumps({"invitation": code, "username": "fuzz",
    "public_keys": base64.b64encode(bytes(range(64))).decode(), "device_name": "fuzz"}).encode()
req = urllib.request.Request(f"http://127.0.0.1:{port}/v1/register", body,
    {"Content-Type": "application/json"})
print(json.load(urllib.request.urlopen(req))["token"])
PY
)
# A body over the server's limit is rejected with 413 before it is parsed: that is a rejection
# of invalid data too (schemathesis's default list lacks 413, so a large random body was
# reported as "accepted").
cat >"$WORK/schemathesis.toml" <<'TOML'
[checks.negative_data_rejection]
expected-statuses = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429"]
TOML
"$VENV/bin/schemathesis" --config-file "$WORK/schemathesis.toml" run "http://127.0.0.1:$PORT/openapi.json" \
  -H "Authorization: Bearer $TOKEN" --checks all --exclude-operation-id push --exclude-operation-id eraseRecords \
  -n "${FUZZ_EXAMPLES:-100}"
