#!/usr/bin/env bash
# scale.sh: what `make bench-scale` runs. The list, its 304, `?done=true` and create at 1,000,
# 100,000 and 1,000,000 todos on Spin, each size its own migrated database (one todo in a hundred
# done) served by its own `spin up`, all on one PostgreSQL; interleaved size by size within each
# endpoint and round, so that every size sees the same machine; the list's floor (bench/floor:
# the original's statement alone) at 1,000 beside them. Then the online migration on a table of
# 1,000,000 todos under concurrent inserts (how long writes wait), and bench/results/scale.{json,md}.
# Each round also runs the create at 1,000,000 todos with the counters' triggers disabled.
# `?done=true` asks for pages of 10 at every size: 1,000 todos hold only 10 done ones, and a page
# of 50 at the larger sizes would compare response sizes, not table sizes.
# A create run's todos are deleted after it, so each size stays at its size.
# Env: BENCH_DURATION (10s), BENCH_CONNECTIONS (64), BENCH_ROUNDS (2), BENCH_RESULTS (bench/results).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/../scripts/stack.sh"
source "$HERE/procs.sh"
DURATION=${BENCH_DURATION:-10s}
CONNECTIONS=${BENCH_CONNECTIONS:-64}
ROUNDS=${BENCH_ROUNDS:-2}
RESULTS=${BENCH_RESULTS:-$ROOT/bench/results}
RAW=$ROOT/artifacts/bench-scale
SIZES=(1000 100000 1000000)
command -v wrk >/dev/null || { echo "scale.sh: wrk is missing (make bench-deps)" >&2; exit 1; }
command -v spin >/dev/null || { echo "scale.sh: no spin on PATH (make bench-scale runs make deps, which installs it)" >&2; exit 1; }

rm -rf "$RAW" && mkdir -p "$RAW"
cat /proc/loadavg >"$RAW/load_before.txt"
spin --version >"$RAW/spin.txt"

throwaway_postgres todo-scale
export DB_URL=postgres://127.0.0.1:$PG_PORT # for postgres_pids
url_of() { echo "postgres://postgres@127.0.0.1:$PG_PORT/$1?sslmode=disable&$DB_URL_BOUNDS"; }

# seed DATABASE COUNT: COUNT todos, one in a hundred done (`?done=true` is the rare filter).
seed() {
  psql_in "$1" -c "INSERT INTO todos (task, done) SELECT 'seed todo ' || n, n % 100 = 0 FROM generate_series(1, $2) n" \
    -c "VACUUM ANALYZE todos"
}

declare -A APP
for size in "${SIZES[@]}"; do
  log "a database of $size todos"
  psql_in postgres -c "CREATE DATABASE todos_$size"
  DATABASE_URL=$(url_of "todos_$size") "$ROOT/target/release/migrate" >/dev/null
  seed "todos_$size" "$size"
  APP[$size]=127.0.0.1:$(free_port)
  # Port 9 (discard): no image sidecar, none of these routes needs it.
  start_app "${APP[$size]}" "$(url_of "todos_$size")" "127.0.0.1:$PG_PORT" 127.0.0.1:9 >"$WORK/app_$size.log" 2>&1
done
FLOOR=127.0.0.1:$(free_port)
APP_MANIFEST=$ROOT/bench/floor/spin.toml start_app "$FLOOR" "$(url_of todos_1000)" "127.0.0.1:$PG_PORT" 127.0.0.1:9 \
  >"$WORK/floor.log" 2>&1

list_etag() {
  curl -s -o /dev/null -D - --max-time 5 "$1/api/todos" | awk 'tolower($1) == "etag:" { sub(/\r$/, ""); print $2 }'
}

# CPU ticks so far of the serving process (the one listening on URL's port) and of PostgreSQL.
cpu_of() {
  local postgres
  read -ra postgres <<<"$(postgres_pids)"
  echo "$(cpu_ticks "$(pid_listening_on "$1")") $(cpu_ticks "${postgres[@]}")"
}

# run NAME SIZE URL [WRK ARGS...]: a 2 s warm-up, then the recorded run, with the CPU time the
# app and PostgreSQL spent on it (a cost per request that other load on the machine moves less
# than it moves throughput).
run() {
  local name=$1 size=$2 url=$3 before after
  shift 3
  wrk -t1 -c"$CONNECTIONS" -d2s -s "$HERE/wrk.lua" "$@" "$url" >/dev/null 2>&1 || true
  read -ra before <<<"$(cpu_of "$url")"
  BENCH_JSON="$RAW/$name.$size.r$round.json" wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --timeout 2s --latency \
    -s "$HERE/wrk.lua" "$@" "$url" >"$RAW/$name.$size.r$round.txt"
  read -ra after <<<"$(cpu_of "$url")"
  echo "{\"app\":$((after[0] - before[0])),\"postgres\":$((after[1] - before[1])),\"ticks_per_s\":$(getconf CLK_TCK)}" \
    >"$RAW/$name.$size.r$round.cpu"
  log "round $round $name at $size todos: $(cat "$RAW/$name.$size.r$round.json")"
}

