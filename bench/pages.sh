#!/usr/bin/env bash
# Public page throughput, side by side in one run: each Hikari binary given (the release
# `hikari`, each with its own SQLite data dir) serving the benchmark opt-in page — every
# request a new visitor whose page view is stored — and nginx serving the same bytes as a
# static file. Server on CPU $BENCH_SERVER_CPU (0), wrk on CPU $BENCH_GEN_CPU (1), loopback.
#
#   bash bench/pages.sh [LABEL=/path/to/hikari ...]     # default: after=target/release/hikari
#
# Needs wrk and nginx (apt-get install wrk nginx-light). Prints one line per server:
# requests/s, p50 and p99 latency, and the page views the report counts right after the run
# (Hikari). Give a label twice to alternate repetitions: before=A after=B before=A after=B.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SERVER_CPU=${BENCH_SERVER_CPU:-0}
GEN_CPU=${BENCH_GEN_CPU:-1}
DURATION=${BENCH_DURATION:-20}
CONNS=${BENCH_CONNS:-32}
WORK=$(mktemp -d /tmp/hikari-pages.XXXXXX)
chmod 755 "$WORK"   # nginx's worker user reads the page from here
PIDS=()
cleanup() { for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done; [ -n "${BENCH_KEEP:-}" ] || rm -rf "$WORK"; }
trap cleanup EXIT
say() { printf 'pages: %s\n' "$*" >&2; }
[ $# -gt 0 ] || set -- "after=$ROOT/target/release/hikari"

wait_port() { for _ in $(seq 200); do curl -fsS -o /dev/null "http://127.0.0.1:$1/" 2>/dev/null && return 0; sleep 0.05; done; say "port $1 never answered"; return 1; }

# wrk's summary as "req/s p50 p99".
measure() {
  local out
  out=$(taskset -c "$GEN_CPU" wrk -t1 -c"$CONNS" -d"${DURATION}s" --latency -H 'User-Agent: Mozilla/5.0 bench' "$1")
  printf '%s %s %s\n' "$(awk '/^Requests\/sec/ {print $2}' <<<"$out")" "$(awk '$1=="50%" {print $2}' <<<"$out")" "$(awk '$1=="99%" {print $2}' <<<"$out")"
}

page=""
port=8190
for arg in "$@"; do
  label=${arg%%=*} bin=${arg#*=}
  port=$((port + 1))
  data="$WORK/$label-$port"
  token=$("$bin" admin create-token --name bench --data-dir "$data")
  taskset -c "$SERVER_CPU" "$bin" --dev --bind 127.0.0.1 --port "$port" --udp-port $((port + 1000)) --node-ip 127.0.0.1 \
    --data-dir "$data" --config-body 'limits: {page_views_per_minute: 100000000}' >"$WORK/$label.log" 2>&1 &
  PIDS+=($!)
  wait_port "$port"
  bash "$ROOT/tests/e2e/funnel/bench/setup.sh" "http://127.0.0.1:$port" "$token"
  [ -n "$page" ] || { page="$WORK/page.html"; curl -fsS -o "$page" "http://127.0.0.1:$port/f/bench/optin"; }
  read -r rps p50 p99 < <(measure "http://127.0.0.1:$port/f/bench/optin")
  views=$(curl -fsS -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/funnels/1/report" | python3 -c 'import json,sys; print(json.load(sys.stdin)["steps"][0]["visitors"])' 2>/dev/null || echo "?")
  kill "${PIDS[-1]}"; wait "${PIDS[-1]}" 2>/dev/null || true
  printf '%-10s %10s req/s  p50 %8s  p99 %8s  page views counted by the report: %s\n' "$label" "$rps" "$p50" "$p99" "$views"
done

# nginx: the same bytes, static, one worker on the server CPU.
mkdir -p "$WORK/nginx/html"
cp "$page" "$WORK/nginx/html/index.html"
chmod -R a+rX "$WORK/nginx"
port=$((port + 1))
cat >"$WORK/nginx/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  default_type text/html;
  server { listen 127.0.0.1:$port; root $WORK/nginx/html; }
}
EOF
taskset -c "$SERVER_CPU" nginx -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" &
PIDS+=($!)
wait_port "$port"
read -r rps p50 p99 < <(measure "http://127.0.0.1:$port/index.html")
printf '%-10s %10s req/s  p50 %8s  p99 %8s  (%s bytes, static)\n' "nginx" "$rps" "$p50" "$p99" "$(stat -c %s "$page")"
