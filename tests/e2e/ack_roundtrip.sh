#!/bin/bash
# A report goes in through `deliver`, becomes a ticket, and its
# acknowledgment reaches a real SMTP server (Postfix's smtp-sink) with the
# tag in Subject and body and the RFC 3834 headers; a reply that keeps the
# tag joins the ticket and is not acknowledged again.
. "$(dirname "$0")/lib.sh" "$@"
start_sink
relay=(--set "outbox.relay=smtp://127.0.0.1:$SINK_PORT")

check "deliver the report" ad deliver --sender netops@uni-a.example.ac.uk --recipient irt@csirt.example \
  < "$SRC_DIR/examples/01-ssh-brute-force.eml"
check "process" ad process
check "outbox flush to smtp-sink" ad "${relay[@]}" outbox flush
check "smtp-sink received one message" sink_wait 1
got=$(cat "$SINK_DIR"/msg.*)
# Headers are the lines before the first empty line after smtp-sink's own.
hdrs=$(printf '%s\n' "$got" | sed '/^$/q')
body=$(printf '%s\n' "$got" | sed '1,/^$/d')
has_hdr() { printf '%s\n' "$hdrs" | grep -qxF -- "$1"; }
check "MAIL FROM:<> (null envelope sender)" has_hdr "X-Mail-Args: <>"
check "RCPT TO the reporter" has_hdr "X-Rcpt-Args: <netops@uni-a.example.ac.uk>"
check "To: the reporter" has_hdr "To: netops@uni-a.example.ac.uk"
check "Subject carries the tag" has_hdr "Subject: [Janet CSIRT#100001] SSH brute force from 198.51.100.23"
check "Auto-Submitted: auto-replied" has_hdr "Auto-Submitted: auto-replied"
check "In-Reply-To the report" has_hdr "In-Reply-To: <20261122140301.GA1234@uni-a.example.ac.uk>"
check "References the report" has_hdr "References: <20261122140301.GA1234@uni-a.example.ac.uk>"
check "From: the desk" has_hdr "From: Janet CSIRT <irt@csirt.example>"
check "body carries the tag" grep -qF "[Janet CSIRT#100001]" <<<"$body"
check "body says what happens next" grep -qF "leave the reference [Janet CSIRT#100001]" <<<"$body"
ack_id=$(printf '%s\n' "$hdrs" | sed -n 's/^Message-I[dD]: <\(.*\)>$/\1/p')
check "ack has a Message-ID" test -n "$ack_id"
state=$(ad outbox list --json | json_get 'v[0]["state"]')
check "outbox row is sent (got $state)" test "$state" = sent

# The reporter replies, keeping the tag.
check "deliver the reply" ad deliver --sender netops@uni-a.example.ac.uk --recipient irt@csirt.example \
  < "$SRC_DIR/examples/03-reply.eml"
check "process the reply" ad process
check "flush again" ad "${relay[@]}" outbox flush
sleep 0.3
n=$(sink_count)
check "no second acknowledgment (sink holds $n)" test "$n" -eq 1
n=$(ad outbox list --json | json_get 'len(v)')
check "outbox holds one row (got $n)" test "$n" -eq 1
n=$(ad ticket list --json | json_get 'len(v)')
check "one ticket (got $n)" test "$n" -eq 1
show=$(ad ticket show 100001 --json)
n=$(json_get 'sum(1 for m in v["thread"] if m["direction"] == "in")' <<<"$show")
check "the reply joined ticket 100001 (inbound messages: $n)" test "$n" -eq 2
check "the reply's text is on the ticket" grep -qF "still going on this morning" <<<"$show"

# A reply that drops the tag but answers our Message-ID threads too.
printf 'From: Network Team <netops@uni-a.example.ac.uk>\nTo: irt@csirt.example\nSubject: more\nIn-Reply-To: <%s>\nMessage-ID: <r3@uni-a.example.ac.uk>\n\nThird message.\n' "$ack_id" \
  | ad deliver --sender netops@uni-a.example.ac.uk
ad process >/dev/null 2>&1
n=$(ad ticket show 100001 --json | json_get 'sum(1 for m in v["thread"] if m["direction"] == "in")')
check "In-Reply-To our ack threads (inbound messages: $n)" test "$n" -eq 3
n=$(ad outbox list --json | json_get 'len(v)')
check "still one outbox row (got $n)" test "$n" -eq 1
finish
