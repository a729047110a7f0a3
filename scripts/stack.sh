# shellcheck shell=bash
# Functions to run the app's processes locally; sourced by scripts/up.sh and scripts/with-stack.sh.
# The processes: PostgreSQL, the migrations, the image sidecar, and `spin up`.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PG_BIN=${PG_BIN:-$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n 1)}
STACK_PIDS=()
# Bounds every database URL carries (connect and keepalive timeouts, statement and lock timeouts),
# one line shared with crates/testkit; Spin adds none of its own.
# shellcheck disable=SC2034 # used by up.sh and with-stack.sh, which source this file
DB_URL_BOUNDS=$(<"$ROOT/scripts/db-url-bounds")

# on_exit FUNCTION: FUNCTION runs when the script ends, however it ends; a Ctrl-C or TERM ends it
# (status 130). Neither can cut FUNCTION short, not even the second TERM that make sends its recipe
# on top of the one a terminal or supervisor sends to the whole process group.
on_exit() {
  # shellcheck disable=SC2064 # the function's name is meant to be expanded now
  trap "trap '' INT TERM; $1" EXIT
  trap "trap '' INT TERM; exit 130" INT TERM
}

log() {
  if [ -t 2 ]; then printf '\033[1m==> %s\033[0m\n' "$*" >&2; else printf '==> %s\n' "$*" >&2; fi
}

# PostgreSQL refuses to run as root: run its tools as the postgres user then.
if [ "$(id -u)" = 0 ]; then AS_POSTGRES=(runuser -u postgres --); else AS_POSTGRES=(); fi

# pg_tool TOOL ARGS...: a PostgreSQL tool as its user, in a session of its own, so that a Ctrl-C or
# TERM sent to the caller's process group cannot cut an initdb, a start or a stop short (the
# caller's trap runs once it is done): the caller's cleanup then always knows whether a server runs.
pg_tool() {
  setsid --wait "${AS_POSTGRES[@]}" "$PG_BIN/$1" "${@:2}"
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
    pg_tool initdb -D "$dir" -U postgres --auth=trust -E UTF8 --no-sync >/dev/null
  fi
  pg_tool pg_ctl -D "$dir" -l "$dir/server.log" -w -s start \
    -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$dir -c max_connections=300"
}

# throwaway_postgres NAME: a fresh PostgreSQL in a new directory /tmp/NAME.XXXXXX (WORK) on a free
# port (PG_PORT); it, the directory and every process the script started go when the script ends.
throwaway_postgres() {
  WORK=$(mktemp -d "/tmp/$1.XXXXXX")
  chmod 755 "$WORK"
  PG_PORT=$(free_port)
  on_exit throwaway_cleanup
  pg_start "$WORK/postgres" "$PG_PORT"
}

# psql_in DATABASE [PSQL ARGS...]: psql on the throwaway server, stopping at the first error.
psql_in() { "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U postgres -d "$@"; }

throwaway_cleanup() {
  stop_processes
  pg_stop "$WORK/postgres"
  rm -rf "$WORK"
}

pg_stop() {
  pg_tool pg_ctl -D "$1" -m fast -w -s stop || true
}

# pg_stop_stale DIR: stops a server that an earlier run left on DIR (one killed before its cleanup
# ran), saying so; its port or settings may not be this run's.
pg_stop_stale() {
  local dir=$1
  [ -f "$dir/postmaster.pid" ] && pg_tool pg_ctl -D "$dir" status >/dev/null 2>&1 || return 0
  log "PostgreSQL left running on ${dir#"$ROOT"/} by an earlier run (pid $(head -n 1 "$dir/postmaster.pid")): stopping it"
  pg_stop "$dir"
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

# start_app LISTEN DB_URL DB_HOST IMAGE_HOST: `spin up` of the app in the background (APP_MANIFEST:
# another manifest than the root spin.toml).
start_app() {
  local listen=$1
  export SPIN_VARIABLE_DB_URL=$2 SPIN_VARIABLE_DB_HOST=$3 SPIN_VARIABLE_IMAGE_SERVICE_HOST=$4
  command -v spin >/dev/null || { log "no spin on PATH: run make deps (or make up, which runs it)"; return 1; }
  log "serving with spin $(spin --version | cut -d' ' -f2) (spin up)"
  spin up --from "${APP_MANIFEST:-$ROOT/spin.toml}" --listen "$listen" &
  STACK_PIDS+=($!)
  wait_for_http "http://$listen/healthz"
}

stop_processes() {
  local pid
  for pid in "${STACK_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${STACK_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  STACK_PIDS=()
}
