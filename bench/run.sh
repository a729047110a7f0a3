#!/usr/bin/env bash
# run.sh: what `make bench` runs. Each endpoint under wrk against its own throwaway stack (so
# each peak-memory reading is that endpoint's), then the host overhead benchmark, then
# bench/results/ (JSON, Markdown, plot). Raw output: artifacts/bench/.
# Env: BENCH_DURATION (10s), BENCH_CONCURRENCY ("1 16 64"), BENCH_RESULTS (bench/results).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
RAW=$ROOT/artifacts/bench/raw
RESULTS=${BENCH_RESULTS:-$ROOT/bench/results}
command -v wrk >/dev/null || { echo "run.sh: wrk is missing (apt-get install -y wrk)" >&2; exit 1; }
ENDPOINTS=$(cd "$ROOT/bench" && python3 -c 'from report import ENDPOINTS; print(*ENDPOINTS)')

rm -rf "$RAW" && mkdir -p "$RAW"
cat /proc/loadavg >"$RAW/load_before.txt"
echo "{\"tool\":\"$(wrk -v 2>&1 | head -n 1 | cut -d' ' -f1-2), 1 thread, --timeout 2s\",\"duration\":\"${BENCH_DURATION:-10s}\"}" \
  >"$RAW/settings.json"

status=0
for endpoint in $ENDPOINTS; do
  "$ROOT/scripts/with-stack.sh" "$ROOT/bench/endpoints.sh" "$RAW" "$endpoint" || status=$?
done
# The host's own overhead (issue 2's benchmark, kept with the host): fixture-hello under wrk.
DURATION=${BENCH_DURATION:-10s} "$ROOT/crates/devhost/bench.sh" >"$RAW/host_overhead.md" || status=$?
python3 "$ROOT/bench/report.py" "$RAW" "$RESULTS"
exit $status
