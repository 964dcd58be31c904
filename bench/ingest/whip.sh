#!/usr/bin/env bash
# WHIP's server-added latency (issue 13), in one namespace: the release server with
# prometheus_port, Chromium publishing over WHIP and livekit-client subscribing
# (whip_bench.mjs), VP8 single layer then H.264 simulcast (three rids, as OBS 30+ can send).
#
#   sudo bash bench/ingest/whip.sh
#
# Needs root, /usr/bin/chromium and tests/e2e/js/node_modules (bash tests/e2e/js/run.sh once).
# The server runs on CPU $INGEST_SERVER_CPU (0), Chromium on $INGEST_CLIENT_CPU (1).
# Env: WHIP_WINDOW (30 s per case). Output: RESULT lines.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
export HIKARI_BIN=${HIKARI_BIN:-$ROOT/target/release/hikari}
. "$ROOT/tests/e2e/lib.sh"
[ -x "$HIKARI_BIN" ] || (cd "$ROOT" && cargo build --release --bin hikari)
[ -d "$ROOT/tests/e2e/js/node_modules" ] || { echo "run tests/e2e/js/run.sh once (npm ci)" >&2; exit 2; }
SCPU=${INGEST_SERVER_CPU:-0} CCPU=${INGEST_CLIENT_CPU:-1}
e2e_init benchwhip
LOGDIR=$(e2e_logdir bench-whip)
CONFIG=$LOGDIR/hikari.yaml
printf 'keys:\n  devkey: secret\nprometheus_port: 7889\n' >"$CONFIG"
trap 'e2e_cleanup' EXIT
echo "=== machine: $(nproc) vCPU, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "=== hikari: $HIKARI_BIN ($(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo '?'))"
e2e_ns_up benchwhip
e2e_server_start "$LOGDIR/server.log" --config "$CONFIG" || exit 1
taskset -apc "$SCPU" "$E2E_SERVER_PID" >/dev/null
rc=0
for opts in "" "--h264 --simulcast"; do
  # shellcheck disable=SC2086
  timeout -k 10 300 taskset -c "$CCPU" ip netns exec "$E2E_NS" node "$ROOT/bench/ingest/whip_bench.mjs" \
    --url "$E2E_URL" --metrics "http://$E2E_SERVER_IP:7889/metrics" --window "${WHIP_WINDOW:-30}" $opts 2>&1 | tee -a "$LOGDIR/client.log" || rc=1
done
if ! e2e_server_alive || e2e_server_panicked; then echo "FAIL server_survived"; rc=1; fi
echo "=== load at the end: $(cut -d' ' -f1-3 /proc/loadavg) (logs in $LOGDIR)"
exit "$rc"
