# Shared helpers for tests/e2e/*/run.sh (sourced, not run). Needs root and iproute2.
#
# A suite does, per server mode:
#   e2e_ns_up PREFIX                  -> $E2E_NS, a fresh namespace (scripts/netns)
#   e2e_server_start LOG [ARGS...]     -> hikari --dev --bind 10.77.0.1 --node-ip 10.77.0.1 ARGS
#                                         inside $E2E_NS, stderr+stdout to LOG, ready on GET /
#   ... run clients with e2e_in_ns CMD ...
#   e2e_server_stop; e2e_ns_down       (also done by the EXIT trap that e2e_init sets)
# Logs and artefacts go under target/e2e/ (ignored by git).

E2E_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
E2E_NETNS="$E2E_ROOT/scripts/netns"
E2E_SERVER_IP=10.77.0.1
E2E_HTTP_PORT=7880
E2E_URL="ws://$E2E_SERVER_IP:$E2E_HTTP_PORT"
HIKARI_BIN=${HIKARI_BIN:-$E2E_ROOT/target/debug/hikari}
E2E_NS=
E2E_SERVER_PID=
E2E_SERVER_LOG=

e2e_say() { printf '%s\n' "$*" >&2; }

# Set the cleanup trap and check the prerequisites. Call once, first.
e2e_init() {
  [ "$(id -u)" = 0 ] || { e2e_say "e2e: must run as root (network namespaces)"; exit 2; }
  command -v ip >/dev/null || { e2e_say "e2e: ip (iproute2) missing"; exit 2; }
  trap 'e2e_cleanup' EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  # Namespaces left by an earlier run of this suite that was killed.
  "$E2E_NETNS" gc "$1" || true
}

e2e_cleanup() {
  e2e_server_stop
  e2e_ns_down
}

# Build the server if it is not there (scripts/test builds it first; this is for running a
# suite on its own). Always outside any namespace.
e2e_ensure_bin() {
  if [ ! -x "$HIKARI_BIN" ]; then
    e2e_say "e2e: $HIKARI_BIN missing, building it"
    (cd "$E2E_ROOT" && cargo build --bin hikari) || { e2e_say "e2e: build failed"; return 1; }
  fi
  [ -x "$HIKARI_BIN" ] || { e2e_say "e2e: no server binary at $HIKARI_BIN"; return 1; }
}

e2e_ns_up() {
  E2E_NS=$("$E2E_NETNS" name "$1" $$)
  "$E2E_NETNS" up "$E2E_NS"
}

e2e_ns_down() {
  if [ -n "$E2E_NS" ]; then
    "$E2E_NETNS" down "$E2E_NS" || true
    E2E_NS=
  fi
}

e2e_in_ns() { ip netns exec "$E2E_NS" "$@"; }

# Refuses UDP to the server's WebRTC port (7882 with --dev) in the namespace, as an office
# firewall does, with a policy-routing rule (no packet filter needed): the rule goes before
# the local table's lookup, which moves from priority 0 to 100.
e2e_block_udp() {
  e2e_in_ns ip rule add pref 10 ipproto udp dport 7882 prohibit &&
    e2e_in_ns ip rule del pref 0 &&
    e2e_in_ns ip rule add pref 100 table local
}

# Sends the server's traffic to 10.77.0.2 over the veth pair instead of loopback, so that a
# qdisc on hk0 shapes what subscribers receive (the adaptive mode's bandwidth checks):
# locally made packets to .2 (only the server sends there; the server's socket is bound to
# the wildcard address, so the rule cannot name the source) take a route through hk0 with
# source .1 (table 77), hk1 accepts them
# although their source is local, and clients cannot reach the media port from .1 (so every
# ICE pair runs .2 <-> .1). The local table moves behind these rules, as in e2e_block_udp.
e2e_route_via_veth() {
  e2e_in_ns sysctl -qw net.ipv4.conf.all.accept_local=1 net.ipv4.conf.hk1.accept_local=1 \
      net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.hk0.rp_filter=0 net.ipv4.conf.hk1.rp_filter=0 &&
    e2e_in_ns ip route add 10.77.0.2/32 dev hk0 src 10.77.0.1 table 77 &&
    e2e_in_ns ip rule add pref 4 iif lo from 10.77.0.1 to 10.77.0.1 ipproto udp dport 7882 prohibit &&
    e2e_in_ns ip rule add pref 5 iif lo to 10.77.0.2 lookup 77 &&
    e2e_in_ns ip rule del pref 0 &&
    e2e_in_ns ip rule add pref 100 table local
}

