#!/usr/bin/env bash
# The load figures of docs/PERFORMANCE.md, in one run on this machine: a release server on a
# throwaway database, then rf-load's refresh (next to pgbench), claim and fan-out measures.
# Usage: scripts/bench.sh [refresh|claim|page|live|fanout ...]   (all five by default)
# RF_BENCH_BIN=path measures another build of the server (a before/after comparison).
source "$(dirname "$0")/lib.sh"

rf_target_cache
rf_rust_tools
rf_node_tools
rf_postgres
PGSUPER="$(rf_pg_superuser)"
command -v pgbench >/dev/null || die "pgbench is not installed (Debian: postgresql-contrib / postgresql-client)"

MEASURES=("$@")
# The fan-out last: it adds 400 seniors to the account.
[ ${#MEASURES[@]} -eq 0 ] && MEASURES=(refresh claim page live fanout)

BIN="${RF_BENCH_BIN:-target/release/resolutionflow}"
[ -x "$BIN" ] || rf_build_release
log "building rf-load"
cargo build --release -p rf-load

# 10,000 streams are 10,000 sockets on each side (each process has its own limit).
ulimit -n "$(ulimit -Hn)"
[ "$(ulimit -n)" = unlimited ] || [ "$(ulimit -n)" -ge 10500 ] || die "open-file limit $(ulimit -n) is under 10,500"


BENCH_DB="rf_bench_$$"
BENCH_PORT="${RF_BENCH_PORT:-3457}"
SERVER_PID=""
OTHER_PID=""
# stop PID...: ends background processes; a stopped process's exit status is not the bench's.
stop() {
  local pid
  for pid in "$@"; do
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  done
}
cleanup() {
  stop "$SERVER_PID" "$OTHER_PID" "${FANOUT_PIDS[@]}"
  rf_drop_db "$PGSUPER" "$BENCH_DB"
}
FANOUT_PIDS=()
trap cleanup EXIT
rf_create_db "$PGSUPER" "$BENCH_DB"
rf_server_role "$PGSUPER"
# Requests as the server's role; migrations, and what the bench reads and writes itself, as
# the operator.
export ADMIN_DATABASE_URL="postgres://$PGSUPER@127.0.0.1:5432/$BENCH_DB"
export DATABASE_URL="postgres://$RF_SERVER_ROLE@127.0.0.1:5432/$BENCH_DB"
"$BIN" migrate
"$BIN" seed-demo >/dev/null
# add_seniors FROM TO: seniors senior<FROM>@acme.test … senior<TO>@acme.test in Acme, with the
# demo password (copied from Sam).
add_seniors() {
  psql "$ADMIN_DATABASE_URL" -qc "INSERT INTO users (account_id, email, name, role, password_hash, email_verified_at)
    SELECT account_id, 'senior' || g || '@acme.test', 'Senior ' || g, 'engineer', password_hash, now()
    FROM users, generate_series($1, $2) AS g WHERE email = 'sam@acme.test' ON CONFLICT DO NOTHING"
}
# A hundred race for the claim.
add_seniors 1 100

mkdir -p target/bench
# Access tokens outlive the run; every process shares the secret, as a deployment's do. Logs at
# warn: a line per request would measure the log file.
BENCH_SECRET="bench-$(head -c 32 /dev/urandom | base64 | tr -d "\n/+=")"
# start_server PORT LOG [PREFIX...]: a server process in the background (run under PREFIX, e.g.
# `taskset -c 0`); its pid in STARTED_PID.
start_server() {
  local port="$1" log="$2"
  shift 2
  log "starting a server on 127.0.0.1:$port $*"
  LEPTOS_SITE_ADDR="127.0.0.1:$port" RF_COOKIE_SECURE=false ACCESS_TOKEN_MINUTES=60 \
    RF_JWT_SECRET="$BENCH_SECRET" RUST_LOG=warn "$@" "$BIN" serve >"$log" 2>&1 &
  STARTED_PID=$!
  rf_await_healthy "$port" "$STARTED_PID" "$log"
}
SERVER_LOG="$(readlink -f target)/bench/server.log"
start_server "$BENCH_PORT" "$SERVER_LOG"
SERVER_PID=$STARTED_PID

# The page's WASM next to the smallest hydrating Leptos app, built with the same profile and
# pipeline (cargo, wasm-bindgen, wasm-opt with cargo-leptos's flags), both gzipped at -9.
page_weight() {
  local min=bench/minimal-leptos out target_dir
  target_dir="$(readlink -f target)/minimal-leptos"
  out="$target_dir/pkg"
  log "building the minimal Leptos app"
  (cd "$min" && cargo build --quiet --lib --locked --profile wasm-release --target wasm32-unknown-unknown --target-dir "$target_dir")
  wasm-bindgen --target web --no-typescript --out-dir "$out" "$target_dir/wasm32-unknown-unknown/wasm-release/minimal_leptos.wasm"
  node_modules/.bin/wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
    "$out/minimal_leptos_bg.wasm" -o "$out/minimal_leptos_bg.wasm"
  local ours mine="$out/minimal_leptos_bg.wasm"
  # The shared core (the module the page names) and every page's pieces beside it.
  ours="$(ls target/site/pkg/resolutionflow*.wasm | head -n 1)"
  local ours_gz mine_gz pieces pieces_gz
  ours_gz="$(gzip -9 -c "$ours" | wc -c)"
  mine_gz="$(gzip -9 -c "$mine" | wc -c)"
  pieces="$(ls target/site/pkg/*.wasm | grep -vc '/resolutionflow')"
  pieces_gz="$(ls target/site/pkg/*.wasm | grep -v '/resolutionflow' | xargs -r cat | gzip -9 | wc -c)"
  echo "page     WASM gzipped: ResolutionFlow's shared core $ours_gz bytes ($(stat -c %s "$ours") raw), minimal Leptos app $mine_gz bytes ($(stat -c %s "$mine") raw): $(awk "BEGIN { printf \"%.1f\", $ours_gz / $mine_gz }")x; the $pieces pieces of the pages $pieces_gz bytes together"
}

# The fan-out against its floor (bench/fanout-floor), in the same run: a server of its own and
# the floor program on core 0, rf-load on core 1, so that the readers of 10,000 streams do not
# take the writers' core.
fanout_against_floor() {
  local target_dir floor_port=$((BENCH_PORT + 3)) floor_log server_pid floor_pid
  target_dir="$(readlink -f target)/fanout-floor"
  log "building the fan-out floor"
  (cd bench/fanout-floor && cargo build --quiet --release --locked --target-dir "$target_dir")
  [ "$(nproc)" -ge 2 ] || die "the fan-out runs pinned, the server and the readers on cores of their own: 2 cores needed"
  # 10,000 streams are read by 500 seniors (a user holds at most 20 streams); added only now, so
  # that the measures before see the account as it was (the members page, the claim's mail).
  add_seniors 101 500
  start_server "$((BENCH_PORT + 2))" "$(readlink -f target)/bench/server-pinned.log" taskset -c 0
  server_pid=$STARTED_PID
  floor_log="$(readlink -f target)/bench/floor.log"
  taskset -c 0 "$target_dir/release/fanout-floor" "127.0.0.1:$floor_port" >"$floor_log" 2>&1 &
  floor_pid=$!
  FANOUT_PIDS=("$server_pid" "$floor_pid")
  rf_await_line "listening" "$floor_pid" "$floor_log" "the fan-out floor"
  taskset -c 1 target/release/rf-load --base-url "http://127.0.0.1:$((BENCH_PORT + 2))" fanout \
    --server-pid "$server_pid" --floor-url "http://127.0.0.1:$floor_port" --floor-pid "$floor_pid"
  stop "${FANOUT_PIDS[@]}"
  FANOUT_PIDS=()
}

LOAD=(target/release/rf-load --base-url "http://127.0.0.1:$BENCH_PORT")
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; $(psql "$ADMIN_DATABASE_URL" -Atc 'show server_version') PostgreSQL"
for measure in "${MEASURES[@]}"; do
  case "$measure" in
    refresh) "${LOAD[@]}" refresh --database-url "$ADMIN_DATABASE_URL" ;;
    claim) "${LOAD[@]}" claim --server-pid "$SERVER_PID" ;;
    fanout) fanout_against_floor ;;
    page)
      page_weight
      rf_browser_tools
      (cd end2end && node bench/page.mjs "http://127.0.0.1:$BENCH_PORT" 15)
      ;;
    live)
      # A second process on the same database, as a deployment behind a proxy has.
      [ -n "$OTHER_PID" ] || { start_server "$((BENCH_PORT + 1))" "$(readlink -f target)/bench/server-2.log"; OTHER_PID=$STARTED_PID; }
      "${LOAD[@]}" live --other-url "http://127.0.0.1:$((BENCH_PORT + 1))" \
        --server-pid "$SERVER_PID" --other-pid "$OTHER_PID" --database-url "$ADMIN_DATABASE_URL"
      ;;
    *) die "unknown measure: $measure" ;;
  esac
done
