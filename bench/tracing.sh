#!/usr/bin/env bash
# tracing.sh: the cost of exporting traces. The list and create endpoints under wrk at 64
# connections on Spin 3.6.3, with OTLP export off and on (Spin and the sidecar send to a local
# receiver, bench/otlp_sink.py), interleaved off/on within each round so that both see the same
# machine; each run on its own throwaway stack. Writes bench/results/tracing.{json,md} (ratios
# per round and their median). Raw output: artifacts/bench/tracing/.
# Env: BENCH_DURATION (10s), TRACING_ROUNDS (3), BENCH_RESULTS (bench/results).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
RAW=$ROOT/artifacts/bench/tracing
RESULTS=${BENCH_RESULTS:-$ROOT/bench/results}
ROUNDS=${TRACING_ROUNDS:-3}
command -v spin >/dev/null || { echo "tracing.sh: no spin on PATH (make bench puts the shared one there)" >&2; exit 1; }
source "$ROOT/scripts/stack.sh"

rm -rf "$RAW" && mkdir -p "$RAW"
SINK_PORT=$(free_port)
python3 "$ROOT/bench/otlp_sink.py" "$SINK_PORT" "$RAW/sink_counts.json" &
SINK_PID=$!
trap 'kill "$SINK_PID" 2>/dev/null || true' EXIT

status=0
for round in $(seq "$ROUNDS"); do
  for mode in off on; do
    for endpoint in todos_list todo_create; do
      out=$RAW/$mode/round$round
      if [ "$mode" = on ]; then
        echo "{\"spans_before\":$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["spans"])' "$RAW/sink_counts.json" 2>/dev/null || echo 0)}" \
          >"$RAW/$endpoint.round$round.before.json"
        OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:$SINK_PORT BENCH_CONCURRENCY=64 \
          "$ROOT/scripts/with-stack.sh" "$ROOT/bench/endpoints.sh" "$out" "$endpoint" || status=$?
        cp "$RAW/sink_counts.json" "$RAW/$endpoint.round$round.after.json" 2>/dev/null || true
      else
        env -u OTEL_EXPORTER_OTLP_ENDPOINT -u OTEL_EXPORTER_OTLP_TRACES_ENDPOINT BENCH_CONCURRENCY=64 \
          "$ROOT/scripts/with-stack.sh" "$ROOT/bench/endpoints.sh" "$out" "$endpoint" || status=$?
      fi
    done
  done
done
python3 "$ROOT/bench/tracing_report.py" "$RAW" "$RESULTS" "$ROUNDS"
exit $status
