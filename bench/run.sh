#!/usr/bin/env bash
# run.sh: what `make bench` runs. Each endpoint under wrk on Spin 3.6.3, each against its own
# throwaway stack (so each peak-memory reading is that endpoint's); the floors (bench/floor: the
# original's list statement and `SELECT 1` with no code around them) the same way; then
# bench/results/ (JSON, Markdown, plot). Raw output: artifacts/bench/.
# Env: BENCH_DURATION (10s), BENCH_CONCURRENCY ("1 16 64"), BENCH_RESULTS (bench/results).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
RAW=$ROOT/artifacts/bench/raw
RESULTS=${BENCH_RESULTS:-$ROOT/bench/results}
command -v wrk >/dev/null || { echo "run.sh: wrk is missing (apt-get install -y wrk)" >&2; exit 1; }
command -v spin >/dev/null || { echo "run.sh: no spin on PATH (make bench runs make deps, which installs it)" >&2; exit 1; }
ENDPOINTS=$(cd "$ROOT/bench" && python3 -c 'from report import ENDPOINTS; print(*ENDPOINTS)')

rm -rf "$RAW" && mkdir -p "$RAW"
cat /proc/loadavg >"$RAW/load_before.txt"
echo "{\"tool\":\"$(wrk -v 2>&1 | head -n 1 | cut -d' ' -f1-2), 1 thread, --timeout 2s\",\"duration\":\"${BENCH_DURATION:-10s}\",\"spin\":\"$(spin --version 2>/dev/null || true)\"}" \
  >"$RAW/settings.json"

status=0
for endpoint in $ENDPOINTS; do
  manifest=$ROOT/spin.toml
  [[ $endpoint == floor_* ]] && manifest=$ROOT/bench/floor/spin.toml
  APP_MANIFEST=$manifest "$ROOT/scripts/with-stack.sh" "$ROOT/bench/endpoints.sh" "$RAW/spin" "$endpoint" \
    || status=$?
done
python3 "$ROOT/bench/report.py" "$RAW" "$RESULTS" spin
exit $status
