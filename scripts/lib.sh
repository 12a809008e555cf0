# Shared helpers for scripts/run.sh and scripts/test.sh. Sourced, not run.
# Everything here is idempotent: a tool or service that is already in place is reused.

set -euo pipefail

RF_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$RF_ROOT"

# Pinned tool versions: cargo-leptos 0.3.8 is the release that builds Leptos 0.8 here, and
# wasm-bindgen-cli must equal the wasm-bindgen in Cargo.lock.
RF_CARGO_LEPTOS_VERSION="0.3.8"
RF_WASM_BINDGEN_VERSION="0.2.130"

export PATH="$HOME/.cargo/bin:$PATH"

# Leptos bakes the site's file names into the server at compile time (without this it expects
# `<name>_bg.wasm`). cargo-leptos sets it; setting it for every build here too means a server
# binary that `cargo test` builds (the CLI tests run the real binary) serves the same site.
export LEPTOS_OUTPUT_NAME=resolutionflow

log() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

# The build cache lives outside the checkout so a fresh clone (CI's) reuses what an earlier
# build on this machine compiled. `target` in the checkout is a link to it.
rf_target_cache() {
  local cache="${RF_CACHE_DIR:-$HOME/.cache/resolutionflow}/target"
  mkdir -p "$cache"
  if [ ! -e target ] && [ ! -L target ]; then
    ln -s "$cache" target
  fi
}

# The build tools are built once per machine; how fast they run hardly matters (cargo-leptos
# waits on rustc, wasm-opt and Tailwind; wasm-bindgen takes two seconds either way), so they
# are compiled without optimisation: cargo-leptos in ~5 min instead of ~11.5, wasm-bindgen-cli
# in ~1 instead of ~3 (docs/PERFORMANCE.md, "Builds").
rf_install_tool() {
  CARGO_PROFILE_RELEASE_OPT_LEVEL=0 CARGO_PROFILE_RELEASE_LTO=false \
    CARGO_PROFILE_RELEASE_CODEGEN_UNITS=256 CARGO_PROFILE_RELEASE_DEBUG=0 \
    CARGO_PROFILE_RELEASE_STRIP=true CARGO_PROFILE_RELEASE_INCREMENTAL=false \
    cargo install "$@"
}

rf_rust_tools() {
  command -v cargo >/dev/null || die "cargo is not installed (rustup is expected on this machine)"
  if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    log "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
  if [ "$(cargo leptos --version 2>/dev/null | awk '{print $2}')" != "$RF_CARGO_LEPTOS_VERSION" ]; then
    log "installing cargo-leptos $RF_CARGO_LEPTOS_VERSION (once per machine, ~5 min)"
    rf_install_tool --locked cargo-leptos --version "$RF_CARGO_LEPTOS_VERSION"
  fi
  if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$RF_WASM_BINDGEN_VERSION" ]; then
    log "installing wasm-bindgen-cli $RF_WASM_BINDGEN_VERSION (once per machine, ~1 min)"
    # Not --locked: its lockfile names a crate version the registry no longer serves.
    rf_install_tool wasm-bindgen-cli --version "$RF_WASM_BINDGEN_VERSION"
  fi
}

# Tailwind v4 and wasm-opt (binaryen 132) come from npm; cargo-leptos finds them in node_modules/.bin.
rf_node_tools() {
  command -v npm >/dev/null || die "npm is not installed"
  if [ ! -x node_modules/.bin/tailwindcss ] || [ ! -x node_modules/.bin/wasm-opt ] \
     || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    log "installing Tailwind and wasm-opt from npm"
    npm ci --no-audit --no-fund --loglevel=error
  fi
}

rf_browser_tools() {
  if [ ! -x end2end/node_modules/.bin/playwright ] \
     || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
    log "installing Playwright (without its browser download)"
    (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
  fi
  if [ ! -x /usr/bin/chromium ]; then
    log "installing Debian's Chromium"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
}

# schemathesis (from PyPI, pinned) in a virtualenv of its own, for scripts/fuzz.sh.
RF_SCHEMATHESIS_VERSION="4.32.5"
RF_VENV="$HOME/.cache/resolutionflow/venv"
rf_python_tools() {
  if [ "$("$RF_VENV/bin/schemathesis" --version 2>/dev/null)" != "schemathesis, version $RF_SCHEMATHESIS_VERSION" ]; then
    log "installing schemathesis $RF_SCHEMATHESIS_VERSION from PyPI"
    command -v python3 >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-venv >/dev/null; }
    python3 -m venv "$RF_VENV"
    "$RF_VENV/bin/pip" install -q "schemathesis==$RF_SCHEMATHESIS_VERSION"
  fi
}

