#!/bin/sh
# `make fuzz`: runs every libFuzzer target (built by build-clang with
# -Dfuzzing=true) over its corpus for FUZZ_SECONDS each (default 60), one
# after another on one core, then prints per target how many executions ran
# and whether anything was found. A finding is left as fuzz/<t>/crash-*;
# move it to fuzz/<t>/regress/ with the fix so that every test run replays it.
set -u
cd "$(dirname "$0")/.."
secs=${FUZZ_SECONDS:-60}
dir=build-clang
if [ ! -f "$dir/build.ninja" ]; then
  CC=clang meson setup "$dir" -Db_sanitize=address,undefined -Db_lundef=false -Dfuzzing=true >/dev/null || exit 1
fi
ninja -C "$dir" >/dev/null || exit 1
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"
export LSAN_OPTIONS="suppressions=$(pwd)/tools/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
status=0
for t in $(sed -n "s/^fuzz_targets = \[\(.*\)\]/\1/p" fuzz/meson.build | tr ',' '\n' | tr -d "' "); do
  case " ${FUZZ_TARGETS:-$t} " in *" $t "*) ;; *) continue ;; esac
  bin="$dir/fuzz/fuzz-$t"
  [ -x "$bin" ] || { echo "fuzz: $t: $bin not built"; status=1; continue; }
  work=$(mktemp -d)
  cp -r "fuzz/$t/corpus/." "$work/" 2>/dev/null
  log="$work.log"
  nice "$bin" -max_total_time="$secs" -max_len=65536 -artifact_prefix="fuzz/$t/" -print_final_stats=1 "$work" >"$log" 2>&1
  rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  if [ $rc -eq 0 ]; then
    echo "fuzz: $t: ${execs:-?} executions in ${secs}s, no finding"
    rm -f "$log"
  else
    echo "fuzz: $t: FINDING after ${execs:-?} executions (see fuzz/$t/crash-* and $log)"
    status=1
  fi
  rm -rf "$work"
done
exit $status
