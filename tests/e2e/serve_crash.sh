#!/bin/bash
# Crash test: a stream of reports over many LMTP sessions while serve is
# killed with SIGKILL several times at random moments and restarted.
#
# What is verified, exactly: our own client (lmtp_client.py stream) records
# for each of its messages whether it got 250, and retries the others with
# the same bytes as an MTA would. Afterwards every message it saw
# acknowledged is in the store exactly once, every stored message was
# processed into a ticket (or parked for an analyst), and no ticket has two
# acknowledgments. smtp-source -L runs alongside as extra load from a second
# client; it cannot say which of its messages got 250 (it only exits
# non-zero when something failed), so its messages are counted, not
# verified one by one.
# On both stores (backend.sh); on PostgreSQL the verification reads a
# SQLite copy made by `abusedesk migrate` (e2e_sqlite_copy).
# usage: serve_crash.sh ABUSEDESK   (CRASH_MESSAGES, CRASH_KILLS, CRASH_PAUSE_MS to tune)
. "$(dirname "$0")/serve_lib.sh"
serve_lib_init "$1"
total=${CRASH_MESSAGES:-5000}
kills=${CRASH_KILLS:-6}
# PostgreSQL takes the stream several times faster than SQLite: there each
# session pauses 20 ms after a message (at most 400 a second in all), so
# that the SIGKILLs, seconds apart, still land mid-stream.
pause=${CRASH_PAUSE_MS:-0}
e2e_is_pg && pause=${CRASH_PAUSE_MS:-20}
db=$(serve_lib_db desk)
serve_log=$tmp/serve.log
port=$(free_port)
relay=$(free_port)
smtp-sink -u postfix -c 127.0.0.1:"$relay" 100 >"$tmp/sink.out" 2>&1 &
pids="$pids $!"
# Short leases, so a message a killed worker held comes due again soon;
# every ticket is acknowledged (no per-sender cap), so "no ticket with two
# acknowledgments" is checked on thousands of tickets. Three workers (the
# default on SQLite is one), so claims race and a kill lands among them.
args="--db $db --set lmtp.listen=127.0.0.1:$port --set outbox.relay=smtp://127.0.0.1:$relay
  --set pipeline.lease_seconds=5 --set log.level=warning --set desk.ack_per_sender_per_hour=100000
  --set pipeline.workers=3"
start_serve "$serve_log" $args
wait_port "$port" || fail "serve did not start"

$client stream 127.0.0.1 "$port" --total "$total" --sessions 8 --per-session 25 --tag crash \
  --pause "$pause" --out "$tmp/outcome" --deadline 400 >"$tmp/stream.out" 2>&1 &
stream_pid=$!
pids="$pids $stream_pid"

# Extra load from smtp-source in a loop (it gives up when the server is
# down; the next round starts after the restart).
(
  while kill -0 "$stream_pid" 2>/dev/null; do
    if smtp-source -L -s 4 -m 50 -f load@example.org -t irt@csirt.example 127.0.0.1:"$port" 2>/dev/null; then
      echo ok >>"$tmp/source.runs"
    else
      echo failed >>"$tmp/source.runs"
      sleep 0.3
    fi
  done
) &
pids="$pids $!"

killed=0
while [ "$killed" -lt "$kills" ] && kill -0 "$stream_pid" 2>/dev/null; do
  sleep "$(python3 -c 'import random; print(round(random.uniform(0.5, 2.5), 2))')"
  kill -0 "$stream_pid" 2>/dev/null || break
  kill -9 "$serve_pid"
  wait "$serve_pid" 2>/dev/null || true
  killed=$((killed + 1))
  echo "SIGKILL $killed at $(date +%T): $(sql "select count(*) from message where direction='in'" 2>/dev/null) messages stored so far"
  sleep 0.2
  start_serve "$serve_log" $args
  wait_port "$port" || fail "serve did not restart after SIGKILL $killed"
done
st=0
wait "$stream_pid" || st=$?
cat "$tmp/stream.out"
[ "$st" = 0 ] || fail "the client could not get all its messages acknowledged before its deadline"
[ "$killed" -ge 2 ] || fail "only $killed kills happened before the stream ended; raise CRASH_MESSAGES"

# Let the desk finish what it accepted, then stop it properly.
for i in $(seq 1 600); do
  left=$(sql "select count(*) from message where direction='in' and state not in ('done','parked')")
  [ "$left" = 0 ] && break
  sleep 0.5
done
stop_serve || fail "SIGTERM after the stream"

python3 "$here/lmtp_client.py" verify "$(e2e_sqlite_copy "$db" "$tmp/copy.db")" "$tmp/outcome" || fail "verification"
ok_runs=$(grep -c '^ok' "$tmp/source.runs" 2>/dev/null || true)
bad_runs=$(grep -c '^failed' "$tmp/source.runs" 2>/dev/null || true)
load=$(sql "select count(*) from message where direction='in' and env_from='load@example.org'")
echo "smtp-source: ${ok_runs:-0} runs of 50 completed, ${bad_runs:-0} cut short by a kill; $load of its messages stored (identical messages within a run are stored once)"
echo "serve was killed $killed times; outbox: $(sql "select state || ' ' || count(*) from outbox group by state" | tr '\n' ' ')"
