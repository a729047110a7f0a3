# shellcheck shell=bash
# Memory and CPU readings of the stack's processes; sourced by bench/endpoints.sh and
# loadtest/run.sh.

# pid_listening_on URL: the pid behind a local URL's port (the sidecar's, PostgreSQL's:
# with-stack.sh names only the app's).
pid_listening_on() {
  local port=${1##*:}
  ss -Hltnp "sport = :${port%%/*}" | grep -o 'pid=[0-9]*' | head -n 1 | cut -d= -f2
}

# The PostgreSQL server at DB_URL: the postmaster and its backends.
postgres_pids() {
  local postmaster
  postmaster=$(pid_listening_on "$DB_URL")
  { echo "$postmaster"; ps -o pid= --ppid "$postmaster"; } | xargs
}

# Peak RSS is the kernel's VmHWM; writing 5 to clear_refs resets it to the current RSS, so that
# a reading taken after a run is the peak of that run.
reset_peak_rss() { echo 5 >"/proc/$1/clear_refs"; }
peak_rss_kib() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status"; }

# peak_rss_json APP_PID [SIDECAR_PID]: {"app_kib":N,"sidecar_kib":N}
peak_rss_json() {
  echo "{\"app_kib\":$(peak_rss_kib "$1")${2:+,\"sidecar_kib\":$(peak_rss_kib "$2")}}"
}

# cpu_ticks PID...: user + system clock ticks of the processes and of their exited children
# (a backend that ends hands its time to the postmaster); gone processes count 0.
cpu_ticks() {
  local pid stat total=0
  for pid; do
    # Read once: a process may end between a check and a read (a backend whose client left).
    stat=$(cat "/proc/$pid/stat" 2>/dev/null) || continue
    total=$((total + $(echo "${stat##*) }" | awk '{ print $12 + $13 + $14 + $15 }')))
  done
  echo "$total"
}

# machine_ticks: busy and total clock ticks of all cores (user, nice, system, irq, softirq, steal
# are busy; idle and iowait are not).
machine_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat; }