for round in $(seq 1 "$ROUNDS"); do
  run floor_list 1000 "http://$FLOOR/floor/list"
  for size in "${SIZES[@]}"; do run list "$size" "http://${APP[$size]}/api/todos"; done
  for size in "${SIZES[@]}"; do
    run list_304 "$size" "http://${APP[$size]}/api/todos" -H "If-None-Match: $(list_etag "http://${APP[$size]}")"
  done
  for size in "${SIZES[@]}"; do run list_done "$size" "http://${APP[$size]}/api/todos?done=true&limit=10"; done
  for size in "${SIZES[@]}"; do
    BENCH_METHOD=POST run create "$size" "http://${APP[$size]}/api/todo"
    sleep 1 # requests wrk gave up on may still be running
    psql_in "todos_$size" -c "DELETE FROM todos WHERE id > $size" -c "VACUUM ANALYZE todos"
  done
  # The same creates at 1,000,000 todos without the counters (their triggers disabled while the
  # run and its clean-up write): what the counters cost a create, beside it in the same round.
  counters() { psql_in todos_1000000 -c "ALTER TABLE todos $1 TRIGGER todo_counts_insert, $1 TRIGGER todo_counts_delete"; }
  counters DISABLE
  BENCH_METHOD=POST run create_uncounted 1000000 "http://${APP[1000000]}/api/todo"
  sleep 1
  psql_in todos_1000000 -c "DELETE FROM todos WHERE id > 1000000" -c "VACUUM ANALYZE todos"
  counters ENABLE
done

# The counts each app shows equal count(*), after every run's writes and deletes.
for size in "${SIZES[@]}"; do
  shown=$(curl -s "http://${APP[$size]}/api/todos?limit=1" | python3 -c 'import json, sys; c = json.load(sys.stdin)["counts"]; print(c["all"], c["done"])')
  counted=$(psql_in "todos_$size" -At -c "SELECT count(*) || ' ' || count(*) FILTER (WHERE done) FROM todos")
  echo "{\"size\":$size,\"shown\":\"$shown\",\"counted\":\"$counted\"}" >"$RAW/counts.$size.json"
  [ "$shown" = "$counted" ] || { log "counts at $size: the list shows $shown, count(*) finds $counted"; exit 1; }
done
stop_processes

# The online migration: 1,000,000 todos at the first migration, 4 clients inserting all along
# (pgbench, one INSERT per transaction, each one's latency logged); how long the migration took
# and how long any insert waited while it ran.
log "the migration on 1,000,000 todos under concurrent inserts"
psql_in postgres -c "CREATE DATABASE migration"
first=$ROOT/migrations/0001_create_todos.sql
psql_in migration -f "$first" -c "CREATE TABLE schema_migrations (version TEXT PRIMARY KEY, checksum TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())" \
  -c "INSERT INTO schema_migrations (version, checksum) VALUES ('0001_create_todos', '$(sha256sum "$first" | cut -d' ' -f1)')"
seed migration 1000000
echo "INSERT INTO todos (task) VALUES ('during the migration');" >"$WORK/insert.sql"
mkdir -p "$WORK/pgbench" && chmod 777 "$WORK/pgbench"
(cd "$WORK/pgbench" && "$PG_BIN/pgbench" -h 127.0.0.1 -p "$PG_PORT" -U postgres -n -c 4 -j 1 -T 12 -l \
  -f "$WORK/insert.sql" migration >"$WORK/pgbench.out" 2>&1) &
pgbench_pid=$!
sleep 4
started=$(date +%s.%N)
DATABASE_URL=$(url_of migration) "$ROOT/target/release/migrate" >"$RAW/migration.out"
ended=$(date +%s.%N)
wait "$pgbench_pid"
cat "$WORK"/pgbench/pgbench_log.* | python3 "$HERE/migration_pause.py" "$started" "$ended" >"$RAW/migration.json"
counted=$(psql_in migration -At -c "SELECT (SELECT count(*) FROM todos) = sum(todos) FROM todo_counts")
[ "$counted" = t ] || { log "the migration's counters differ from count(*)"; exit 1; }
log "migration: $(cat "$RAW/migration.json")"

cat /proc/loadavg >"$RAW/load_after.txt"
python3 "$HERE/scale_report.py" "$RAW" "$RESULTS"
