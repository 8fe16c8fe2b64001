#!/bin/bash
# Graceful stop: SIGTERM while reports are streaming in. serve must exit 0
# promptly, sessions mid-transaction finish (committed and answered), idle
# ones hear 421; after a restart the client (retrying like an MTA) gets the
# rest through, and nothing acknowledged is lost or doubled.
# usage: serve_sigterm.sh ABUSEDESK
. "$(dirname "$0")/serve_lib.sh"
serve_lib_init "$1"
db=$(serve_lib_db desk)
serve_log=$tmp/serve.log
port=$(free_port)
args="--db $db --set lmtp.listen=127.0.0.1:$port --set outbox.relay=smtp://127.0.0.1:1 --set log.level=warning"
start_serve "$serve_log" $args
wait_port "$port" || fail "serve did not start"

$client stream 127.0.0.1 "$port" --total 6000 --sessions 6 --per-session 10 --pause 5 --tag term \
  --out "$tmp/outcome" --deadline 120 >"$tmp/stream.out" 2>&1 &
stream_pid=$!
pids="$pids $stream_pid"
for round in 1 2; do
  # SIGTERM on progress, not on a clock: a third and two thirds of the
  # stream stored, so it lands mid-stream on a fast or a loaded machine.
  for i in $(seq 600); do
    [ "$(sql "select count(*) from message where direction='in'")" -ge $((round * 2000)) ] && break
    sleep 0.1
  done
  before=$(sql "select count(*) from message where direction='in'")
  start=$(date +%s)
  stop_serve || fail "SIGTERM round $round"
  took=$(( $(date +%s) - start ))
  echo "SIGTERM $round: exit 0 after ${took}s with $before+ messages stored"
  [ "$took" -le 10 ] || fail "serve took ${took}s to stop, want a prompt stop"
  kill -0 "$stream_pid" 2>/dev/null || fail "the stream ended before SIGTERM $round; make it longer"
  sleep 0.5
  start_serve "$serve_log" $args
  wait_port "$port" || fail "serve did not restart"
done
st=0
wait "$stream_pid" || st=$?
cat "$tmp/stream.out"
[ "$st" = 0 ] || fail "the client could not get everything acknowledged"
for i in $(seq 1 200); do
  [ "$(sql "select count(*) from message where direction='in' and state not in ('done','parked')")" = 0 ] && break
  sleep 0.3
done
stop_serve || fail "final SIGTERM"
python3 "$here/lmtp_client.py" verify "$(e2e_sqlite_copy "$db" "$tmp/copy.db")" "$tmp/outcome" || fail "verification"
