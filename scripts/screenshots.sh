#!/usr/bin/env bash
# Regenerates the screenshots under docs/ from a real e2e run (never made by hand), and the
# first page of each PDF the app prints (monthly report, case file, referral letter).
# Usage: scripts/screenshots.sh   (after scripts/test.sh has built everything once)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"
build_ui
cargo build --workspace --bins --locked
TEDUH_UPDATE_SCREENSHOTS=1 timeout 1200 node --test --test-concurrency=1 tests/e2e/
# The referral letter is printed by a Rust test (it has no e2e of its own).
TEDUH_UPDATE_SCREENSHOTS=1 cargo test --locked -p teduh-report --test client_prints a_referral_letter
