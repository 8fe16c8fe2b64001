#!/bin/sh
# `make bench`: runs every benchmark script in bench/ (each one its own
# script, printing its results), or only those named: bench/run.sh deliver
# Benchmarks use the release build in build/ (make bench builds it) and
# state their speed as a ratio to a named peer measured in the same run;
# the numbers go into docs/BENCHMARKS.md by hand, with machine and date.
set -eu
cd "$(dirname "$0")/.."
export ABUSEDESK=${ABUSEDESK:-$(pwd)/build/abusedesk}
[ -x "$ABUSEDESK" ] || { echo "bench: build first (make bench does): $ABUSEDESK" >&2; exit 1; }
if [ $# -gt 0 ]; then
  scripts=$(for n in "$@"; do echo "bench/$n.sh"; done)
else
  scripts=$(ls bench/*.sh | grep -v '^bench/run\.sh$')
fi
status=0
for s in $scripts; do
  echo "== $s"
  "$s" || { echo "bench: $s failed" >&2; status=1; }
done
exit $status
