#!/usr/bin/env bash
# Server-SDK suite: the official server SDKs against hikari, in a fresh network namespace with
# a fresh server (webhooks to a receiver on the namespace's loopback, Prometheus metrics on):
#   python  PyPI livekit-api drives every RoomService method against participants connected
#           with the Python livekit SDK; webhooks verify with WebhookReceiver; the metrics page
#           parses with prometheus_client and moves during the call (test_api.py)
#   node    npm livekit-server-sdk RoomServiceClient create/list/delete and WebhookReceiver,
#           IngressClient create/list/update/delete, EgressClient list/start/stop refusals,
#           and EgressClient start/list/updateStream/stop on a room fed by ffmpeg through an
#           RTMP ingress (HLS + a restream to local ffmpeg receivers) (node/test.mjs)
#   ingress PyPI livekit-api IngressService create/list/update/delete, refusals, and the
#           ingress_created/ingress_deleted webhooks verified with WebhookReceiver
#           (test_ingress.py)
#   egress  PyPI livekit-api StartTrackEgress records Opus, VP8 and H.264 tracks the Python
#           SDK publishes; ffprobe and ffmpeg check the files; refusals; egress webhooks
#           (test_egress.py); then a recording across SIGTERM and a restart
#           (test_egress_restart.py)
#   hls     PyPI livekit-api StartParticipantEgress and StartTrackCompositeEgress package an
#           H.264 camera and a microphone as HLS; the LL-HLS live playlist (parts, blocking
#           reload, delta updates, tokens) and the event playlist on disk are checked with
#           the m3u8 parser, ffprobe and ffmpeg (test_hls.py)
#   composite PyPI livekit-api StartRoomCompositeEgress composes two participants (an H.264 and
#           a VP8 camera, two microphones) into an MP4 file and HLS, UpdateLayout changes the
#           layout while it runs; ffprobe, ffmpeg and numpy check codecs, durations, A/V start,
#           the audio and the frames of each layout; an audio-only composite; the node's
#           composite limit and refusals (test_composite.py)
#   restream PyPI livekit-api StartParticipantEgress with stream outputs and UpdateStream push
#           an H.264 camera and a microphone to RTMP receivers (ffmpeg -listen 1 on the
#           namespace's loopback): redacted stream keys (API, webhooks, the server's log),
#           retries when a receiver goes away or answers garbage, refusals; ffprobe and
#           ffmpeg check the received FLV files (test_restream.py)
#   library the recordings library: PyPI livekit-api records an Ogg and an HLS recording, then
#           the JSON API (/library/recordings), its signed links (ffprobe and ffmpeg read them
#           without a token; tampered and expired links refused), the admin's recordings page
#           and deletion (files gone from disk) are checked (test_library.py)
#   upload  a second server with egress.s3 pointing at moto's S3 server on the namespace's
#           loopback: recordings (Ogg, HLS, thumbnails) land in the bucket byte for byte, their
#           locations are the objects' URLs, ffprobe reads them there; with the store gone a
#           recording fails saying so and stays in the library (test_upload.py)
# Needs root (namespaces). Makes the venv and node_modules (outside the namespace) on first use.
# Env: HIKARI_E2E_RUST_LOG (server RUST_LOG), HIKARI_BIN (another binary), E2E_LOG_TAIL,
#      SDK_SUITES (the suites to run, default "python ingress egress hls composite restream library node upload"; the
#      restart recording runs with egress).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib.sh"
e2e_init e2esdk
SUITES=${SDK_SUITES:-python ingress egress hls composite restream library node upload}
for s in $SUITES; do
  case $s in python | ingress | egress | hls | composite | restream | library | node | upload) ;; *) e2e_say "e2e-server-sdk: unknown suite $s in SDK_SUITES"; exit 2 ;; esac
done
suite_on() { case " $SUITES " in *" $1 "*) return 0 ;; esac; return 1; }

VENV="$HERE/.venv"
STAMP="$VENV/.requirements.sha256"
want=$(sha256sum "$HERE/requirements.txt" | cut -d' ' -f1)
if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$STAMP" 2>/dev/null)" != "$want" ]; then
  e2e_say "e2e-server-sdk: creating $VENV"
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check -r "$HERE/requirements.txt"
  echo "$want" >"$STAMP"
fi
"$VENV/bin/python" -c 'import livekit.rtc, livekit.api, prometheus_client' \
  || { e2e_say "e2e-server-sdk: the venv does not import livekit and prometheus_client"; exit 1; }
