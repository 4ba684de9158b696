#!/usr/bin/env bash
# Builds the Debian packages of Teduh (issue 27 item 1) from this checkout:
#   teduh         the desktop app (menu entry and icon, starts without a terminal) and the CLI;
#   teduh-server  the sync server: a `teduh` system user, a systemd unit with a state directory,
#                 embedded SQLite by default, settings in /etc/teduh/server.toml, logs to the
#                 journal.
# Dependencies are read off the binaries by dpkg-shlibdeps. See docs/operations.md.
#
# Usage: scripts/deb.sh [--debug] [--check | --install]
#   --debug    pack the debug binaries of the test build (fast; for the check) instead of release
#   --check    list and check both packages' contents, then run the unit's ExecStart command line
#              (from the extracted package) and sync a device against it; installs nothing
#   --install  build in release, `apt install` both packages on this machine, start the app from
#              its menu command under Xvfb, run the installed service's command line as the teduh
#              user and sync a device against it
# Output: $CARGO_TARGET_DIR/deb/teduh_<version>_amd64.deb and teduh-server_<version>_amd64.deb
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

profile=release mode=build
for arg in "$@"; do
  case "$arg" in
    --debug) profile=debug ;;
    --check) mode=check ;;
    --install) mode=install ;;
    *) echo "usage: scripts/deb.sh [--debug] [--check | --install]" >&2; exit 2 ;;
  esac
done
[ "$mode" = install ] && profile=release

ensure_system_packages dpkg-dev desktop-file-utils
version="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["version"])' src-tauri/tauri.conf.json)"
arch="$(dpkg --print-architecture)"
bin="$CARGO_TARGET_DIR/$profile"
out="$CARGO_TARGET_DIR/deb"
stage_root="$out/stage"

if [ "$profile" = release ]; then
  ensure_ui_deps
  build_ui
  say "building the app, the CLI and the server (release)"
  cargo build --release --locked -p teduh-desktop -p teduh-cli -p teduh-server
else
  # The test command's own build (same environment, so nothing rebuilds).
  for b in teduh-desktop teduh teduh-server; do
    [ -x "$bin/$b" ] || { echo "$bin/$b is missing: run cargo build --workspace --bins first" >&2; exit 1; }
  done
fi

# `Depends:` of the binaries, as dpkg-shlibdeps reads them off their linked libraries.
shlib_depends() {
  local dir
  dir="$(mktemp -d)"
  mkdir -p "$dir/debian"
  printf 'Source: teduh\n\nPackage: teduh\nArchitecture: any\n' >"$dir/debian/control"
  (cd "$dir" && dpkg-shlibdeps -O "$@" 2>/dev/null) | sed -n 's/^shlibs:Depends=//p'
  rm -rf "$dir"
}

# Writes DEBIAN/control for package $1 in $2 with `Depends:` $3 and description $4 (first line
# the synopsis).
control() {
  local name="$1" root="$2" depends="$3" description="$4" size
  size="$(du -sk --exclude=DEBIAN "$root" | cut -f1)"
  {
    echo "Package: $name"
    echo "Version: $version"
    echo "Architecture: $arch"
    echo "Maintainer: Teduh developers <teduh@localhost>"
    echo "Installed-Size: $size"
    echo "Depends: $depends"
    echo "Section: misc"
    echo "Priority: optional"
    echo "Homepage: https://teduh.invalid/"
    printf 'Description: %s\n' "$description" | sed '2,$s/^/ /'
  } >"$root/DEBIAN/control"
}

pack() {
  local root="$1" file="$2"
  # Release packages are xz-compressed; the check's debug ones quickly, as they are thrown away.
  local compress=(-Zxz)
  [ "$profile" = debug ] && compress=(-Zgzip -z1)
  dpkg-deb --root-owner-group "${compress[@]}" --build "$root" "$out/$file" >/dev/null
  echo "$out/$file"
}

rm -rf "$out"
mkdir -p "$stage_root"

say "packing teduh $version ($profile)"
app="$stage_root/teduh"
install -d "$app/DEBIAN" "$app/usr/bin" "$app/usr/share/applications" "$app/usr/share/doc/teduh"
install -m 0755 "$bin/teduh-desktop" "$bin/teduh" "$app/usr/bin/"
install -m 0644 packaging/debian/teduh.desktop "$app/usr/share/applications/teduh.desktop"
for size in 32x32 128x128 256x256; do
  install -d "$app/usr/share/icons/hicolor/$size/apps"
