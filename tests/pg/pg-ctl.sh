#!/bin/sh
# Stops or starts a cluster made by pg-start.sh, as its owner:
#   tests/pg/pg-ctl.sh DIR start|stop|kill
# stop: a fast shutdown (sessions are cut, as in a failover); kill: an
# immediate one (as in a crash). Used by the outage tests and pg-stop.sh.
set -eu
dir=$1
bindir=$(cat "$dir/bindir")
run=""
[ "$(id -u)" -eq 0 ] && run="runuser -u postgres --"
case "$2" in
start)
  $run "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 start >/dev/null 2>&1 ||
    { cat "$dir/server.log" >&2; exit 1; }
  chmod 755 "$dir" ;;
stop) $run "$bindir/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop >/dev/null ;;
kill) $run "$bindir/pg_ctl" -D "$dir/data" -m immediate -w -t 30 stop >/dev/null 2>&1 ;;
*) echo "usage: $0 DIR start|stop|kill" >&2; exit 64 ;;
esac
