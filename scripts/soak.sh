#!/usr/bin/env bash
# The soak (issue 27 item 5), outside CI: the release teduh-server serves 200 devices in teams of
# ten for 10 minutes on each backend (SQLite, then PostgreSQL in a throwaway cluster), restarted
# once with SIGTERM and once with SIGKILL; prints records lost, duplicated or skipped (all must
# be 0), the push page latency and the server's resident memory. See tests/benches/soak.rs.
# Usage: scripts/soak.sh   (SOAK_MINUTES, SOAK_DEVICES, SOAK_BACKENDS change it)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"
ensure_system_packages "${TEST_PACKAGES[@]}"
say "building the server and the soak (release)"
cargo build --release --locked -p teduh-server
cargo bench --locked -p teduh-tests --bench soak --no-run
say "soaking"
SOAK_SERVER_BIN="$CARGO_TARGET_DIR/release/teduh-server" \
  cargo bench --locked -p teduh-tests --bench soak
