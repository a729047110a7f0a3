# shellcheck shell=bash
# Functions to run the app's processes locally; sourced by scripts/up.sh and scripts/with-stack.sh.
# The processes: PostgreSQL, the migrations, the image sidecar, and the Spin host
# (`spin up` when installed, else the project's devhost).

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PG_BIN=${PG_BIN:-$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n 1)}
STACK_PIDS=()

log() {
  if [ -t 2 ]; then printf '\033[1m==> %s\033[0m\n' "$*" >&2; else printf '==> %s\n' "$*" >&2; fi
}

# PostgreSQL refuses to run as root: run its tools as the postgres user then.
as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# pg_start DIR PORT: initialise DIR on first use, then start a server on 127.0.0.1:PORT.
pg_start() {
  local dir=$1 port=$2
  if [ ! -f "$dir/PG_VERSION" ]; then
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres: "$dir"
    chmod 700 "$dir"
    as_postgres "$PG_BIN/initdb" -D "$dir" -U postgres --auth=trust -E UTF8 --no-sync >/dev/null
  fi
  as_postgres "$PG_BIN/pg_ctl" -D "$dir" -l "$dir/server.log" -w -s start \
    -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$dir -c max_connections=300"
}

pg_stop() {
  as_postgres "$PG_BIN/pg_ctl" -D "$1" -m fast -w -s stop || true
}

# wait_for_http URL [SECONDS]: until URL answers at all (any status).
wait_for_http() {
  local url=$1 deadline=$((SECONDS + ${2:-60}))
  until curl -s -o /dev/null "$url"; do
    [ $SECONDS -lt $deadline ] || { log "timed out waiting for $url"; return 1; }
    sleep 0.2
  done
}

# start_sidecar DATA_DIR LISTEN [extra env...]: the image sidecar in the background.
start_sidecar() {
  local data=$1 listen=$2; shift 2
  mkdir -p "$data"
  env IMAGE_DATA_DIR="$data" IMAGE_LISTEN="$listen" "$@" "$ROOT/target/release/image-sidecar" &
  STACK_PIDS+=($!)
  wait_for_http "http://$listen/healthz"
}

# start_app LISTEN DB_URL DB_HOST IMAGE_HOST: the Spin app in the background.
start_app() {
  local listen=$1
  export SPIN_VARIABLE_DB_URL=$2 SPIN_VARIABLE_DB_HOST=$3 SPIN_VARIABLE_IMAGE_SERVICE_HOST=$4
  if [ -z "${USE_DEVHOST:-}" ] && command -v spin >/dev/null; then
    log "serving with spin $(spin --version | cut -d' ' -f2) (spin up)"
    spin up --from "$ROOT/spin.toml" --listen "$listen" &
  else
    log "serving with the project's host (crates/devhost): spin is not installed"
    # RUST_BACKTRACE=1 makes wasmtime capture a backtrace whenever a request's store is dropped,
    # which costs about a fifth of the list's throughput: keep it for debugging sessions only.
    env -u RUST_BACKTRACE "$ROOT/target/release/devhost" up --from "$ROOT/spin.toml" --listen "$listen" &
  fi
  STACK_PIDS+=($!)
  wait_for_http "http://$listen/healthz"
}

stop_processes() {
  local pid
  for pid in "${STACK_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${STACK_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  STACK_PIDS=()
}
