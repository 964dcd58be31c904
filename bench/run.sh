#!/usr/bin/env bash
# One command for the side-by-side benchmark: Hikari against Janus (videoroom), same
# machine, same load generator (hikari-load), same shapes, alternating runs.
#
#   bash bench/run.sh                 # all scenarios, 1 repetition each
#   BENCH_SCENARIOS="webinar" BENCH_REPS=3 bash bench/run.sh
#
# Needs root (network namespace; apt-get install janus when missing). Builds release
# binaries into $BENCH_TARGET_DIR (default: target/). Server on CPU $BENCH_SERVER_CPU (0),
# generator on CPU $BENCH_GEN_CPU (1). Every run is bounded: the generator has its own
# watchdog and each step here has a timeout. Results: target/bench/results.jsonl, and the
# table on stdout (bench/table.py).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
NETNS="$ROOT/scripts/netns"
TARGET_DIR=${BENCH_TARGET_DIR:-$ROOT/target}
SERVER_CPU=${BENCH_SERVER_CPU:-0}
GEN_CPU=${BENCH_GEN_CPU:-1}
REPS=${BENCH_REPS:-1}
SCENARIOS=${BENCH_SCENARIOS:-"webinar ramp audio meeting storm"}
# Every this-many-th receiving PeerConnection decrypts (latency samples); the rest count
# packets by their clear RTP header, so one generator core can outrun one server core.
DECRYPT_EVERY=${BENCH_DECRYPT_EVERY:-10}
# Janus runs its handles on this many static event loops (threads) rather than a thread
# per handle, as its configuration advises when CPUs are few: the server has one vCPU.
JANUS_LOOPS=${BENCH_JANUS_LOOPS:-1}
# Extra hikari flags, e.g. --disable-udp-gso.
HIKARI_ARGS=${BENCH_HIKARI_ARGS:-}
SERVERS=${BENCH_SERVERS:-"hikari janus"}
OUT=$ROOT/target/bench
mkdir -p "$OUT"
RESULTS=$OUT/results.jsonl
: >"$RESULTS"
IP=10.77.0.1

say() { printf 'bench: %s\n' "$*" >&2; }
[ "$(id -u)" = 0 ] || { say "must run as root"; exit 2; }

# Scenario shapes: generator arguments per scenario.
shape() {
  case $1 in
    webinar) echo "--scenario webinar --subs ${BENCH_WEBINAR_SUBS:-150} --join-rate 50 --duration ${BENCH_DURATION:-20}" ;;
    audio)   echo "--scenario audio --audio-pubs 10 --subs ${BENCH_AUDIO_SUBS:-150} --join-rate 50 --duration ${BENCH_DURATION:-20}" ;;
    meeting) echo "--scenario meeting --subs ${BENCH_MEETING_SIZE:-10} --join-rate 10 --duration ${BENCH_DURATION:-20}" ;;
    storm)   echo "--scenario storm --subs ${BENCH_STORM_SUBS:-100} --duration 10" ;;
    # The webinar ramped until delivery falls below 99.9%: each step is its own window.
    ramp)    echo "--scenario webinar --steps ${BENCH_RAMP_STEPS:-50,100,150,200,300,400,500,600,700,800,1000} --join-rate 100 --duration ${BENCH_RAMP_WINDOW:-10}" ;;
    # The same ramp with adaptive-stream subscribers: every second one asks for the low
    # layer (UpdateTrackSettings), as a small video element does. LiveKit protocol only:
    # Janus's subscribers take what its videoroom sends.
    ramp-adaptive) echo "$(shape ramp) --low-share ${BENCH_LOW_SHARE:-0.5}" ;;
    *) say "unknown scenario $1"; exit 2 ;;
  esac
}

say "building release binaries into $TARGET_DIR"
CARGO_TARGET_DIR=$TARGET_DIR cargo build --release -q -p hikari -p hikari-loadgen
HIKARI=$TARGET_DIR/release/hikari
LOAD=$TARGET_DIR/release/hikari-load

if [[ " $SERVERS " == *" janus "* ]] && ! command -v janus >/dev/null; then
  say "installing janus"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q janus >/dev/null
fi

