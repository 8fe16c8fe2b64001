# Shared by the store e2e scripts: . "$ABUSEDESK_SRC/tests/e2e/db_lib.sh"
# Gives: $AD (the binary), $T (a temp dir removed on exit), e2e_db (a fresh
# store URL on the backend of this run: SQLite in suite 'e2e', PostgreSQL in
# suite 'pg'; see tests/support/testdb.h), e2e_port (a free loopback port),
# e2e_fail MSG, e2e_skip MSG, e2e_on_exit CMD (run at teardown, last first).
set -eu
AD=${ABUSEDESK:?ABUSEDESK names the binary (meson sets it)}
T=$(mktemp -d "${TMPDIR:-/tmp}/abusedesk-e2e.XXXXXX")
E2E_CLEANUP=""
e2e_on_exit() { E2E_CLEANUP="$1; $E2E_CLEANUP"; }
e2e_teardown() { eval "$E2E_CLEANUP" >/dev/null 2>&1 || true; rm -rf "$T"; }
trap e2e_teardown EXIT
trap 'exit 130' INT TERM
# A script may define e2e_fail_hook to show more (logs) when it fails.
e2e_fail() { echo "FAIL: $*" >&2; if command -v e2e_fail_hook >/dev/null 2>&1; then e2e_fail_hook; fi; exit 1; }
e2e_skip() { echo "SKIP: $*" >&2; exit 77; }
. "${ABUSEDESK_SRC:?}/tests/e2e/backend.sh"
# e2e_db NAME: prints a fresh store URL (a new database on the test cluster).
e2e_db() { e2e_store_url "$T" "$1"; }
e2e_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
