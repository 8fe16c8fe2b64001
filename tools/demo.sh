#!/bin/sh
# `make run`: the desk on its embedded defaults with the demo reports.
set -eu
cd "$(dirname "$0")/.."
bin=./build/abusedesk
db=${ABUSEDESK_DB:-./abusedesk.db}
$bin --db "$db" init
# The fictional network and external contacts the demo reports are routed by.
$bin --db "$db" constituency import etc/constituency/*.conf
$bin --db "$db" contacts import-rpsl etc/rpsl/sample.db
for f in examples/*.eml; do
  # The demo sender is the reporter in the message's From: line.
  sender=$(sed -n 's/^From:.*<\([^>]*\)>.*/\1/p; s/^From: *\([^ <]*@[^ >]*\) *$/\1/p' "$f" | head -n 1)
  $bin --db "$db" deliver --sender "${sender:-reporter@example.org}" --recipient irt@csirt.example < "$f"
done
$bin --db "$db" process
echo
$bin --db "$db" ticket list
echo
lmtp=${ABUSEDESK_LMTP:-127.0.0.1:2424}
http=${ABUSEDESK_HTTP:-127.0.0.1:8080}
cat <<EOT
The demo reports are tickets in $db. Now the desk runs in the foreground
(Ctrl-C stops it), taking reports over LMTP on $lmtp and serving the web
desk on http://$http/. In another terminal:

  # the first analyst for the web desk (prints a one-time password), then
  # open http://$http/ and log in:
  $bin --db $db user add \$USER --admin

  # send a report, as your MTA would:
  swaks --protocol LMTP --server $lmtp --from you@example.org --to irt@csirt.example \\
        --header 'Subject: SSH scan from 192.0.2.1' --body '192.0.2.1 scanned our port 22'
  # see it become a ticket within a second:
  $bin --db $db ticket list
  $bin --db $db ticket show \$(sqlite3 $db 'select max(number) from ticket')
  $bin --db $db outbox list      # acknowledgments queued, notifications held for approval
  $bin --db $db incident list    # who is responsible for the reported sources
  $bin --db $db lookup 198.51.100.23 203.0.113.77
  $bin --db $db outbox approve ID   # let a held notification go out
  $bin --help

Postfix in front of it: etc/postfix/ and docs/OPERATING.md.

EOT
exec $bin --db "$db" --set lmtp.listen="$lmtp" --set http.listen="$http" serve
