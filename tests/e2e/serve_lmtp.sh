#!/bin/bash
# LMTP conformance against a running `abusedesk serve`: the scripted cases
# in lmtp/*.case (mixed recipients, pipelining, RSET, over-size DATA, bad
# commands, disconnect mid-DATA, idle timeout, commands and DATA trickled a
# byte at a time), swaks over TCP and over the
# Unix socket, the one-instance lock, a SIGHUP reload, and SIGTERM -> exit 0.
# usage: serve_lmtp.sh ABUSEDESK
. "$(dirname "$0")/serve_lib.sh"
serve_lib_init "$1"
db=$(serve_lib_db desk)
serve_log=$tmp/serve.log
port=$(free_port)
sock=$tmp/lmtp.sock
conf=$tmp/abusedesk.conf
cat >"$conf" <<CONF
[desk]
other_addresses = abuse@csirt.example
message_size_max = 2048
[lmtp]
timeout_seconds = 2
[outbox]
relay = smtp://127.0.0.1:1
CONF
args="--config $conf --db $db --set lmtp.listen=127.0.0.1:$port,unix:$sock"
start_serve "$serve_log" $args
wait_port "$port" || fail "serve did not start"

for c in "$here"/lmtp/*.case; do
  $client case "$c" 127.0.0.1 "$port" || fail "case $(basename "$c")"
  echo "ok: $(basename "$c" .case)"
done

# Over the Unix socket, with a real client.
swaks --protocol LMTP --socket "$sock" --from reporter@example.org --to irt@csirt.example \
  --header "X-Case: swaks-unix" --body "scan from 192.0.2.9" >"$tmp/swaks.out" 2>&1 ||
  { cat "$tmp/swaks.out"; fail "swaks over the unix socket"; }
grep -q "^<-  250 2.0.0 queued as" "$tmp/swaks.out" || fail "swaks: no 250 after the dot"
echo "ok: swaks over unix:$sock"

# What was stored: the good messages once each, nothing of the refused or
# unfinished ones. Give the workers a moment to make tickets.
for i in $(seq 1 50); do
  [ "$(sql "select count(*) from message where direction='in' and state not in ('done','parked')")" = 0 ] && break
  sleep 0.2
done
# Which message is which is in its raw bytes (the X-Case header): read
# them from a SQLite copy of the desk (the same file on SQLite).
snapshot() { snap=$(e2e_sqlite_copy "$db" "$tmp/snapshot-$1.db"); }
snap_sql() { sqlite3 "$snap" "$1"; }
count() { snap_sql "select count(*) from message where direction='in' and instr(cast(raw as text), 'X-Case: $1' || char(10)) > 0"; }
snapshot stored
for want in mixed-recipients:1 pipelining:1 pipelining-2:1 after-oversize:1 swaks-unix:1 oversize-refused:0 disconnect:0 trickle:0; do
  name=${want%:*}; n=${want#*:}
  got=$(count "$name")
  [ "$got" = "$n" ] || fail "stored '$name' $got times, want $n"
done
echo "ok: stored what got 250, nothing else"
to=$(snap_sql "select env_to from message where instr(cast(raw as text), 'X-Case: mixed-recipients' || char(10)) > 0")
[ "$to" = "irt@csirt.example,abuse@csirt.example" ] || fail "envelope recipients '$to', want the two accepted ones"
from=$(snap_sql "select env_from from message where instr(cast(raw as text), 'X-Case: pipelining-2' || char(10)) > 0")
[ "$from" = "<>" ] || fail "null sender stored as '$from', want <>"
unprocessed=$(sql "select count(*) from message where direction='in' and (state not in ('done','parked') or ticket is null)")
[ "$unprocessed" = 0 ] || fail "$unprocessed messages not made into tickets"
echo "ok: envelopes kept, every message has a ticket"
grep -q "lmtp: queued message .* bytes from reporter@example.org to irt@csirt.example,abuse@csirt.example" "$serve_log" ||
  fail "no log line for the accepted message"
grep -q "process: message .* -> ticket " "$serve_log" || fail "no log line with the ticket"

# A second instance on the same SQLite file refuses to start (on
# PostgreSQL several nodes share one desk: pg_nodes.sh).
if ! e2e_is_pg; then
  st=0
  "$bin" --config "$conf" --db "$db" --set lmtp.listen=127.0.0.1:$(free_port) serve >"$tmp/second.log" 2>&1 || st=$?
  [ "$st" = 75 ] || fail "second serve exited $st, want 75"
  grep -q "already serving" "$tmp/second.log" || { cat "$tmp/second.log"; fail "second serve: no clear message"; }
  echo "ok: a second instance refuses: $(cat "$tmp/second.log")"
fi

# SIGHUP reloads the config: accept any recipient from now on.
$client case "$here/lmtp/mixed-recipients.case" 127.0.0.1 "$port" >/dev/null || fail "before reload"
sed -i 's/^timeout_seconds = 2$/timeout_seconds = 2\naccept_any_recipient = true/' "$conf"
grep -q "accept_any_recipient = true" "$conf" || fail "test setup: config not edited"
kill -HUP "$serve_pid"
for i in $(seq 1 50); do grep -q "configuration and templates reloaded" "$serve_log" && break; sleep 0.1; done
grep -q "configuration and templates reloaded" "$serve_log" || fail "no reload logged after SIGHUP"
cat >"$tmp/any.case" <<CASE
> LHLO client.example
> MAIL FROM:<reporter@example.org>
> RCPT TO:<stranger@elsewhere.example>
< 250 250 250
CASE
$client case "$tmp/any.case" 127.0.0.1 "$port" || fail "after SIGHUP a stranger's address is still refused"
echo "ok: SIGHUP reloaded the config"

# SIGTERM with a client silent in the middle of DATA: serve waits for it a
# while (lmtp.timeout_seconds, here 2 s; at most LMTP_SERVER_STOP_GRACE_MS
# once stopping), then drops it; nothing of its message is stored.
cat >"$tmp/stall.case" <<CASE
> LHLO client.example
> MAIL FROM:<reporter@example.org>
> RCPT TO:<irt@csirt.example>
> DATA
< 250 250 250 354
> X-Case: stalled
! wait 30
CASE
$client case "$tmp/stall.case" 127.0.0.1 "$port" >/dev/null 2>&1 &
pids="$pids $!"
sleep 1
start=$(date +%s)
stop_serve || fail "SIGTERM"
took=$(( $(date +%s) - start ))
[ "$took" -le 15 ] || fail "serve took ${took}s to stop with a stalled client, want about 10"
snapshot stopped
[ "$(count stalled)" = 0 ] || fail "the stalled message was stored"
echo "ok: a client stalled mid-DATA is dropped ${took}s after SIGTERM, nothing stored"
[ ! -e "$sock" ] || fail "the unix socket is left behind after stop"
grep -q "serve: stopped" "$serve_log" || fail "no 'stopped' in the log"
echo "ok: SIGTERM -> exit 0"
