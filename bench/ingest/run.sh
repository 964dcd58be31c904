#!/usr/bin/env bash
# Issue 13's broadcast-ingest bench, in one run: server-added latency (Prometheus histogram),
# glass-to-glass for Hikari passthrough and transcoded beside nginx-rtmp -> HLS, passthrough
# ingests per vCPU (1, 4, 8 concurrent publishers) and the transcoding job's CPU for 720p30.
#
#   sudo bash bench/ingest/run.sh
#
# Release build of hikari (target/release, built if missing; HIKARI_BIN for another one).
# Needs root (network namespace), ffmpeg, the Python suite's venv (tests/e2e/python/.venv) and,
# for the peer, nginx with the RTMP module (Debian: apt-get install nginx libnginx-mod-rtmp;
# without it the HLS phase is skipped). Everything runs in one namespace (scripts/netns): the
# server on 10.77.0.1 (libwebrtc ignores loopback), clients on the veth's other end, nginx on
# the namespace's 127.0.0.1. The server (and nginx) run on CPU $INGEST_SERVER_CPU, the clients
# and publishers on CPU $INGEST_CLIENT_CPU.
# Env: INGEST_PHASES ("latency g2g density transcode"), INGEST_DENSITY ("1 4 8"),
#      INGEST_G2G_PATHS ("passthrough transcoded nginx"),
#      INGEST_WINDOW (20 s per CPU window), INGEST_SERVER_CPU (0), INGEST_CLIENT_CPU (1),
#      INGEST_EXTRA (more arguments to ingest_bench.py).
# Output: RESULT lines and a table on stdout; raw lines in target/bench/ingest/results.jsonl.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE=$ROOT/bench/ingest
# Before lib.sh, whose default is the debug build.
export HIKARI_BIN=${HIKARI_BIN:-$ROOT/target/release/hikari}
. "$ROOT/tests/e2e/lib.sh"
[ -x "$HIKARI_BIN" ] || (cd "$ROOT" && cargo build --release --bin hikari)
PY=${INGEST_PY:-$ROOT/tests/e2e/python/.venv/bin/python}
[ -x "$PY" ] || { echo "run tests/e2e/python/run.sh once to create its venv" >&2; exit 2; }
command -v ffmpeg >/dev/null || { echo "ffmpeg missing" >&2; exit 2; }
SCPU=${INGEST_SERVER_CPU:-0} CCPU=${INGEST_CLIENT_CPU:-1}
PHASES=${INGEST_PHASES:-latency g2g density transcode}
START=$(date +%s)
e2e_init benching

OUT=$ROOT/target/bench/ingest
mkdir -p "$OUT"
# The density and latency phases publish a file (no encoding during the run): 60 s of
# 1280x720 at 30 fps, x264 zerolatency without B-frames at 2 Mbit/s, GOP 2 s, AAC 48 kHz.
FLV=$OUT/720p30-zerolatency-2M-60s.flv
if [ ! -s "$FLV" ]; then
  echo "=== pre-encoding $FLV"
  timeout 900 taskset -c "$CCPU" ffmpeg -nostdin -hide_banner -loglevel error -y \
    -f lavfi -i testsrc2=size=1280x720:rate=30 -f lavfi -i sine=frequency=440:sample_rate=48000 -t 60 \
    -c:v libx264 -preset veryfast -tune zerolatency -bf 0 -g 60 -keyint_min 60 -sc_threshold 0 \
    -b:v 2M -maxrate 2M -bufsize 2M -pix_fmt yuv420p -c:a aac -b:a 128k -ar 48000 -ac 2 "$FLV.tmp.flv"
  mv "$FLV.tmp.flv" "$FLV"
fi

LOGDIR=$(e2e_logdir bench-ingest)
CONFIG=$LOGDIR/hikari.yaml
cat >"$CONFIG" <<YAML
keys:
  devkey: secret
prometheus_port: 7889
YAML

# The peer: nginx-rtmp writing HLS (2 s fragments, as the research note measured it).
NGINX_PID=
NGX=$LOGDIR/nginx
NGINX_MOD=/usr/lib/nginx/modules/ngx_rtmp_module.so
if command -v nginx >/dev/null && [ -f "$NGINX_MOD" ]; then
  mkdir -p "$NGX/hls" "$NGX/tmp"
  cat >"$NGX/nginx.conf" <<CONF
load_module $NGINX_MOD;
daemon off;
user root;
worker_processes 1;
pid $NGX/nginx.pid;
error_log $NGX/error.log warn;
events { worker_connections 256; }
rtmp {
  server {
    listen 127.0.0.1:19350;
    application live { live on; hls on; hls_path $NGX/hls; hls_fragment 2s; hls_playlist_length 10s; }
  }
}
http {
  access_log off;
  client_body_temp_path $NGX/tmp; proxy_temp_path $NGX/tmp; fastcgi_temp_path $NGX/tmp;
  uwsgi_temp_path $NGX/tmp; scgi_temp_path $NGX/tmp;
  server {
    listen 127.0.0.1:18080;
    location /hls { types { application/vnd.apple.mpegurl m3u8; video/mp2t ts; } root $NGX; add_header Cache-Control no-cache; }
  }
}
CONF
else
  echo "=== nginx with the RTMP module missing: the HLS peer is skipped (apt-get install nginx libnginx-mod-rtmp)"
fi

stop_nginx() { [ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null; wait "$NGINX_PID" 2>/dev/null || true; NGINX_PID=; }
trap 'stop_nginx; e2e_cleanup' EXIT

echo "=== machine: $(nproc) vCPU, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "=== hikari: $HIKARI_BIN ($(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo '?'))"
e2e_ns_up benching
e2e_server_start "$LOGDIR/server.log" --config "$CONFIG" || exit 1
taskset -apc "$SCPU" "$E2E_SERVER_PID" >/dev/null
if [ -f "$NGX/nginx.conf" ]; then
  e2e_in_ns taskset -c "$SCPU" nginx -c "$NGX/nginx.conf" -p "$NGX" >"$NGX/stdout.log" 2>&1 &
  NGINX_PID=$!
fi
EXTRA=()
[ -n "$NGINX_PID" ] || EXTRA+=(--hls-rtmp "")
# shellcheck disable=SC2206
EXTRA+=(${INGEST_EXTRA:-})

rc=0
rm -f "$OUT/results.jsonl"
timeout -k 10 1200 taskset -c "$CCPU" ip netns exec "$E2E_NS" "$PY" -u "$HERE/ingest_bench.py" \
  --url "$E2E_URL" --metrics "http://$E2E_SERVER_IP:7889/metrics" --server-pid "$E2E_SERVER_PID" \
  --flv "$FLV" --phases "$PHASES" --density "${INGEST_DENSITY:-1 4 8}" --window "${INGEST_WINDOW:-20}" \
  --g2g-paths "${INGEST_G2G_PATHS:-passthrough transcoded nginx}" \
  --out "$OUT/results.jsonl" "${EXTRA[@]}" 2>&1 | tee "$LOGDIR/client.log" || rc=$?
if ! e2e_server_alive || e2e_server_panicked; then
  echo "FAIL server_survived"; e2e_log_tail "$LOGDIR/server.log" 60; rc=1
fi
echo "=== load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
"$PY" "$HERE/table.py" "$OUT/results.jsonl" || true
echo "=== bench-ingest took $(( $(date +%s) - START )) s (logs in $LOGDIR)"
exit "$rc"
