#!/bin/bash
# bench/lmtp, PostgreSQL column: durably accepted LMTP messages per second
# of `abusedesk serve` on SQLite, on PostgreSQL with one node, and on
# PostgreSQL with two nodes sharing the database (the load split between
# them), all in the same run, beside smtp-sink -L (stores nothing: the
# ceiling of this machine). smtp-source -L with 20 concurrent sessions (10
# per node with two). PostgreSQL is a cluster of the run's own in a
# temporary directory with its durable defaults (fsync, synchronous_commit
# on), reached over a Unix socket. Also: seconds until the queue is empty
# after intake ends (does processing keep up?). Recipients are numbered
# (smtp-source -N) so every message is distinct and stored.
# usage: bench/lmtp/bench_lmtp_pg.sh [ABUSEDESK] [MESSAGES]   (a release build)
set -eu
cd "$(dirname "$0")/../.."
bin=$(realpath "${1:-./build/abusedesk}")
n=${2:-20000}
sessions=20
src=$(pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/abusedesk-bench.XXXXXX")
chmod 755 "$tmp"
pids=""
pgdir=""
trap 'for p in $pids; do kill $p 2>/dev/null || true; done; [ -z "$pgdir" ] || "$src/tests/pg/pg-stop.sh" "$pgdir"; rm -rf "$tmp"' EXIT
port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
now() { date +%s.%N; }
rate() { python3 -c "print(f'{$1 / ($3 - $2):.0f}')"; }
wait_port() { for i in $(seq 1 100); do (echo >/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.05; done; return 1; }
eval "$(PGTEST_DURABLE=1 "$src/tests/pg/pg-start.sh")"
pgdir=$ABUSEDESK_TEST_PG_DIR
pgdb() {
  psql -X -q "$ABUSEDESK_TEST_PG" -c "CREATE DATABASE $1" >/dev/null
  echo "$ABUSEDESK_TEST_PG" | sed "s|^\(postgresql://[^/?]*/\)[^?]*|\1$1|"
}
left_sqlite() { sqlite3 "$1" "select count(*) from message where direction='in' and state not in ('done','parked')"; }
left_pg() { psql -X -A -t -q "$1" -c "select count(*) from message where direction='in' and state not in ('done','parked')"; }

echo "bench/lmtp (PostgreSQL column): $n messages, $sessions sessions, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%F)"
sp=$(port)
smtp-sink -L -u postfix 127.0.0.1:"$sp" 256 >/dev/null 2>&1 &
pids="$pids $!"
wait_port "$sp"
t0=$(now)
smtp-source -L -s $sessions -m "$n" -f load@example.org -t irt@csirt.example 127.0.0.1:"$sp"
t1=$(now)
echo "| smtp-sink -L (ceiling, stores nothing) | 1 | $(rate "$n" "$t0" "$t1") | | |" > "$tmp/rows"
sink=$(rate "$n" "$t0" "$t1")

# run NAME DB LEFT NODES: serve on DB with NODES nodes, the load split.
run() {
  name=$1 db=$2 left=$3 nodes=$4
  ports=() spids=()
  "$bin" --db "$db" --set log.level=error init >/dev/null
  for i in $(seq 1 "$nodes"); do
    p=$(port)
    "$bin" --db "$db" --set lmtp.listen=127.0.0.1:"$p" --set outbox.relay=smtp://127.0.0.1:1 \
      --set log.level=warning --set lmtp.sessions_max=64 --set lmtp.accept_any_recipient=true --set http.listen= serve 2>>"$tmp/serve.log" &
    spids+=($!); pids="$pids $!"; ports+=("$p")
  done
  for p in "${ports[@]}"; do wait_port "$p"; done
  per=$((n / nodes)); s=$((sessions / nodes))
  t0=$(now)
  src_pids=()
  for p in "${ports[@]}"; do
    smtp-source -L -s $s -m "$per" -N -f load@example.org -t irt@csirt.example 127.0.0.1:"$p" & src_pids+=($!)
  done
  for q in "${src_pids[@]}"; do wait "$q"; done
  t1=$(now)
  while [ "$($left "$db")" != 0 ]; do sleep 0.05; done
  t2=$(now)
  for q in "${spids[@]}"; do kill -TERM "$q"; wait "$q" || true; done
  r=$(rate $((per * nodes)) "$t0" "$t1")
  echo "| $name | $nodes | $r | $(python3 -c "print(f'{$r / $sink:.2f}')") | $(python3 -c "print(f'{$t2 - $t1:.2f}')") |" >> "$tmp/rows"
}
run "abusedesk serve, SQLite" "$tmp/desk.db" left_sqlite 1
run "abusedesk serve, PostgreSQL" "$(pgdb one)" left_pg 1
run "abusedesk serve, PostgreSQL" "$(pgdb two)" left_pg 2

echo
echo "| | nodes | accepted msgs/s | ratio to smtp-sink | queue empty s after intake |"
echo "|---|---:|---:|---:|---:|"
cat "$tmp/rows"
