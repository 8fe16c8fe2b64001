#!/bin/sh
# `make bench`: runs every benchmark with its defaults -- each is its own
# script, bench/<name>/run.sh or bench/<name>.sh -- or only the names given
# (bench/run.sh deliver scans). Benchmarks use the release build in build/
# (make bench builds it) and state their speed as a ratio to a named peer
# measured in the same run; the numbers go into docs/BENCHMARKS.md by hand,
# with machine and date.
set -eu
cd "$(dirname "$0")/.."
if [ $# -gt 0 ]; then
  scripts=$(for n in "$@"; do
    if [ -x "bench/$n/run.sh" ]; then echo "bench/$n/run.sh"; else echo "bench/$n.sh"; fi
  done)
else
  scripts=$( (ls bench/*/run.sh; ls bench/*.sh | grep -v '^bench/run\.sh$'; ls bench/*/bench_*.sh) 2>/dev/null)
fi
status=0
for s in $scripts; do
  echo "== $s"
  "$s" || { echo "bench: $s failed" >&2; status=1; }
done
exit $status
