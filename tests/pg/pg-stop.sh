#!/bin/sh
# Stops the cluster pg-start.sh started and removes its directory.
#   tests/pg/pg-stop.sh [DIR]     (default: $ABUSEDESK_TEST_PG_DIR)
set -eu
dir=${1:-${ABUSEDESK_TEST_PG_DIR:-}}
[ -n "$dir" ] && [ -d "$dir/data" ] || exit 0
bindir=${ABUSEDESK_TEST_PG_BIN:-}
if [ -z "$bindir" ]; then
  for d in /usr/lib/postgresql/*/bin; do [ -x "$d/pg_ctl" ] && bindir=$d; done
fi
run=""
[ "$(id -u)" -eq 0 ] && run="runuser -u postgres --"
$run "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
rm -rf "$dir"
