#!/usr/bin/env bash
# endpoints.sh OUT_DIR ENDPOINT: measures one endpoint with wrk at each concurrency against the
# stack that scripts/with-stack.sh started (APP_URL, IMAGE_URL, APP_PID), one JSON file per run.
# ENDPOINT: one of bench/report.py's ENDPOINTS.
# Env: BENCH_DURATION (default 10s), BENCH_CONCURRENCY (default "1 16 64").
set -euo pipefail
OUT=$1 ENDPOINT=$2
DURATION=${BENCH_DURATION:-10s}
CONCURRENCY=${BENCH_CONCURRENCY:-1 16 64}
# More than one page, so the list endpoint returns a full page of 50.
SEED_TODOS=60
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/procs.sh"
SIDECAR_PID=$(pid_listening_on "$IMAGE_URL")
mkdir -p "$OUT"

# CPU ticks used so far by the app, PostgreSQL, the sidecar, and the whole machine (busy, total).
cpu_usage() {
  local postgres
  read -ra postgres <<<"$(postgres_pids)"
  echo "$(cpu_ticks "$APP_PID") $(cpu_ticks "${postgres[@]}") $(cpu_ticks "$SIDECAR_PID") $(machine_ticks)"
}

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

status_of() { curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$@"; }

create_todo() {
  status_of -X POST -H 'Content-Type: application/json' -d "{\"task\":\"$1\"}" "$APP_URL/api/todo"
}

# The benchmark's own session: the todos it seeds are its to delete (only a todo's author may).
BENCH_SESSION=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
BENCH_COOKIE="Cookie: todo_session=$BENCH_SESSION"

# seed_todos [COUNT]: straight into the table (the floor's manifest has no create endpoint),
# written by the benchmark's session (the SHA-256 of it, as the API stores it).
seed_todos() {
  psql -q "${DB_URL%%\?*}" -c "INSERT INTO todos (task, author) SELECT 'seed todo ' || n, sha256('$BENCH_SESSION'::bytea) FROM generate_series(1, ${1:-$SEED_TODOS}) n"
}

todos_listed() {
  curl -s --max-time 5 "$APP_URL/api/todos" |
    python3 -c 'import json, sys; print(len(json.load(sys.stdin)["todos"]))' 2>/dev/null || echo 0
}

list_etag() {
  curl -s -o /dev/null -D - --max-time 5 "$APP_URL/api/todos" |
    awk 'tolower($1) == "etag:" { sub(/\r$/, ""); print $2 }'
}

# The top of the todos never deleted (ids 1..N, seeded, minus what DELETE runs took from the top):
# the first id whose successor is gone. DELETE runs count down from there, one id per request.
newest_id() {
  psql -Atq "${DB_URL%%\?*}" -c "SELECT min(id) FROM todos t WHERE NOT EXISTS (SELECT FROM todos u WHERE u.id = t.id + 1)"
}

# first_id CONNECTIONS: where a DELETE run starts, below the ids the run before it may still have
# had in flight when it stopped (at most one per connection, just below the last it sent).
first_id() { echo $(($(newest_id) - $1)); }

photo_etag() {
  curl -s -o /dev/null -D - --max-time 5 "$APP_URL/api/daily_photo" |
    awk 'tolower($1) == "etag:" { sub(/\r$/, ""); print $2 }'
}

# bench EXPECTED_STATUS WRK_ARGS...: a preflight request must give EXPECTED_STATUS, then for
# each concurrency, lowest first, an unrecorded warm-up (pooled connections open) and a recorded
# run: the peak memory of a run then reflects its own concurrency, not a higher one before it.
bench() {
  local expected=$1; shift
  local got c
  case ${BENCH_METHOD:-GET} in
    POST) got=$(create_todo preflight) ;;
    DELETE) got=$(status_of -X DELETE -H "$BENCH_COOKIE" "$APP_URL/api/todos/$(newest_id)") ;;
    *) got=$(status_of "$@") ;;
  esac
  if [ "$got" != "$expected" ]; then
    say "$ENDPOINT: preflight got $got, expected $expected: skipped"
    echo "{\"skipped\":\"preflight got HTTP $got, expected $expected\"}" >"$OUT/$ENDPOINT.skipped.json"
    return 1
  fi
  for c in $CONCURRENCY; do
    BENCH_FIRST_ID=$(first_id "$c") BENCH_JSON=/dev/null wrk -t1 -c"$c" -d2s -s "$HERE/wrk.lua" "$@" >/dev/null
    reset_peak_rss "$APP_PID"
    if [ -n "$SIDECAR_PID" ]; then reset_peak_rss "$SIDECAR_PID"; fi
    local before after
    read -ra before <<<"$(cpu_usage)"
    BENCH_FIRST_ID=$(first_id "$c") BENCH_JSON="$OUT/$ENDPOINT.c$c.json" wrk -t1 -c"$c" -d"$DURATION" --timeout 2s --latency \
      -s "$HERE/wrk.lua" "$@" >"$OUT/$ENDPOINT.c$c.txt"
    read -ra after <<<"$(cpu_usage)"
    peak_rss_json "$APP_PID" "$SIDECAR_PID" >"$OUT/$ENDPOINT.c$c.rss.json"
    echo "{\"app\":$((after[0] - before[0])),\"postgres\":$((after[1] - before[1])),\"sidecar\":$((after[2] - before[2])),\"ticks_per_s\":$(getconf CLK_TCK),\"machine_busy\":$((after[3] - before[3])),\"machine_total\":$((after[4] - before[4]))}" \
      >"$OUT/$ENDPOINT.c$c.cpu.json"
    say "$ENDPOINT c=$c: $(cat "$OUT/$ENDPOINT.c$c.json")"
  done
}

echo "{\"server\":\"$(basename "$(readlink "/proc/$APP_PID/exe")")\"}" >"$OUT/stack.json"
case $ENDPOINT in
  page) bench 200 "$APP_URL/" ;;
  daily_photo_304) bench 304 -H "If-None-Match: $(photo_etag)" "$APP_URL/api/daily_photo" ;;
  readyz) bench 200 "$APP_URL/readyz" ;;
  todos_list)
    seed_todos
    todos_listed >"$OUT/todos_listed.txt"
    say "GET /api/todos lists $(cat "$OUT/todos_listed.txt") todos"
    bench 200 "$APP_URL/api/todos"
    ;;
  todos_list_one_row) seed_todos && bench 200 "$APP_URL/api/todos?limit=1" ;;
  floor_list) seed_todos && bench 200 "$APP_URL/floor/list" ;;
  floor_readyz) bench 200 "$APP_URL/floor/readyz" ;;
  todos_list_304) seed_todos && bench 304 -H "If-None-Match: $(list_etag)" "$APP_URL/api/todos" ;;
  todo_create) BENCH_METHOD=POST bench 201 "$APP_URL/api/todo" ;;
  # More todos than the runs can delete at a few thousand per second.
  todo_delete) seed_todos 400000 && BENCH_METHOD=DELETE bench 204 -H "$BENCH_COOKIE" "$APP_URL/api/todos/1" ;;
  *) say "unknown endpoint $ENDPOINT"; exit 2 ;;
esac
