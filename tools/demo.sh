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
echo "The demo reports are tickets in $db. Try:"
echo "  $bin --db $db ticket show \$(sqlite3 $db 'select min(number) from ticket')"
echo "  $bin --db $db outbox list          # acknowledgments queued, notifications held for approval"
echo "  $bin --db $db incident list        # who is responsible for the reported sources"
echo "  $bin --db $db lookup 198.51.100.23 203.0.113.77"
echo "  $bin --db $db outbox approve ID    # let a held notification go out"
echo "  $bin --db $db outbox flush         # send them to the relay (smtp://127.0.0.1:25 by default)"
echo "  $bin --help"
echo
echo "The web desk: create the first analyst, then serve the UI and API:"
echo "  $bin --db $db user add \$USER --admin     # prints a one-time password"
echo "  $bin --db $db web                          # http://127.0.0.1:8080/"
