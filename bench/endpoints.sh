#!/usr/bin/env bash
# endpoints.sh OUT_DIR: measures every endpoint with wrk at each concurrency against the stack
# that scripts/with-stack.sh started (APP_URL, IMAGE_URL, APP_PID), one JSON file per run.
# Env: BENCH_DURATION (default 10s), BENCH_CONCURRENCY (default "1 16 64").
set -euo pipefail
OUT=$1
DURATION=${BENCH_DURATION:-10s}
CONCURRENCY=${BENCH_CONCURRENCY:-1 16 64}
SEED_TODOS=60
HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$OUT"
FAILED=0

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

status_of() { curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$@"; }

source "$HERE/procs.sh"
SIDECAR_PID=$(pid_listening_on "$IMAGE_URL")

seed_todos() {
  local i
  for ((i = 0; i < SEED_TODOS; i++)); do
    status_of -X POST -H 'Content-Type: application/json' -d "{\"task\":\"seed todo $i\"}" \
      "$APP_URL/api/todo" >/dev/null
  done
}

todos_listed() {
  curl -s --max-time 5 "$APP_URL/api/todos" |
    python3 -c 'import json, sys; print(len(json.load(sys.stdin)["todos"]))' 2>/dev/null || echo 0
}

photo_etag() {
  curl -s -o /dev/null -D - --max-time 5 "$APP_URL/api/daily_photo" |
    awk 'tolower($1) == "etag:" { sub(/\r$/, ""); print $2 }'
}

# bench ID EXPECTED_STATUS WRK_ARGS...: a preflight request must give EXPECTED_STATUS, then one
# unrecorded warm-up (connections and pools open) and one recorded run per concurrency.
bench() {
  local id=$1 expected=$2; shift 2
  local curl_args=() wrk_args=("$@") got c
  [ "${BENCH_METHOD:-}" = POST ] &&
    curl_args=(-X POST -H 'Content-Type: application/json' -d '{"task":"preflight"}')
  got=$(status_of "${curl_args[@]}" "${wrk_args[@]}")
  if [ "$got" != "$expected" ]; then
    say "$id: preflight got $got, expected $expected: skipped"
    echo "{\"skipped\":\"preflight got HTTP $got, expected $expected\"}" >"$OUT/$id.skipped.json"
    FAILED=1
    return
  fi
  BENCH_JSON=/dev/null wrk -t1 -c64 -d2s -s "$HERE/wrk.lua" "${wrk_args[@]}" >/dev/null
  for c in $CONCURRENCY; do
    reset_peak_rss "$APP_PID"
    if [ -n "$SIDECAR_PID" ]; then reset_peak_rss "$SIDECAR_PID"; fi
    BENCH_JSON="$OUT/$id.c$c.json" wrk -t1 -c"$c" -d"$DURATION" --timeout 2s --latency \
      -s "$HERE/wrk.lua" "${wrk_args[@]}" >"$OUT/$id.c$c.txt"
    peak_rss_json "$APP_PID" "$SIDECAR_PID" >"$OUT/$id.c$c.rss.json"
    say "$id c=$c: $(cat "$OUT/$id.c$c.json")"
  done
}

say "seeding $SEED_TODOS todos"
seed_todos
LISTED=$(todos_listed)
say "GET /api/todos lists $LISTED todos"
ETAG=$(photo_etag)
echo "{\"server\":\"$(basename "$(readlink "/proc/$APP_PID/exe")")\",\"todos_listed\":$LISTED}" >"$OUT/stack.json"

bench page 200 "$APP_URL/"
bench daily_photo_304 304 -H "If-None-Match: $ETAG" "$APP_URL/api/daily_photo"
bench readyz_one_row 200 "$APP_URL/readyz"
bench todos_list 200 "$APP_URL/api/todos"
BENCH_METHOD=POST bench todo_create 201 "$APP_URL/api/todo"

exit $FAILED
