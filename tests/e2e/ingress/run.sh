#!/usr/bin/env bash
# Ingress suite: broadcast ingest end to end, in a fresh network namespace with a fresh server
# (webhooks to a receiver on the namespace's loopback). ffmpeg publishes over RTMP as OBS does
# (test_ingress.py: passthrough and transcoded ladder); the official Python SDK watches and
# the server SDK (livekit-api) manages the ingress and reads its state. test_webinar_obs.py:
# OBS as a webinar session's presenter, watched by a registrant with its pass.
# Needs root (namespaces) and ffmpeg. Uses the Python suite's venv (tests/e2e/python/.venv).
# Env: HIKARI_E2E_RUST_LOG (server RUST_LOG), HIKARI_BIN (another binary), E2E_LOG_TAIL.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib.sh"
e2e_init e2eing
command -v ffmpeg >/dev/null || { e2e_say "e2e-ingress: ffmpeg missing (apt-get install ffmpeg)"; exit 2; }

PY="$HERE/../python"
VENV="$PY/.venv"
STAMP="$VENV/.requirements.sha256"
want=$(sha256sum "$PY/requirements.txt" | cut -d' ' -f1)
if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$STAMP" 2>/dev/null)" != "$want" ]; then
  e2e_say "e2e-ingress: creating $VENV"
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check -r "$PY/requirements.txt"
  echo "$want" >"$STAMP"
fi
e2e_ensure_bin

LOGDIR=$(e2e_logdir ingress)
HOOK_PORT=7890
HOOKS="$LOGDIR/hooks.jsonl"
CONFIG="$LOGDIR/hikari.yaml"
cat >"$CONFIG" <<YAML
keys:
  devkey: secret
prometheus_port: 6789
webhook:
  api_key: devkey
  urls:
    - http://127.0.0.1:$HOOK_PORT/hook
YAML

e2e_ns_up e2eing
RECEIVER_PID=
stop_receiver() { [ -n "$RECEIVER_PID" ] && kill "$RECEIVER_PID" 2>/dev/null; wait "$RECEIVER_PID" 2>/dev/null || true; RECEIVER_PID=; }
trap 'stop_receiver; e2e_cleanup' EXIT
: >"$HOOKS"
e2e_in_ns "$VENV/bin/python" -u "$HERE/../server-sdk/hook_receiver.py" --port "$HOOK_PORT" --out "$HOOKS" \
  >"$LOGDIR/receiver.log" 2>&1 &
RECEIVER_PID=$!

status=0
# An admin API token for the webinar case, made in the data directory the server will use.
API_TOKEN=$("$HIKARI_BIN" admin create-token --name e2e-ingress --data-dir "$LOGDIR/server.data")
echo "=== ingress: hikari --dev --config $CONFIG"
if e2e_server_start "$LOGDIR/server.log" --config "$CONFIG"; then
  timeout -k 5 240 ip netns exec "$E2E_NS" "$VENV/bin/python" -u "$HERE/test_ingress.py" \
    --url "$E2E_URL" --hooks "$HOOKS" --metrics "http://$E2E_SERVER_IP:6789/metrics" --label ingress 2>&1 | tee "$LOGDIR/client.log" || true
  line=$(grep -E "^ingress: [0-9]+ passed, [0-9]+ failed" "$LOGDIR/client.log" | tail -n1 || true)
  if [ -z "$line" ] || ! grep -q ", 0 failed" <<<"$line"; then status=1; fi
  # OBS as a webinar's presenter: the session's encoder input, watched by a registrant.
  timeout -k 5 90 ip netns exec "$E2E_NS" "$VENV/bin/python" -u "$HERE/test_webinar_obs.py" \
    --url "$E2E_URL" --token "$API_TOKEN" --label webinar-obs 2>&1 | tee "$LOGDIR/webinar-obs.log" || true
  line=$(grep -E "^webinar-obs: [0-9]+ passed, [0-9]+ failed" "$LOGDIR/webinar-obs.log" | tail -n1 || true)
  if [ -z "$line" ] || ! grep -q ", 0 failed" <<<"$line"; then status=1; fi
  if ! e2e_server_alive || e2e_server_panicked; then
    echo "FAIL server_survived"
    status=1
  fi
else
  echo "FAIL server_start"
  status=1
fi
if [ "$status" != 0 ]; then e2e_log_tail "$LOGDIR/server.log" "${E2E_LOG_TAIL:-80}"; fi
echo "=== ingress: $([ "$status" = 0 ] && echo passed || echo FAILED) (logs in $LOGDIR)"
exit "$status"
