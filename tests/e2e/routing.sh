#!/bin/sh
# Routing end to end: the real binary, a SQLite store and Postfix's
# smtp-sink as the relay on a free loopback port.
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
#     uni-a's IT support, no notification.
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
  "$bin" --db "$tmp/desk.db" --set "outbox.relay=smtp://127.0.0.1:$port" \
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

if [ "$fails" -ne 0 ]; then echo "$fails check(s) failed" >&2; exit 1; fi
echo "all checks passed"
