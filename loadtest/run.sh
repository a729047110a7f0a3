#!/usr/bin/env bash
# run.sh: what `make loadtest` runs inside scripts/with-stack.sh: Locust headless on the original
# scenario, then a summary with the serving processes' peak memory.
# Env: USERS (20), SPAWN_RATE (10 per s), DURATION (20s), LOADTEST_OUT (artifacts/loadtest),
# LOADTEST_RECORD=1 also copies the summary to bench/results/loadtest.{json,md}.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${LOADTEST_OUT:-$ROOT/artifacts/loadtest}
export USERS=${USERS:-20} SPAWN_RATE=${SPAWN_RATE:-10} DURATION=${DURATION:-20s}
source "$ROOT/bench/procs.sh"
python3 -c 'import locust' 2>/dev/null ||
  { echo "run.sh: Locust is missing: pip install -r requirements-dev.txt" >&2; exit 1; }

mkdir -p "$OUT"
SIDECAR_PID=$(pid_listening_on "$IMAGE_URL")
reset_peak_rss "$APP_PID"
if [ -n "$SIDECAR_PID" ]; then reset_peak_rss "$SIDECAR_PID"; fi
cat /proc/loadavg >"$OUT/load_before.txt"

status=0
locust -f "$ROOT/loadtest/locustfile.py" --headless --host "$APP_URL" \
  --users "$USERS" --spawn-rate "$SPAWN_RATE" --run-time "$DURATION" --stop-timeout 10 \
  --csv "$OUT/locust" --html "$OUT/report.html" --json-file "$OUT/stats" || status=$?

peak_rss_json "$APP_PID" "$SIDECAR_PID" >"$OUT/peak_rss.json"
psql -Atq "${DB_URL%%\?*}" -c "SELECT count(*) FROM todos" >"$OUT/todos.txt" || rm -f "$OUT/todos.txt"
python3 "$ROOT/loadtest/summary.py" "$OUT"
if [ "${LOADTEST_RECORD:-}" = 1 ]; then
  cp "$OUT/summary.json" "$ROOT/bench/results/loadtest.json"
  cp "$OUT/summary.md" "$ROOT/bench/results/loadtest.md"
fi
exit $status
