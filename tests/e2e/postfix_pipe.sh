#!/bin/bash
# The Postfix pipe transport exactly as etc/postfix/ gives it, on a real
# Postfix started here (own config and queue in a temp dir, loopback
# port): a report sent by SMTP is stored with its envelope; a bounce's
# null sender arrives as "<>"; while the store is unusable `deliver` says
# 75 and Postfix keeps the message, and delivers it once the store is back.
# Needs root (Postfix's master runs as root); skipped (77) otherwise.
# On both stores (backend.sh): the transport's user (nobody) reaches the
# test cluster through its socket directory, open to all (pg-start.sh). The
# store goes away as each backend can: SQLite's file becomes unwritable,
# PostgreSQL's database stops accepting connections.
. "$(dirname "$0")/lib.sh" "$@"
[ "$(id -u)" -eq 0 ] || { echo "skip: needs root to start Postfix"; exit 77; }
command -v postfix >/dev/null && command -v swaks >/dev/null || { echo "skip: postfix or swaks missing"; exit 77; }
. "$(dirname "$0")/postfix_lib.sh"
PF=$WORK/postfix
mkdir -p "$WORK/store"
chmod 777 "$WORK/store"	# the transport runs deliver as nobody
STORE=$WORK/store/desk.db
e2e_is_pg && STORE=$DB	# lib.sh's database on the test cluster
PORT=$(free_port)
stop_postfix() { postfix_private_stop "$PF"; sleep 0.5; }
trap 'stop_postfix; cleanup' EXIT

# main.cf: a private instance, then the lines of etc/postfix/main.cf.
postfix_private_init "$PF" mx.csirt.example csirt.example "$PORT"
postfix_private_main "$PF" <<CF
mydestination = csirt.example
relayhost = [127.0.0.1]:9
CF
grep -v '^#' "$SRC_DIR/etc/postfix/main.cf" | sed "s|hash:/etc/postfix/transport|texthash:$PF/etc/transport|" | postfix_private_main "$PF"
grep -v '^#' "$SRC_DIR/etc/postfix/transport" > "$PF/etc/transport"
# master.cf: the services a minimal Postfix needs, then etc/postfix/master.cf
# with this test's binary, store and user.
grep -v '^#' "$SRC_DIR/etc/postfix/master.cf" \
  | sed -e 's/user=abusedesk/user=nobody/' \
        -e "s|/usr/local/bin/abusedesk --config /etc/abusedesk/abusedesk.conf|$AD --db ${STORE//&/\\&}|" | postfix_private_master "$PF"
# ASan's leak checker cannot run under pipe(8)'s reduced privileges.
postconf -c "$PF/etc" -e "import_environment = MAIL_CONFIG MAIL_DEBUG TZ LANG ASAN_OPTIONS=detect_leaks=0"

"$AD" --db "$STORE" init >/dev/null 2>&1
e2e_is_pg || chmod 666 "$STORE"
postfix_private_start "$PF" || exit 1
for i in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break; sleep 0.1; done

stored() { e2e_sql "$STORE" "SELECT count(*) FROM message WHERE direction = 'in' AND $1"; }
wait_stored() { for i in $(seq 100); do [ "$(stored "$1")" -ge 1 ] && return 0; sleep 0.2; done; return 1; }
send() { swaks --server "127.0.0.1:$PORT" --to "$1" --from "$2" --header "Subject: $3" --body "$4" >/dev/null 2>&1; }

check "SMTP accepts a report" send irt@csirt.example reporter@example.org "pipe report" "scan from 192.0.2.1"
check "the pipe stored it" wait_stored "env_from = 'reporter@example.org' AND env_to = 'irt@csirt.example'"
# The raw bytes, read with SQLite's SQL (a copy on PostgreSQL).
copy=$(e2e_sqlite_copy "$STORE" "$WORK/copy.db")
has_raw() { sqlite3 "$copy" "SELECT count(*) FROM message WHERE instr(CAST(raw AS TEXT), '$1') > 0"; }
check "with Delivered-To: (flag D)" test "$(has_raw 'Delivered-To: irt@csirt.example')" -ge 1
check "with Return-Path: (flag R)" test "$(has_raw 'Return-Path: <reporter@example.org>')" -ge 1
check "a bounce is accepted" send abuse@csirt.example '<>' "Undelivered Mail" "bounce text"
check "the null sender is stored as <>" wait_stored "env_from = '<>' AND env_to = 'abuse@csirt.example'"

# The store becomes unusable: deliver exits 75, Postfix keeps the message.
if e2e_is_pg; then
  store_down() { db_name=$(e2e_sql "$STORE" "SELECT current_database()"); e2e_sql "$ABUSEDESK_TEST_PG" "ALTER DATABASE $db_name ALLOW_CONNECTIONS false" >/dev/null; }
  store_back() { e2e_sql "$ABUSEDESK_TEST_PG" "ALTER DATABASE $db_name ALLOW_CONNECTIONS true" >/dev/null; }
else
  store_down() {
    chmod 444 "$STORE"; mv "$WORK/store" "$WORK/store.away"; mkdir "$WORK/store"; chmod 555 "$WORK/store"
    : > "$WORK/store/desk.db"	# a file nobody (the transport's user) cannot write
    chmod 444 "$WORK/store/desk.db"
  }
  store_back() { rm -rf "$WORK/store"; mv "$WORK/store.away" "$WORK/store"; chmod 666 "$STORE"; }
fi
store_down
check "a report while the store is down is accepted by SMTP" send irt@csirt.example late@example.org "late report" "while down"
deferred=
for i in $(seq 100); do grep -q 'status=deferred' "$PF/maillog" 2>/dev/null && { deferred=1; break; }; sleep 0.2; done
check "Postfix deferred it (deliver exited 75)" test -n "$deferred"
check "the deferral names the store" grep -q 'status=deferred.*cannot open the store\|status=deferred.*store' "$PF/maillog"
queued=$(postqueue -c "$PF/etc" -j 2>/dev/null | grep -c '"late@example.org"' || true)
check "the message waits in Postfix's queue" test "$queued" -ge 1
# The store is back: the next queue run delivers it.
store_back
postqueue -c "$PF/etc" -f
check "delivered after the store came back" wait_stored "env_from = 'late@example.org'"
n=$(stored "env_from = 'late@example.org'")
check "stored once ($n)" test "$n" -eq 1
finish
