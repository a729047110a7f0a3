#!/usr/bin/env bash
# The host's overhead: `devhost up` serving fixture-hello (the smallest component: a fresh
# instance per request, nothing else), measured with wrk at 1 and 32 connections.
# Writes crates/devhost/BENCHMARK.md. Usage: make bench-host [DURATION=10s]
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${DURATION:-10s}
OUT=crates/devhost/BENCHMARK.md

command -v wrk >/dev/null || { echo "bench-host needs wrk (apt-get install wrk)" >&2; exit 1; }
cargo build --release -q -p devhost
cargo build --release -q --target wasm32-wasip2 -p fixture-hello

work=$(mktemp -d)
cleanup() {
  if [[ -n "${host_pid:-}" ]]; then kill -TERM "$host_pid" 2>/dev/null || true; wait "$host_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

cat >"$work/spin.toml" <<EOF
spin_manifest_version = 2
[application]
name = "bench"
[[trigger.http]]
route = "/..."
component = "hello"
[component.hello]
source = "$PWD/target/wasm32-wasip2/release/fixture_hello.wasm"
EOF

target/release/devhost up --from "$work/spin.toml" --listen 127.0.0.1:0 >"$work/stdout" 2>"$work/stderr" &
host_pid=$!
for _ in $(seq 100); do
  url=$(sed -n 's/^Serving //p' "$work/stdout")
  [[ -n "$url" ]] && break
  sleep 0.1
done
[[ -n "$url" ]] || { cat "$work/stderr" >&2; exit 1; }
[[ "$(curl -fsS "$url/")" == hello ]] || { echo "fixture-hello did not answer" >&2; exit 1; }

load=$(cut -d' ' -f1-3 /proc/loadavg)
wrk -t 1 -c 8 -d 2s "$url/" >/dev/null # warm-up

# "| c | req/s | p50 | p99 |" for one concurrency
measure() {
  local connections=$1 threads=$(( $1 < 2 ? 1 : 2 ))
  wrk -t "$threads" -c "$connections" -d "$DURATION" --latency "$url/" >"$work/wrk-$connections"
  local rps p50 p99 errors
  rps=$(awk '/^Requests\/sec/ {printf "%.0f", $2}' "$work/wrk-$connections")
  p50=$(awk '$1 == "50%" {print $2}' "$work/wrk-$connections")
  p99=$(awk '$1 == "99%" {print $2}' "$work/wrk-$connections")
  errors=$(awk '/Non-2xx|Socket errors/ {print}' "$work/wrk-$connections")
  [[ -z "$errors" ]] || { echo "errors at c=$connections: $errors" >&2; exit 1; }
  echo "| $connections | $rps | $p50 | $p99 |"
}
rows=$(measure 1; measure 32)

cat >"$OUT" <<EOF
# devhost overhead benchmark

\`devhost up\` serving \`fixture-hello\` (\`crates/devhost/fixtures/hello\`: a component that
answers \`200 hello\`), so the figures are the host's own cost per request: HTTP/1.1 keep-alive
connection, routing, Spin headers, a fresh pre-instantiated component instance from the pooling
allocator, the guest call and the response.

| connections | requests/s | p50 latency | p99 latency |
|---:|---:|---:|---:|
$rows

Measured $(date -u +%Y-%m-%d) with wrk $(wrk -v 2>&1 | awk 'NR==1 {print $2}') for $DURATION per row,
on $(nproc) cores ($(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)), wrk and the host
sharing the same machine (wrk uses 1 thread at 1 connection, 2 at 32); release build; host run
with \`RUST_LIB_BACKTRACE=0\` (the Makefile's: no backtrace in error values). Load average before
the run: $load (other builds on the machine lower the figures).

Reproduce: \`make bench-host\` (or \`crates/devhost/bench.sh\`; \`DURATION=30s\` for longer runs).
EOF
cat "$OUT"
