#!/usr/bin/env bash
# Runs every test: formatting and lints, the Rust tests on a real PostgreSQL, then Playwright in
# Debian's Chromium against a freshly started release server on a throwaway database.
source "$(dirname "$0")/lib.sh"

rf_target_cache
rf_rust_tools
rf_node_tools
rf_browser_tools
rf_postgres

PGSUPER="$(rf_pg_superuser)"
# sqlx::test makes one fresh database per test from this server.
export DATABASE_URL="postgres://$PGSUPER@127.0.0.1:5432/postgres"

# One run at a time per build cache: concurrent runs would overwrite each other's site/.
exec 9>"$(readlink -f target)/.rf-test.lock"
flock 9

log "checking formatting"
cargo fmt --all -- --check

rf_build_release

log "clippy (ssr and hydrate), warnings are errors"
cargo clippy --release --workspace --all-targets --features ssr,app/ssr -- -D warnings
cargo clippy --release --lib --target wasm32-unknown-unknown --features hydrate -- -D warnings

log "Rust tests"
cargo test --release --workspace --features ssr,app/ssr

# End-to-end: a throwaway database and a server of our own on a free port.
E2E_DB="rf_e2e_$$"
E2E_PORT="${RF_E2E_PORT:-3456}"
SERVER_PID=""
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  rf_drop_db "$PGSUPER" "$E2E_DB"
}
trap cleanup EXIT
rf_create_db "$PGSUPER" "$E2E_DB"

export DATABASE_URL="postgres://$PGSUPER@127.0.0.1:5432/$E2E_DB"
BIN=target/release/resolutionflow
"$BIN" migrate
"$BIN" seed-demo

log "starting the server on 127.0.0.1:$E2E_PORT"
mkdir -p end2end/test-results
LEPTOS_SITE_ADDR="127.0.0.1:$E2E_PORT" RF_DEV=1 RF_COOKIE_SECURE=false \
  "$BIN" serve >end2end/test-results/server.log 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 60); do
  curl -fsS "http://127.0.0.1:$E2E_PORT/healthz" >/dev/null 2>&1 && break
  kill -0 "$SERVER_PID" 2>/dev/null || { cat end2end/test-results/server.log; die "the server exited"; }
  sleep 0.5
done

log "Playwright"
(cd end2end && RF_E2E_BASE_URL="http://127.0.0.1:$E2E_PORT" npx playwright test)