NS=
SERVER_PID=
cleanup() {
  stop_server
  [ -n "$NS" ] && "$NETNS" down "$NS" || true
}
stop_server() {
  [ -n "$SERVER_PID" ] || return 0
  kill -TERM "$SERVER_PID" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
"$NETNS" gc hkbench || true
NS=$("$NETNS" name hkbench $$)
"$NETNS" up "$NS"
# Janus (libnice) sends over the veth wire, so packets arrive on a device with a source
# address that is local to the namespace: accept them. Hikari is unaffected either way.
for k in all.accept_local hk0.accept_local hk1.accept_local lo.accept_local; do ip netns exec "$NS" sysctl -qw "net.ipv4.conf.$k=1"; done
for k in all.rp_filter default.rp_filter hk0.rp_filter hk1.rp_filter lo.rp_filter; do ip netns exec "$NS" sysctl -qw "net.ipv4.conf.$k=0"; done
# Both ends live in one namespace, so datagrams cross `lo`, and by default the kernel runs
# the receiver's half (IP/UDP input, socket wake-up) in the sender's softirq: up to a
# sixth of the server's measured CPU would be the generator's receive path. Receive
# packet steering hands that half to the generator's CPU, where a real network puts it
# (on the client's machine). Both servers are measured the same way.
ip netns exec "$NS" sh -c "printf '%x' $((1 << GEN_CPU)) > /sys/class/net/lo/queues/rx-0/rps_cpus" \
  || say "cannot steer lo receive processing to CPU $GEN_CPU; server CPU includes the generator's receive path"

# Janus configuration: stock files, videoroom + websockets only, bound to the namespace.
JCFG=$OUT/janus-cfg
rm -rf "$JCFG"; mkdir -p "$JCFG"
if command -v janus >/dev/null; then
  cp /etc/janus/janus.jcfg /etc/janus/janus.plugin.videoroom.jcfg /etc/janus/janus.transport.websockets.jcfg "$JCFG/"
  sed -i -e "s|configs_folder = \"/etc/janus\"|configs_folder = \"$JCFG\"|" \
         -e 's|debug_level = 4|debug_level = 3|' \
         -e 's|#rtp_port_range = "20000-40000"|rtp_port_range = "20000-40000"|' \
         -e "s|#event_loops = 8|event_loops = $JANUS_LOOPS|" \
         -e "s|#ice_enforce_list = \"eth0\"|ice_enforce_list = \"$IP\"|" \
         -e 's|#disable = "libjanus_voicemail.so,libjanus_recordplay.so"|disable = "libjanus_audiobridge.so,libjanus_duktape.so,libjanus_echotest.so,libjanus_lua.so,libjanus_nosip.so,libjanus_recordplay.so,libjanus_sip.so,libjanus_streaming.so,libjanus_textroom.so,libjanus_videocall.so,libjanus_voicemail.so"|' \
         -e 's|#disable = "libjanus_rabbitmq.so"|disable = "libjanus_rabbitmq.so,libjanus_mqtt.so,libjanus_nanomsg.so,libjanus_pfunix.so,libjanus_http.so"|' \
         "$JCFG/janus.jcfg"
  sed -i -e "s|#ws_ip = \"192.168.0.1\"|ws_ip = \"$IP\"|" "$JCFG/janus.transport.websockets.jcfg"
fi

start_server() { # $1 = hikari | janus, $2 = log
  case $1 in
    hikari)
      ip netns exec "$NS" taskset -c "$SERVER_CPU" env RUST_LOG=warn "$HIKARI" --dev --bind $IP --node-ip $IP --disable-rtc-v1 $HIKARI_ARGS >"$2" 2>&1 </dev/null &
      SERVER_PID=$!
      for _ in $(seq 1 150); do
        [ "$(ip netns exec "$NS" curl -s -m 2 -o /dev/null -w '%{http_code}' "http://$IP:7880/" 2>/dev/null)" = 200 ] && return 0
        kill -0 "$SERVER_PID" 2>/dev/null || { say "hikari exited"; tail -20 "$2" >&2; return 1; }
        sleep 0.2
      done ;;
    janus)
      ip netns exec "$NS" taskset -c "$SERVER_CPU" janus -C "$JCFG/janus.jcfg" -F "$JCFG" >"$2" 2>&1 </dev/null &
      SERVER_PID=$!
      for _ in $(seq 1 150); do
        ip netns exec "$NS" bash -c "exec 3<>/dev/tcp/$IP/8188" 2>/dev/null && return 0
        kill -0 "$SERVER_PID" 2>/dev/null || { say "janus exited"; tail -20 "$2" >&2; return 1; }
        sleep 0.2
      done ;;
  esac
  say "$1 did not become ready in 30 s"; return 1
}

run_one() { # $1 server, $2 scenario, $3 rep
  local log=$OUT/$1-$2-$3.log url target
  case $1 in
    hikari) url=ws://$IP:7880; target=livekit ;;
    janus)  url=ws://$IP:8188; target=janus ;;
  esac
  start_server "$1" "$OUT/$1-server.log" || return 1
  sleep 1
  say "$1 / $2 / rep $3: $(shape "$2")"
  # shellcheck disable=SC2046
  if timeout 900 ip netns exec "$NS" taskset -c "$GEN_CPU" "$LOAD" --target $target --url "$url" \
       --server-pid "$SERVER_PID" --label "$1" --decrypt-every "$DECRYPT_EVERY" $(shape "$2") >"$log.json" 2>"$log"; then
    # One line per window (a ramp has one per step).
    sed "s/^{/{\"server\":\"$1\",\"rep\":$3,\"bench\":\"$2\",/" "$log.json" >>"$RESULTS"
    say "$(tail -1 "$log.json")"
  else
    say "$1 / $2 failed; log tail:"; tail -5 "$log" >&2
  fi
  stop_server
}

ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" || true   # a socket per PeerConnection
say "machine: $(nproc) vCPU, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
for scenario in $SCENARIOS; do
  for rep in $(seq 1 "$REPS"); do
    for server in $SERVERS; do
      run_one "$server" "$scenario" "$rep" || true
    done
  done
done
python3 "$ROOT/bench/table.py" "$RESULTS"
