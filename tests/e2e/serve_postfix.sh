#!/bin/bash
# A real Postfix, started by this test with its own configuration and queue
# in a temp dir, on loopback ports, delivers to `abusedesk serve` over LMTP
# (transport_maps -> lmtp:inet:127.0.0.1:PORT, as etc/postfix/ shows). A
# report submitted to Postfix with swaks becomes a ticket, and the desk's
# acknowledgment goes back out through Postfix (the desk's relay) to a
# capturing smtp-sink.
# usage: serve_postfix.sh ABUSEDESK
. "$(dirname "$0")/serve_lib.sh"
serve_lib_init "$1"
chmod 755 "$tmp"	# Postfix's daemons and smtp-sink run as user postfix
db=$(serve_lib_db desk)
serve_log=$tmp/serve.log
lmtp_port=$(free_port)
mx_port=$(free_port)
sink_port=$(free_port)

mkdir -p "$tmp/sink"
chown postfix "$tmp/sink"
smtp-sink -u postfix -d "$tmp/sink/msg." 127.0.0.1:"$sink_port" 10 >"$tmp/sink.log" 2>&1 &
pids="$pids $!"

postfix_dir=$tmp/postfix
mkdir -p "$postfix_dir" "$tmp/pfqueue" "$tmp/pfdata"
chown postfix "$tmp/pfdata"
cat >"$postfix_dir/main.cf" <<CF
compatibility_level = 3.6
queue_directory = $tmp/pfqueue
data_directory = $tmp/pfdata
mail_owner = postfix
myhostname = mx.test.example
mydomain = test.example
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
alias_maps =
alias_database =
local_recipient_maps =
smtpd_relay_restrictions = permit_mynetworks, reject
relay_domains = csirt.example
# Reports for the desk's domain go to abusedesk serve over LMTP ...
transport_maps = inline:{ csirt.example=lmtp:inet:127.0.0.1:$lmtp_port }
# ... and everything else (the desk's acknowledgments) to the test's sink.
relayhost = [127.0.0.1]:$sink_port
smtp_dns_support_level = disabled
lmtp_dns_support_level = disabled
maillog_file_prefixes = $tmp
maillog_file = $tmp/postfix.log
smtputf8_enable = no
CF
cat >"$postfix_dir/master.cf" <<CF
127.0.0.1:$mx_port inet n - n - - smtpd
pickup    unix n - n 60 1 pickup
cleanup   unix n - n - 0 cleanup
qmgr      unix n - n 300 1 qmgr
rewrite   unix - - n - - trivial-rewrite
bounce    unix - - n - 0 bounce
defer     unix - - n - 0 bounce
trace     unix - - n - 0 bounce
verify    unix - - n - 1 verify
flush     unix n - n 1000? 0 flush
proxymap  unix - - n - - proxymap
smtp      unix - - n - - smtp
relay     unix - - n - - smtp
showq     unix n - n - - showq
error     unix - - n - - error
retry     unix - - n - - error
discard   unix - - n - - discard
lmtp      unix - - n - - lmtp
anvil     unix - - n - 1 anvil
scache    unix - - n - 1 scache
postlog   unix-dgram n - n - 1 postlogd
CF
postfix -c "$postfix_dir" start >"$tmp/postfix-start.log" 2>&1 || { cat "$tmp/postfix-start.log"; fail "postfix start"; }
wait_port "$mx_port" || fail "postfix does not listen"

start_serve "$serve_log" --db "$db" --set lmtp.listen=127.0.0.1:$lmtp_port \
  --set outbox.relay=smtp://127.0.0.1:$mx_port --set desk.hostname=desk.test.example
wait_port "$lmtp_port" || fail "serve did not start"

swaks --server 127.0.0.1:"$mx_port" --from reporter@example.org --to irt@csirt.example \
  --header "Subject: SSH scan from 192.0.2.77" --body "192.0.2.77 scanned our port 22." >"$tmp/swaks.out" 2>&1 ||
  { cat "$tmp/swaks.out"; fail "swaks to postfix"; }
echo "ok: Postfix accepted the report"

ticket=""
for i in $(seq 1 100); do
  ticket=$("$bin" --db "$db" --json ticket list --status any 2>/dev/null |
    jq -r '.[] | select(.subject | contains("192.0.2.77")) | .number' || true)
  [ -n "$ticket" ] && break
  sleep 0.2
done
[ -n "$ticket" ] || { cat "$tmp/postfix.log"; fail "no ticket from the report sent through Postfix"; }
echo "ok: ticket $ticket from the report that came through Postfix over LMTP"
grep -q "status=sent (250 2.0.0 queued as" "$tmp/postfix.log" || { cat "$tmp/postfix.log"; fail "postfix did not log the LMTP delivery"; }

ack=""
for i in $(seq 1 150); do
  ack=$(grep -l "$ticket" "$tmp"/sink/msg.* 2>/dev/null | head -n 1 || true)
  [ -n "$ack" ] && break
  sleep 0.2
done
[ -n "$ack" ] || { cat "$tmp/postfix.log"; tail "$serve_log"; fail "no acknowledgment reached the sink"; }
grep -qi "^To:.*reporter@example.org" "$ack" || fail "the acknowledgment is not addressed to the reporter"
grep -q "^Auto-Submitted: auto-replied" "$ack" || fail "the acknowledgment lacks Auto-Submitted"
state=$("$bin" --db "$db" --json outbox list --ticket "$ticket" | jq -r '.[] | select(.purpose == "ack") | .state')
[ "$state" = sent ] || fail "outbox state '$state', want sent"
echo "ok: the acknowledgment for ticket $ticket went out through Postfix to the sink ($(basename "$ack"))"
stop_serve || fail "SIGTERM"
