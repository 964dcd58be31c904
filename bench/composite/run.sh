#!/usr/bin/env bash
# The CPU of one room composite, a 720p30 grid of four (issue 14), beside plain ffmpeg doing
# the same work: the release server in one network namespace (tests/e2e/lib.sh), four Python
# SDK participants publishing a VP8 camera (640x360, 30 fps, moving) and an Opus microphone
# each; the server's process tree (hikari and its ffmpeg children) measured from /proc with
# the publishers alone, then with one StartRoomCompositeEgress (grid, H264_720P_30, MP4),
# which must then COMPLETE with a file ffprobe reads; then one ffmpeg composing the same four
# streams from files (composite_bench.py).
#
#   CARGO_TARGET_DIR=/work/target-release cargo build --release --bin hikari
#   sudo bash bench/composite/run.sh
#
# Needs root, ffmpeg/ffprobe (libx264, libvpx, libopus) and tests/e2e/server-sdk/.venv
# (bash tests/e2e/server-sdk/run.sh once). The server (and so its ffmpeg children) and the
# peer run on CPU $COMPOSITE_SERVER_CPU (0; empty: unpinned), the publishers on
# $COMPOSITE_CLIENT_CPU (1).
# Env: HIKARI_BIN (/work/target-release/release/hikari), COMPOSITE_WINDOW (30 s),
# COMPOSITE_SETTLE (10 s before each server window), COMPOSITE_PEER_720P (1: also the peer
# with four 1280x720 inputs). Output: RESULT lines (JSON) and a table. The peer's inputs are
# made once into target/e2e/bench-composite-inputs (about a minute, longer for 720p).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
export HIKARI_BIN=${HIKARI_BIN:-/work/target-release/release/hikari}
. "$ROOT/tests/e2e/lib.sh"
if [ ! -x "$HIKARI_BIN" ]; then
  echo "no server at $HIKARI_BIN: building it (CARGO_TARGET_DIR=/work/target-release)" >&2
  (cd "$ROOT" && CARGO_TARGET_DIR=/work/target-release nice cargo build --release --bin hikari)
  HIKARI_BIN=/work/target-release/release/hikari
fi
VENV=$ROOT/tests/e2e/server-sdk/.venv
[ -x "$VENV/bin/python" ] || { echo "run tests/e2e/server-sdk/run.sh once (the venv)" >&2; exit 2; }
ENCODERS=$(ffmpeg -hide_banner -encoders 2>/dev/null)
for enc in libx264 libvpx libopus; do
  grep -q " $enc " <<<"$ENCODERS" || { echo "ffmpeg without $enc" >&2; exit 2; }
done
SCPU=${COMPOSITE_SERVER_CPU-0} CCPU=${COMPOSITE_CLIENT_CPU-1}
e2e_init benchcomp
LOGDIR=$(e2e_logdir bench-composite)
mkdir -p "$LOGDIR/work"
CONFIG=$LOGDIR/hikari.yaml
printf 'keys:\n  devkey: secret\n' >"$CONFIG"
trap 'e2e_cleanup' EXIT
echo "=== machine: $(nproc) vCPU, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "=== hikari: $HIKARI_BIN (checkout at $(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo '?'); tree $(cd "$ROOT" && git status --porcelain | wc -l) files changed; binary built $(date -r "$HIKARI_BIN" '+%F %T'))"
echo "=== $(ffmpeg -version | head -1); server and peer on CPU ${SCPU:-(unpinned)}, publishers on CPU $CCPU"
e2e_ns_up benchcomp
e2e_server_start "$LOGDIR/server.log" --config "$CONFIG" || exit 1
[ -n "$SCPU" ] && taskset -apc "$SCPU" "$E2E_SERVER_PID" >/dev/null
rc=0
timeout -k 10 900 taskset -c "$CCPU" ip netns exec "$E2E_NS" "$VENV/bin/python" -u "$ROOT/bench/composite/composite_bench.py" \
  --url "$E2E_URL" --server-pid "$E2E_SERVER_PID" --log "$LOGDIR/server.log" --recordings "$LOGDIR/server.data/recordings" \
  --workdir "$LOGDIR/work" --cache "$ROOT/target/e2e/bench-composite-inputs" --window "${COMPOSITE_WINDOW:-30}" --settle "${COMPOSITE_SETTLE:-10}" \
  --peer-cpu "$SCPU" --pinned "$SCPU" --peer-720p "${COMPOSITE_PEER_720P:-1}" 2>&1 | tee "$LOGDIR/client.log" || rc=1
if ! e2e_server_alive || e2e_server_panicked; then echo "FAIL server_survived"; rc=1; fi
if grep -qE ' (WARN|ERROR) ' "$LOGDIR/server.log"; then
  echo "=== the server's warnings and errors:"
  grep -E ' (WARN|ERROR) ' "$LOGDIR/server.log" | sed 's/\x1b\[[0-9;]*m//g' | cut -c1-400 | tail -n 30
fi
echo "=== load at the end: $(cut -d' ' -f1-3 /proc/loadavg) (logs in $LOGDIR)"
exit "$rc"
