#!/bin/sh
# bench/store: the same messages through `abusedesk deliver` (one process
# per message, as an MTA's pipe transport runs it) and `abusedesk process`
# on SQLite and on PostgreSQL in the same run, and `process` with two
# workers at once (two desk nodes) on each. Both stores are durable: SQLite
# WAL with synchronous=FULL, PostgreSQL with fsync and synchronous_commit
# on (a cluster of its own in a temporary directory, Unix socket).
# usage: bench/store/bench_store.sh [ABUSEDESK] [MESSAGES]   (a release build;
# default 2000 messages)
set -eu
AD=$(realpath "${1:-${ABUSEDESK:-./build/abusedesk}}")
SRC=$(cd "$(dirname "$0")/../.." && pwd)
N=${2:-${BENCH_MESSAGES:-2000}}
WORK=$(mktemp -d "${BENCH_TMPDIR:-/var/tmp}/abusedesk-bench.XXXXXX")
pgdir=
trap '[ -z "$pgdir" ] || "$SRC/tests/pg/pg-stop.sh" "$pgdir"; rm -rf "$WORK"' EXIT
eval "$(PGTEST_DURABLE=1 "$SRC/tests/pg/pg-start.sh")"
pgdir=$ABUSEDESK_TEST_PG_DIR
pg_db() {
  psql -X -q "$ABUSEDESK_TEST_PG" -c "CREATE DATABASE $1" >/dev/null
  echo "$ABUSEDESK_TEST_PG" | sed "s|^\(postgresql://[^/?]*/\)[^?]*|\1$1|"
}

mkdir "$WORK/msgs"
python3 - "$WORK/msgs" "$N" <<'PY'
import random, sys
d, n = sys.argv[1], int(sys.argv[2])
r = random.Random(2026)
words = "scan brute force ssh rdp port attack from our honeypot saw attempts logs timestamp utc".split()
for i in range(n):
    body = "\n".join(" ".join(r.choice(words) for _ in range(12)) + " 192.0.2.%d" % r.randrange(256)
                     for _ in range(r.randrange(1, 60)))
    msg = ("From: r%d@example%d.org\nTo: irt@csirt.example\nMessage-ID: <b%d@example.org>\n"
           "Subject: %s from 192.0.2.%d\n\n%s\n" % (r.randrange(500), r.randrange(20), i,
           r.choice(["SSH brute force", "Port scan", "Spam"]), r.randrange(256), body))
    open("%s/%06d.eml" % (d, i), "w").write(msg)
PY
now() { date +%s.%N; }
ad() { "$AD" --set log.level=error "$@"; }

# run NAME DB WORKERS: deliver all, then process with WORKERS processes.
run() {
  ad --db "$2" init >/dev/null
  t0=$(now)
  for f in "$WORK"/msgs/*.eml; do
    ad --db "$2" deliver --sender reporter@example.org --recipient irt@csirt.example < "$f"
  done
  t1=$(now)
  pids=""
  w=0
  while [ $w -lt "$3" ]; do ad --db "$2" process >/dev/null & pids="$pids $!"; w=$((w + 1)); done
  for p in $pids; do wait "$p"; done
  t2=$(now)
  n=$(ad --db "$2" ticket list --status any --limit 10000 --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
  echo "$1 $3 $t0 $t1 $t2 $n" >> "$WORK/results"
}
run sqlite "$WORK/a.db" 1
run postgresql "$(pg_db bench_a)" 1
run sqlite "$WORK/b.db" 2
run postgresql "$(pg_db bench_b)" 2

python3 - "$N" "$WORK/results" <<'PY'
import sys
n = int(sys.argv[1])
rows = [l.split() for l in open(sys.argv[2])]
base = {}
print("| store | process workers | deliver msgs/s | process msgs/s | deliver+process msgs/s | ratio to SQLite (same workers) | tickets |")
print("|---|---:|---:|---:|---:|---:|---:|")
for name, w, t0, t1, t2, tickets in rows:
    t0, t1, t2 = float(t0), float(t1), float(t2)
    total = n / (t2 - t0)
    if name == "sqlite":
        base[w] = total
    print("| %s | %s | %.0f | %.0f | %.0f | %.2f | %s |" % (name, w, n / (t1 - t0), n / (t2 - t1), total,
          total / base[w], tickets))
print()
print("%d messages per run; one deliver process per message." % n)
PY
