#!/usr/bin/env bash
# bulk.sh: the bulk operations on a caller's own todos (PATCH and DELETE /api/todos/mine) on a
# table of 1,000,000 todos, all but 10 of one session (the worst case: every batch is its own),
# half done. Runs inside scripts/with-stack.sh (make bench-bulk): marks them all done, then
# clears them all, a request after another until the answer says no more remain, timing each
# request (curl's time_total); then the same for a caller with 10 todos in the same table.
# Writes a summary to bench/results/bulk.json.
#   BULK_TODOS (default 1000000) todos in the table
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "${APP_URL:-}" ]; then
  exec "$ROOT/scripts/with-stack.sh" "$0" "$@"
fi
TODOS=${BULK_TODOS:-1000000}
WORK=$(mktemp -d /tmp/bulk-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

# Without the URL's query: its bounds are for the app's client (libpq knows no keepalives_retries).
psql_db() { psql "${DB_URL%%\?*}" -X -q -t -A -v ON_ERROR_STOP=1 "$@"; }

# A session: the cookie its first create (one todo) answers with.
session_of() {
  curl -s -o /dev/null -c "$WORK/$1.jar" -H 'content-type: application/json' -d '{"task":"first"}' "$APP_URL/api/todo"
  awk '$6 == "todo_session" { print $7 }' "$WORK/$1.jar"
}
BIG=$(session_of big)
SMALL=$(session_of small)

echo "==> filling the table: $TODOS todos, 10 of them of another session, the rest of one" >&2
psql_db -c "INSERT INTO todos (task, done, author)
  SELECT 'bulk ' || n, n % 2 = 0, sha256('$BIG'::bytea) FROM generate_series(2, $TODOS - 10) AS n"
psql_db -c "INSERT INTO todos (task, done, author)
  SELECT 'small ' || n, n % 2 = 0, sha256('$SMALL'::bytea) FROM generate_series(1, 9) AS n"
psql_db -c "VACUUM ANALYZE todos"
echo "    $(psql_db -c 'SELECT count(*) FROM todos') todos" >&2

# Sends METHOD URL [BODY] as SESSION until the answer's `more` is false; one line per request:
# seconds changed more.
until_done() {
  local session=$1 method=$2 url=$3 body=${4:-}
  local args=(-s -b "$WORK/$session.jar" -X "$method" -w '\n%{http_code} %{time_total}\n')
  [ -n "$body" ] && args+=(-H 'content-type: application/json' -d "$body")
  while :; do
    local answer status_time
    answer=$(curl "${args[@]}" "$url")
    status_time=$(tail -n 1 <<<"$answer")
    [ "${status_time%% *}" = 200 ] || { echo "failed: $answer" >&2; exit 1; }
    python3 -c 'import json, sys; b = json.loads(sys.argv[1]); print(sys.argv[2], b["changed"], str(b["more"]).lower())' \
      "$(head -n 1 <<<"$answer")" "${status_time#* }"
    grep -q '"more":true' <<<"$answer" || break
  done
}

run() {
  local name=$1; shift
  echo "==> $name" >&2
  until_done "$@" >"$WORK/$name.txt"
}
run mark_all_done big PATCH "$APP_URL/api/todos/mine" '{"done":true}'
run clear_done big DELETE "$APP_URL/api/todos/mine?done=true"
run small_mark_all_done small PATCH "$APP_URL/api/todos/mine" '{"done":true}'
run small_clear_done small DELETE "$APP_URL/api/todos/mine?done=true"
echo "    $(psql_db -c 'SELECT count(*) FROM todos') todos left" >&2

python3 - "$WORK" "$TODOS" >"$ROOT/bench/results/bulk.json" <<'PY'
import json, statistics, sys
from pathlib import Path
work, todos = Path(sys.argv[1]), int(sys.argv[2])
runs = {}
for name in ["mark_all_done", "clear_done", "small_mark_all_done", "small_clear_done"]:
    rows = [line.split() for line in (work / f"{name}.txt").read_text().splitlines()]
    ms = sorted(float(seconds) * 1000 for seconds, _, _ in rows)
    runs[name] = {
        "requests": len(rows),
        "changed": sum(int(changed) for _, changed, _ in rows),
        "median_ms": round(statistics.median(ms), 1),
        "p99_ms": round(ms[min(len(ms) - 1, int(len(ms) * 0.99))], 1),
        "max_ms": round(ms[-1], 1),
        "total_s": round(sum(ms) / 1000, 1),
    }
print(json.dumps({"todos": todos, "runs": runs}, indent=2))
PY
cat "$ROOT/bench/results/bulk.json"
