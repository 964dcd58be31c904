#!/usr/bin/env bash
# Creates funnel "bench" (opt-in page with a heading, text and a 2-field form, and a thank-you
# step) through the API. Usage: setup.sh BASE TOKEN
set -euo pipefail
BASE=$1 TOKEN=$2
api() { curl -fsS -X "$1" -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' "$BASE$2" ${3:+-d "$3"} >/dev/null; }
api POST /api/v1/funnels '{"slug":"bench","name":"Bench"}'
api POST /api/v1/funnels/1/steps '{"slug":"optin","name":"Opt-in","kind":"optin"}'
api POST /api/v1/funnels/1/steps '{"slug":"thanks","name":"Thanks","kind":"thankyou"}'
api PUT /api/v1/steps/1/page '{"version":1,"css":"h1{color:#c2410c}","page":{"sections":[{"id":"s","columns":[{"id":"c","blocks":[
 {"id":"h","type":"heading","text":"無料ウェビナー","level":1},
 {"id":"t","type":"text","text":"3日間で学ぶ、売れるウェビナーの作り方。"},
 {"id":"form","type":"form","fields":[{"name":"name","label":"お名前","type":"text","required":true},
  {"name":"email","label":"メールアドレス","type":"email","required":true}]}]}]}]}}'
api POST /api/v1/steps/1/publish '{"version":2}'
api PUT /api/v1/steps/2/page '{"version":1,"page":{"sections":[]}}'
api POST /api/v1/steps/2/publish '{"version":2}'
