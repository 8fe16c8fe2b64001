#!/bin/sh
# abusedesk migrate: a SQLite desk built by the real binary (deliver,
# process, a reply, a merge, a resolve) is copied into the store of this run
# (a second SQLite file in suite 'e2e', PostgreSQL in suite 'pg'); the copy
# shows the same tickets, messages and outbox field by field, continues the
# numbering, and a second migrate into it is refused.
. "$ABUSEDESK_SRC/tests/e2e/db_lib.sh"
src="$T/src.db"
dst=$(e2e_db dst)
N=60
ad() { "$AD" --set log.level=${E2E_LOG:-error} "$@"; }

ad --db "$src" init >/dev/null
for f in "$ABUSEDESK_SRC"/examples/*.eml; do
  ad --db "$src" deliver --sender reporter@example.org --recipient irt@csirt.example < "$f"
done
i=0
while [ $i -lt $N ]; do
  printf 'From: r%d@uni-%d.example\r\nTo: irt@csirt.example\r\nSubject: scan %d from 192.0.2.%d\r\nMessage-ID: <m%d@uni.example>\r\nDate: Mon, 23 Nov 2026 10:00:00 +0000\r\n\r\nScanning from 192.0.2.%d, caf\303\251 \r\n' \
    $i $((i % 7)) $i $i $i $i > "$T/m.eml"
  ad --db "$src" deliver --sender "r$i@uni-$((i % 7)).example" --recipient irt@csirt.example < "$T/m.eml"
  i=$((i + 1))
done
ad --db "$src" process >/dev/null
ad --db "$src" ticket resolve 100003 >/dev/null
ad --db "$src" ticket merge 100005 100004 >/dev/null
echo "Thanks, looking into it." | ad --db "$src" ticket reply 100002 >/dev/null
# A message left in the queue must arrive queued.
printf 'Subject: late\r\n\r\nlate\r\n' | ad --db "$src" deliver --sender late@x.example --recipient irt@csirt.example

out=$(ad --db "$src" migrate --to "$dst") || e2e_fail "migrate exited $?"
echo "$out"
for t in ticket message outbox audit; do
  echo "$out" | grep -Eq "^  $t +[1-9]" || e2e_fail "migrate did not report rows for $t: $out"
done

# Field by field through the CLI: every listing and a sample of tickets.
same() {
  ad --db "$src" "$@" > "$T/a" 2>&1 || true
  ad --db "$dst" "$@" > "$T/b" 2>&1 || true
  cmp -s "$T/a" "$T/b" || { diff "$T/a" "$T/b" | head -20 >&2; e2e_fail "differs after migrate: $*"; }
}
same ticket list --status any --limit 1000 --json
same outbox list --limit 1000 --json
for n in 100001 100002 100003 100004 100005 100010 100030 $((100000 + N)); do
  same ticket show $n --json
done
count() { ad --db "$1" ticket list --status any --limit 10000 --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'; }
[ "$(count "$src")" = "$(count "$dst")" ] || e2e_fail "ticket counts differ"

# The copy carries on: the queued message becomes the next ticket.
before=$(ad --db "$dst" ticket list --status any --limit 1 --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["number"])')
ad --db "$dst" process >/dev/null || e2e_fail "process on the copy failed"
after=$(ad --db "$dst" ticket list --status any --limit 1 --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["number"])')
[ "$after" -eq $((before + 1)) ] || e2e_fail "next ticket after migrate: got $after, want $((before + 1))"

# A second migrate into a desk that holds tickets is refused (65), and
# changes nothing.
set +e
ad --db "$src" migrate --to "$dst" 2>"$T/err"; rc=$?
set -e
[ $rc -eq 65 ] || e2e_fail "migrate into a used store: exit $rc, want 65 ($(cat "$T/err"))"
[ "$(count "$dst")" = "$(($(count "$src") + 1))" ] || e2e_fail "the refused migrate changed the target"
echo "migrate: ok ($(count "$src") tickets)"
