#!/usr/bin/env bash
# create_pgbench.sh: the create statement alone under pgbench, before the list's counters
# (migrations/0001 only, the create the API sent then: INSERT ... ON CONFLICT with a NULL key) and
# after them (every migration, the keyless create the API sends now: a plain INSERT with its
# author, whose statement trigger adds to the counter row of its connection), 1,000,000 todos in
# each; 2 and 64 clients, each pair back to back, BENCH_ROUNDS (2) rounds of BENCH_DURATION
# (10s). Transactions per second and PostgreSQL CPU per transaction ->
# bench/results/create_pgbench.{json,md}.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/../scripts/stack.sh"
source "$HERE/procs.sh"
DURATION=${BENCH_DURATION:-10s}
ROUNDS=${BENCH_ROUNDS:-2}
RESULTS=${BENCH_RESULTS:-$ROOT/bench/results}
throwaway_postgres todo-pgbench
export DB_URL=postgres://127.0.0.1:$PG_PORT # for postgres_pids
seed="INSERT INTO todos (task, done) SELECT 'seed todo ' || n, n % 100 = 0 FROM generate_series(1, 1000000) n"
psql_in postgres -c "CREATE DATABASE before" -c "CREATE DATABASE after"
psql_in before -f "$ROOT/migrations/0001_create_todos.sql" -c "$seed" -c "VACUUM ANALYZE todos"
DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/after?sslmode=disable" "$ROOT/target/release/migrate" >/dev/null
psql_in after -c "$seed" -c "VACUUM ANALYZE todos"
columns="RETURNING id, task, done, created_at AT TIME ZONE 'UTC' AS created_at;"
echo "INSERT INTO todos (task, idempotency_key) VALUES ('bench todo', NULL) ON CONFLICT (idempotency_key) DO UPDATE SET idempotency_key = EXCLUDED.idempotency_key WHERE todos.task = EXCLUDED.task $columns" \
  >"$WORK/before.sql"
# Written by a session (its SHA-256), as the API's creates are, saying `mine` as the API reads it.
author="sha256('bench session'::bytea)"
echo "INSERT INTO todos (task, author) VALUES ('bench todo', $author) ${columns%;}, coalesce(author = $author, false) AS mine;" \
  >"$WORK/after.sql"

results=()
for round in $(seq 1 "$ROUNDS"); do
  for clients in 2 64; do
    for schema in before after; do
      read -ra postgres <<<"$(postgres_pids)"
      ticks=$(cpu_ticks "${postgres[@]}")
      tps=$("$PG_BIN/pgbench" -h 127.0.0.1 -p "$PG_PORT" -U postgres -n -M extended -c "$clients" -j 2 \
        -T "${DURATION%s}" -f "$WORK/$schema.sql" "$schema" 2>&1 | awk '/^tps/ { print $3 }')
      read -ra postgres <<<"$(postgres_pids)"
      ticks=$(($(cpu_ticks "${postgres[@]}") - ticks))
      log "round $round, $clients clients, $schema: $tps tps"
      results+=("{\"round\":$round,\"clients\":$clients,\"schema\":\"$schema\",\"tps\":$tps,\"ticks\":$ticks,\"ticks_per_s\":$(getconf CLK_TCK),\"seconds\":${DURATION%s}}")
    done
  done
done
counted=$(psql_in after -At -c "SELECT (SELECT count(*) FROM todos) = sum(todos) FROM todo_counts")
[ "$counted" = t ] || { log "the counters differ from count(*)"; exit 1; }
mkdir -p "$RESULTS"
(IFS=,; echo "[${results[*]}]") | python3 "$HERE/create_pgbench_report.py" "$RESULTS" "$(cat /proc/loadavg)"