# HTTP status of GET / inside the namespace ("000" when nothing answers).
e2e_health() {
  e2e_in_ns curl -s -m 2 -o /dev/null -w '%{http_code}' "http://$E2E_SERVER_IP:$E2E_HTTP_PORT/" 2>/dev/null || true
}

# e2e_server_start LOG [EXTRA ARGS...]: start hikari in $E2E_NS and wait (bounded) for GET / = 200.
e2e_server_start() {
  E2E_SERVER_LOG=$1; shift
  : >"$E2E_SERVER_LOG"
  ip netns exec "$E2E_NS" env RUST_LOG="${HIKARI_E2E_RUST_LOG:-${RUST_LOG:-info}}" RUST_BACKTRACE=1 NO_COLOR=1 \
    "$HIKARI_BIN" --dev --bind "$E2E_SERVER_IP" --node-ip "$E2E_SERVER_IP" \
    --data-dir "${E2E_SERVER_LOG%.log}.data" "$@" \
    >>"$E2E_SERVER_LOG" 2>&1 </dev/null &
  E2E_SERVER_PID=$!
  local i code
  for i in $(seq 1 150); do # 150 x 0.2 s = 30 s at most
    if ! kill -0 "$E2E_SERVER_PID" 2>/dev/null; then
      wait "$E2E_SERVER_PID" 2>/dev/null; code=$?
      E2E_SERVER_PID=
      e2e_say "e2e: hikari exited with status $code before it was ready; log tail:"
      e2e_log_tail "$E2E_SERVER_LOG" 60
      return 1
    fi
    code=$(e2e_health)
    if [ "$code" = 200 ]; then
      e2e_say "e2e: hikari ready after $(awk "BEGIN{print $i*0.2}") s (pid $E2E_SERVER_PID, $*)"
      return 0
    fi
    sleep 0.2
  done
  e2e_say "e2e: hikari did not answer GET / with 200 within 30 s (last status $code); log tail:"
  e2e_log_tail "$E2E_SERVER_LOG" 60
  return 1
}

# Is the server still running and healthy? Prints why not.
e2e_server_alive() {
  if [ -z "$E2E_SERVER_PID" ] || ! kill -0 "$E2E_SERVER_PID" 2>/dev/null; then
    e2e_say "e2e: hikari is no longer running"
    return 1
  fi
  local code; code=$(e2e_health)
  [ "$code" = 200 ] || { e2e_say "e2e: hikari answers GET / with $code"; return 1; }
}

e2e_server_panicked() { grep -qE "panicked at|stack backtrace" "$E2E_SERVER_LOG" 2>/dev/null; }

e2e_server_stop() {
  [ -n "$E2E_SERVER_PID" ] || return 0
  kill -TERM "$E2E_SERVER_PID" 2>/dev/null || true
  local i
  for i in $(seq 1 50); do
    kill -0 "$E2E_SERVER_PID" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$E2E_SERVER_PID" 2>/dev/null || true
  wait "$E2E_SERVER_PID" 2>/dev/null || true
  E2E_SERVER_PID=
}

# CPU time (utime+stime, in clock ticks) of the server process so far.
e2e_server_ticks() {
  awk '{print $14 + $15}' "/proc/$E2E_SERVER_PID/stat" 2>/dev/null || echo 0
}

e2e_log_tail() {
  local log=$1 n=${2:-60}
  echo "----- last $n lines of $log -----" >&2
  tail -n "$n" "$log" | sed 's/\x1b\[[0-9;]*m//g' | cut -c1-600 >&2 || true
  echo "----- end of $log -----" >&2
}

e2e_logdir() {
  local d="$E2E_ROOT/target/e2e/$1-$(date +%Y%m%d-%H%M%S)-$$"
  mkdir -p "$d"
  printf '%s\n' "$d"
}

