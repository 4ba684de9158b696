#!/usr/bin/env bash
# Benchmark: release app start to unlock screen under Xvfb (issue: <= 1.5 s).
# Usage: scripts/bench-app-start.sh   (builds the UI and the release app first)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"
ensure_system_packages
ensure_tauri_driver
ensure_ui_deps
build_ui
cargo build --release -p teduh-desktop --locked
TEDUH_APP_BIN="$CARGO_TARGET_DIR/release/teduh-desktop" node tests/bench/app-start.mjs
