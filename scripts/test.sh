#!/usr/bin/env bash
# The test command: every gate, in the order that fails fastest. Non-interactive, idempotent,
# exits non-zero on the first failure. Usage: scripts/test.sh
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

SECONDS=0

# Every stage runs under its budget in seconds, set for a cold clone on this 2-core machine (a
# warm run takes a fraction; docs/testing.md has measured figures): `timeout` stops a stage that
# runs past it, which fails the run and names the stage. The whole run must also stay under
# TOTAL_BUDGET. The summary prints each stage's seconds beside its budget, and the total.
TOTAL_BUDGET=2700
STAGE_REPORT=()
stage() {
  local name="$1" budget="$2"
  shift 2
  say "$name (budget ${budget}s)"
  local started=$SECONDS status=0
  # A child shell with lib.sh loaded, so that a stage may be one of its functions.
  timeout "$budget" bash -c 'set -euo pipefail; source "$0"; "$@"' "$REPO_ROOT/scripts/lib.sh" "$@" \
    || status=$?
  local took=$((SECONDS - started))
  STAGE_REPORT+=("$(printf '%6ss / %5ss  %s' "$took" "$budget" "$name")")
  if [ "$status" -eq 124 ]; then
    echo "stage '$name' ran past its budget of ${budget}s" >&2
  fi
  if [ "$status" -ne 0 ]; then
    print_stage_report
    echo "stage '$name' failed (exit $status) after ${took}s" >&2
    exit "$status"
  fi
}
print_stage_report() {
  say "stage timings (seconds taken / budget)"
  printf '%s\n' "${STAGE_REPORT[@]}"
  echo "total: ${SECONDS}s / ${TOTAL_BUDGET}s"
}

stage "set-up (Debian packages, Rust tools, tauri-driver, npm packages)" 600 set_up_for_tests
stage "rustfmt" 60 cargo fmt --all --check
stage "import cycles between modules (only the listed ones may remain)" 60 module_cycles
stage "UI typecheck (svelte-check, strict TypeScript)" 180 bash -c 'cd ui && npm run --silent check'
stage "UI unit tests (vitest)" 240 bash -c 'cd ui && npm test --silent'
# The app embeds ui/dist at compile time, so the UI is built before any cargo step.
stage "UI build" 120 build_ui
stage "clippy -D warnings" 900 cargo clippy --workspace --all-targets --locked -- -D warnings
stage "Windows: the app, the CLI and the server compile for x86_64-pc-windows-gnu" 600 windows_check
stage "rustdoc -D warnings" 300 env RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked --quiet
stage "Rust tests" 1200 cargo test --workspace --locked
stage "generated TypeScript bindings are current" 30 bindings_are_current
stage "binaries for the end-to-end tests (debug profile, same build as the tests)" 300 \
  cargo build --workspace --bins --locked
stage "Debian packages: their contents, and the server unit's command line syncs a device" 120 \
  bash scripts/deb.sh --debug --check
stage "API fuzzing against /openapi.json (schemathesis): no 5xx, every response as documented" 600 \
  env SCHEMATHESIS_VENV="$CARGO_TARGET_DIR/schemathesis-venv" \
  bash crates/teduh-server/scripts/fuzz-openapi.sh "$CARGO_TARGET_DIR/debug/teduh-server"
stage "end-to-end tests (real app under Xvfb through tauri-driver)" 720 \
  node --test --test-reporter=spec --test-concurrency=1 tests/e2e/

print_stage_report
if [ "$SECONDS" -gt "$TOTAL_BUDGET" ]; then
  echo "the whole run took ${SECONDS}s, past its budget of ${TOTAL_BUDGET}s" >&2
  exit 1
fi
say "all gates passed in ${SECONDS}s (budget ${TOTAL_BUDGET}s)"
