#!/usr/bin/env bash
# Runs every test: formatting and lints, the Rust tests on a real PostgreSQL, schemathesis over
# the API's description, then Playwright in Debian's Chromium, each against a freshly started
# release server on a throwaway database.
source "$(dirname "$0")/lib.sh"

rf_target_cache
rf_rust_tools
rf_node_tools
rf_browser_tools
rf_proxy_tools
rf_python_tools
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
cargo clippy --release --workspace --all-targets -- -D warnings
cargo clippy --release --lib --target wasm32-unknown-unknown --no-default-features --features hydrate -- -D warnings

log "Rust tests"
cargo test --release --workspace

log "the whole API fuzzed from its description (schemathesis)"
"$RF_ROOT/scripts/fuzz.sh"

log "end-to-end"
exec "$RF_ROOT/scripts/e2e.sh"
