#!/bin/sh
# Starts a throwaway PostgreSQL cluster for the tests and prints the shell
# lines that point the tests at it:
#   eval "$(tests/pg/pg-start.sh)"      ... tests ...      tests/pg/pg-stop.sh
# prints  ABUSEDESK_TEST_PG='postgresql:///postgres?host=DIR&port=PORT'
#         ABUSEDESK_TEST_PG_DIR=DIR; export ...
# The cluster lives in a fresh temporary directory, listens only on a Unix
# socket in that directory (no TCP at all unless PGTEST_TCP=1, then on
# 127.0.0.1 at a free port), runs with fsync off (it is thrown away; with
# PGTEST_DURABLE=1 it keeps PostgreSQL's durable defaults, for bench/), and
# belongs to an unprivileged user: as root, the "postgres" user of Debian's
# postgresql package. Needs /usr/lib/postgresql/<version>/bin (Debian 12: 15).
set -eu
bindir=${PG_BINDIR:-}
if [ -z "$bindir" ]; then
  for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && bindir=$d; done
fi
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
  echo "pg-start: no PostgreSQL server found (apt-get install postgresql)" >&2
  exit 69
fi
dir=$(mktemp -d "${TMPDIR:-/tmp}/abusedesk-pg.XXXXXX")
if [ "$(id -u)" -eq 0 ]; then
  run="runuser -u postgres --"
  chown postgres "$dir"
else
  run=""
fi
chmod 700 "$dir"
# A port number is needed even for a Unix socket (it names the socket file);
# with TCP it must be free on 127.0.0.1.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
listen="''"
[ "${PGTEST_TCP:-0}" = 1 ] && listen=127.0.0.1
$run "$bindir/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 || {
  cat "$dir/initdb.log" >&2; rm -rf "$dir"; exit 1; }
# Settings go into the cluster's own config so that pg-ctl.sh can stop and
# start it again (outage tests) with the same socket and port.
cat >> "$dir/data/postgresql.conf" <<CONF
listen_addresses = $listen
port = $port
unix_socket_directories = '$dir'
max_connections = 200
CONF
[ "${PGTEST_DURABLE:-0}" = 1 ] || printf 'fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n' >> "$dir/data/postgresql.conf"
echo "$bindir" > "$dir/bindir"
"$(dirname "$0")/pg-ctl.sh" "$dir" start || { rm -rf "$dir"; exit 1; }
chmod 755 "$dir"	# clients (the tests, as any user) reach the socket
url="postgresql:///postgres?host=$dir&port=$port&user=postgres"
echo "ABUSEDESK_TEST_PG='$url'; ABUSEDESK_TEST_PG_DIR='$dir'; ABUSEDESK_TEST_PG_BIN='$bindir'"
echo "export ABUSEDESK_TEST_PG ABUSEDESK_TEST_PG_DIR ABUSEDESK_TEST_PG_BIN"
