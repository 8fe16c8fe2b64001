#!/bin/sh
# `make bench`: runs every benchmark, bench/<name>/run.sh BUILD_DIR, or only
# the names given (bench/run.sh deliver). Each bench is its own folder and
# script, uses the release build in build/ (make bench builds it), and
# states its speed as a ratio to a named peer measured in the same run; the
# numbers go into docs/BENCHMARKS.md by hand, with machine and date.
set -eu
cd "$(dirname "$0")/.."
build=${BENCH_BUILD:-build}
if [ $# -gt 0 ]; then
  scripts=$(for n in "$@"; do echo "bench/$n/run.sh"; done)
else
  scripts=$(ls bench/*/run.sh)
fi
status=0
for s in $scripts; do
  echo "== $s"
  "$s" "$build" || { echo "bench: $s failed" >&2; status=1; }
done
exit $status
