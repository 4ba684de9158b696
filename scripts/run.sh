#!/usr/bin/env bash
# The run command: installs what is missing, builds the UI and the app, starts a local
# teduh-server on its embedded SQLite (data in the platform data directory) and opens the desktop
# app connected to it. Ctrl-C (or closing the window) stops both cleanly.
# Usage: scripts/run.sh        (TEDUH_SERVER_LISTEN=127.0.0.1:PORT to use another port)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

ensure_system_packages
ensure_rust_tools
ensure_ui_deps
build_ui

say "building teduh-server and the desktop app"
cargo build --workspace --bins --locked

if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "no display found: run this from a desktop session (or set DISPLAY, e.g. under Xvfb)" >&2
  exit 1
fi

listen="${TEDUH_SERVER_LISTEN:-127.0.0.1:8470}"
server_log="$(mktemp -t teduh-server.XXXXXX.log)"
server_pid=""
app_pid=""

stop_all() {
  trap - INT TERM EXIT
  [ -n "$app_pid" ] && kill "$app_pid" 2>/dev/null || true
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true   # graceful: finishes in-flight requests
    wait "$server_pid" 2>/dev/null || true
  fi
  echo "stopped (server log: $server_log)"
}
trap stop_all INT TERM EXIT

say "starting teduh-server on $listen (log: $server_log)"
"$CARGO_TARGET_DIR/debug/teduh-server" --listen "$listen" >"$server_log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
  grep -q "listening on" "$server_log" 2>/dev/null && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$server_log" >&2; exit 1; }
  sleep 0.1
done
url="$(grep -o 'http://[^ ]*' "$server_log" | head -n1)"
say "server ready at $url; opening Teduh (Ctrl-C stops both)"

TEDUH_SERVER_URL="$url" "$CARGO_TARGET_DIR/debug/teduh-desktop" &
app_pid=$!
wait "$app_pid" || true
