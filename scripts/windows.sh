#!/usr/bin/env bash
# Cross-builds Teduh for Windows (x86_64, MinGW-w64) on this Debian machine and packs a per-user
# installer with Debian's NSIS, and lists what it holds; `--check` then runs the CLI and the
# server under wine64. See docs/windows.md.
# Usage: scripts/windows.sh [--check]
# Output: target/windows/ (teduh-desktop.exe, teduh.exe, teduh-server.exe, teduh-setup-<version>.exe)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

check=false
case "${1:-}" in
  --check) check=true ;;
  "") ;;
  *) echo "usage: scripts/windows.sh [--check]" >&2; exit 2 ;;
esac

packages=(nsis p7zip-full)
$check && packages+=(wine64)
ensure_windows_toolchain "${packages[@]}"
ensure_ui_deps
build_ui

say "building the app, the CLI and the server for $WINDOWS_TARGET (release)"
cargo build --release --locked --target "$WINDOWS_TARGET" -p teduh-desktop -p teduh-cli -p teduh-server

version="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["version"])' src-tauri/tauri.conf.json)"
out="$CARGO_TARGET_DIR/windows"
rm -rf "$out"
mkdir -p "$out"
for exe in teduh-desktop.exe teduh.exe teduh-server.exe; do
  cp "$CARGO_TARGET_DIR/$WINDOWS_TARGET/release/$exe" "$out/"
done
cp src-tauri/icons/icon.ico "$out/teduh.ico"

say "packing the installer (makensis)"
makensis -V2 -DVERSION="$version" -DSRC="$out" -DOUTFILE="$out/teduh-setup-$version.exe" \
  packaging/windows/teduh.nsi

say "what the installer holds (7z reads NSIS installers)"
7z l "$out/teduh-setup-$version.exe" | sed -n '/^---/,$p'

say "files produced"
for f in "$out"/*.exe; do
  printf '%10s  %s  %s\n' "$(stat -c %s "$f")" "$(basename "$f")" "$(file -b "$f" | cut -d, -f1-2)"
done

if $check; then
  say "checking under wine64 (the window itself needs WebView2, which wine does not have)"
  export WINEDEBUG=-all WINEPREFIX="$CARGO_TARGET_DIR/wine-prefix"
  # Debian's wine64 package keeps its loader off PATH (the `wine` package adds the wrapper).
  wine64() { /usr/lib/wine/wine64 "$@"; }
  # Wine 8.0 lacks bcryptprimitives.dll (ProcessPrng), which Rust's standard library imports and
  # every supported Windows has: a stand-in beside copies of the programs, for this check only.
  check_dir="$CARGO_TARGET_DIR/wine-check"
  rm -rf "$check_dir"
  mkdir -p "$check_dir"
  x86_64-w64-mingw32-gcc -O2 -shared -o "$check_dir/bcryptprimitives.dll" \
    packaging/windows/wine/bcryptprimitives.c -lbcrypt
  cp "$out/teduh.exe" "$out/teduh-server.exe" "$check_dir/"
  data="$(mktemp -d)"
  trap 'rm -rf "$data"' EXIT
  echo "\$ teduh.exe --version"
  wine64 "$check_dir/teduh.exe" --version
  echo "\$ teduh.exe --data-dir <temporary> doctor"
  wine64 "$check_dir/teduh.exe" --data-dir "Z:$data" doctor
  echo "\$ teduh.exe doctor   (the default data directory, in wine's user profile)"
  wine64 "$check_dir/teduh.exe" doctor | grep "data directory"
  echo "\$ teduh-server.exe --help"
  wine64 "$check_dir/teduh-server.exe" --help | sed -n "1,12p"
fi