done
install -m 0644 src-tauri/icons/32x32.png "$app/usr/share/icons/hicolor/32x32/apps/teduh.png"
install -m 0644 src-tauri/icons/128x128.png "$app/usr/share/icons/hicolor/128x128/apps/teduh.png"
install -m 0644 src-tauri/icons/128x128@2x.png "$app/usr/share/icons/hicolor/256x256/apps/teduh.png"
install -m 0644 packaging/debian/copyright "$app/usr/share/doc/teduh/copyright"
control teduh "$app" "$(shlib_depends "$app/usr/bin/teduh-desktop" "$app/usr/bin/teduh")" \
  "Teduh: safe counselling and hotline records, offline too
Records of counselling sessions, hotline contacts, screenings and referrals for psychosocial
counsellors, hotline volunteers and outreach workers, encrypted on the device and end to end,
with an offline directory of services. Includes the teduh command-line tool."
app_deb="$(pack "$app" "teduh_${version}_${arch}.deb")"

say "packing teduh-server $version ($profile)"
srv="$stage_root/teduh-server"
install -d "$srv/DEBIAN" "$srv/usr/bin" "$srv/etc/teduh" "$srv/lib/systemd/system" \
  "$srv/usr/share/doc/teduh-server"
install -m 0755 "$bin/teduh-server" "$srv/usr/bin/"
install -m 0640 packaging/debian/server.toml "$srv/etc/teduh/server.toml"
install -m 0644 packaging/debian/teduh-server.service "$srv/lib/systemd/system/"
install -m 0644 packaging/debian/README.Debian "$srv/usr/share/doc/teduh-server/"
install -m 0644 packaging/debian/copyright "$srv/usr/share/doc/teduh-server/copyright"
install -m 0755 packaging/debian/server.postinst "$srv/DEBIAN/postinst"
install -m 0755 packaging/debian/server.prerm "$srv/DEBIAN/prerm"
install -m 0755 packaging/debian/server.postrm "$srv/DEBIAN/postrm"
echo /etc/teduh/server.toml >"$srv/DEBIAN/conffiles"
control teduh-server "$srv" "adduser, $(shlib_depends "$srv/usr/bin/teduh-server")" \
  "Teduh sync server
Relays the end-to-end encrypted records of Teduh teams between their devices: it never holds a
key that opens a note. Embedded SQLite by default, PostgreSQL for several servers behind a
load balancer; runs as a systemd service."
server_deb="$(pack "$srv" "teduh-server_${version}_${arch}.deb")"
rm -rf "$stage_root"

say "the packages"
for deb in "$app_deb" "$server_deb"; do
  echo "$deb ($(du -h "$deb" | cut -f1))"
  dpkg-deb --field "$deb" Package Version Architecture Depends | sed 's/^/  /'
  dpkg-deb --contents "$deb" | awk '{print "  " $1, $6}' | grep -v '/$'
done

# The command line of the unit's ExecStart, as installed: `/usr/bin/teduh-server --config ...`.
exec_start() {
  sed -n 's/^ExecStart=//p' "$1/lib/systemd/system/teduh-server.service"
}

# Runs the server with `$@` (its command line) on a free loopback port with the state directory
# $state, founds a team, joins a CLI device to it and syncs twice; prints what it did.
sync_a_device() {
  local state="$1" cli="$2"
  shift 2
  local log pid url code device
  log="$(mktemp)"
  TEDUH_SERVER_LISTEN=127.0.0.1:0 TEDUH_SERVER_DATA_DIR="$state" "$@" >"$log" 2>&1 &
  pid=$!
  for _ in $(seq 100); do
    url="$(sed -n 's/^teduh-server listening on //p' "$log")"
    [ -n "$url" ] && break
    sleep 0.1
  done
  [ -n "$url" ] || { cat "$log" >&2; kill "$pid"; echo "the server did not start" >&2; return 1; }
  echo "the unit's command line serves at $url"
  local admin=("$@" admin)
  TEDUH_SERVER_DATA_DIR="$state" "${admin[@]}" init-org "Organisasi Uji Paket" >/dev/null
  TEDUH_SERVER_DATA_DIR="$state" "${admin[@]}" create-team "Tim Paket" >/dev/null
  code="$(TEDUH_SERVER_DATA_DIR="$state" "${admin[@]}" invite --team "Tim Paket" --role supervisor | head -1)"
  device="$(mktemp -d)"
  export TEDUH_PASSPHRASE="kata sandi uji paket yang panjang"
  "$cli" --data-dir "$device" join --server "$url" --username sup.paket --invitation "$code" \
    --device-name "laptop uji paket" --insecure-test-kdf >/dev/null
  "$cli" --data-dir "$device" client add --code PK-1 --name "Klien Sintetis Paket" >/dev/null
  "$cli" --data-dir "$device" sync >/dev/null
  "$cli" --data-dir "$device" sync >/dev/null
  "$cli" --data-dir "$device" status
  kill -TERM "$pid"
  wait "$pid" || true
  rm -rf "$device" "$log"
  unset TEDUH_PASSPHRASE
}

