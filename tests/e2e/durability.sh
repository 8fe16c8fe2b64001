#!/bin/bash
# Durability: `deliver` is killed with SIGKILL at random points, as a
# crash or power cut would stop it. Every run that exited 0 must have left
# its message in the store exactly once; a killed run leaves it once or
# not at all, never half; and when the MTA then retries a killed run (the
# same bytes), the message is in the store exactly once.
# DURABILITY_RUNS sets the number of runs (default 300).
# On both stores (backend.sh). On SQLite the kill may land inside the
# file's own writes, so the file must also pass PRAGMA integrity_check;
# PostgreSQL's files belong to its server, which a killed client cannot
# reach into, so there only the rows are checked (the same on both: each
# run's message once, and each stored message whole).
. "$(dirname "$0")/lib.sh" "$@"
runs=${DURABILITY_RUNS:-300}
msgs=$WORK/msgs
mkdir "$msgs"
python3 - "$msgs" "$runs" <<'PY'
import random, sys
d, n = sys.argv[1], int(sys.argv[2])
r = random.Random(7)
for i in range(n):
    body = "".join("line %d of report %d: 192.0.2.%d scanned us\n" % (j, i, r.randrange(256))
                   for j in range(r.randrange(1, 400)))
    open("%s/%06d.eml" % (d, i), "w").write(
        "From: reporter%d@example.org\nTo: irt@csirt.example\nSubject: durability %d\n"
        "Message-ID: <dur-%06d@durability.test>\n\n%s" % (i % 17, i, i, body))
PY
ad init >/dev/null 2>&1

# Calibrate: the kill lands anywhere from the start to the end of a run.
# (into a store of its own, so the real runs start from an empty one)
start=$(date +%s%N)
cal=$(e2e_store_url "$WORK" calibrate)
for i in 1 2 3; do "$AD" --db "$cal" deliver --sender cal@example.org < "$msgs/000000.eml" 2>/dev/null; done
span_ms=$(( ($(date +%s%N) - start) / 3000000 + 5 ))

ok0=0; killed=0; other=0
: > "$WORK/exit0"; : > "$WORK/killed"
for i in $(seq 0 $((runs - 1))); do
  f=$(printf '%s/%06d.eml' "$msgs" "$i")
  delay=$(awk -v r="$RANDOM" -v s="$span_ms" 'BEGIN { printf "%.3f", (r % (s * 12 / 10 + 1)) / 1000.0 }')
  set +e
  # timeout's KILL takes timeout itself down too; keep bash's "Killed" quiet.
  { timeout -s KILL "$delay" "$AD" --db "$DB" deliver --sender "r$i@example.org" < "$f"; } 2>/dev/null
  rc=$?
  set -e
  case $rc in
    0) ok0=$((ok0 + 1)); echo "$i" >> "$WORK/exit0" ;;
    137) killed=$((killed + 1)); echo "$i" >> "$WORK/killed" ;;
    *) other=$((other + 1)); echo "run $i: exit $rc" >&2 ;;
  esac
done

count() {  # count FILE-OF-RUN-NUMBERS -> prints "exactly-once none more"
  python3 - "$(e2e_sqlite_copy "$DB" "$WORK/copy-$(basename "$1").db")" "$1" <<'PY'
import collections, re, sqlite3, sys
db = sqlite3.connect(sys.argv[1], timeout=10)
seen = collections.Counter()
for (raw,) in db.execute("SELECT raw FROM message WHERE direction = 'in'"):
    m = re.search(rb"<dur-(\d{6})@durability\.test>", bytes(raw))
    if m:
        seen[int(m.group(1))] += 1
runs = [int(x) for x in open(sys.argv[2]).read().split()]
once = sum(1 for r in runs if seen[r] == 1)
none = sum(1 for r in runs if seen[r] == 0)
more = sum(1 for r in runs if seen[r] > 1)
print(once, none, more)
PY
}
torn=$(e2e_sql "$DB" "SELECT count(*) FROM message WHERE size <> length(raw)")
read -r e_once e_none e_more <<<"$(count "$WORK/exit0")"
read -r k_once k_none k_more <<<"$(count "$WORK/killed")"
echo "durability: $runs runs (kill within ${span_ms}ms): $ok0 exited 0, $killed killed, $other other exits"
echo "durability: of the $ok0 that exited 0: $e_once stored exactly once, $e_none missing, $e_more duplicated"
echo "durability: of the $killed killed: $k_once stored (commit done before the kill), $k_none not stored, $k_more duplicated"
if ! e2e_is_pg; then
  integrity=$(sqlite3 -cmd ".timeout 10000" "$DB" "PRAGMA integrity_check")
  check "store integrity after the kills ($integrity)" test "$integrity" = ok
fi
check "every stored message is whole ($torn torn)" test "$torn" -eq 0
check "no other exit codes" test "$other" -eq 0
check "every run that exited 0 is stored exactly once" test "$e_once" -eq "$ok0"
check "no killed run left a duplicate" test "$k_more" -eq 0
check "some runs were killed mid-way and some completed" test "$killed" -gt 0 -a "$ok0" -gt 0

# The MTA retries each killed run with the same bytes.
for i in $(cat "$WORK/killed"); do
  ad deliver --sender "r$i@example.org" < "$(printf '%s/%06d.eml' "$msgs" "$i")" 2>/dev/null
done
cat "$WORK/exit0" "$WORK/killed" > "$WORK/all"
read -r a_once a_none a_more <<<"$(count "$WORK/all")"
echo "durability: after the MTA's retries: $a_once of $runs stored exactly once, $a_none missing, $a_more duplicated"
check "after retries every message is stored exactly once" test "$a_once" -eq "$runs"
check "processing the store gives one ticket per message" bash -c "'$AD' --db '$DB' process >/dev/null 2>&1"
n=$(e2e_sql "$DB" "SELECT count(*) FROM ticket")
check "$n tickets for $runs messages" test "$n" -eq "$runs"
finish
