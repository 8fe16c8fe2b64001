#!/bin/sh
# PostgreSQL goes away mid-stream and comes back. An MTA's worth of
# `abusedesk deliver` runs keeps going meanwhile: while the database is down
# deliver exits 75 (the MTA keeps the message and retries), never 0; when
# it returns, delivery resumes by itself. Afterwards every message the MTA
# was told "stored" (exit 0) is there exactly once, and the retried ones
# too. Uses a cluster of its own (it stops it), so PostgreSQL only.
. "$ABUSEDESK_SRC/tests/e2e/db_lib.sh"
pgctl="$ABUSEDESK_SRC/tests/pg/pg-ctl.sh"
eval "$("$ABUSEDESK_SRC/tests/pg/pg-start.sh")" || e2e_skip "cannot start a PostgreSQL cluster"
pgdir=$ABUSEDESK_TEST_PG_DIR
e2e_on_exit "'$ABUSEDESK_SRC/tests/pg/pg-stop.sh' '$pgdir'"
db=$ABUSEDESK_TEST_PG
M=${E2E_OUTAGE_N:-120}
ad() { "$AD" --db "$db" --set log.level=error "$@"; }
ad init >/dev/null

# The MTA: delivers 1..M in order, retrying each on 75 like a queue would.
mta() {
  i=1
  while [ $i -le $M ]; do
    tries=0
    while :; do
      set +e
      printf 'From: o%d@uni.example\r\nSubject: outage %d\r\n\r\nbody %d\r\n' $i $i $i |
        ad deliver --sender "o$i@uni.example" --recipient irt@csirt.example 2>/dev/null
      rc=$?
      set -e
      echo "$i $rc" >> "$T/attempts"
      [ $rc -eq 0 ] && break
      [ $rc -eq 75 ] || { echo "$i exit $rc" >> "$T/bad"; break; }
      tries=$((tries + 1))
      [ $tries -lt 300 ] || { echo "$i gave up" >> "$T/bad"; break; }
      sleep 0.1
    done
    i=$((i + 1))
  done
}
mta & mpid=$!
e2e_on_exit "kill $mpid"
n=0
while [ "$(grep -c ' 0$' "$T/attempts" 2>/dev/null || echo 0)" -lt $((M / 4)) ]; do
  sleep 0.1; n=$((n + 1)); [ $n -lt 600 ] || e2e_fail "delivery did not start"
done
"$pgctl" "$pgdir" stop
sleep 2
down=$(grep -c ' 75$' "$T/attempts" || true)
"$pgctl" "$pgdir" start
wait $mpid || true

[ ! -s "$T/bad" ] || e2e_fail "deliver answered other than 0 or 75: $(cat "$T/bad")"
[ "$down" -gt 0 ] || e2e_fail "no delivery hit the outage (no exit 75 while PostgreSQL was down)"
acked=$(grep -c ' 0$' "$T/attempts")
[ "$acked" -eq $M ] || e2e_fail "stored after retries: got $acked, want $M"
ad process >/dev/null || e2e_fail "process after the outage exited $?"
ad ticket list --status any --limit 10000 --json > "$T/t.json"
python3 - "$T/t.json" $M <<'PY' || e2e_fail "tickets after the outage"
import json, sys
t = json.load(open(sys.argv[1])); m = int(sys.argv[2])
subj = sorted(x["subject"] for x in t)
assert subj == sorted(f"outage {i}" for i in range(1, m + 1)), f"got {len(t)} tickets, want {m}, one per message"
PY
echo "pg_outage: ok ($M messages, $down deliveries answered 75 during the outage, none lost or doubled)"
