#!/bin/bash
# e2e: `abusedesk scans` and `abusedesk report` on generated firewall and
# sshd logs (scans/genlogs.py: every kind, the thresholds' edges, IPv6,
# several files and zones, shuffled and duplicated lines), and
# `report --send` delivered to Postfix's smtp-sink on loopback. The checks
# that make a desk (7b, 7c) use the store of this run (backend.sh: SQLite
# in suite 'e2e', PostgreSQL in suite 'pg').
set -eu
AD=${1:?usage: $0 path/to/abusedesk}
case $AD in /*) ;; *) AD=$(pwd)/$AD ;; esac
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/abusedesk-scans.XXXXXX")
chmod 755 "$WORK"
SINK_PID=
cleanup() {
  [ -n "$SINK_PID" ] && kill "$SINK_PID" 2>/dev/null && wait "$SINK_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
. "$HERE/backend.sh"
FAILS=0
fail() { echo "FAIL: $*" >&2; FAILS=$((FAILS + 1)); }
ok() { echo "ok: $*"; }
# Our own network is the destination /24; 192.0.2.250 scans it and must
# never be reported.
# No store unless a check makes one: without routing data every report
# goes to the CSIRT address.
DB=$WORK/none.db
ad() { TZ=${ADTZ:-UTC} "$AD" --db "$DB" --set report.own_networks=192.0.2.0/24 --set desk.address=irt@csirt.example \
  --set report.from=noc@example.ac.uk "$@"; }

L=$WORK/logs
mkdir -p "$L"
python3 "$HERE/scans/genlogs.py" "$L"
ALL="$L/kern.log $L/kern-cet.log $L/east.log $L/west.log $L/auth.log"

# 1. every source has its expected kind and event count; our own is absent
# shellcheck disable=SC2086
ad --json scans $ALL > "$WORK/all.json"
while read -r src kind events; do
  got=$(jq -r --arg s "$src" '.sources[] | select(.source == $s) | "\(.kind) \(.events)"' "$WORK/all.json")
  if [ "$got" = "$kind $events" ]; then ok "$src: $got"; else fail "$src: got '$got', want '$kind $events'"; fi
done < "$L/expect.txt"
n=$(jq '.sources | length' "$WORK/all.json")
want=$(wc -l < "$L/expect.txt")
[ "$n" -eq "$want" ] && ok "$n sources listed" || fail "sources: got $n, want $want"
jq -e '.sources[] | select(.source == "192.0.2.250")' "$WORK/all.json" > /dev/null &&
  fail "our own 192.0.2.250 was listed" || ok "our own address left out"
[ "$(jq .stats.own_sources_skipped "$WORK/all.json")" = 1 ] && ok "own source counted" || fail "own_sources_skipped"

# 2. one scan split over a UTC file and a -05:00 file merges on UTC
got=$(jq -r '.sources[] | select(.source == "198.51.100.77") | "\(.first) \(.last) \(.destinations)"' "$WORK/all.json")
want="2026-11-22 14:36:21Z 2026-11-22 14:42:51Z 40"
[ "$got" = "$want" ] && ok "two zones merged: $got" || fail "two zones: got '$got', want '$want'"
got=$(jq -r '.sources[] | select(.source == "203.0.113.66") | "\(.first) \(.first_offset) \(.tz_assumed)"' "$WORK/all.json")
want="2026-11-22 14:19:41Z 3600 false"
[ "$got" = "$want" ] && ok "stated +01:00 kept: $got" || fail "stated zone: got '$got', want '$want'"
got=$(jq -r '.sources[] | select(.source == "198.51.100.7") | .destinations_text' "$WORK/all.json")
want="192.0.2.0 - 192.0.2.255 (256 addresses, 240 hit)"
[ "$got" = "$want" ] && ok "range as people write it" || fail "range: got '$got', want '$want'"
got=$(jq -r '.sources[] | select(.source == "203.0.113.66") | .ports_text' "$WORK/all.json")
want="TCP ports 1-1024 (819 distinct)"
[ "$got" = "$want" ] && ok "ports as people write them" || fail "ports: got '$got', want '$want'"

# 3. shuffled lines: the same kinds, counts, first and last
summary() { jq -r '.sources[] | "\(.source) \(.kind) \(.events) \(.destinations) \(.ports) \(.first) \(.last)"' | sort; }
ad --json scans "$L/kern.log" | summary > "$WORK/sorted.txt"
ad --json scans "$L/kern-shuffled.log" | summary > "$WORK/shuffled.txt"
cmp -s "$WORK/sorted.txt" "$WORK/shuffled.txt" && ok "shuffled lines: same result" ||
  { fail "shuffled lines differ"; diff "$WORK/sorted.txt" "$WORK/shuffled.txt" >&2 || true; }

# 4. the same log given twice (kern.log and a copy, like syslog): no event counted twice
cp "$L/kern.log" "$L/syslog"
ad --json scans "$L/kern.log" "$L/syslog" | summary > "$WORK/twice.txt"
cmp -s "$WORK/sorted.txt" "$WORK/twice.txt" && ok "duplicate lines: same result" ||
  { fail "duplicate lines counted"; diff "$WORK/sorted.txt" "$WORK/twice.txt" >&2 || true; }
dups=$(ad --json scans "$L/kern.log" "$L/syslog" | jq '[.sources[].duplicates] | add')
[ "$dups" -eq "$(grep -vc "SRC=192.0.2.250 " "$L/kern.log")" ] && ok "$dups duplicate lines found" || fail "duplicates: got $dups"

# 5. text output: one line per source
# shellcheck disable=SC2086
ad scans $ALL > "$WORK/all.txt" 2> "$WORK/note.txt"
[ "$(wc -l < "$WORK/all.txt")" -eq "$want" ] 2>/dev/null || [ "$(wc -l < "$WORK/all.txt")" -eq "$(wc -l < "$L/expect.txt")" ] &&
  ok "one line per source" || fail "text lines: $(wc -l < "$WORK/all.txt")"
grep -q "^198.51.100.7 .*address-range scan .*TCP port 23 .*192.0.2.0 - 192.0.2.255 (256 addresses, 240 hit).*240 events" "$WORK/all.txt" &&
  ok "text line of the range scan" || fail "text line: $(grep '^198.51.100.7 ' "$WORK/all.txt")"
grep -q "state no timezone.*UTC" "$WORK/note.txt" && ok "assumed zone said" || fail "note: $(cat "$WORK/note.txt")"

# 5b. a compressed log is refused with a way out, not read as garbage
gzip -c "$L/kern.log" > "$L/kern.log.1.gz"
set +e
ad scans "$L/kern.log.1.gz" > /dev/null 2> "$WORK/gz.err"
code=$?
set -e
[ "$code" -eq 65 ] && grep -q "compressed (gzip); decompress it first" "$WORK/gz.err" && ok "gzip refused (65)" ||
  fail "gzip: exit $code, $(cat "$WORK/gz.err")"
# CRLF line ends read like LF
sed 's/$/\r/' "$L/kern.log" > "$L/kern-crlf.log"
ad --json scans "$L/kern-crlf.log" | summary > "$WORK/crlf.txt"
cmp -s "$WORK/sorted.txt" "$WORK/crlf.txt" && ok "CRLF lines: same result" || fail "CRLF lines differ"

# 6. report --out: one .eml per abusing source, each with the checklist
mkdir "$WORK/out"
# shellcheck disable=SC2086
ad report --out "$WORK/out" $ALL > /dev/null 2>&1
n=$(find "$WORK/out" -name '*.eml' | wc -l)
abusive=$(grep -vc ' other ' "$L/expect.txt")
[ "$n" -eq "$abusive" ] && ok "$n reports written" || fail "reports: got $n, want $abusive"
f=$(grep -lF "Subject: Address-range scan from 198.51.100.7:" "$WORK/out"/*.eml || true)
if [ -n "$f" ]; then
  for item in "^To: irt@csirt.example" "^From: .*noc@example.ac.uk" "Source address: *198.51.100.7" \
    "Destination port: *TCP port 23" "Destination addresses: *240" \
    "Range scanned: *192.0.2.0 - 192.0.2.255 (256 addresses, 240 hit)" "Start: *2026-11-22 14:03:01 UTC" \
    "End: *2026-11-22 14:07:16 UTC" "Timezone: .*assumed" "Clock accuracy: " "Events: *240" "Problem: " \
    "DST=192.0.2.0 " "DST=192.0.2.255 "; do
    grep -q -- "$item" "$f" && ok "report has '$item'" || fail "report lacks '$item'"
  done
else
  fail "no report on 198.51.100.7"
fi
grep -l "192.0.2.250" "$WORK/out"/*.eml > /dev/null 2>&1 && fail "our own address reported" || ok "own address not reported"

# 7. lines without a zone are read in the system zone, and the report says which
ADTZ=Europe/Berlin ad report "$L/kern.log" > "$WORK/berlin.txt" 2>/dev/null
grep -q "Start: *2026-11-22 14:03:01 +0100 (2026-11-22 13:03:01 UTC)" "$WORK/berlin.txt" && ok "system zone applied" ||
  fail "system zone: $(grep Start: "$WORK/berlin.txt" | head -1)"
grep -q "of the host that read it (CET) was used" "$WORK/berlin.txt" && ok "system zone named" || fail "zone not named"

# 7b. with the desk's routing data, a source outside the constituency goes
# to its network's abuse contact (203.0.113.66 is in EXAMPLE-HOSTING-VPS of
# etc/rpsl/sample.db), one inside (198.51.100.7: college-b) to the CSIRT
SRC_DIR=$(cd "$HERE/../.." && pwd)
DB=$(e2e_store_url "$WORK" desk)
ad init > /dev/null
ad constituency import "$SRC_DIR"/etc/constituency/*.conf > /dev/null
ad contacts import-rpsl "$SRC_DIR/etc/rpsl/sample.db" > /dev/null
mkdir "$WORK/routed"
# shellcheck disable=SC2086
ad report --out "$WORK/routed" $ALL > /dev/null 2>&1
f=$(grep -lF "Subject: Port scan from 203.0.113.66:" "$WORK/routed"/*.eml || true)
[ -n "$f" ] && grep -q "^To: abuse@hosting.example.com" "$f" && ok "outside: to the network's abuse contact" ||
  fail "outside: $(grep -h '^To:' "$f" 2>/dev/null)"
f=$(grep -lF "Subject: Address-range scan from 198.51.100.7:" "$WORK/routed"/*.eml || true)
[ -n "$f" ] && grep -q "^To: irt@csirt.example" "$f" && ok "inside: to the CSIRT" || fail "inside: $(grep -h '^To:' "$f" 2>/dev/null)"
DB=$WORK/none.db

# 7c. the desk's pipeline: a report pasting these log lines becomes a ticket
# classified information-gathering/scanner with the per-source summary
DB=$(e2e_store_url "$WORK" pipeline)
ad init > /dev/null
{
  printf 'From: noc@uni.example.ac.uk\nTo: irt@csirt.example\nSubject: scanning\n'
  printf 'Date: Sun, 22 Nov 2026 15:00:00 +0000\nMessage-ID: <scan-1@uni.example.ac.uk>\n\n'
  printf 'Hello, we saw this scan:\n\n'
  grep "SRC=198.51.100.7 " "$L/kern.log" | head -40
} > "$WORK/report.eml"
ad deliver --sender noc@uni.example.ac.uk --recipient irt@csirt.example < "$WORK/report.eml" 2>/dev/null
ad process > /dev/null 2>&1
ad --json ticket show 100001 > "$WORK/ticket.json" 2>/dev/null || true
got=$(jq -r .classification "$WORK/ticket.json")
[ "$got" = "information-gathering/scanner" ] && ok "ticket classified: $got" || fail "ticket classification: '$got'"
jq -r '.evidence.scans // ""' "$WORK/ticket.json" | grep -q "^198.51.100.7 .*address-range scan .*TCP port 23 .*40 events" &&
  ok "ticket evidence has the scan summary" || fail "ticket evidence scans: $(jq -c '.evidence.scans' "$WORK/ticket.json")"
DB=$WORK/none.db

# 8. report --send through smtp-sink on loopback
SINK=$WORK/sink
mkdir -p "$SINK"
chmod 777 "$SINK"
user_opt=
[ "$(id -u)" -eq 0 ] && user_opt="-u nobody"
started=
for try in 1 2 3 4 5; do
  PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  # shellcheck disable=SC2086
  smtp-sink $user_opt -d "$SINK/msg." "127.0.0.1:$PORT" 16 &
  SINK_PID=$!
  for i in $(seq 50); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then started=1; break; fi
    kill -0 "$SINK_PID" 2>/dev/null || break
    sleep 0.1
  done
  [ -n "$started" ] && break
  kill "$SINK_PID" 2>/dev/null || true; wait "$SINK_PID" 2>/dev/null || true; SINK_PID=
done
[ -n "$started" ] || { echo "cannot start smtp-sink" >&2; exit 1; }
# shellcheck disable=SC2086
if ad --set "outbox.relay=smtp://127.0.0.1:$PORT" report --send --clock-ok $ALL > "$WORK/send.out" 2> "$WORK/send.err"; then
  ok "report --send exited 0"
else
  fail "report --send failed: $(cat "$WORK/send.err")"
fi
for i in $(seq 50); do [ "$(find "$SINK" -type f | wc -l)" -ge "$abusive" ] && break; sleep 0.1; done
n=$(find "$SINK" -type f | wc -l)
[ "$n" -eq "$abusive" ] && ok "$n reports delivered to smtp-sink" || fail "delivered: got $n, want $abusive"
g=$(grep -l "Subject: Port scan from 203.0.113.66" "$SINK"/* 2>/dev/null | head -1)
if [ -n "$g" ]; then
  for item in "irt@csirt.example" "Destination address: *192.0.2.10" "Ports scanned: *TCP ports 1-1024 (819 distinct)" \
    "Start: *2026-11-22 15:19:41 +0100 (2026-11-22 14:19:41 UTC)" "Timezone: *UTC+01:00, as stated in the log" \
    "Clock accuracy: *checked by us" "Events: *819"; do
    grep -q -- "$item" "$g" && ok "sent report has '$item'" || fail "sent report lacks '$item'"
  done
else
  fail "no port-scan report at the sink"
fi
kill "$SINK_PID" 2>/dev/null; wait "$SINK_PID" 2>/dev/null || true; SINK_PID=

# 9. episodes: two bursts 30 h apart are two scans, each with its own first,
# last and counts; activity every 2 hours for 3 days is one; the same when
# the lines come newest first or out of order by up to 6 hours
episodes() { jq -r '.sources[] | "\(.source) \(.kind) \(.destinations) \(.first) \(.last)"' | sort; }
for f in episodes episodes-reversed episodes-jittered; do
  ad --json scans "$L/$f.log" | episodes > "$WORK/$f.txt"
  if cmp -s "$L/episodes.txt" "$WORK/$f.txt"; then ok "$f.log: the episodes"; else
    fail "$f.log: episodes differ"; diff "$L/episodes.txt" "$WORK/$f.txt" >&2 || true
  fi
done
# a window of 12 hours (scan.window_seconds) cuts the 2-hourly probes no more...
ad --set scan.window_seconds=43200 --json scans "$L/episodes.log" | episodes > "$WORK/w12.txt"
cmp -s "$L/episodes.txt" "$WORK/w12.txt" && ok "12 h window: the same episodes" || fail "12 h window: $(cat "$WORK/w12.txt")"
# ...and one of 1 hour splits them into one probe each (connection attempts)
n=$(ad --set scan.window_seconds=3600 --json scans "$L/episodes.log" | jq '[.sources[] | select(.source == "198.51.100.202")] | length')
[ "$n" -eq 1 ] && ok "1 h window: the 2-hourly probes are no scan" || fail "1 h window: got $n results for 198.51.100.202"

if [ "$FAILS" -ne 0 ]; then echo "$FAILS check(s) failed" >&2; exit 1; fi
echo "all checks passed"
