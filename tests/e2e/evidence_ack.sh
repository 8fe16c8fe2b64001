#!/bin/sh
# The acknowledgment names what a report lacks, and nothing when it is
# complete: two reports go through deliver + process with the real binary
# and the store of this run (backend.sh: SQLite in suite 'e2e', PostgreSQL
# in suite 'pg'); the queued acknowledgments are read back with the CLI.
# usage: evidence_ack.sh ABUSEDESK FIXTURES_DIR
set -eu
bin=$1
fixtures=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
. "$(dirname "$0")/backend.sh"
db=$(e2e_store_url "$tmp" desk)
"$bin" --db "$db" init >/dev/null

# complete: times with zone, source, destinations, ports, counts, description, log lines
"$bin" --db "$db" deliver --sender noc@reporter.example --recipient irt@csirt.example \
  < "$fixtures/eml/nested-attachment.eml"
# incomplete: syslog lines without a timezone
"$bin" --db "$db" deliver --sender reporter@reporter.example --recipient irt@csirt.example \
  < "$fixtures/eml/charset-latin1.eml"
# very incomplete: one sentence, no logs
cat > "$tmp/bare.eml" <<'MSG'
From: someone@reporter.example
To: irt@csirt.example
Subject: help
Date: Mon, 23 Nov 2026 09:00:00 +0000
Message-ID: <bare@reporter.example>

We are being attacked by 198.51.100.99, please stop it.
MSG
"$bin" --db "$db" deliver --sender someone@reporter.example --recipient irt@csirt.example < "$tmp/bare.eml"
"$bin" --db "$db" process >/dev/null 2>&1

# ack RCPT: the text of the acknowledgment queued for RCPT.
ack() {
  t=$("$bin" --db "$db" --json outbox list | jq -r --arg r "$1" '.[] | select(.to == $r and .purpose == "ack") | .ticket')
  [ -n "$t" ] || { echo "FAIL: no acknowledgment queued for $1" >&2; return 1; }
  "$bin" --db "$db" --json ticket show "$t" | jq -r '.thread[] | select(.direction == "out") | .text'
}
fail=0
check() { # what, file, pattern, want (yes|no)
  if grep -q -- "$3" "$2"; then got=yes; else got=no; fi
  if [ "$got" != "$4" ]; then echo "FAIL: $1: pattern '$3' present=$got, want $4"; fail=1; else echo "ok: $1"; fi
}
ack noc@reporter.example > "$tmp/complete"
ack reporter@reporter.example > "$tmp/nozone"
ack someone@reporter.example > "$tmp/bare"
check "complete report: acknowledged" "$tmp/complete" "has been recorded as" yes
check "complete report: asks for nothing" "$tmp/complete" "we need a little more information" no
check "no-zone report: asks for the timezone" "$tmp/nozone" "your log lines have no timezone" yes
check "no-zone report: does not ask for the source" "$tmp/nozone" "The source:" no
check "bare report: asks for the time" "$tmp/bare" "The time: please tell us" yes
check "bare report: asks for the evidence" "$tmp/bare" "The evidence: please send" yes
check "bare report: asks for the destination" "$tmp/bare" "The destination:" yes
# the analyst sees the checklist
"$bin" --db "$db" ticket show 100002 > "$tmp/show"
check "ticket show: checklist" "$tmp/show" "time         doubtful  times are given without a timezone" yes
"$bin" --db "$db" --json ticket show 100002 > "$tmp/show.json"
check "ticket show --json: evidence" "$tmp/show.json" '"abuse_type"' yes
# ... and the log line each fact came from (part and line number)
check "ticket show: the source's first line" "$tmp/show" "first    text/plain (part 1) line 2: Nov 22 14:03:01 gw kernel: DROP" yes
check "ticket show: the port's line" "$tmp/show" "445/tcp  text/plain (part 1) line 2:" yes
check "ticket show --json: provenance" "$tmp/show.json" '"first_line"' yes
"$bin" extract "$fixtures/eml/charset-latin1.eml" > "$tmp/extract"
check "extract: the same lines" "$tmp/extract" "last     text/plain (part 1) line 3: Nov 22 14:05:09" yes
exit $fail
