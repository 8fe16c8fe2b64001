#!/bin/sh
# Stops the cluster pg-start.sh started and removes its directory.
#   tests/pg/pg-stop.sh [DIR]     (default: $ABUSEDESK_TEST_PG_DIR)
set -eu
dir=${1:-${ABUSEDESK_TEST_PG_DIR:-}}
[ -n "$dir" ] && [ -d "$dir/data" ] || exit 0
"$(dirname "$0")/pg-ctl.sh" "$dir" kill || true
rm -rf "$dir"
