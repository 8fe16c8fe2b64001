#!/bin/sh
# Several workers on one store, as several desk nodes would run: three
# `abusedesk process` at once, one of them killed with SIGKILL mid-stream,
# then two `outbox flush` at once into smtp-sink. Every message becomes
# exactly one ticket with a unique number, and every ticket's
# acknowledgment reaches the relay exactly once. Runs on SQLite (suite
# 'e2e': one writer at a time) and on PostgreSQL (suite 'pg': claims with
# FOR UPDATE SKIP LOCKED).
. "$ABUSEDESK_SRC/tests/e2e/db_lib.sh"
db=$(e2e_db workers)
N=${E2E_WORKERS_N:-240}
port=$(e2e_port)
ad() { "$AD" --db "$db" --set log.level=error --set pipeline.lease_seconds=5 \
  --set outbox.relay="smtp://127.0.0.1:$port" "$@"; }

ad init >/dev/null
i=0
while [ $i -lt $N ]; do
  printf 'From: r%d@uni.example\r\nTo: irt@csirt.example\r\nSubject: scan number %d\r\nMessage-ID: <w%d@uni.example>\r\n\r\nscan %d\r\n' \
    $i $i $i $i | ad deliver --sender "r$i@uni.example" --recipient irt@csirt.example
  i=$((i + 1))
done

ad process > "$T/p1.out" 2>&1 & p1=$!
ad process > "$T/p2.out" 2>&1 & p2=$!
ad process > "$T/p3.out" 2>&1 & p3=$!
e2e_on_exit "kill $p1 $p2 $p3"
# Kill one worker once the work is under way (it may hold a claim and an
# open transaction: both must come to nothing).
n=0
while [ $n -lt 200 ]; do
  done_n=$(ad ticket list --status any --limit 10000 --json 2>/dev/null | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))' 2>/dev/null || echo 0)
  [ "$done_n" -ge $((N / 5)) ] && break
  sleep 0.05; n=$((n + 1))
done
kill -KILL $p2 2>/dev/null || true
wait $p1 || e2e_fail "worker 1 exited $?: $(cat "$T/p1.out")"
wait $p3 || e2e_fail "worker 3 exited $?: $(cat "$T/p3.out")"
wait $p2 2>/dev/null || true
# A claim the killed worker held comes due when its lease (5 s) runs out.
sleep 6
ad process > "$T/p4.out" 2>&1 || e2e_fail "the last worker exited $?: $(cat "$T/p4.out")"

ad ticket list --status any --limit 10000 --json > "$T/tickets.json"
python3 - "$T/tickets.json" $N <<'PY' || e2e_fail "tickets"
import json, sys
t = json.load(open(sys.argv[1])); n = int(sys.argv[2])
nums = [x["number"] for x in t]
subjects = sorted(x["subject"] for x in t)
assert len(t) == n, f"tickets: got {len(t)}, want {n}"
assert len(set(nums)) == n, "ticket numbers repeat"
assert subjects == sorted(f"scan number {i}" for i in range(n)), "a message became two tickets or none"
PY

mkdir "$T/sink"; chmod 711 "$T"
sinkuser=""; [ "$(id -u)" -eq 0 ] && sinkuser="-u nobody" && chown nobody "$T/sink"
smtp-sink $sinkuser -d "$T/sink/%H%M%S." "127.0.0.1:$port" 64 & sink=$!
e2e_on_exit "kill $sink"
sleep 0.3
ad outbox flush > "$T/f1.out" 2>&1 & f1=$!
ad outbox flush > "$T/f2.out" 2>&1 & f2=$!
wait $f1 || e2e_fail "flush 1 exited $?: $(cat "$T/f1.out")"
wait $f2 || e2e_fail "flush 2 exited $?: $(cat "$T/f2.out")"
sleep 0.5
got=$(ls "$T/sink" | wc -l)
[ "$got" -eq $N ] || e2e_fail "acknowledgments at the relay: got $got, want $N"
uniq=$(grep -h '^To: ' "$T/sink"/* | sort -u | wc -l)
[ "$uniq" -eq $N ] || e2e_fail "distinct recipients acknowledged: got $uniq, want $N"
echo "workers: ok ($N messages -> $N tickets -> $N acknowledgments, one worker killed)"
