#!/usr/bin/env bash
# Regenerates the screenshots under docs/ from a real e2e run (never made by hand).
# Usage: scripts/screenshots.sh   (after scripts/test.sh has built everything once)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"
build_ui
cargo build --workspace --bins --locked
TEDUH_UPDATE_SCREENSHOTS=1 timeout 1200 node --test --test-concurrency=1 tests/e2e/
