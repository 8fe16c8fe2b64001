#!/bin/sh
# `make bench`: every benchmark under bench/<name>/bench_<name>.sh against
# the release build; results are written up in docs/BENCHMARKS.md.
set -eu
cd "$(dirname "$0")/.."
for b in bench/*/bench_*.sh; do
  echo "== $b"
  bash "$b" ./build/abusedesk
done
