#!/usr/bin/env bash
# The webinar room under load (issue 15): one host publishing VP8 simulcast and Opus, N
# attendees registered through the funnel's own form, each joining the session's room with
# its pass (WebRTC, as the room page does) and watching the session's notices (server-sent
# events), chatting at BENCH_CHAT_RATE lines a second per 100 attendees. The generator
# (hikari-load --scenario room) prints one line for the window (server CPU, media delivery,
# chat fan-out p50/p99, lines and joins stored) and one for the leave (every attendee leaves
# at once: how fast their webinar_left events are stored, and what the report counted).
#
#   bash bench/webinar-room.sh                  # 500 attendees, 20 s window
#   BENCH_ATTENDEES=200 BENCH_DURATION=30 bash bench/webinar-room.sh
#
# Needs root (a network namespace). Server on CPU $BENCH_SERVER_CPU (0), generator on CPU
# $BENCH_GEN_CPU (1), as bench/run.sh. No peer runs this shape: no other webinar product is a
# server one can run here. Results: target/bench/webinar-room.jsonl.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
NETNS="$ROOT/scripts/netns"
TARGET_DIR=${BENCH_TARGET_DIR:-$ROOT/target}
SERVER_CPU=${BENCH_SERVER_CPU:-0}
GEN_CPU=${BENCH_GEN_CPU:-1}
ATTENDEES=${BENCH_ATTENDEES:-500}
DURATION=${BENCH_DURATION:-20}
CHAT_RATE=${BENCH_CHAT_RATE:-5}
DECRYPT_EVERY=${BENCH_DECRYPT_EVERY:-10}
OUT=$ROOT/target/bench
RESULTS=$OUT/webinar-room.jsonl
IP=10.77.0.1
say() { printf 'bench: %s\n' "$*" >&2; }
[ "$(id -u)" = 0 ] || { say "must run as root"; exit 2; }
mkdir -p "$OUT"

say "building release binaries into $TARGET_DIR"
CARGO_TARGET_DIR=$TARGET_DIR cargo build --release -q -p hikari -p hikari-loadgen
HIKARI=$TARGET_DIR/release/hikari
LOAD=$TARGET_DIR/release/hikari-load

DATA=$(mktemp -d /tmp/hikari-room-bench.XXXXXX)
NS=
SERVER_PID=
cleanup() {
  if [ -n "$SERVER_PID" ]; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
  fi
  [ -n "$NS" ] && "$NETNS" down "$NS" || true
  rm -rf "$DATA"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

"$NETNS" gc hkroom || true
NS=$("$NETNS" name hkroom $$)
"$NETNS" up "$NS"
# As bench/run.sh: the generator's receive path runs on the generator's CPU.
ip netns exec "$NS" sh -c "printf '%x' $((1 << GEN_CPU)) > /sys/class/net/lo/queues/rx-0/rps_cpus" \
  || say "cannot steer lo receive processing to CPU $GEN_CPU"

# Every attendee registers from the generator's one address: lift the per-address form limit.
cat >"$DATA/hikari.yaml" <<EOF
limits:
  form_submits_per_minute: 1000000
EOF
TOKEN=$("$HIKARI" admin create-token --name bench --data-dir "$DATA")
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" || true
ip netns exec "$NS" taskset -c "$SERVER_CPU" env RUST_LOG="${BENCH_RUST_LOG:-warn}" "$HIKARI" --dev --config "$DATA/hikari.yaml" \
  --data-dir "$DATA" --bind $IP --node-ip $IP --disable-rtc-v1 >"$OUT/webinar-room-server.log" 2>&1 </dev/null &
SERVER_PID=$!
for _ in $(seq 1 150); do
  [ "$(ip netns exec "$NS" curl -s -m 2 -o /dev/null -w '%{http_code}' "http://$IP:7880/" 2>/dev/null)" = 200 ] && break
  kill -0 "$SERVER_PID" 2>/dev/null || { say "hikari exited"; tail -20 "$OUT/webinar-room-server.log" >&2; exit 1; }
  sleep 0.2
done
say "machine: $(nproc) vCPU, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $ATTENDEES attendees, $CHAT_RATE lines/s per 100, ${DURATION} s"
timeout 900 ip netns exec "$NS" taskset -c "$GEN_CPU" "$LOAD" --scenario room --url "ws://$IP:7880" \
  --api-token "$TOKEN" --subs "$ATTENDEES" --join-rate 50 --duration "$DURATION" --chat-rate "$CHAT_RATE" \
  --decrypt-every "$DECRYPT_EVERY" --server-pid "$SERVER_PID" --label hikari | tee "$RESULTS"
