#!/usr/bin/env bash
# with-stack.sh COMMAND...: runs COMMAND against a throwaway stack (fresh PostgreSQL, migrations,
# image sidecar serving its placeholder, the app) on free ports, then tears it all down.
# COMMAND sees APP_URL, DB_URL, IMAGE_URL and APP_PID (the serving process, for memory readings).
set -euo pipefail
source "$(dirname "$0")/stack.sh"

throwaway_postgres todo-stack
export DB_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres?sslmode=disable&$DB_URL_BOUNDS"
DATABASE_URL=$DB_URL "$ROOT/target/release/migrate" >/dev/null

IMAGE_LISTEN=127.0.0.1:$(free_port)
# Port 9 (discard) refuses connections: the sidecar serves its built-in placeholder.
start_sidecar "$WORK/image" "$IMAGE_LISTEN" IMAGE_SOURCE_URL=http://127.0.0.1:9/ >/dev/null 2>&1
export IMAGE_URL="http://$IMAGE_LISTEN"

LISTEN=127.0.0.1:$(free_port)
start_app "$LISTEN" "$DB_URL" "127.0.0.1:$PG_PORT" "$IMAGE_LISTEN" >"$WORK/app.log" 2>&1
# The process that serves is the one listening: `spin up` runs its HTTP trigger as a child.
source "$ROOT/bench/procs.sh"
APP_PID=$(pid_listening_on "$LISTEN")
export APP_URL="http://$LISTEN" APP_PID APP_LOG="$WORK/app.log"

"$@"
