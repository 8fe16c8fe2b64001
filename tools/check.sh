#!/bin/sh
# `make check`: the whole test suite, as CI runs it.
#  1. checksrc (banned functions)
#  2. gcc with AddressSanitizer + UndefinedBehaviorSanitizer, -Werror: every test
#  3. clang with the same sanitizers, -Werror, plus the libFuzzer builds
#     replaying their corpora: every test
# Store-touching tests run twice, the second time (suite 'pg') against a
# throwaway PostgreSQL cluster started here and removed at the end.
# Ends with one line "check: N passed, N failed".
set -u
cd "$(dirname "$0")/.."
./tools/checksrc.sh || exit 1

passed=0
failed=0
status=0
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1"
export LSAN_OPTIONS="suppressions=$(pwd)/tools/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"

# The cluster for suite 'pg' (tests/support/testdb.h). Without it the pg
# tests would skip, so a cluster that does not start fails the check.
pgenv=$(./tests/pg/pg-start.sh) || { echo "check: cannot start the test PostgreSQL cluster" >&2; echo "check: 0 passed, 1 failed"; exit 1; }
eval "$pgenv"
trap './tests/pg/pg-stop.sh "$ABUSEDESK_TEST_PG_DIR"' EXIT
trap 'exit 130' INT TERM

run_suite() {
  dir=$1; cc=$2; shift 2
  if [ ! -f "$dir/build.ninja" ]; then
    CC=$cc meson setup "$dir" -Db_sanitize=address,undefined -Db_lundef=false "$@" >/dev/null || { status=1; return; }
  fi
  ninja -C "$dir" >/dev/null || { ninja -C "$dir"; status=1; return; }
  log=$(mktemp)
  meson test -C "$dir" --print-errorlogs --num-processes 2 --timeout-multiplier 3 2>&1 | tee "$log"
  [ "${PIPESTATUS:-0}" = 0 ] || true
  ok=$(awk '/^Ok:/ {print $2}' "$log"); ok=${ok:-0}
  bad=$(awk '/^(Fail|Unexpected Pass|Timeout):/ {s+=$2} END {print s+0}' "$log")
  grep -q '^Ok:' "$log" || bad=$((bad + 1))
  passed=$((passed + ok)); failed=$((failed + bad))
  [ "$bad" -eq 0 ] || status=1
  rm -f "$log"
}

run_suite build-gcc gcc
run_suite build-clang clang -Dfuzzing=true
echo "check: $passed passed, $failed failed"
exit $status
