#!/usr/bin/env bash
# Funnel end-to-end suite, every part bounded in time, traffic only to 127.0.0.1:
#  1. every PostgreSQL test of the workspace: the storage contract suite, the HTTP and use-case
#     tests (127.0.0.1:5432, db test, a fresh schema per run);
#  2. funnel levels against ClickHouse windowFunnel (PyPI chdb, own venv);
#  3. headless Chromium (npm playwright-core, Debian chromium) as admin and as visitor,
#  4. and schemathesis (PyPI, own venv) against the served OpenAPI document,
#     3 and 4 once on SQLite and once on PostgreSQL (a fresh database, dropped at exit).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
ART="$HERE/artifacts"
rm -rf "$ART" && mkdir -p "$ART"
say() { printf '=== funnel: %s\n' "$*" >&2; }

# The workspace's test build holds every test binary and example (scripts/test builds it
# first, so this is a no-op there). Selecting packages (-p) or one test target would resolve
# other features (dev-dependencies count only for the targets built) and compile again.
say "the workspace's tests and examples (built once)"
timeout 1800 cargo test -q --workspace --no-run

say "every PostgreSQL test: the storage suite, the experiment HTTP tests and the app use cases (the workspace run skips them without a database URL)"
HIKARI_FUNNEL_PG_URL=${HIKARI_FUNNEL_PG_URL:-postgres://postgres@127.0.0.1:5432/test} \
  timeout 900 cargo test -q --workspace --tests postgres
BIN="$CARGO_TARGET_DIR/debug/examples"

say "windowFunnel oracle (chdb)"
if [ ! -x "$HERE/.venv-oracle/bin/python" ]; then
  python3 -m venv "$HERE/.venv-oracle"
  timeout 600 "$HERE/.venv-oracle/bin/pip" install -q 'chdb==4.4.0'
fi
timeout 300 "$HERE/.venv-oracle/bin/python" "$HERE/oracle.py" "$BIN/window_funnel"

[ -x /usr/bin/chromium ] || timeout 900 apt-get install -y chromium >/dev/null
[ -d "$HERE/node_modules/playwright-core" ] || (cd "$HERE" && timeout 300 npm ci --no-audit --no-fund)
if [ ! -x "$HERE/.venv-schema/bin/st" ]; then
  python3 -m venv "$HERE/.venv-schema"
  timeout 600 "$HERE/.venv-schema/bin/pip" install -q 'schemathesis==4.32.5'
fi

PG_ADMIN=${FUNNEL_E2E_PG_ADMIN:-postgres://postgres@127.0.0.1:5432/test}
PG_DB="funnel_e2e_$$"
SERVER=
DATA=
cleanup() {
  [ -n "$SERVER" ] && { kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; }
  [ -n "$DATA" ] && rm -rf "$DATA"
  psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS $PG_DB" >/dev/null 2>&1 || true
}
trap cleanup EXIT

# One backend: a fresh server, the browser flows, then schemathesis.
run_backend() {
  local name=$1 url=$2 port=$3
  say "[$name] start the funnel server"
  DATA=$(mktemp -d)
  export FUNNEL_DATA_DIR="$DATA"
  if [ -n "$url" ]; then export FUNNEL_DATABASE_URL="$url"; else unset FUNNEL_DATABASE_URL; fi
  local token
  token=$("$BIN/serve" create-token e2e)
  "$BIN/serve" serve "127.0.0.1:$port" >"$ART/server-$name.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 100); do
    curl -fs "http://127.0.0.1:$port/api/v1/openapi.json" >/dev/null 2>&1 && break
    sleep 0.1
  done
  local base="http://127.0.0.1:$port"

  say "[$name] headless Chromium: admin builds, visitor converts, report shows it"
  mkdir -p "$ART/$name"
  (cd "$HERE" && BASE=$base TOKEN=$token ARTIFACTS="$ART/$name" timeout 300 node browser.mjs)

  say "[$name] schemathesis against /api/v1/openapi.json"
  # One worker: hypothesis parses lambda sources with ast, which races in threads on CPython 3.11.
  timeout 900 "$HERE/.venv-schema/bin/st" run "$base/api/v1/openapi.json" \
    -H "Authorization: Bearer $token" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
    --exclude-operation-id deleteToken \
    --max-examples "${FUNNEL_SCHEMATHESIS_EXAMPLES:-40}" --request-timeout 10 \
    --generation-deterministic --workers 1 --no-color >"$ART/schemathesis-$name.log" 2>&1 \
    || { tail -80 "$ART/schemathesis-$name.log"; exit 1; }
  grep -E "generated|passed|failed" "$ART/schemathesis-$name.log" | tail -2
  kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=
  rm -rf "$DATA"; DATA=
}

run_backend sqlite "" "${FUNNEL_E2E_PORT:-18088}"
psql "$PG_ADMIN" -qc "CREATE DATABASE $PG_DB" >/dev/null
run_backend postgres "${PG_ADMIN%/*}/$PG_DB" "$(( ${FUNNEL_E2E_PORT:-18088} + 1 ))"
say "ok"
