#!/usr/bin/env bash
# schemathesis.sh: property-based run of api/openapi.yaml against the app at APP_URL, with all
# checks (no 5xx, documented statuses, headers and bodies, valid input accepted, invalid input
# refused, 405 + Allow for other methods). Without APP_URL, it starts a throwaway stack
# (scripts/with-stack.sh) and runs against that.
#   SCHEMATHESIS_MAX_EXAMPLES (default 100) test cases per operation and phase
#   SCHEMATHESIS_SEED (default 1, so CI is reproducible; vary it to explore)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)

if [ -z "${APP_URL:-}" ]; then
  exec "$ROOT/scripts/with-stack.sh" "$0" "$@"
fi

command -v schemathesis >/dev/null || {
  echo "schemathesis is not installed: pip install -r requirements-dev.txt" >&2
  exit 1
}

# The session of the client schemathesis plays (scripts/schemathesis.toml): 256 random bits.
TODO_SESSION=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
export TODO_SESSION

# Run inside target/ so Hypothesis' caches and the report stay out of the work tree.
WORKDIR="$ROOT/target/schemathesis"
mkdir -p "$WORKDIR"
cd "$WORKDIR"
schemathesis --config-file "$ROOT/scripts/schemathesis.toml" run "$ROOT/api/openapi.yaml" \
  --url "$APP_URL" \
  --checks all \
  --max-examples "${SCHEMATHESIS_MAX_EXAMPLES:-100}" \
  --seed "${SCHEMATHESIS_SEED:-1}" \
  --request-timeout 10 \
  --generation-database none \
  --report junit --report-dir "$WORKDIR" \
  --no-color \
  "$@"