NODE_DIR="$HERE/node"
NSTAMP="$NODE_DIR/node_modules/.package-lock.sha256"
nwant=$(cat "$NODE_DIR/package.json" "$NODE_DIR/package-lock.json" | sha256sum | cut -d' ' -f1)
if suite_on node && { [ ! -d "$NODE_DIR/node_modules" ] || [ "$(cat "$NSTAMP" 2>/dev/null)" != "$nwant" ]; }; then
  e2e_say "e2e-server-sdk: npm ci"
  (cd "$NODE_DIR" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$nwant" >"$NSTAMP"
fi
e2e_ensure_bin

LOGDIR=$(e2e_logdir server-sdk)
HOOK_PORT=7890
METRICS_PORT=7889
HOOKS="$LOGDIR/hooks.jsonl"
CONFIG="$LOGDIR/hikari.yaml"
cat >"$CONFIG" <<YAML
keys:
  devkey: secret
prometheus_port: $METRICS_PORT
webhook:
  api_key: devkey
  urls:
    - http://127.0.0.1:$HOOK_PORT/hook
egress:
  max_composites: 2
YAML

passed=0 failed=0
tally() { # tally LOG LABEL: add the client's "LABEL: N passed, N failed" (a missing line fails)
  local line
  line=$(grep -E "^$2: [0-9]+ passed, [0-9]+ failed" "$1" | tail -n1 || true)
  if [ -z "$line" ]; then failed=$((failed + 1)); echo "FAIL $2_finished: no summary"; return; fi
  passed=$((passed + $(sed -E 's/.*: ([0-9]+) passed.*/\1/' <<<"$line")))
  failed=$((failed + $(sed -E 's/.*, ([0-9]+) failed/\1/' <<<"$line")))
}

e2e_ns_up e2esdk
RECEIVER_PID=
stop_receiver() { [ -n "$RECEIVER_PID" ] && kill "$RECEIVER_PID" 2>/dev/null; wait "$RECEIVER_PID" 2>/dev/null || true; RECEIVER_PID=; }
trap 'stop_receiver; e2e_cleanup' EXIT
: >"$HOOKS"
e2e_in_ns "$VENV/bin/python" -u "$HERE/hook_receiver.py" --port "$HOOK_PORT" --out "$HOOKS" \
  >"$LOGDIR/receiver.log" 2>&1 &
RECEIVER_PID=$!

echo "=== server-sdk: hikari --dev --config $CONFIG"
if e2e_server_start "$LOGDIR/server.log" --config "$CONFIG"; then
  HTTP_URL="http://$E2E_SERVER_IP:$E2E_HTTP_PORT"
  if suite_on python; then
    timeout -k 5 300 ip netns exec "$E2E_NS" "$VENV/bin/python" -u "$HERE/test_api.py" \
      --url "$E2E_URL" --metrics "http://$E2E_SERVER_IP:$METRICS_PORT/metrics" --hooks "$HOOKS" \
      --label server-sdk-python 2>&1 | tee "$LOGDIR/python.log" || true
    tally "$LOGDIR/python.log" server-sdk-python
  fi
  if suite_on ingress; then
    timeout -k 5 150 ip netns exec "$E2E_NS" "$VENV/bin/python" -u "$HERE/test_ingress.py" \
      --url "$E2E_URL" --hooks "$HOOKS" --label server-sdk-ingress 2>&1 | tee "$LOGDIR/ingress.log" || true
    tally "$LOGDIR/ingress.log" server-sdk-ingress
  fi
  if suite_on egress; then
    timeout -k 5 180 ip netns exec "$E2E_NS" "$VENV/bin/python" -u "$HERE/test_egress.py" \
      --url "$E2E_URL" --hooks "$HOOKS" --metrics "http://$E2E_SERVER_IP:$METRICS_PORT/metrics" --label server-sdk-egress 2>&1 \
      | tee "$LOGDIR/egress.log" || true
    tally "$LOGDIR/egress.log" server-sdk-egress
  fi
  if suite_on hls; then
    timeout -k 5 180 ip netns exec "$E2E_NS" "$VENV/bin/python" -u "$HERE/test_hls.py" \
      --url "$E2E_URL" --metrics "http://$E2E_SERVER_IP:$METRICS_PORT/metrics" --label server-sdk-hls 2>&1 | tee "$LOGDIR/hls.log" || true
    tally "$LOGDIR/hls.log" server-sdk-hls
  fi
  if suite_on composite; then
    timeout -k 5 180 ip netns exec "$E2E_NS" "$VENV/bin/python" -u "$HERE/test_composite.py" \
      --url "$E2E_URL" --recordings "$LOGDIR/server.data/recordings" --hooks "$HOOKS" \
      --label server-sdk-composite 2>&1 | tee "$LOGDIR/composite.log" || true
    tally "$LOGDIR/composite.log" server-sdk-composite
  fi
  if suite_on restream; then
    timeout -k 5 130 ip netns exec "$E2E_NS" "$VENV/bin/python" -u "$HERE/test_restream.py" \
      --url "$E2E_URL" --hooks "$HOOKS" --server-log "$E2E_SERVER_LOG" --logdir "$LOGDIR/restream" \
      --label server-sdk-restream 2>&1 | tee "$LOGDIR/restream.log" || true
    tally "$LOGDIR/restream.log" server-sdk-restream
  fi
  if suite_on library; then
    timeout -k 5 180 ip netns exec "$E2E_NS" "$VENV/bin/python" -u "$HERE/test_library.py" \
      --url "$E2E_URL" --recordings "$LOGDIR/server.data/recordings" --label server-sdk-library 2>&1 | tee "$LOGDIR/library.log" || true
    tally "$LOGDIR/library.log" server-sdk-library
  fi
  if suite_on node; then
    timeout -k 5 90 ip netns exec "$E2E_NS" node "$NODE_DIR/test.mjs" --url "$HTTP_URL" --hooks "$HOOKS" \
      2>&1 | tee "$LOGDIR/node.log" || true
    tally "$LOGDIR/node.log" server-sdk-node
  fi
  if e2e_server_alive && ! e2e_server_panicked; then
    echo "PASS server_survived"; passed=$((passed + 1))
  else
    echo "FAIL server_survived"; failed=$((failed + 1))
  fi
  if suite_on egress; then
    # A recording across a restart: SIGTERM finishes it, and the next process (same data
    # directory) lists it complete and serves its file (test_egress_restart.py).
    STATE=$LOGDIR/restart.json
    rm -f "$STATE"
    timeout -k 5 90 ip netns exec "$E2E_NS" "$VENV/bin/python" -u "$HERE/test_egress_restart.py" \
      --url "$E2E_URL" --phase record --state "$STATE" >"$LOGDIR/restart-record.log" 2>&1 &
    RECORD_PID=$!
    for _ in $(seq 1 300); do [ -s "$STATE" ] || ! kill -0 "$RECORD_PID" 2>/dev/null && break; sleep 0.1; done
    e2e_server_stop
    wait "$RECORD_PID" || true
    FIRST_LOG=$E2E_SERVER_LOG
    ln -sfn "$LOGDIR/server.data" "$LOGDIR/restarted.data"
    if [ -s "$STATE" ] && e2e_server_start "$LOGDIR/restarted.log" --config "$CONFIG"; then
      timeout -k 5 90 ip netns exec "$E2E_NS" "$VENV/bin/python" -u "$HERE/test_egress_restart.py" \
        --url "$E2E_URL" --phase check --state "$STATE" --label server-sdk-restart 2>&1 | tee "$LOGDIR/restart.log" || true
      tally "$LOGDIR/restart.log" server-sdk-restart
    else
      echo "FAIL restart: no recording to carry over, or the server did not start again"; failed=$((failed + 1))
      tail -n 20 "$LOGDIR/restart-record.log"
    fi
    if grep -qE "panicked at|stack backtrace" "$FIRST_LOG"; then
      echo "FAIL server_stopped_cleanly: a panic in $FIRST_LOG"; failed=$((failed + 1))
    fi
  else
    e2e_server_stop
    if e2e_server_panicked; then
      echo "FAIL server_stopped_cleanly: a panic in $E2E_SERVER_LOG"; failed=$((failed + 1))
    fi
  fi
else
  echo "FAIL server_start"; failed=$((failed + 1))
fi
e2e_server_stop
if suite_on upload; then
  # A server that copies recordings to S3 (moto's server, which test_upload.py starts on the
  # namespace's loopback and later stops).
  S3_PORT=9000
  UPLOAD_CONFIG=$LOGDIR/upload.yaml
  cp "$CONFIG" "$UPLOAD_CONFIG"
  # Continues the egress block CONFIG ends with.
  cat >>"$UPLOAD_CONFIG" <<YAML
  s3:
    bucket: hikari-e2e
    endpoint: http://127.0.0.1:$S3_PORT
    access_key: e2e-access
    secret: e2e-secret
    force_path_style: true
    prefix: rec/
YAML
  if e2e_server_start "$LOGDIR/upload.log" --config "$UPLOAD_CONFIG"; then
    timeout -k 5 240 ip netns exec "$E2E_NS" "$VENV/bin/python" -u "$HERE/test_upload.py" \
      --url "$E2E_URL" --recordings "$LOGDIR/upload.data/recordings" --s3-port "$S3_PORT" --logdir "$LOGDIR" \
      --label server-sdk-upload 2>&1 | tee "$LOGDIR/upload-test.log" || true
    tally "$LOGDIR/upload-test.log" server-sdk-upload
    if grep -q "e2e-secret" "$LOGDIR/upload.log"; then
      echo "FAIL upload_secret_never_logged"; failed=$((failed + 1))
    else
      echo "PASS upload_secret_never_logged"; passed=$((passed + 1))
    fi
    e2e_server_stop
    if e2e_server_panicked; then
      echo "FAIL upload_server_stopped_cleanly: a panic in $E2E_SERVER_LOG"; failed=$((failed + 1))
    fi
  else
    echo "FAIL upload_server_start"; failed=$((failed + 1))
  fi
fi
[ "$failed" = 0 ] || e2e_log_tail "$LOGDIR/server.log" "${E2E_LOG_TAIL:-80}"
echo "server-sdk: logs in $LOGDIR"
echo "server-sdk: $passed passed, $failed failed"
[ "$failed" = 0 ]
