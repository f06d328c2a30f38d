#!/usr/bin/env bash
# npm test: the whole suite on a fresh Debian machine. Installs the system packages the tests
# need when missing, starts a throwaway PostgreSQL on loopback, runs typecheck, lint, unit and
# database tests (PGlite and PostgreSQL), the production build and the browser tests, then
# stops what it started. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."

export NEXT_TELEMETRY_DISABLED=1

log() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

bash scripts/ensure-system-packages.sh

log "typecheck"
npx tsc --noEmit -p .

log "lint"
npx eslint --max-warnings 0 .

# Throwaway PostgreSQL on a free loopback port, removed on exit.
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
PG_DIR=$(mktemp -d /tmp/smo-pg.XXXXXX)
PG_PORT=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
cleanup() {
  if [ -f "$PG_DIR/data/postmaster.pid" ]; then
    run_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
  fi
  rm -rf "$PG_DIR"
}
trap cleanup EXIT
run_pg() {
  # initdb and pg_ctl refuse to run as root (STACK.md pitfall 7).
  if [ "$(id -u)" = "0" ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
if [ "$(id -u)" = "0" ]; then chown postgres "$PG_DIR"; fi
log "PostgreSQL on 127.0.0.1:$PG_PORT"
run_pg "$PG_BIN/initdb" -D "$PG_DIR/data" -U smo --auth=trust -E UTF8 >"$PG_DIR/initdb.log" 2>&1 || { cat "$PG_DIR/initdb.log"; exit 1; }
run_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_DIR -c fsync=off -c max_connections=200" start >/dev/null
export TEST_DATABASE_URL="postgres://smo@127.0.0.1:$PG_PORT/postgres"

log "unit, database and integration tests"
npx vitest run

log "production build"
npx next build

log "browser tests (Debian chromium)"
npx playwright test
