#!/usr/bin/env bash
# Track recordings per vCPU (issue 14): the release server in one namespace, the Python SDK
# publishing a VP8 camera (640x360, 30 fps) and an Opus microphone, then steps of N
# concurrent track egresses (half on each track) while the server's CPU is measured from
# /proc; every recording is stopped, its EgressInfo, its file and the server's sink-drop
# counter checked (egress_bench.py).
#
#   sudo bash bench/egress/run.sh
#
# Needs root and tests/e2e/server-sdk/.venv (bash tests/e2e/server-sdk/run.sh once). The
# server runs on CPU $EGRESS_SERVER_CPU (0), the publisher on $EGRESS_CLIENT_CPU (1).
# Env: EGRESS_STEPS (0,10,50,100), EGRESS_WINDOW (20 s per step). Output: RESULT lines.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
export HIKARI_BIN=${HIKARI_BIN:-$ROOT/target/release/hikari}
. "$ROOT/tests/e2e/lib.sh"
[ -x "$HIKARI_BIN" ] || (cd "$ROOT" && cargo build --release --bin hikari)
VENV=$ROOT/tests/e2e/server-sdk/.venv
[ -x "$VENV/bin/python" ] || { echo "run tests/e2e/server-sdk/run.sh once (the venv)" >&2; exit 2; }
SCPU=${EGRESS_SERVER_CPU:-0} CCPU=${EGRESS_CLIENT_CPU:-1}
e2e_init benchegress
LOGDIR=$(e2e_logdir bench-egress)
CONFIG=$LOGDIR/hikari.yaml
printf 'keys:\n  devkey: secret\nprometheus_port: 7889\n' >"$CONFIG"
trap 'e2e_cleanup' EXIT
echo "=== machine: $(nproc) vCPU, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "=== hikari: $HIKARI_BIN ($(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo '?'))"
e2e_ns_up benchegress
e2e_server_start "$LOGDIR/server.log" --config "$CONFIG" || exit 1
taskset -apc "$SCPU" "$E2E_SERVER_PID" >/dev/null
rc=0
timeout -k 10 900 taskset -c "$CCPU" ip netns exec "$E2E_NS" "$VENV/bin/python" -u "$ROOT/bench/egress/egress_bench.py" \
  --url "$E2E_URL" --metrics "http://$E2E_SERVER_IP:7889/metrics" --server-pid "$E2E_SERVER_PID" \
  --log "$LOGDIR/server.log" --steps "${EGRESS_STEPS:-0,10,50,100}" --window "${EGRESS_WINDOW:-20}" 2>&1 | tee "$LOGDIR/client.log" || rc=1
if ! e2e_server_alive || e2e_server_panicked; then echo "FAIL server_survived"; rc=1; fi
echo "=== load at the end: $(cut -d' ' -f1-3 /proc/loadavg) (logs in $LOGDIR)"
exit "$rc"
