# Memory readings of the serving processes; sourced by bench/endpoints.sh and loadtest/run.sh.

# pid_listening_on URL: the pid behind a local URL's port (the sidecar's: with-stack.sh names
# only the app's).
pid_listening_on() {
  local port=${1##*:}
  ss -Hltnp "sport = :${port%%/*}" | grep -o 'pid=[0-9]*' | head -n 1 | cut -d= -f2
}

# Peak RSS is the kernel's VmHWM; writing 5 to clear_refs resets it, so that a reading taken
# after a run belongs to that run alone.
reset_peak_rss() { echo 5 >"/proc/$1/clear_refs"; }
peak_rss_kib() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status"; }

# peak_rss_json APP_PID [SIDECAR_PID]: {"app_kib":N,"sidecar_kib":N}
peak_rss_json() {
  echo "{\"app_kib\":$(peak_rss_kib "$1")${2:+,\"sidecar_kib\":$(peak_rss_kib "$2")}}"
}
