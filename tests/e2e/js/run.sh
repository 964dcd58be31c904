#!/usr/bin/env bash
# JS SDK suite: livekit-client (npm, pinned in package.json / package-lock.json) in Debian's
# Chromium driven by playwright-core, against hikari, each mode in a fresh network namespace
# with a fresh server (default: the SDK's /rtc/v1 single-PC mode; no-rtc-v1: hikari
# --disable-rtc-v1, the SDK falls back to /rtc; adaptive: the SDK with adaptiveStream and
# dynacast on, plus checks of layer choice, dynacast, speakers and connection quality; tcp:
# UDP to the media port is dropped, as by an office firewall, and media must flow over ICE-TCP;
# relay: the embedded TURN server on and the SDK restricted to relayed candidates; whip: Chromium
# publishes over WHIP into an ingress, livekit-client decodes it, whip.mjs; hls: an HLS egress of an H.264
# camera played by hls.js in low-latency mode, hls.mjs; webinar: a webinar session through
# Hikari's own room page and host console, webinar.mjs). Needs root, /usr/bin/chromium (apt-get install
# chromium) and Node >= 20. Installs node_modules with npm ci (outside the namespace).
# Env: E2E_MODES, E2E_JS_NO_MDNS=1, HIKARI_E2E_RUST_LOG, HIKARI_BIN, CHROMIUM, E2E_LOG_TAIL.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib.sh"
e2e_init e2ejs

CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
[ -x "$CHROMIUM" ] || { e2e_say "e2e-js: $CHROMIUM missing (apt-get install -y chromium)"; exit 1; }
STAMP="$HERE/node_modules/.package-lock.sha256"
want=$(cat "$HERE/package.json" "$HERE/package-lock.json" | sha256sum | cut -d' ' -f1)
if [ ! -d "$HERE/node_modules" ] || [ "$(cat "$STAMP" 2>/dev/null)" != "$want" ]; then
  e2e_say "e2e-js: npm ci"
  (cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$want" >"$STAMP"
fi
e2e_ensure_bin

cd "$HERE"
E2E_MODES=${E2E_MODES:-default no-rtc-v1 adaptive tcp relay whip hls webinar} e2e_run_modes e2ejs 240 -- node test.mjs
