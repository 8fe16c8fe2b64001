#!/bin/bash
# bench/lmtp: LMTP intake of `abusedesk serve` against the ceiling of this
# machine, both measured in the same run:
#   - smtp-sink -L (stores nothing) and abusedesk serve (commits every
#     message with fsync before its 250, group commit) each take
#     smtp-source -L with 20 concurrent sessions;
#   - accepted messages per second for both, and their ratio;
#   - 250 -> ticket latency (median, p99), from probe messages sent one per
#     connection during serve's run, each polled in the store until done;
#   - how long processing needs after intake ends (does it keep up?);
#   - serve's peak resident memory (VmHWM);
#   - serve's CPU time (user + system) and messages per CPU-second, the
#     figure to compare on a machine shared with other work.
# usage: bench/lmtp/bench_lmtp.sh [ABUSEDESK] [MESSAGES]   (a release build)
set -eu
cd "$(dirname "$0")/../.."
bin=$(realpath "${1:-./build/abusedesk}")
n=${2:-20000}
sessions=20
tmp=$(mktemp -d "${TMPDIR:-/tmp}/abusedesk-bench.XXXXXX")
chmod 755 "$tmp"
pids=""
trap 'for p in $pids; do kill $p 2>/dev/null || true; done; rm -rf "$tmp"' EXIT
port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
now() { date +%s.%N; }
rate() { python3 -c "print(f'{$1 / ($3 - $2):.0f}')"; }
wait_port() { for i in $(seq 1 100); do (echo >/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.05; done; return 1; }

echo "bench/lmtp: $n messages, $sessions sessions, $(nproc) cores, $(date -u +%F), load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)"
# The ceiling: smtp-sink in LMTP mode.
sp=$(port)
smtp-sink -L -u postfix 127.0.0.1:"$sp" 256 >/dev/null 2>&1 &
pids="$pids $!"
wait_port "$sp"
t0=$(now)
smtp-source -L -s $sessions -m "$n" -f load@example.org -t irt@csirt.example 127.0.0.1:"$sp"
t1=$(now)
sink_rate=$(rate "$n" "$t0" "$t1")
echo "smtp-sink -L:   $sink_rate msgs/s"

# abusedesk serve, on a fresh database.
lp=$(port)
db=$tmp/desk.db
"$bin" --db "$db" --set lmtp.listen=127.0.0.1:"$lp" --set outbox.relay=smtp://127.0.0.1:1 \
  --set log.level=warning --set lmtp.sessions_max=64 --set http.listen= serve 2>"$tmp/serve.log" &
spid=$!
pids="$pids $spid"
wait_port "$lp"
python3 tests/e2e/lmtp_client.py probe 127.0.0.1 "$lp" "$db" --count 100 --interval 0.02 >"$tmp/probe.out" &
probe=$!
t0=$(now)
smtp-source -L -s $sessions -m "$n" -f load@example.org -t irt@csirt.example 127.0.0.1:"$lp"
t1=$(now)
serve_rate=$(rate "$n" "$t0" "$t1")
# Processing: until nothing is left queued.
while [ "$(sqlite3 "$db" "select count(*) from message where direction='in' and state not in ('done','parked')")" != 0 ]; do
  sleep 0.05
done
t2=$(now)
wait "$probe"
stored=$(sqlite3 "$db" "select count(*) from message where direction='in' and env_from='load@example.org'")
rss=$(awk '/VmHWM/ {print $2 " " $3}' /proc/"$spid"/status)
# serve's CPU time (user + system, all threads) for intake and processing:
# the machine is shared, so messages per CPU-second is the steadier figure.
cpu=$(awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / hz}' /proc/"$spid"/stat)
load=$(cut -d' ' -f1-3 /proc/loadavg)
kill -TERM "$spid"
wait "$spid"
echo "abusedesk serve: $serve_rate msgs/s accepted durably ($stored distinct messages stored)"
echo "ratio serve / smtp-sink: $(python3 -c "print(f'{$serve_rate / $sink_rate:.2f}')")"
echo "processing: queue empty $(python3 -c "print(f'{$t2 - $t1:.2f}')") s after intake ended; overall $(rate "$n" "$t0" "$t2") msgs/s into tickets"
cat "$tmp/probe.out"
echo "serve peak RSS: $rss"
echo "serve CPU: $cpu s (user+sys) for $n messages: $(python3 -c "print(f'{$n / $cpu:.0f}')") msgs per CPU-second (intake and processing)"
# How much of the machine serve used from the first message to the empty
# queue: below the core count with idle CPU left means it is serialised.
echo "serve cores used: $(python3 -c "print(f'{$cpu / ($t2 - $t0):.2f}')") (CPU-seconds / seconds from the first message to the empty queue)"
echo "load average at the end: $load"
