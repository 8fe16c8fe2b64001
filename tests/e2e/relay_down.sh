#!/bin/bash
# The relay is down, then refuses for now, then refuses for good: the
# acknowledgment stays queued with a retry time that backs off, is sent
# once the relay is back, and a permanent refusal ends as "failed" with
# the relay's words. Nothing is dropped.
. "$(dirname "$0")/lib.sh" "$@"
SINK_PORT=$(free_port)	# nobody listens here yet
opts=(--set "outbox.relay=smtp://127.0.0.1:$SINK_PORT" --set outbox.retry_base_seconds=60
      --set outbox.retry_max_seconds=600 --set outbox.send_timeout_seconds=5)
row() { ad outbox list --json | json_get "$1"; }
# Time passing is simulated by making the queued rows due now, so the test
# does not depend on how fast a loaded machine runs it.
make_due() { e2e_sql "$DB" "UPDATE outbox SET next_try = $(date +%s) - 1 WHERE state = 'queued'"; }

ad deliver --sender netops@uni-a.example.ac.uk < "$SRC_DIR/examples/01-ssh-brute-force.eml" 2>/dev/null
ad process >/dev/null 2>&1
t0=$(date +%s)
check "flush with the relay down exits 0" ad "${opts[@]}" outbox flush
state=$(row 'v[0]["state"]')
check "ack still queued (got $state)" test "$state" = queued
next=$(row 'v[0]["next_try"]')
check "retry in retry_base_seconds (next_try - start = $((next - t0)), want >= 60)" test $((next - t0)) -ge 60
err=$(row 'v[0]["last_error"]')
check "error recorded (\"$err\")" test -n "$err"
check "outbox list shows it as queued" bash -c "'$AD' --db '$DB' outbox list | grep -q queued"
# Before the retry time a flush does not try again.
ad "${opts[@]}" outbox flush >/dev/null 2>&1
n=$(row 'v[0]["attempts"]')
check "no retry before the retry time (attempts $n)" test "$n" -eq 1
make_due
t1=$(date +%s)
ad "${opts[@]}" outbox flush >/dev/null 2>&1
n=$(row 'v[0]["attempts"]'); next2=$(row 'v[0]["next_try"]')
check "retried once due (attempts $n)" test "$n" -eq 2
check "the delay doubles (next_try - now = $((next2 - t1)), want >= 120)" test $((next2 - t1)) -ge 120

# The relay comes back: the next flush once due sends it.
start_sink
make_due
check "flush with the relay back" ad "${opts[@]}" outbox flush
check "the sink received the acknowledgment" sink_wait 1
check "it is the ack of ticket 100001" grep -qF "Subject: [Janet CSIRT#100001]" "$SINK_DIR"/msg.*
state=$(row 'v[0]["state"]')
check "row is sent (got $state)" test "$state" = sent

# A relay that refuses for now (4xx): queued again; for good (5xx): failed.
printf 'From: b@example.org\nSubject: second report\nMessage-ID: <b1@example.org>\n\nscan\n' | ad deliver --sender b@example.org 2>/dev/null
ad process >/dev/null 2>&1
stop_sink
start_sink -r RCPT
ad "${opts[@]}" outbox flush >/dev/null 2>&1
state=$(row 'v[0]["state"]'); err=$(row 'v[0]["last_error"]')
check "4xx at RCPT: queued for a retry (got $state: $err)" test "$state" = queued
stop_sink
start_sink -f RCPT
make_due
ad "${opts[@]}" outbox flush >/dev/null 2>&1
state=$(row 'v[0]["state"]'); err=$(row 'v[0]["last_error"]')
check "5xx at RCPT: failed (got $state)" test "$state" = failed
check "5xx: the relay's words recorded (\"$err\")" grep -q 5 <<<"$err"
n=$(row 'len(v)')
check "both rows still listed ($n)" test "$n" -eq 2
finish
