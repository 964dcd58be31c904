#!/usr/bin/env bash
# Python SDK suite: the official LiveKit Python SDK (PyPI livekit, pinned in requirements.txt)
# against hikari, each mode in a fresh network namespace with a fresh server:
#   default     the SDK's /rtc/v1 single-PeerConnection mode
#   no-rtc-v1   hikari --disable-rtc-v1: /rtc/v1 answers 404 and the SDK falls back to /rtc
#               with two PeerConnections
# Needs root (namespaces). Makes the venv (outside the namespace) on first use.
# Env: E2E_MODES="default no-rtc-v1", E2E_VERBOSE=1 (SDK debug logs), HIKARI_E2E_RUST_LOG
#      (server RUST_LOG), HIKARI_BIN (another binary), E2E_LOG_TAIL (lines of server log).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib.sh"
e2e_init e2epy

VENV="$HERE/.venv"
STAMP="$VENV/.requirements.sha256"
want=$(sha256sum "$HERE/requirements.txt" | cut -d' ' -f1)
if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$STAMP" 2>/dev/null)" != "$want" ]; then
  e2e_say "e2e-python: creating $VENV"
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check -r "$HERE/requirements.txt"
  echo "$want" >"$STAMP"
fi
"$VENV/bin/python" -c 'import livekit.rtc, livekit.api, numpy' \
  || { e2e_say "e2e-python: the venv does not import livekit.rtc/livekit.api"; exit 1; }
e2e_ensure_bin

cd "$HERE"
e2e_run_modes e2epy 180 -- "$VENV/bin/python" -u test_call.py
