#!/usr/bin/env bash
# Server CPU during a two-party call (official Python SDK, 640x360 30 fps + audio), measured
# from /proc over a fixed window once media flows. Needs root; runs in a network namespace.
#   bash bench/two-party.sh            # release binary in target/release (built if missing)
# Env: HIKARI_BIN, HOLD_SECONDS (default 30), MODE_ARGS (e.g. --disable-rtc-v1).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/tests/e2e/lib.sh"
export HIKARI_BIN=${HIKARI_BIN:-$ROOT/target/release/hikari}
[ -x "$HIKARI_BIN" ] || (cd "$ROOT" && cargo build --release -p hikari)
PY="$ROOT/tests/e2e/python/.venv/bin/python"
[ -x "$PY" ] || { echo "run tests/e2e/python/run.sh once to create its venv" >&2; exit 2; }
e2e_init bench2p
e2e_ns_up bench2p
LOG=$(mktemp)
e2e_server_start "$LOG" ${MODE_ARGS:-}
ticks() { awk '{print $14 + $15}' "/proc/$E2E_SERVER_PID/stat"; }
hz=$(getconf CLK_TCK)
cpu0=; t0=
while IFS= read -r line; do
  echo "$line"
  case "$line" in
    READY) cpu0=$(ticks); t0=$(date +%s.%N) ;;
    DONE) cpu1=$(ticks); t1=$(date +%s.%N)
          awk -v c0="$cpu0" -v c1="$cpu1" -v t0="$t0" -v t1="$t1" -v hz="$hz" \
            'BEGIN { s = (c1 - c0) / hz; w = t1 - t0; printf "server_cpu %.2f s over %.1f s wall = %.1f%% of one core\n", s, w, 100 * s / w }' ;;
  esac
done < <(e2e_in_ns env HOLD_SECONDS="${HOLD_SECONDS:-30}" "$PY" -u "$ROOT/bench/two_party.py" 2>/dev/null)
echo "server_rss_kb $(awk '/VmRSS/ {print $2}' "/proc/$E2E_SERVER_PID/status")"
