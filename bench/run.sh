#!/bin/sh
# `make bench`: runs every benchmark, bench/<name>/run.sh with its defaults,
# or only the names given (bench/run.sh deliver). Each bench is its own
# folder and script (its arguments are its own), uses the release build in
# build/ (make bench builds it), and states its speed as a ratio to a named
# peer measured in the same run; the numbers go into docs/BENCHMARKS.md by
# hand, with machine and date.
set -eu
cd "$(dirname "$0")/.."
if [ $# -gt 0 ]; then
  scripts=$(for n in "$@"; do echo "bench/$n/run.sh"; done)
else
  scripts=$(ls bench/*/run.sh)
fi
status=0
for s in $scripts; do
  echo "== $s"
  "$s" || { echo "bench: $s failed" >&2; status=1; }
done
exit $status
