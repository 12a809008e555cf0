#!/usr/bin/env bash
# Runs ResolutionFlow locally: installs what is missing, starts or reuses PostgreSQL, builds,
# migrates, seeds the demo data and serves on http://127.0.0.1:3000.
source "$(dirname "$0")/lib.sh"

rf_target_cache
rf_rust_tools
rf_node_tools
rf_postgres

PGSUPER="$(rf_pg_superuser)"
rf_create_db "$PGSUPER" resolutionflow
rf_server_role "$PGSUPER"

# A local .env (never committed) keeps the signing secret across restarts, so a restart does
# not sign everyone out. Plain http on 127.0.0.1 needs non-Secure cookies.
if [ ! -f .env ]; then
  log "writing .env for local use"
  # Only the secret's file is private; the umask stays inside this subshell.
  (
    umask 077
    cat > .env <<ENV
DATABASE_URL=postgres://$RF_SERVER_ROLE@127.0.0.1:5432/resolutionflow
ADMIN_DATABASE_URL=postgres://$PGSUPER@127.0.0.1:5432/resolutionflow
RF_JWT_SECRET=$(head -c 48 /dev/urandom | base64 | tr -d '\n/+=')
RF_COOKIE_SECURE=false
ENV
  )
fi
set -a; source .env; set +a
# A .env from before the server had a role of its own: requests as the operator would see
# every tenant, and `serve` refuses that. Move it onto the server role.
if [ -z "${ADMIN_DATABASE_URL:-}" ] && [ "$DATABASE_URL" = "postgres://$PGSUPER@127.0.0.1:5432/resolutionflow" ]; then
  log "moving .env's DATABASE_URL to the server role $RF_SERVER_ROLE"
  sed -i "s|^DATABASE_URL=.*|DATABASE_URL=postgres://$RF_SERVER_ROLE@127.0.0.1:5432/resolutionflow\nADMIN_DATABASE_URL=$DATABASE_URL|" .env
  set -a; source .env; set +a
fi

rf_build_release
BIN=target/release/resolutionflow
"$BIN" migrate
"$BIN" seed-demo
# Locally anyone may create an account at /signup; a deployment opens it only if it wants to.
export RF_SIGNUP="${RF_SIGNUP:-open}"
log "serving on http://${LEPTOS_SITE_ADDR:-127.0.0.1:3000} (demo users: see README)"
exec "$BIN" serve
