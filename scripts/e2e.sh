#!/usr/bin/env bash
# Playwright in Debian's Chromium against the release build (run scripts/test.sh, or
# `cargo leptos build --release`, first), on a throwaway database that is dropped afterwards.
# Extra arguments go to `playwright test` (e.g. a spec file or `-g "sign in"`).
source "$(dirname "$0")/lib.sh"

rf_target_cache
rf_browser_tools
rf_postgres
PGSUPER="$(rf_pg_superuser)"
[ -x target/release/resolutionflow ] || die "no release build: run cargo leptos build --release"

# End-to-end: a throwaway database and a server of our own on a free port.
E2E_DB="rf_e2e_$$"
E2E_PORT="${RF_E2E_PORT:-3456}"
SERVER_PID=""
CLOSED_PID=""
OIDC_PID=""
STANDINS_PID=""
# A stopped process answers `wait` with its signal (143 for node): that is not the run's result,
# which is Playwright's.
cleanup() {
  for pid in $SERVER_PID $CLOSED_PID $OIDC_PID $STANDINS_PID; do
    kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  done
  rf_drop_db "$PGSUPER" "$E2E_DB"
  rm -rf "${RF_E2E_MAIL_DIR:-/nonexistent}"
}
trap cleanup EXIT
rf_throwaway_db "$E2E_DB"
BIN=target/release/resolutionflow
# Each test seeds a world of its own with it (end2end/tests/fixtures.ts).
export RF_E2E_BIN="$(readlink -f "$BIN")"

log "starting the server on 127.0.0.1:$E2E_PORT"
mkdir -p target/e2e
SERVER_LOG="$(readlink -f target)/e2e/server.log"
# A known secret, so specs can mint the tokens an expired session would present; one-minute
# access tokens, so a spec can wait one out for real; session windows allowed down to a minute,
# so the expiry toast can be reached.
# The AI assessor is the Anthropic client pointed at a stand-in of the Messages API, and mail
# goes to a stand-in SMTP server (end2end/stand-ins.mjs, one process that every Playwright
# worker shares: tests find their own mail by recipient and their own requests by content).
export RF_E2E_JWT_SECRET="e2e-$(head -c 32 /dev/urandom | base64 | tr -d '\n/+=')"
export RF_E2E_ASSESSOR_PORT="$((E2E_PORT + 1))"
export RF_E2E_SMTP_PORT="$((E2E_PORT + 2))"
# Single sign-on goes through a real OpenID Connect provider (end2end/oidc/provider.mjs) that
# plays Google and Microsoft's multi-tenant issuer, with this server registered at both.
OIDC_PORT="$((E2E_PORT + 4))"
export RF_E2E_MAIL_DIR="$(readlink -f target)/e2e/mail-$$"
SMTP_PORT="$RF_E2E_SMTP_PORT" MODEL_PORT="$RF_E2E_ASSESSOR_PORT" MAIL_DIR="$RF_E2E_MAIL_DIR" \
  node end2end/stand-ins.mjs >"$SERVER_LOG.stand-ins" 2>&1 &
STANDINS_PID=$!
OIDC_URL="http://127.0.0.1:$OIDC_PORT"
PORT="$OIDC_PORT" RF_OIDC_REDIRECT_BASES="http://127.0.0.1:$E2E_PORT" \
  node end2end/oidc/provider.mjs >"$SERVER_LOG.oidc" 2>&1 &
OIDC_PID=$!
rf_await_line '"port"' "$OIDC_PID" "$SERVER_LOG.oidc" "the OpenID provider"
rf_await_line '"ready"' "$STANDINS_PID" "$SERVER_LOG.stand-ins" "the mail and model stand-ins"
export RF_OIDC_GOOGLE_CLIENT_ID=rf-google RF_OIDC_GOOGLE_CLIENT_SECRET=rf-google-secret \
  RF_OIDC_GOOGLE_ISSUER="$OIDC_URL/google"
export RF_OIDC_MICROSOFT_CLIENT_ID=rf-microsoft RF_OIDC_MICROSOFT_CLIENT_SECRET=rf-microsoft-secret \
  RF_OIDC_MICROSOFT_ISSUER="$OIDC_URL/ms/organizations/v2.0"
LEPTOS_SITE_ADDR="127.0.0.1:$E2E_PORT" RF_JWT_SECRET="$RF_E2E_JWT_SECRET" RF_COOKIE_SECURE=false \
  ACCESS_TOKEN_MINUTES=1 SESSION_IDLE_MINUTES_MIN=1 SESSION_ABSOLUTE_MINUTES_MIN=1 \
  RF_ANTHROPIC_API_KEY=e2e-stand-in RF_ANTHROPIC_BASE_URL="http://127.0.0.1:$RF_E2E_ASSESSOR_PORT" \
  RF_SMTP_URL="smtp://127.0.0.1:$RF_E2E_SMTP_PORT" RF_PUBLIC_URL="http://127.0.0.1:$E2E_PORT" \
  RF_SIGNUP=open "$BIN" serve >"$SERVER_LOG" 2>&1 &
SERVER_PID=$!
# A second server on the same database as a deployment is by default: sign-up closed.
export RF_E2E_CLOSED_PORT="$((E2E_PORT + 3))"
# It has no single sign-on either.
env -u RF_OIDC_GOOGLE_CLIENT_ID -u RF_OIDC_GOOGLE_CLIENT_SECRET \
  -u RF_OIDC_MICROSOFT_CLIENT_ID -u RF_OIDC_MICROSOFT_CLIENT_SECRET \
  LEPTOS_SITE_ADDR="127.0.0.1:$RF_E2E_CLOSED_PORT" RF_JWT_SECRET="$RF_E2E_JWT_SECRET" RF_COOKIE_SECURE=false \
  "$BIN" serve >"$SERVER_LOG.closed" 2>&1 &
CLOSED_PID=$!
rf_await_healthy "$E2E_PORT" "$SERVER_PID" "$SERVER_LOG"
rf_await_healthy "$RF_E2E_CLOSED_PORT" "$CLOSED_PID" "$SERVER_LOG.closed"

log "Playwright (server log: $SERVER_LOG)"
(cd end2end && RF_E2E_BASE_URL="http://127.0.0.1:$E2E_PORT" \
  RF_E2E_CLOSED_URL="http://127.0.0.1:$RF_E2E_CLOSED_PORT" npx playwright test "$@")
