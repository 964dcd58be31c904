#!/usr/bin/env bash
# Funnel end-to-end suite, every part bounded in time, traffic only to 127.0.0.1:
#  1. the storage contract suite on PostgreSQL (127.0.0.1:5432, db test, a fresh schema per run);
#  2. funnel levels against ClickHouse windowFunnel (PyPI chdb, own venv);
#  3. headless Chromium (npm playwright-core, Debian chromium) as admin and as visitor;
#  4. schemathesis (PyPI, own venv) against the served OpenAPI document.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
ART="$HERE/artifacts"
rm -rf "$ART" && mkdir -p "$ART"
say() { printf '=== funnel: %s\n' "$*" >&2; }

say "storage suite on SQLite and PostgreSQL"
HIKARI_FUNNEL_PG_URL=${HIKARI_FUNNEL_PG_URL:-postgres://postgres@127.0.0.1:5432/test} \
  timeout 900 cargo test -q -p hikari-funnel-store --test suite

say "build the serve and window_funnel examples"
timeout 900 cargo build -q -p hikari-funnel-web --example serve
timeout 900 cargo build -q -p hikari-funnel --example window_funnel
BIN="$CARGO_TARGET_DIR/debug/examples"

say "windowFunnel oracle (chdb)"
if [ ! -x "$HERE/.venv-oracle/bin/python" ]; then
  python3 -m venv "$HERE/.venv-oracle"
  timeout 600 "$HERE/.venv-oracle/bin/pip" install -q 'chdb==4.4.0'
fi
timeout 300 "$HERE/.venv-oracle/bin/python" "$HERE/oracle.py" "$BIN/window_funnel"

say "start the funnel server"
DATA=$(mktemp -d)
PORT=${FUNNEL_E2E_PORT:-18088}
export FUNNEL_DATA_DIR="$DATA"
TOKEN=$("$BIN/serve" create-token e2e)
"$BIN/serve" serve "127.0.0.1:$PORT" >"$ART/server.log" 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; rm -rf "$DATA"' EXIT
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$PORT/api/v1/openapi.json" >/dev/null 2>&1 && break
  sleep 0.1
done
BASE="http://127.0.0.1:$PORT"

say "headless Chromium: admin builds, visitor converts, report shows it"
[ -x /usr/bin/chromium ] || timeout 900 apt-get install -y chromium >/dev/null
[ -d "$HERE/node_modules/playwright-core" ] || (cd "$HERE" && timeout 300 npm ci --no-audit --no-fund)
(cd "$HERE" && BASE=$BASE TOKEN=$TOKEN ARTIFACTS=$ART timeout 300 node browser.mjs)

say "schemathesis against /api/v1/openapi.json"
if [ ! -x "$HERE/.venv-schema/bin/st" ]; then
  python3 -m venv "$HERE/.venv-schema"
  timeout 600 "$HERE/.venv-schema/bin/pip" install -q 'schemathesis==4.32.5'
fi
timeout 900 "$HERE/.venv-schema/bin/st" run "$BASE/api/v1/openapi.json" \
  -H "Authorization: Bearer $TOKEN" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
  --exclude-operation-id deleteToken \
  --max-examples "${FUNNEL_SCHEMATHESIS_EXAMPLES:-40}" --request-timeout 10 \
  --generation-deterministic --workers 1 --no-color >"$ART/schemathesis.log" 2>&1 \
  || { tail -80 "$ART/schemathesis.log"; exit 1; }
tail -5 "$ART/schemathesis.log"
say "ok"
