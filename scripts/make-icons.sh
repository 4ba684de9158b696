#!/usr/bin/env bash
# Makes src-tauri/icons/icon.ico (16, 24, 32, 48, 64 and 256 px) from the app icon,
# src-tauri/icons/icon.png, with Tauri's own icon command (fetched from the npm registry on the
# first run). The other icons are kept as they are; the .ico is what Windows builds need.
# Usage: scripts/make-icons.sh
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"
out="$(mktemp -d)"
trap 'rm -rf "$out" "$out.log"' EXIT
npx --yes @tauri-apps/cli@2 icon src-tauri/icons/icon.png --output "$out" >"$out.log" 2>&1 \
  || { cat "$out.log" >&2; exit 1; }
cp "$out/icon.ico" src-tauri/icons/icon.ico
say "wrote src-tauri/icons/icon.ico"
