#!/bin/bash
# A real Postfix, started by this test with its own configuration and queue
# in a temp dir, on loopback ports, delivers to `abusedesk serve` over LMTP
# (transport_maps -> lmtp:inet:127.0.0.1:PORT, as etc/postfix/ shows). A
# report submitted to Postfix with swaks becomes a ticket, and the desk's
# acknowledgment goes back out through Postfix (the desk's relay) to a
# capturing smtp-sink.
# usage: serve_postfix.sh ABUSEDESK
. "$(dirname "$0")/serve_lib.sh"
. "$(dirname "$0")/postfix_lib.sh"
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
postfix_log=$postfix_dir/maillog
postfix_private_init "$postfix_dir" mx.test.example test.example "$mx_port"
postfix_private_main "$postfix_dir" <<CF
mydestination =
smtpd_relay_restrictions = permit_mynetworks, reject
relay_domains = csirt.example
# Reports for the desk's domain go to abusedesk serve over LMTP ...
transport_maps = inline:{ csirt.example=lmtp:inet:127.0.0.1:$lmtp_port }
# ... and everything else (the desk's acknowledgments) to the test's sink.
relayhost = [127.0.0.1]:$sink_port
CF
postfix_private_start "$postfix_dir" || fail "postfix start"
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
[ -n "$ticket" ] || { cat "$postfix_log"; fail "no ticket from the report sent through Postfix"; }
echo "ok: ticket $ticket from the report that came through Postfix over LMTP"
grep -q "status=sent (250 2.0.0 queued as" "$postfix_log" || { cat "$postfix_log"; fail "postfix did not log the LMTP delivery"; }

ack=""
for i in $(seq 1 150); do
  ack=$(grep -l "$ticket" "$tmp"/sink/msg.* 2>/dev/null | head -n 1 || true)
  [ -n "$ack" ] && break
  sleep 0.2
done
[ -n "$ack" ] || { cat "$postfix_log"; tail "$serve_log"; fail "no acknowledgment reached the sink"; }
grep -qi "^To:.*reporter@example.org" "$ack" || fail "the acknowledgment is not addressed to the reporter"
grep -q "^Auto-Submitted: auto-replied" "$ack" || fail "the acknowledgment lacks Auto-Submitted"
state=$("$bin" --db "$db" --json outbox list --ticket "$ticket" | jq -r '.[] | select(.purpose == "ack") | .state')
[ "$state" = sent ] || fail "outbox state '$state', want sent"
echo "ok: the acknowledgment for ticket $ticket went out through Postfix to the sink ($(basename "$ack"))"
stop_serve || fail "SIGTERM"