check_contents() {
  local deb="$1"
  shift
  local listed
  listed="$(dpkg-deb --contents "$deb" | awk '{print $6}')"
  for path in "$@"; do
    grep -qx "\\.$path" <<<"$listed" || { echo "$(basename "$deb") lacks $path" >&2; return 1; }
  done
}

case "$mode" in
  check)
    say "checking the packages"
    check_contents "$app_deb" /usr/bin/teduh-desktop /usr/bin/teduh \
      /usr/share/applications/teduh.desktop /usr/share/icons/hicolor/128x128/apps/teduh.png
    check_contents "$server_deb" /usr/bin/teduh-server /etc/teduh/server.toml \
      /lib/systemd/system/teduh-server.service /usr/share/doc/teduh-server/README.Debian
    dpkg-deb --field "$app_deb" Depends | grep -q libwebkit2gtk-4.1 \
      || { echo "teduh does not depend on WebKitGTK" >&2; exit 1; }
    [ "$(dpkg-deb --ctrl-tarfile "$server_deb" | tar -xO ./conffiles)" = /etc/teduh/server.toml ]
    desktop-file-validate packaging/debian/teduh.desktop
    if command -v systemd-analyze >/dev/null; then
      systemd-analyze verify --man=no packaging/debian/teduh-server.service 2>&1 \
        | grep -v "Failed to resolve user\|Failed to resolve group\|executable path is not absolute\|Command .* is not executable" || true
    fi
    work="$(mktemp -d)"
    dpkg-deb --extract "$server_deb" "$work/root"
    read -r -a cmd <<<"$(exec_start "$work/root")"
    [ "${cmd[0]}" = /usr/bin/teduh-server ] && [ "${cmd[1]}" = --config ] \
      || { echo "unexpected ExecStart: ${cmd[*]}" >&2; exit 1; }
    # The same command line, its paths inside the extracted package.
    cmd[0]="$work/root${cmd[0]}"
    cmd[2]="$work/root${cmd[2]}"
    mkdir -p "$work/state"
    sync_a_device "$work/state" "$bin/teduh" "${cmd[@]}"
    rm -rf "$work"
    say "package check passed"
    ;;
  install)
    say "installing both packages"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$app_deb" "$server_deb"
    dpkg -s teduh teduh-server | grep -E '^(Package|Status|Version):'
    getent passwd teduh
    stat -c '%U:%G %a %n' /var/lib/teduh /etc/teduh/server.toml
    command -v teduh-desktop teduh teduh-server
    desktop-file-validate /usr/share/applications/teduh.desktop && echo "menu entry: valid"
    # The menu's command, with no terminal: still running after 10 s, its vault created.
    home="$(mktemp -d)"
    status=0
    HOME="$home" XDG_DATA_HOME="$home/data" XDG_CONFIG_HOME="$home/config" \
      XDG_CACHE_HOME="$home/cache" TEDUH_DATA_DIR="$home/teduh" \
      timeout 10 xvfb-run -a -s "-screen 0 1366x768x24 -noreset" \
      "$(sed -n 's/^Exec=//p' /usr/share/applications/teduh.desktop)" >/dev/null 2>&1 </dev/null || status=$?
    [ "$status" -eq 124 ] && [ -f "$home/teduh/teduh.sqlite3" ] \
      || { echo "the app did not start (exit $status)" >&2; exit 1; }
    echo "the app starts from its menu command: still running after 10 s, its vault created"
    rm -rf "$home"
    if [ -d /run/systemd/system ]; then
      systemctl --no-pager status teduh-server.service | head -5
    else
      echo "no systemd here: running the unit's command line as the teduh user instead"
    fi
    read -r -a cmd <<<"$(exec_start /)"
    state="$(mktemp -d)"
    chown teduh:teduh "$state"
    chmod 0700 "$state"
    sync_a_device "$state" teduh runuser -u teduh -- "${cmd[@]}"
    rm -rf "$state"
    say "installed and checked"
    ;;
esac
