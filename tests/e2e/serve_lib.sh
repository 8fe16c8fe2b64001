# Shared by the serve e2e tests: sourced, not run. Everything lives in a
# temp dir, listens on 127.0.0.1 ports picked at run time, and is torn down
# by the trap. Usage: . serve_lib.sh; serve_lib_init "$abusedesk"
# The store is on the backend of the run (backend.sh): serve_lib_db NAME.
set -eu

serve_lib_init() {
  bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
  here=$(cd "$(dirname "$0")" && pwd)
  tmp=$(mktemp -d "${TMPDIR:-/tmp}/abusedesk-e2e.XXXXXX")
  pids=""
  serve_pid=""
  trap serve_lib_cleanup EXIT INT TERM
  client="python3 $here/lmtp_client.py"
  . "$here/backend.sh"
  AD=$bin
}

# serve_lib_db NAME: a fresh store URL for this run's backend.
serve_lib_db() { e2e_store_url "$tmp" "$1"; }

serve_lib_cleanup() {
  for p in $serve_pid $pids; do
    kill "$p" 2>/dev/null || true
  done
  sleep 0.2
  for p in $serve_pid $pids; do
    kill -9 "$p" 2>/dev/null || true
  done
  if [ -n "${postfix_dir:-}" ]; then
    postfix_private_stop "$postfix_dir"
  fi
  if [ "${KEEP_TMP:-}" = 1 ]; then echo "kept $tmp"; else rm -rf "$tmp"; fi
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_port PORT [SECONDS]: until something accepts connections there.
wait_port() {
  python3 - "$1" "${2:-30}" <<'PY'
import socket, sys, time
end = time.time() + float(sys.argv[2])
while time.time() < end:
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.05)
print(f"nothing listens on 127.0.0.1:{sys.argv[1]}", file=sys.stderr)
sys.exit(1)
PY
}

# start_serve LOG ARGS...: abusedesk serve in the background; serve_pid.
# Its web desk on a port the kernel picks, so tests run side by side.
start_serve() {
  log=$1; shift
  "$bin" --set http.listen=127.0.0.1:0 "$@" serve >>"$log" 2>&1 &
  serve_pid=$!
}

# stop_serve: SIGTERM, and the exit status must be 0.
stop_serve() {
  kill -TERM "$serve_pid"
  st=0
  wait "$serve_pid" || st=$?
  serve_pid=""
  if [ "$st" != 0 ]; then
    echo "got exit status $st from serve after SIGTERM, want 0"
    return 1
  fi
}

fail() {
  echo "FAIL: $*"
  [ -n "${serve_log:-}" ] && [ -f "$serve_log" ] && tail -n 30 "$serve_log"
  exit 1
}

# sql SQL: on the test's store ($db), SQL meaning the same on both backends.
sql() {
  e2e_sql "$db" "$1"
}