# A PostgreSQL on 127.0.0.1:5432: reuse the running one, else start the installed cluster,
# else install Debian's PostgreSQL and start it.
rf_postgres() {
  if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then return; fi
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    log "installing PostgreSQL"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  fi
  log "starting PostgreSQL"
  local version
  version="$(ls /etc/postgresql | sort -V | tail -n 1)"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start
  for _ in $(seq 1 30); do
    pg_isready -q -h 127.0.0.1 -p 5432 && return
    sleep 1
  done
  die "PostgreSQL did not come up on 127.0.0.1:5432"
}

# A superuser connection to the local server: the current user if it may connect, else postgres.
rf_pg_superuser() {
  local me
  me="$(id -un)"
  if psql -h 127.0.0.1 -U "$me" -d postgres -Atqc "select rolsuper from pg_roles where rolname = current_user" 2>/dev/null | grep -qx t; then
    echo "$me"
  else
    echo postgres
  fi
}

rf_create_db() {
  local user="$1" name="$2"
  if ! psql -h 127.0.0.1 -U "$user" -d postgres -Atqc "select 1 from pg_database where datname = '$name'" | grep -qx 1; then
    log "creating database $name"
    psql -h 127.0.0.1 -U "$user" -d postgres -qc "create database \"$name\""
  fi
}

# The login role the server runs requests as (docs/SECURITY.md, "Row-level security"): not a
# superuser, no BYPASSRLS, only a member of the application role rf_app, so row-level security
# holds whatever a transaction sets. `serve` refuses anything more. Roles are cluster-wide, so
# this is once per PostgreSQL; migrations keep running as the operator (ADMIN_DATABASE_URL).
RF_SERVER_ROLE=rf_server
rf_server_role() {
  local super="$1"
  psql -h 127.0.0.1 -U "$super" -d postgres -qv ON_ERROR_STOP=1 >/dev/null <<SQL
DO \$\$ BEGIN
  CREATE ROLE rf_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END \$\$;
DO \$\$ BEGIN
  CREATE ROLE $RF_SERVER_ROLE LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END \$\$;
GRANT rf_app TO $RF_SERVER_ROLE;
SQL
}

# Debian's nginx, for the tests that put the server behind a real proxy (not started here).
rf_proxy_tools() {
  command -v nginx >/dev/null && return
  log "installing Debian's nginx (for the reverse-proxy tests)"
  # Installed, not started: a policy-rc.d that refuses keeps the package from starting it.
  local policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
    policy=1
  fi
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null
  [ -n "$policy" ] && rm -f /usr/sbin/policy-rc.d
  return 0
}

# rf_throwaway_db NAME: a database NAME with the migrations and the demo data, requests on it
# as the server's role (DATABASE_URL) and migrations as the operator (ADMIN_DATABASE_URL),
# both exported. The caller drops it (rf_drop_db) when done.
rf_throwaway_db() {
  local super
  super="$(rf_pg_superuser)"
  rf_create_db "$super" "$1"
  rf_server_role "$super"
  export ADMIN_DATABASE_URL="postgres://$super@127.0.0.1:5432/$1"
  export DATABASE_URL="postgres://$RF_SERVER_ROLE@127.0.0.1:5432/$1"
  target/release/resolutionflow migrate
  target/release/resolutionflow seed-demo >/dev/null
}

rf_drop_db() {
  local user="$1" name="$2"
  psql -h 127.0.0.1 -U "$user" -d postgres -qc "drop database if exists \"$name\" with (force)" >/dev/null 2>&1 || true
}

# Release build; the site's files get content-hashed names, and brotli and gzip copies
# beside them (docs/PERFORMANCE.md, "What a first visit transfers"); the WASM is split into a
# piece per page (docs/ARCHITECTURE.md, "Split by route").
rf_build_release() {
  log "building (cargo leptos build --release --precompress --split)"
  cargo leptos build --release --precompress --split
  python3 "$RF_ROOT/scripts/split-manifest.py" target/site/pkg
}

# rf_await_line PATTERN PID LOG WHAT: a helper process started in the background has printed a
# line matching PATTERN to its LOG, or the run stops here (it exited, or 30 s went by).
rf_await_line() {
  local pattern="$1" pid="$2" log="$3" what="$4"
  for _ in $(seq 1 120); do
    grep -q "$pattern" "$log" 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || { cat "$log"; die "$what exited"; }
    sleep 0.25
  done
  cat "$log"
  die "$what did not start within 30 s"
}

# rf_await_healthy PORT PID LOG: the server on PORT answers /healthz, or the run stops here
# (it exited, or 60 s went by) with its log.
rf_await_healthy() {
  local port="$1" pid="$2" log="$3"
  for _ in $(seq 1 120); do
    curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && return 0
    kill -0 "$pid" 2>/dev/null || { cat "$log"; die "the server on $port exited"; }
    sleep 0.5
  done
  cat "$log"
  die "the server on $port was not healthy within 60 s"
}
