#!/bin/sh
# Routing end to end: the real binary, the store of this run (backend.sh:
# SQLite in suite 'e2e', PostgreSQL in suite 'pg') and Postfix's smtp-sink
# as the relay on a free loopback port.
#  1. a report about a source inside college-d (reporter at uni-a):
#     a HELD notification to college-d's security contact, and a copy of
#     the acknowledgment to uni-a's security contacts (sent at once);
#  2. the held notification is not sent until approved; approved, it is;
#  3. a second report about the same source links to the same incident
#     and sends no second notification; the incident counts both;
#  4. a report about a source outside (203.0.113.77): a notification to the
#     abuse mailbox from the RPSL data;
#  5. college-d replies with the incident's tag: it threads into it;
#  6. spam from outside reported by a uni-a user: a reply pointing to
#     uni-a's IT support, no notification;
#  7. hosting.example.com's policy in the overrides file (X-ARF, SSH brute
#     force sent without approval): one X-ARF message per source, sent at
#     once, captured with its three parts;
#  8. the external team replies with its incident's tag: it threads in;
#  9. a constituency file with overlapping prefixes is refused with file
#     and line, and nothing of it is loaded; export | import round-trips;
# 10. lookup of a name outside the constituency's domains resolves it
#     (localhost, from /etc/hosts: no network) and marks the answer as
#     from the DNS; a name under .invalid does not resolve (exit 66).
# usage: routing.sh ABUSEDESK SOURCE_DIR
set -eu
bin=$1
src=$2
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
tmp=$(mktemp -d "${TMPDIR:-/tmp}/abusedesk-routing.XXXXXX")
chmod 755 "$tmp"
sink_pid=
cleanup() {
  if [ -n "$sink_pid" ]; then kill "$sink_pid" 2>/dev/null || true; wait "$sink_pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
. "$src/tests/e2e/backend.sh"
db=$(e2e_store_url "$tmp" desk)
data=$src/tests/e2e/routing
fails=0
ok() { echo "ok: $*"; }
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
check() { d=$1; shift; if "$@"; then ok "$d"; else fail "$d"; fi; }

# smtp-sink on a free loopback port, one dump file per message.
mkdir "$tmp/sink"
chmod 777 "$tmp/sink"
user_opt=
[ "$(id -u)" -eq 0 ] && user_opt="-u nobody"
for try in 1 2 3 4 5; do
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  # shellcheck disable=SC2086
  smtp-sink $user_opt -d "$tmp/sink/msg." "127.0.0.1:$port" 16 &
  sink_pid=$!
  up=no
  for i in $(seq 50); do
    if python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null; then up=yes; break; fi
    sleep 0.1
  done
  [ $up = yes ] && break
  kill "$sink_pid" 2>/dev/null || true; wait "$sink_pid" 2>/dev/null || true; sink_pid=
done
[ -n "$sink_pid" ] || { echo "cannot start smtp-sink" >&2; exit 1; }

ad() {
  "$bin" --db "$db" --set "outbox.relay=smtp://127.0.0.1:$port" \
    --set evidence.trusted_relays=192.0.2.16/28 "$@"
}
deliver() { ad deliver --sender "$1" --recipient irt@csirt.example < "$2"; }
# the dump files holding a message to $1 (smtp-sink writes asynchronously)
sunk_to() { grep -l "^To: $1" "$tmp/sink"/msg.* 2>/dev/null | wc -l; }
wait_sunk() { for i in $(seq 50); do [ "$(sunk_to "$1")" -ge "$2" ] && return 0; sleep 0.1; done; return 1; }
outbox_ids() { # purpose state rcpt
  ad --json outbox list | python3 -c "import json,sys
for o in json.load(sys.stdin):
    if o['purpose'] == '$1' and o['state'] == '$2' and o['to'] == '$3': print(o['id'])"
}
count() { echo "$1" | grep -c . || true; }

ad init >/dev/null
ad constituency import "$src"/etc/constituency/*.conf >/dev/null
ad contacts import-rpsl "$src/etc/rpsl/sample.db" >/dev/null

# 1. inside
deliver netops@uni-a.example.ac.uk "$data/01-inside.eml" 2>/dev/null
ad process >/dev/null 2>&1
held=$(outbox_ids notify held security@college-d.example.ac.uk)
check "inside: one held notification to college-d's security contact" [ "$(count "$held")" -eq 1 ]
check "inside: copy of the ack to uni-a's security contact" [ "$(count "$(outbox_ids copy queued security@uni-a.example.ac.uk)")" -eq 1 ]
check "inside: copy of the ack to uni-a's second security contact" [ "$(count "$(outbox_ids copy queued csirt@uni-a.example.ac.uk)")" -eq 1 ]
incident=$(ad --json incident list | python3 -c "import json,sys; print([i['number'] for i in json.load(sys.stdin) if i['responsible'] == 'org:college-d'][0])")
check "inside: an incident for college-d" [ -n "$incident" ]

# 2. held until approved
ad outbox flush >/dev/null 2>&1
wait_sunk security@uni-a.example.ac.uk 1 || true
check "flush: the copy reached uni-a's security contact" [ "$(sunk_to security@uni-a.example.ac.uk)" -eq 1 ]
check "flush: the acknowledgment reached the reporter" [ "$(sunk_to netops@uni-a.example.ac.uk)" -eq 1 ]
check "flush: the held notification was not sent" [ "$(sunk_to security@college-d.example.ac.uk)" -eq 0 ]
ad outbox approve "$held" >/dev/null
ad outbox flush >/dev/null 2>&1
wait_sunk security@college-d.example.ac.uk 1 || true
check "approved: the notification reached college-d" [ "$(sunk_to security@college-d.example.ac.uk)" -eq 1 ]
f=$(grep -l "^To: security@college-d.example.ac.uk" "$tmp/sink"/msg.* | head -1)
check "notification: carries the incident's tag" grep -q "^Subject: \[Janet CSIRT#$incident\]" "$f"
check "notification: carries the log sample" grep -q "Failed password for root from 198.51.100.23" "$f"
check "notification: does not name the reporter" sh -c "! grep -q 'netops@uni-a' '$f'"
if ad outbox approve "$held" >/dev/null 2>&1; then fail "approve twice: accepted"; else ok "approve twice: refused"; fi

# 3. the same source again: linked, not notified again
deliver security@uni-e.example.ac.uk "$data/02-same-source.eml" 2>/dev/null
ad process >/dev/null 2>&1
check "repeat: no second notification to college-d" [ "$(count "$(ad --json outbox list | python3 -c "import json,sys
for o in json.load(sys.stdin):
    if o['purpose'] == 'notify' and o['to'] == 'security@college-d.example.ac.uk': print(o['id'])")")" -eq 1 ]
reports=$(ad --json incident show "$incident" | python3 -c "import json,sys; d=json.load(sys.stdin); print(d['reports'], d['events'], len(d['links']))")
check "repeat: the incident gathered 2 reports, 5 events, 2 links (got $reports)" [ "$reports" = "2 5 2" ]

# 4. outside: the RPSL abuse mailbox
deliver security@college-b.example.ac.uk "$data/03-outside.eml" 2>/dev/null
ad process >/dev/null 2>&1
ext=$(outbox_ids notify held abuse@hosting.example.com)
check "outside: a held notification to the RPSL abuse mailbox" [ "$(count "$ext")" -eq 1 ]
ad outbox approve "$ext" >/dev/null
ad outbox flush >/dev/null 2>&1
wait_sunk abuse@hosting.example.com 1 || true
check "outside: approved, it reached abuse@hosting.example.com" [ "$(sunk_to abuse@hosting.example.com)" -eq 1 ]

# 5. the organisation replies with the incident's tag
cat > "$tmp/reply.eml" <<MSG
From: security@college-d.example.ac.uk
To: irt@csirt.example
Subject: Re: [Janet CSIRT#$incident] ssh brute force from 198.51.100.23
Message-ID: <reply-1@college-d.example.ac.uk>
Date: Mon, 23 Nov 2026 12:00:00 +0000

We found the compromised machine and took it off the network.
MSG
deliver security@college-d.example.ac.uk "$tmp/reply.eml" 2>/dev/null
ad process 2>"$tmp/process.log" >/dev/null
check "reply: threaded into the incident by its tag" grep -q "ticket $incident (threaded by tag)" "$tmp/process.log"

# 6. misdirected: spam from outside, reported by a uni-a user
deliver student@uni-a.example.ac.uk "$data/04-misdirected-spam.eml" 2>/dev/null
ad process >/dev/null 2>&1
check "misdirected: a reply to the reporter" [ "$(count "$(outbox_ids reply queued student@uni-a.example.ac.uk)")" -eq 1 ]
check "misdirected: no notification to the outside network" [ "$(count "$(ad --json outbox list | python3 -c "import json,sys
for o in json.load(sys.stdin):
    if o['purpose'] == 'notify' and o['to'] == 'abuse@transit.example.net': print(o['id'])")")" -eq 0 ]
ad outbox flush >/dev/null 2>&1
wait_sunk student@uni-a.example.ac.uk 2 || true
check "misdirected: the reply names uni-a's IT support" sh -c "grep -l 'helpdesk@uni-a.example.ac.uk' '$tmp'/sink/msg.* | xargs grep -l '^To: student@uni-a' >/dev/null"

# 7. X-ARF and automatic sending by the destination's policy
cat > "$tmp/overrides.txt" <<'OVR'
# hosting.example.com takes X-ARF, and SSH brute force without our approval
policy abuse@hosting.example.com xarf auto=ssh-brute-force
OVR
ad contacts import-overrides "$tmp/overrides.txt" >/dev/null
ad --json lookup 203.0.113.78 > "$tmp/lookup.json"
check "policy: lookup shows the destination's policy" python3 -c "import json,sys
d = json.load(open('$tmp/lookup.json'))
sys.exit(0 if d['policy']['xarf'] is True and d['policy']['notify_auto'] == ['ssh-brute-force'] else 1)"
deliver security@college-b.example.ac.uk "$data/05-outside-xarf.eml" 2>/dev/null
ad process >/dev/null 2>&1
check "policy: two notifications queued without approval, one a source" \
  [ "$(count "$(outbox_ids notify queued abuse@hosting.example.com)")" -eq 2 ]
ad outbox flush >/dev/null 2>&1
wait_sunk abuse@hosting.example.com 3 || true
check "x-arf: both reached abuse@hosting.example.com" [ "$(sunk_to abuse@hosting.example.com)" -eq 3 ]
x78=$(grep -l "^Source: 203.0.113.78" "$tmp/sink"/msg.* | head -1)
x79=$(grep -l "^Source: 203.0.113.79" "$tmp/sink"/msg.* | head -1)
check "x-arf: a message about each source" sh -c "[ -n '$x78' ] && [ -n '$x79' ] && [ '$x78' != '$x79' ]"
python3 - "$x78" > "$tmp/parts.txt" <<'PY' || true
import email, sys
from email import policy
raw = open(sys.argv[1], 'rb').read()
# smtp-sink's dump starts with the envelope; the message starts at its first header
i = raw.find(b'\nReceived: ')
m = email.message_from_bytes(raw[i + 1:] if i >= 0 else raw, policy=policy.default)
print('x-arf', m['X-ARF'])
print('auto-submitted', m['Auto-Submitted'])
print('type', m.get_content_type())
for p in m.iter_parts():
    print('part', p.get_content_type(), p.get_filename() or '-')
    print(p.get_content())
PY
check "x-arf: X-ARF: YES, Auto-Submitted, multipart/mixed" \
  sh -c "grep -qx 'x-arf YES' '$tmp/parts.txt' && grep -qx 'auto-submitted auto-generated' '$tmp/parts.txt' && grep -qx 'type multipart/mixed' '$tmp/parts.txt'"
check "x-arf: three parts: the text, report.txt, logfile.log" \
  [ "$(grep '^part ' "$tmp/parts.txt" | tr '\n' ' ')" = "part text/plain - part text/plain report.txt part text/plain logfile.log " ]
check "x-arf: the report names the source, type and schema" \
  sh -c "grep -qx 'Source: 203.0.113.78' '$tmp/parts.txt' && grep -qx 'Report-Type: login-attack' '$tmp/parts.txt' && grep -qx 'Version: 0.2' '$tmp/parts.txt' && grep -qx 'Schema-URL: http://www.x-arf.org/schema/abuse_login-attack_0.1.2.json' '$tmp/parts.txt'"
check "x-arf: the evidence holds this source's lines only" \
  sh -c "grep -q 'Failed password for root from 203.0.113.78 port 40100' '$tmp/parts.txt' && ! grep -q 'from 203.0.113.79' '$tmp/parts.txt'"

# 8. the external team replies with its incident's tag
ext_incident=$(ad --json incident list | python3 -c "import json,sys; print([i['number'] for i in json.load(sys.stdin) if i['responsible'] == 'net:abuse@hosting.example.com' and i['kind'] == 'ssh-brute-force'][0])")
cat > "$tmp/ext-reply.eml" <<MSG
From: abuse@hosting.example.com
To: irt@csirt.example
Subject: Re: [Janet CSIRT#$ext_incident] ssh brute force from 203.0.113.78
Message-ID: <ext-reply-1@hosting.example.com>
Date: Mon, 23 Nov 2026 13:00:00 +0000

The customer's server was compromised; it has been suspended.
MSG
deliver abuse@hosting.example.com "$tmp/ext-reply.eml" 2>/dev/null
ad process 2>"$tmp/process.log" >/dev/null
check "external reply: threaded into its incident by the tag" grep -q "ticket $ext_incident (threaded by tag)" "$tmp/process.log"

# 9. a refused constituency file changes nothing; export | import round-trips
cat > "$tmp/overlap.conf" <<'CONF'
org new-lab
  name New Lab
  security sec@new-lab.example
  domain new-lab.example
  prefix 198.51.100.0/24
CONF
before=$(ad --json lookup 198.51.100.23 | python3 -c "import json,sys; print(json.load(sys.stdin)['org']['id'])")
if ad constituency import "$src"/etc/constituency/*.conf "$tmp/overlap.conf" 2>"$tmp/import.err" >/dev/null; then
  fail "overlap: import accepted"
else
  ok "overlap: import refused (exit $?)"
fi
check "overlap: the error names both files and lines" \
  grep -q "colleges.conf:18: 198.51.100.0/27 of 'college-d' overlaps 198.51.100.0/24 of 'new-lab' ($tmp/overlap.conf:5)" "$tmp/import.err"
check "overlap: and says nothing was loaded" grep -q "nothing was loaded" "$tmp/import.err"
ad constituency export > "$tmp/after-refusal.conf"
check "overlap: nothing of it was loaded" sh -c "! grep -q new-lab '$tmp/after-refusal.conf'"
after=$(ad --json lookup 198.51.100.23 | python3 -c "import json,sys; print(json.load(sys.stdin)['org']['id'])")
check "overlap: the old data stays ($before, $after)" [ "$before" = "$after" ]
ad constituency export > "$tmp/export.conf"
ad constituency import "$tmp/export.conf" >/dev/null
ad constituency export > "$tmp/export2.conf"
check "export | import round-trips" cmp -s "$tmp/export.conf" "$tmp/export2.conf"

# 10. lookup of a name outside the constituency's domains: from the DNS
cat > "$tmp/loopback.conf" <<'CONF'
org loop
  name Loopback Test
  security sec@loop.example
  domain loop.example
  prefix 127.0.0.0/8
  prefix ::1/128
CONF
lookup_db=$(e2e_store_url "$tmp" lookup)
lk() { "$bin" --db "$lookup_db" "$@"; }
lk init >/dev/null
lk constituency import "$tmp/loopback.conf" >/dev/null
lk lookup localhost > "$tmp/lk.txt" 2>&1
check "dns: localhost is resolved and marked so" grep -q "^localhost resolved from DNS to 127.0.0.1" "$tmp/lk.txt"
check "dns: its address is inside the loopback organisation" grep -q "organisation  Loopback Test (loop)" "$tmp/lk.txt"
check "dns: --json says resolved_from dns" sh -c "\"$bin\" --db '$lookup_db' --json lookup localhost | python3 -c \"import json,sys; d=json.load(sys.stdin); sys.exit(0 if d['resolved_from'] == 'dns' and d['addresses'][0]['where'] == 'inside' else 1)\""
lk lookup mail.loop.example > "$tmp/lk2.txt" 2>&1
check "dns: a constituency domain wins without the DNS" sh -c "grep -q 'domain        loop.example' '$tmp/lk2.txt' && ! grep -q 'resolved from DNS' '$tmp/lk2.txt'"
set +e
lk lookup no-such-host.invalid > "$tmp/lk3.txt" 2>&1
rc=$?
set -e
check "dns: an unresolvable name exits 66 (got $rc)" [ "$rc" -eq 66 ]
check "dns: ... and says it does not resolve" grep -q "no-such-host.invalid: not in the constituency's domains, and it does not resolve in the DNS" "$tmp/lk3.txt"

if [ "$fails" -ne 0 ]; then echo "$fails check(s) failed" >&2; exit 1; fi
echo "all checks passed"