# e2e_run_modes SUITE CLIENT_TIMEOUT_S -- CLIENT_CMD...
# For each mode in $E2E_MODES (default "default no-rtc-v1"): a fresh namespace, a fresh server
# (no-rtc-v1 adds --disable-rtc-v1; adaptive changes only the client; relay turns the TURN server on), then CLIENT_CMD --url URL --label MODE --logdir DIR inside
# the namespace, bounded by CLIENT_TIMEOUT_S. The client prints "MODE: N passed, N failed".
# Adds a server_survived check per mode, prints the server log tail on any failure, the
# METRIC lines, and a closing "SUITE: N passed, N failed". Returns non-zero on any failure.
e2e_run_modes() {
  local suite=$1 client_timeout=$2; shift 2
  [ "${1:-}" = "--" ] && shift
  local logdir; logdir=$(e2e_logdir "$suite")
  local passed=0 failed=0 mode extra rc line p f server_log client_log
  for mode in ${E2E_MODES:-default no-rtc-v1}; do
    case $mode in
      default) extra=() ;;
      no-rtc-v1) extra=(--disable-rtc-v1) ;;
      adaptive) extra=() ;; # the client turns on adaptive stream and dynacast (its --label)
      tcp) extra=() ;; # UDP to the media port is dropped: clients must use ICE over TCP
      # The embedded TURN server on; the client allows only relayed candidates (its --label).
      relay) extra=(--config-body 'turn: {enabled: true}') ;;
      whip) extra=() ;; # the client publishes over WHIP (whip.mjs)
      hls) extra=() ;; # an HLS egress played by hls.js (hls.mjs)
      webinar) extra=() ;; # a webinar session through Hikari's own pages (webinar.mjs)
      *) e2e_say "e2e: unknown mode $mode"; return 2 ;;
    esac
    echo "=== $suite [$mode]: hikari --dev ${extra[*]}"
    server_log="$logdir/server-$mode.log" client_log="$logdir/client-$mode.log"
    mkdir -p "$logdir/$mode"
    e2e_ns_up "$suite"
    if ! e2e_server_start "$server_log" "${extra[@]}"; then
      echo "FAIL server_start ($mode)"
      failed=$((failed + 1))
      e2e_server_stop; e2e_ns_down
      continue
    fi
    if [ "$mode" = adaptive ] && ! e2e_route_via_veth; then
      echo "FAIL route_via_veth ($mode): could not route the server's traffic over the veth pair"
      failed=$((failed + 1))
    fi
    if [ "$mode" = tcp ] && ! e2e_block_udp; then
      echo "FAIL block_udp ($mode): could not drop UDP in the namespace"
      failed=$((failed + 1))
    fi
    rc=0
    local t0 c0 t1 c1
    t0=$(date +%s.%N) c0=$(e2e_server_ticks)
    E2E_SERVER_PID=$E2E_SERVER_PID timeout -k 5 "$client_timeout" ip netns exec "$E2E_NS" \
      "$@" --url "$E2E_URL" --label "$mode" --logdir "$logdir/$mode" 2>&1 | tee "$client_log" || rc=$?
    t1=$(date +%s.%N) c1=$(e2e_server_ticks)
    # The server's average CPU over the whole client run (all phases, not only media).
    awk -v t0="$t0" -v t1="$t1" -v c0="$c0" -v c1="$c1" -v hz="$(getconf CLK_TCK)" -v m="$mode" \
      'BEGIN { cpu = (c1 - c0) / hz; wall = t1 - t0;
               printf "METRIC %s server_cpu_avg_percent %.1f %% (%.2f s CPU over %.1f s of the scenario)\n", m, 100 * cpu / wall, cpu, wall }' \
      | tee -a "$client_log"
    [ "$rc" = 124 ] && echo "FAIL client_finished ($mode): no result within $client_timeout s"
    line=$(grep -E "^$mode: [0-9]+ passed, [0-9]+ failed" "$client_log" | tail -n1 || true)
    if [ -n "$line" ]; then
      p=$(sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed/\1/' <<<"$line")
      f=$(sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed/\2/' <<<"$line")
      passed=$((passed + p)) failed=$((failed + f))
      # A client that crashed after printing a clean summary still fails.
      [ "$rc" != 0 ] && [ "$f" = 0 ] && failed=$((failed + 1))
    else
      failed=$((failed + 1))
    fi
    # The server must come through the whole scenario alive and without a panic.
    if e2e_server_alive && ! e2e_server_panicked; then
      echo "PASS server_survived ($mode)"; passed=$((passed + 1))
    else
      echo "FAIL server_survived ($mode)"; failed=$((failed + 1)); rc=1
    fi
    e2e_server_stop
    [ "$rc" != 0 ] && e2e_log_tail "$server_log" "${E2E_LOG_TAIL:-80}"
    e2e_ns_down
  done
  echo "$suite: timings"
  grep -h '^METRIC' "$logdir"/client-*.log 2>/dev/null | sed 's/^METRIC /  /' || true
  echo "$suite: logs in $logdir"
  echo "$suite: $passed passed, $failed failed"
  [ "$failed" = 0 ]
}
