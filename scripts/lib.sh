#!/usr/bin/env bash
# Shared set-up for scripts/run.sh and scripts/test.sh. Every step checks first and installs only
# what is missing, so both commands are idempotent and fast on a machine that already has it all.

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$REPO_ROOT/target}"
export PATH="$HOME/.cargo/bin:$PATH"
# Keep cargo's environment identical across steps, or everything rebuilds (TAURI-ON-CI.md).
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

SYSTEM_PACKAGES=(
  libwebkit2gtk-4.1-dev libayatana-appindicator3-dev librsvg2-dev libssl-dev pkg-config
  build-essential xvfb xauth webkit2gtk-driver procps curl
)
# Only the test command needs these: PostgreSQL binaries for the server's contract suite (it starts
# a throwaway cluster of its own) and python3-venv for the schemathesis API fuzzer.
# dpkg-dev and desktop-file-utils check the Debian packages (scripts/deb.sh --check).
TEST_PACKAGES=(postgresql python3-venv poppler-utils dpkg-dev desktop-file-utils)

say() { printf '\n==> %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

ensure_system_packages() {
  local missing=()
  for p in "${SYSTEM_PACKAGES[@]}" "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    say "installing system packages: ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
}

ensure_rust_tools() {
  command -v cargo >/dev/null || { echo "cargo is missing: install Rust with rustup first" >&2; return 1; }
  cargo fmt --version >/dev/null 2>&1 || rustup component add rustfmt
  cargo clippy --version >/dev/null 2>&1 || rustup component add clippy
}

ensure_tauri_driver() {
  if ! command -v tauri-driver >/dev/null; then
    say "installing tauri-driver"
    cargo install tauri-driver --locked --version 2.1.0
  fi
}

# npm ci does not work here (the lockfile lacks other platforms' optional packages), and
# `npm install` respects the lockfile; skip it entirely when node_modules is newer than both files.
ensure_ui_deps() {
  local ui="$REPO_ROOT/ui"
  if [ ! -d "$ui/node_modules" ] || [ "$ui/package.json" -nt "$ui/node_modules" ] \
     || [ "$ui/package-lock.json" -nt "$ui/node_modules" ]; then
    say "installing the UI's npm packages"
    (cd "$ui" && npm install --no-audit --no-fund) && touch "$ui/node_modules"
  fi
}

# Windows (issue #28): the Rust standard library for x86_64-pc-windows-gnu and Debian's MinGW-w64
# linker and C compiler (rusqlite's bundled SQLite is C). `nsis` packs the installer and `wine64`
# runs the check; only scripts/windows.sh asks for those two.
WINDOWS_TARGET=x86_64-pc-windows-gnu
ensure_windows_toolchain() {
  ensure_system_packages gcc-mingw-w64-x86-64 "$@"
  if ! rustup target list --installed | grep -qx "$WINDOWS_TARGET"; then
    say "adding the Rust target $WINDOWS_TARGET"
    rustup target add "$WINDOWS_TARGET"
  fi
}

build_ui() {
  say "building the UI"
  (cd "$REPO_ROOT/ui" && npm run --silent build)
}

# The test command's own stages (scripts/test.sh runs each in a child shell that loads this file).

# The checker's own tests (a planted cycle is caught), then every crate against the known list.
module_cycles() {
  python3 "$REPO_ROOT/scripts/test_module_cycles.py" 2>&1 | tail -n 3
  (cd "$REPO_ROOT" && python3 scripts/module_cycles.py --allowed scripts/module-cycles-allowed.txt \
    crates/teduh-core crates/teduh-protocol crates/teduh-client crates/teduh-server \
    crates/teduh-directory crates/teduh-cli src-tauri)
}
set_up_for_tests() {
  ensure_system_packages "${TEST_PACKAGES[@]}"
  ensure_rust_tools
  ensure_windows_toolchain
  ensure_tauri_driver
  ensure_ui_deps
}

bindings_are_current() {
  if [ -n "$(git status --porcelain -- ui/src/lib/backend/bindings)" ]; then
    git status --porcelain -- ui/src/lib/backend/bindings
    echo "ui/src/lib/backend/bindings changed: run cargo test and commit the result" >&2
    return 1
  fi
}

# The app, the CLI and the server still compile for Windows (issue #28; the full cross-build and
# installer are scripts/windows.sh, outside the test command).
windows_check() {
  cargo check --locked --target "$WINDOWS_TARGET" -p teduh-desktop -p teduh-cli -p teduh-server
}
