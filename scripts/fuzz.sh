#!/usr/bin/env bash
# A fuzzer nobody here wrote, over the whole API: schemathesis reads /api/openapi.json (made from
# the server functions' own types) and calls every operation with what it makes of it, valid
# and not, signed in as an owner of the demo data, against a release server on a throwaway
# database. It fails the run on a server error, an answer its description does not allow, or a
# body that breaks the description and was accepted. Three checks are left out because they
# read a REST API into ours, where every call is a POST: "a valid body must be accepted" (most
# bodies name records that do not exist, a 404 by design), and "what was just created can be
# fetched" / "what was deleted is gone" (they take any POST for a create, and fed a list call's
# answer to webhooks/remove). The seed is fixed so that a run repeats; RF_FUZZ_SEED varies it.
source "$(dirname "$0")/lib.sh"

rf_target_cache
rf_python_tools
rf_postgres
PGSUPER="$(rf_pg_superuser)"
[ -x target/release/resolutionflow ] || die "no release build: run cargo leptos build --release"

FUZZ_DB="rf_fuzz_$$"
FUZZ_PORT="${RF_FUZZ_PORT:-3470}"
SERVER_PID=""
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  rf_drop_db "$PGSUPER" "$FUZZ_DB"
}
trap cleanup EXIT
rf_throwaway_db "$FUZZ_DB"
BIN=target/release/resolutionflow

mkdir -p target/fuzz
LOG="$(readlink -f target)/fuzz/server.log"
BASE="http://127.0.0.1:$FUZZ_PORT"
# An hour-long access token: the fuzzer's own calls revoke its logins (logout, sign out
# everyone), and an access token lives on until it expires (docs/API.md §4).
LEPTOS_SITE_ADDR="127.0.0.1:$FUZZ_PORT" RF_DEV=1 RF_COOKIE_SECURE=false ACCESS_TOKEN_MINUTES=60 \
  RF_SIGNUP=open RUST_LOG=warn "$BIN" serve >"$LOG" 2>&1 &
SERVER_PID=$!
rf_await_healthy "$FUZZ_PORT" "$SERVER_PID" "$LOG"

TOKEN="$(curl -fsS -X POST "$BASE/api/auth/login" -H 'content-type: application/json' \
  -d '{"email":"owner@acme.test","password":"resolutionflow-demo","token_in_body":true}' \
  | python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])')"

log "schemathesis over $BASE/api/openapi.json (server log: $LOG)"
cd target/fuzz
"$RF_VENV/bin/schemathesis" run "$BASE/api/openapi.json" --url "$BASE" \
  -H "Authorization: Bearer $TOKEN" \
  --checks all \
  --exclude-checks positive_data_acceptance,ensure_resource_availability,use_after_free \
  --seed "${RF_FUZZ_SEED:-20261207}" --max-examples "${RF_FUZZ_EXAMPLES:-50}" --no-color "$@"
