#!/usr/bin/env bash
# `make up`: the whole app on http://127.0.0.1:3000, data kept under .dev/ between runs.
# DB_URL=postgres://... uses that database instead of the local one. Ctrl-C or TERM stops everything,
# PostgreSQL included, at any moment. DEV_DIR (default .dev) is where the data is kept.
set -euo pipefail
source "$(dirname "$0")/stack.sh"

LISTEN=${LISTEN:-127.0.0.1:3000}
IMAGE_LISTEN=${IMAGE_LISTEN:-127.0.0.1:8081}
PG_PORT=${PG_PORT:-55432}
DEV_DIR=${DEV_DIR:-$ROOT/.dev}
PG_DIR="$DEV_DIR/postgres"
# As root PostgreSQL runs as `postgres`, which cannot enter a clone under a mode-700 home: its data
# then lives in that user's home, one directory per clone.
# shellcheck disable=SC2016 # $1 is expanded by the inner shell
if [ "$(id -u)" = 0 ] && ! runuser -u postgres -- sh -c 'cd "$1"' _ "$(dirname "$DEV_DIR")" 2>/dev/null; then
  PG_DIR="$(getent passwd postgres | cut -d: -f6)/todo-dev-$(printf '%s' "$DEV_DIR" | sha256sum | cut -c1-12)"
fi

LOCAL_PG=
cleanup() {
  stop_processes
  [ -z "$LOCAL_PG" ] || { log "stopping PostgreSQL"; pg_stop "$PG_DIR"; }
}
on_exit cleanup

if [ -z "${DB_URL:-}" ]; then
  pg_stop_stale "$PG_DIR"
  log "starting PostgreSQL on 127.0.0.1:$PG_PORT (data in ${PG_DIR#"$ROOT"/})"
  [[ $PG_DIR == "$DEV_DIR"/* ]] || log "(the postgres user cannot enter $(dirname "$DEV_DIR"), so its data is kept in its own home)"
  LOCAL_PG=1 # before the start: a signal during it still stops the server
  pg_start "$PG_DIR" "$PG_PORT"
  DB_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres?sslmode=disable&$DB_URL_BOUNDS"
fi
DB_HOST=$(python3 -c 'import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1]); print(f"{p.hostname}:{p.port or 5432}")' "$DB_URL")

log "applying migrations"
DATABASE_URL=$DB_URL "$ROOT/target/release/migrate"

log "starting the image sidecar on $IMAGE_LISTEN (data in ${DEV_DIR#"$ROOT"/}/image)"
start_sidecar "$DEV_DIR/image" "$IMAGE_LISTEN"

start_app "$LISTEN" "$DB_URL" "$DB_HOST" "$IMAGE_LISTEN"
log "ready: http://$LISTEN  (Ctrl-C stops it all)"
wait -n "${STACK_PIDS[@]}"
