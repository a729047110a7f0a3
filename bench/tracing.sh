#!/usr/bin/env bash
# tracing.sh: the cost of exporting traces. The list and create endpoints under wrk at 64
# connections on Spin 3.6.3 in three modes, interleaved within each round so that all see the
# same machine, each run on its own throwaway stack: `off` (no OTLP endpoint), `on` (Spin and the
# sidecar send traces and metrics, as deployed, to a local receiver, bench/otlp_sink.py; every
# request is sampled) and `unsampled` (export on, every request arrives with a traceparent whose
# sampled flag is 0, as from an edge that samples). Writes bench/results/tracing.{json,md}:
# throughput and CPU per request, their on/off ratios per round and the medians. Raw output:
# artifacts/bench/tracing/.
# Env: BENCH_DURATION (10s), TRACING_ROUNDS (3), BENCH_RESULTS (bench/results).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
RAW=$ROOT/artifacts/bench/tracing
RESULTS=${BENCH_RESULTS:-$ROOT/bench/results}
ROUNDS=${TRACING_ROUNDS:-3}
command -v wrk >/dev/null || { echo "tracing.sh: wrk is missing (make bench-deps)" >&2; exit 1; }
command -v spin >/dev/null || { echo "tracing.sh: no spin on PATH (make bench runs make deps, which installs it)" >&2; exit 1; }
source "$ROOT/scripts/stack.sh"

rm -rf "$RAW" && mkdir -p "$RAW"
SINK_PORT=$(free_port)
python3 "$ROOT/bench/otlp_sink.py" "$SINK_PORT" "$RAW/sink_counts.json" &
SINK_PID=$!
trap 'kill "$SINK_PID" 2>/dev/null || true' EXIT

status=0
for round in $(seq "$ROUNDS"); do
  for mode in off on unsampled; do
    for endpoint in todos_list todo_create; do
      out=$RAW/$mode/round$round
      if [ "$mode" = off ]; then
        env -u OTEL_EXPORTER_OTLP_ENDPOINT -u OTEL_EXPORTER_OTLP_TRACES_ENDPOINT \
          -u OTEL_EXPORTER_OTLP_METRICS_ENDPOINT BENCH_CONCURRENCY=64 \
          "$ROOT/scripts/with-stack.sh" "$ROOT/bench/endpoints.sh" "$out" "$endpoint" || status=$?
        continue
      fi
      traceparent=
      [ "$mode" = unsampled ] && traceparent=00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00
      spans_before=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["spans"])' "$RAW/sink_counts.json" 2>/dev/null || echo 0)
      # As the executor configures SpinKube: traces and metrics, no logs over OTLP.
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=http://127.0.0.1:$SINK_PORT/v1/traces \
        OTEL_EXPORTER_OTLP_METRICS_ENDPOINT=http://127.0.0.1:$SINK_PORT/v1/metrics \
        BENCH_TRACEPARENT=$traceparent BENCH_CONCURRENCY=64 \
        "$ROOT/scripts/with-stack.sh" "$ROOT/bench/endpoints.sh" "$out" "$endpoint" || status=$?
      spans_after=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["spans"])' "$RAW/sink_counts.json" 2>/dev/null || echo 0)
      echo "{\"spans\":$((spans_after - spans_before))}" >"$out/$endpoint.spans.json"
    done
  done
done
python3 "$ROOT/bench/tracing_report.py" "$RAW" "$RESULTS" "$ROUNDS"
exit $status
