#!/usr/bin/env bash
# LL-HLS fan-out from memory beside nginx, blocking-reload answer times, and the cost of an
# RTMP restream per destination (issue 14): the release server in one network namespace
# (tests/e2e/lib.sh), pinned to one CPU; the Python SDK publishing an H.264 camera and an
# Opus microphone; wrk and the RTMP receivers on the other CPU (hls_bench.py).
#
#   apt-get install -y nginx-light      # the peer (static files); without it its rows are skipped
#   cargo build --release --bin hikari
#   sudo bash bench/hls/run.sh
#
# Needs root, wrk, ffmpeg and tests/e2e/server-sdk/.venv (bash tests/e2e/server-sdk/run.sh
# once). Server and nginx on CPU $HLS_SERVER_CPU (0), clients on $HLS_CLIENT_CPU (1); receive
# packet steering on the namespace's lo sends the receive half of loopback TCP to the client
# CPU (as bench/run.sh does), where a real network puts it.
# Env: HLS_CONNS (64,256), HLS_WRK_SECONDS (10; objects leave the live window after 12 s),
# HLS_RELOADS (100), HLS_RESTREAM (0,1,4), HLS_WINDOW (15 s). Output: RESULT lines (JSON).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
export HIKARI_BIN=${HIKARI_BIN:-$ROOT/target/release/hikari}
. "$ROOT/tests/e2e/lib.sh"
[ -x "$HIKARI_BIN" ] || (cd "$ROOT" && nice cargo build --release --bin hikari)
VENV=$ROOT/tests/e2e/server-sdk/.venv
[ -x "$VENV/bin/python" ] || { echo "run tests/e2e/server-sdk/run.sh once (the venv)" >&2; exit 2; }
command -v wrk >/dev/null || { echo "wrk missing (apt-get install wrk)" >&2; exit 2; }
SCPU=${HLS_SERVER_CPU:-0} CCPU=${HLS_CLIENT_CPU:-1}
e2e_init benchhls
LOGDIR=$(e2e_logdir bench-hls)
CONFIG=$LOGDIR/hikari.yaml
printf 'keys:\n  devkey: secret\n' >"$CONFIG"
NGINX_PID=
cleanup() {
  [ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null && wait "$NGINX_PID" 2>/dev/null || true
  e2e_cleanup
}
trap cleanup EXIT
echo "=== machine: $(nproc) vCPU, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "=== hikari: $HIKARI_BIN (checkout at $(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo '?'); tree $(cd "$ROOT" && git status --porcelain | wc -l) files changed)"
echo "=== $(wrk --version 2>&1 | head -1); $(ffmpeg -version | head -1); $(command -v nginx >/dev/null && nginx -v 2>&1 || echo 'no nginx')"
e2e_ns_up benchhls
e2e_in_ns sh -c "printf '%x' $((1 << CCPU)) > /sys/class/net/lo/queues/rx-0/rps_cpus"
e2e_server_start "$LOGDIR/server.log" --config "$CONFIG" || exit 1
taskset -apc "$SCPU" "$E2E_SERVER_PID" >/dev/null
WWW=$LOGDIR/www
mkdir -p "$WWW" "$LOGDIR/nginx"
NGINX_ARGS=()
if command -v nginx >/dev/null; then
  cat >"$LOGDIR/nginx/nginx.conf" <<EOF
user root;
worker_processes 1;
daemon off;
pid $LOGDIR/nginx/nginx.pid;
error_log $LOGDIR/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  open_file_cache max=100 inactive=60s;
  types { video/mp4 m4s; application/vnd.apple.mpegurl m3u8; }
  client_body_temp_path $LOGDIR/nginx/tmp;
  proxy_temp_path $LOGDIR/nginx/tmp;
  fastcgi_temp_path $LOGDIR/nginx/tmp;
  uwsgi_temp_path $LOGDIR/nginx/tmp;
  scgi_temp_path $LOGDIR/nginx/tmp;
  server { listen $E2E_SERVER_IP:18081; root $WWW; }
}
EOF
  mkdir -p "$LOGDIR/nginx/tmp"
  ip netns exec "$E2E_NS" taskset -c "$SCPU" nginx -p "$LOGDIR/nginx" -c "$LOGDIR/nginx/nginx.conf" </dev/null >"$LOGDIR/nginx/stdout.log" 2>&1 &
  NGINX_PID=$!
  for _ in $(seq 1 50); do [ -s "$LOGDIR/nginx/nginx.pid" ] && break; sleep 0.1; done
  if [ -s "$LOGDIR/nginx/nginx.pid" ]; then
    sleep 0.3
    workers=$(pgrep -P "$(cat "$LOGDIR/nginx/nginx.pid")" | paste -sd, -)
    NGINX_ARGS=(--nginx-url "http://$E2E_SERVER_IP:18081" --nginx-pids "$(cat "$LOGDIR/nginx/nginx.pid"),$workers")
    echo "=== nginx master $(cat "$LOGDIR/nginx/nginx.pid"), workers $workers, on CPU $SCPU"
  else
    echo "=== nginx did not start (the peer's rows are skipped):"; cat "$LOGDIR/nginx/stdout.log" "$LOGDIR/nginx/error.log" 2>/dev/null || true
  fi
fi
rc=0
timeout -k 10 900 taskset -c "$CCPU" ip netns exec "$E2E_NS" "$VENV/bin/python" -u "$ROOT/bench/hls/hls_bench.py" \
  --url "$E2E_URL" --server-pid "$E2E_SERVER_PID" --client-cpu "$CCPU" \
  --recordings "$LOGDIR/server.data/recordings" --www "$WWW" "${NGINX_ARGS[@]}" \
  --conns "${HLS_CONNS:-64,256}" --wrk-seconds "${HLS_WRK_SECONDS:-10}" --reloads "${HLS_RELOADS:-100}" \
  --restream "${HLS_RESTREAM:-0,1,4}" --window "${HLS_WINDOW:-15}" 2>&1 | tee "$LOGDIR/client.log" || rc=1
if ! e2e_server_alive || e2e_server_panicked; then echo "FAIL server_survived"; rc=1; fi
echo "=== load at the end: $(cut -d' ' -f1-3 /proc/loadavg) (logs in $LOGDIR)"
exit "$rc"
