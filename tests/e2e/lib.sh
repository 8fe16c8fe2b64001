# Shared by the e2e scripts: a temp dir torn down by a trap, free loopback
# ports, Postfix's smtp-sink as the relay, and small assertions.
# Usage in a script:  . "$(dirname "$0")/lib.sh" "$@"   (first argument: abusedesk)
set -eu
AD=${1:?usage: $0 path/to/abusedesk}
case $AD in /*) ;; *) AD=$(pwd)/$AD ;; esac
E2E_DIR=$(cd "$(dirname "$0")" && pwd)
SRC_DIR=$(cd "$E2E_DIR/../.." && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/abusedesk-e2e.XXXXXX")
chmod 755 "$WORK"
. "$E2E_DIR/backend.sh"
# The test's store, on the backend of the run (backend.sh).
DB=$(e2e_store_url "$WORK" desk)
SINK_PID=
FAILS=0

cleanup() {
  [ -n "$SINK_PID" ] && kill "$SINK_PID" 2>/dev/null && wait "$SINK_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The desk with this test's store; extra arguments pass through.
ad() { "$AD" --db "$DB" "$@"; }

fail() { echo "FAIL: $*" >&2; FAILS=$((FAILS + 1)); }
ok() { echo "ok: $*"; }
# check DESCRIPTION COMMAND...: the command must succeed.
check() { d=$1; shift; if "$@"; then ok "$d"; else fail "$d"; fi; }
finish() { if [ "$FAILS" -ne 0 ]; then echo "$FAILS check(s) failed" >&2; exit 1; fi; echo "all checks passed"; }

# A loopback port nobody listens on right now.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# JSON field from stdin: json_get 'expression on v' (python syntax).
json_get() { python3 -c "import json,sys; v=json.load(sys.stdin); print($1)"; }

# Starts smtp-sink on a free loopback port, one dump file per transaction
# in $SINK_DIR. Sets SINK_PORT. smtp-sink must drop root to write there.
# Extra smtp-sink options (e.g. -r RCPT) may be given; SINK_PORT may be
# preset to restart a sink on the same port.
start_sink() {
  SINK_DIR=$WORK/sink
  mkdir -p "$SINK_DIR"
  chmod 777 "$SINK_DIR"
  user_opt=
  [ "$(id -u)" -eq 0 ] && user_opt="-u nobody"
  for try in 1 2 3 4 5; do
    [ -n "${SINK_PORT:-}" ] && [ "$try" -eq 1 ] || SINK_PORT=$(free_port)
    # shellcheck disable=SC2086
    smtp-sink $user_opt "$@" -d "$SINK_DIR/msg." "127.0.0.1:$SINK_PORT" 16 &
    SINK_PID=$!
    for i in $(seq 50); do
      if (exec 3<>"/dev/tcp/127.0.0.1/$SINK_PORT") 2>/dev/null; then return 0; fi
      kill -0 "$SINK_PID" 2>/dev/null || break
      sleep 0.1
    done
    kill "$SINK_PID" 2>/dev/null || true
    wait "$SINK_PID" 2>/dev/null || true
    SINK_PID=
  done
  echo "cannot start smtp-sink" >&2
  exit 1
}

stop_sink() {
  [ -n "$SINK_PID" ] && kill "$SINK_PID" 2>/dev/null && wait "$SINK_PID" 2>/dev/null || true
  SINK_PID=
  return 0
}

# Number of complete transactions smtp-sink has written.
sink_count() { find "$SINK_DIR" -type f -name 'msg.*' | wc -l; }
# Waits until smtp-sink holds n messages (it writes them asynchronously).
sink_wait() {
  for i in $(seq 50); do [ "$(sink_count)" -ge "$1" ] && return 0; sleep 0.1; done
  return 1
}
