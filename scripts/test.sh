#!/usr/bin/env bash
# The test command: every gate, in the order that fails fastest. Non-interactive, idempotent,
# exits non-zero on the first failure. Usage: scripts/test.sh
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

SECONDS=0
ensure_system_packages "${TEST_PACKAGES[@]}"
ensure_rust_tools
ensure_tauri_driver
ensure_ui_deps

say "rustfmt"
cargo fmt --all --check

say "UI typecheck (svelte-check, strict TypeScript)"
(cd ui && npm run --silent check)

say "UI unit tests (vitest)"
(cd ui && npm test --silent)

# The app embeds ui/dist at compile time, so the UI is built before any cargo step.
build_ui

say "clippy -D warnings"
cargo clippy --workspace --all-targets --locked -- -D warnings

say "rustdoc -D warnings"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked --quiet

say "Rust tests"
cargo test --workspace --locked

say "generated TypeScript bindings are current"
if [ -n "$(git status --porcelain -- ui/src/lib/backend/bindings)" ]; then
  git status --porcelain -- ui/src/lib/backend/bindings
  echo "ui/src/lib/backend/bindings changed: run cargo test and commit the result" >&2
  exit 1
fi

say "building the binaries for end-to-end tests (debug profile, same build as the tests)"
cargo build --workspace --bins --locked

say "API fuzzing against /openapi.json (schemathesis): no 5xx, every response as documented"
SCHEMATHESIS_VENV="$CARGO_TARGET_DIR/schemathesis-venv" \
  timeout 900 bash crates/teduh-server/scripts/fuzz-openapi.sh "$CARGO_TARGET_DIR/debug/teduh-server"

say "end-to-end tests (real app under Xvfb through tauri-driver)"
timeout 1200 node --test --test-reporter=spec --test-concurrency=1 tests/e2e/

say "all gates passed in ${SECONDS}s"
