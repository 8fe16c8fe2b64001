#!/bin/sh
# bench/http: the web desk's queue and ticket endpoints with 100,000
# tickets in the store, measured by wrk on loopback. The peer in the same
# run is the server's own floor: GET /healthz (no store, no auth), so the
# ratio says what the queue's query and JSON cost on top of HTTP itself.
# Target (docs/BENCHMARKS.md): p99 under 50 ms for the queue and a ticket.
#
# usage: bench/http/run.sh [BUILD-DIR]   (default: build, a release build)
set -eu
cd "$(dirname "$0")/../.."
build=${1:-build}
bin=$build/abusedesk
[ -x "$bin" ] || { echo "bench/http: build first (make build)" >&2; exit 1; }
if ! command -v wrk >/dev/null 2>&1; then
  # wrk is needed here only, not by the desk or its tests.
  if [ "$(id -u)" -eq 0 ]; then apt-get install -y -q --no-install-recommends wrk >/dev/null; else sudo apt-get install -y -q wrk >/dev/null; fi
fi
dur=${BENCH_SECONDS:-10}
conns=${BENCH_CONNECTIONS:-16}
dir=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$dir"' EXIT INT TERM
db=$dir/desk.db

$bin --db "$db" init >/dev/null
start=$(date +%s.%N)
sed "s/:now/$(date +%s)/g" bench/http/gen.sql | sqlite3 "$db"
gen=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
pw=$($bin --db "$db" user add bench | sed -n 's/.*one-time password: //p')

$bin --db "$db" --set http.listen=127.0.0.1:0 --set http.threads=4 --set lmtp.listen=127.0.0.1:0 serve 2>"$dir/web.log" &
pid=$!
for _ in $(seq 100); do grep -q "web desk is listening on" "$dir/web.log" && break; sleep 0.1; done
url=$(sed -n 's/.*web desk is listening on \(http:[^ ]*\)\/$/\1/p' "$dir/web.log")
[ -n "$url" ] || { cat "$dir/web.log" >&2; exit 1; }
csrf=$(curl -sf -c "$dir/jar" -H 'Content-Type: application/json' \
  -d "{\"name\":\"bench\",\"password\":\"$pw\"}" "$url/api/login" | sed 's/.*"csrf":"\([0-9a-f]*\)".*/\1/')
token=$(curl -sf -b "$dir/jar" -H 'Content-Type: application/json' -H "X-CSRF-Token: $csrf" \
  -d '{"label":"bench"}' "$url/api/tokens" | sed 's/.*"token":"\([0-9a-f]*\)".*/\1/')

# The server's CPU time per request (user + system, from /proc), over 300
# sequential requests on one connection: unlike latency under wrk, it does
# not depend on what else the machine is doing.
cpu_per_request() {
  tck=$(getconf CLK_TCK)
  a=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  curl -s -o /dev/null -H "Authorization: Bearer $token" "$url$1$(case $1 in *\?*) echo '&';; *) echo '?';; esac)n=[1-300]"
  b=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  awk -v a="$a" -v b="$b" -v t="$tck" 'BEGIN { printf "%8.2f", (b - a) * 1000 / t / 300 }'
}

# one wrk run: prints "name req/s p50 p90 p99" (latencies in ms)
measure() {
  name=$1; path=$2
  out=$(wrk -t2 -c"$conns" -d"${dur}s" --latency -H "Authorization: Bearer $token" "$url$path")
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "$url$path")
  [ "$code" = 200 ] || { echo "bench/http: $path answered $code" >&2; exit 1; }
  cpu=$(cpu_per_request "$path")
  echo "$out" | awk -v n="$name" -v cpu="$cpu" '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /Requests\/sec/ { rps = $2 }
    /^ +50%/ { p50 = ms($2) } /^ +90%/ { p90 = ms($2) } /^ +99%/ { p99 = ms($2) }
    / Non-2xx/ { bad = $NF }
    END { printf "%-34s %10.0f %8.2f %8.2f %8.2f %s%s\n", n, rps, p50, p90, p99, cpu, bad ? "  NON-2XX: " bad : "" }'
}

echo "bench/http: 100,000 tickets generated in ${gen}s; wrk -t2 -c$conns -d${dur}s; $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf "%-34s %10s %8s %8s %8s %8s\n" endpoint req/s p50_ms p90_ms p99_ms cpu_ms
measure "GET /healthz (floor)" /healthz
measure "GET /api/tickets (queue, 50)" "/api/tickets?status=active&limit=50"
measure "GET /api/tickets page 1000" "/api/tickets?limit=50&before=150000"
measure "GET /api/tickets?q= (search)" "/api/tickets?q=198.51.7.&limit=50"
measure "GET /api/tickets?org=" "/api/tickets?org=org7&status=open&limit=50"
measure "GET /api/tickets/N (ticket)" /api/tickets/150000
measure "GET /api/counts" /api/counts
