#!/bin/bash
# Malformed input is stored and becomes a ticket an analyst can read;
# nothing is lost. Only an over-size message is refused (65, nothing
# stored); a store that cannot take the message is 75 so the MTA retries.
# Runs on the backend of the run (backend.sh); the store-down cases are
# each backend's own ways of being unusable.
. "$(dirname "$0")/lib.sh" "$@"
cases=$WORK/cases
mkdir "$cases"
cp "$E2E_DIR"/bad-input/*.eml "$cases/"
: > "$cases/empty.eml"
# Generated cases (bytes a text file cannot hold readably).
python3 - "$cases" <<'PY'
import random, sys
d = sys.argv[1]
open(d + "/nul-bytes.eml", "wb").write(
    b"From: nul@example.org\nSubject: nul-bytes-case\n\nbefore\0the\0nul\0bytes 192.0.2.66\n\0")
open(d + "/long-header.eml", "wb").write(
    b"From: long@example.org\nSubject: long-header-case\nX-Long: " + b"A" * (100 * 1024) +
    b"\nReferences: " + b"<x@y> " * 20000 + b"\n\nlong header body 192.0.2.77\n")
r = random.Random(42)
open(d + "/binary-junk.eml", "wb").write(bytes(r.randrange(256) for _ in range(8192)))
open(d + "/bare-cr.eml", "wb").write(b"From: cr@example.org\rSubject: bare-cr-case\r\rbody with CR only\r")
open(d + "/crlf.eml", "wb").write(b"From: crlf@example.org\r\nSubject: crlf-case\r\n\r\nCRLF body\r\n")
PY
n_cases=$(ls "$cases" | wc -l)

for f in "$cases"/*.eml; do
  name=$(basename "$f" .eml)
  ad deliver --sender "reporter-$name@example.org" --recipient irt@csirt.example < "$f" 2>/dev/null
  check "deliver $name: exit 0" test $? -eq 0
done
check "process" ad process
n=$(ad ticket list --json | json_get 'len(v)')
check "every case is a ticket ($n of $n_cases)" test "$n" -eq "$n_cases"

# Nothing lost: every stored raw message is byte-identical to its input.
check "raw bytes kept exactly" python3 - "$(e2e_sqlite_copy "$DB" "$WORK/copy.db")" "$cases" <<'PY'
import os, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
stored = {}
for env_from, raw in db.execute("SELECT env_from, raw FROM message WHERE direction = 'in'"):
    stored[env_from] = bytes(raw or b"")
bad = 0
for f in sorted(os.listdir(sys.argv[2])):
    name = f[:-4]
    want = open(os.path.join(sys.argv[2], f), "rb").read()
    got = stored.get("reporter-%s@example.org" % name)
    if got != want:
        print("  %s: stored %s bytes, sent %d" % (name, None if got is None else len(got), len(want)))
        bad += 1
sys.exit(1 if bad else 0)
PY

# Each ticket can be shown, by people and as JSON, and shows its text.
for t in $(ad ticket list --json | json_get '" ".join(str(x["number"]) for x in v)'); do
  out=$(ad ticket show "$t" 2>&1) || fail "ticket show $t"
  ad ticket show "$t" --json | json_get 'v["number"]' >/dev/null || fail "ticket show $t --json is not JSON"
  printf '%s' "$out" | LC_ALL=C grep -q $'\x1b' && fail "ticket show $t writes ESC to the terminal"
done
shows() { ad ticket show "$1" 2>&1 | grep -qF -- "$2"; }
num_of() { ad ticket list --json | json_get "[x['number'] for x in v if x['reporter'] == '$1' or x['subject'] == '$1'][0]"; }
for row in "no-headers-case:no-headers-case: someone piped" "empty-body-case:empty-body-case" \
           "eight-bit-case:scanner 192.0.2.44" "nul-bytes-case:192.0.2.66" "long-header-case:long header body 192.0.2.77" \
           "html-only-case:192.0.2.55" "broken-mime-case:broken-mime-case" "crlf-case:CRLF body"; do
  key=${row%%:*}; want=${row#*:}
  t=$(ad ticket list --json | json_get "[x['number'] for x in v if '$key' in x['subject']] or [0]" | tr -d '[]')
  if [ "$key" = no-headers-case ]; then t=$(num_of reporter-no-headers@example.org); fi
  check "$key: ticket $t shows \"$want\"" shows "$t" "$want"
done
t=$(ad ticket list --json | json_get "[x['number'] for x in v if x['subject'] == 'html-only-case'][0]")
check "html-only: no markup or script shown" bash -c "! '$AD' --db '$DB' ticket show $t | grep -Eq '<script|alert|<p>'"

# Over the size limit: 65, one line on stderr, nothing stored.
stored() { e2e_sql "$DB" "SELECT count(*) FROM message $*"; }
before=$(stored)
python3 -c 'import sys; sys.stdout.write("From: big@example.org\nSubject: big\n\n" + "x" * 5000 + "\n")' > "$WORK/big.eml"
set +e
ad --set desk.message_size_max=4096 deliver --sender big@example.org < "$WORK/big.eml" 2> "$WORK/err"
rc=$?
set -e
check "over-size: exit 65 (got $rc)" test "$rc" -eq 65
check "over-size: one line on stderr" test "$(wc -l < "$WORK/err")" -eq 1
after=$(stored)
check "over-size: nothing stored ($before -> $after)" test "$before" -eq "$after"
head -c 4096 "$WORK/big.eml" > "$WORK/fits.eml"
check "exactly at the limit: accepted" ad --set desk.message_size_max=4096 deliver --sender big@example.org < "$WORK/fits.eml"

# A store that cannot take the message: 75, so the MTA keeps it and retries.
deliver_rc() {  # deliver_rc URL: deliver's exit status on that store
  set +e
  "$AD" --db "$1" deliver --sender down@example.org < "$SRC_DIR/examples/01-ssh-brute-force.eml" 2>"$WORK/err"
  echo $?
  set -e
}
# deliver_while_locked WHAT: with $locker holding the store's lock past our
# wait, deliver gives 75 (the MTA retries) and stores nothing; then the
# locker goes.
deliver_while_locked() {
  set +e
  printf 'From: locked@example.org\nSubject: locked\n\nwhile locked\n' | ad deliver --sender locked@example.org 2>"$WORK/err"
  rc=$?
  set -e
  kill "$locker"; wait "$locker" 2>/dev/null || true
  check "$1: exit 75 (got $rc: $(head -c 200 "$WORK/err"))" test "$rc" -eq 75
  n=$(stored "WHERE env_from = 'locked@example.org'")
  check "$1: nothing half-stored ($n)" test "$n" -eq 0
}
if e2e_is_pg; then
  # The server is not there, or the database is gone.
  rc=$(deliver_rc "postgresql:///x?host=$WORK/no-server&port=1&connect_timeout=5")
  check "no server: exit 75 (got $rc)" test "$rc" -eq 75
  rc=$(deliver_rc "$(echo "$DB" | sed 's|^\(postgres[a-z]*://[^/?]*/\)[^?]*|\1no_such_db|')")
  check "no such database: exit 75 (got $rc)" test "$rc" -eq 75
  # Locked: another session holds the table longer than our lock_timeout
  # (10 s, as SQLite's busy timeout).
  psql -X -q "$DB" -c "BEGIN; LOCK TABLE message IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(120)" \
    >/dev/null 2>&1 &
  locker=$!
  for i in $(seq 100); do
    [ "$(e2e_sql "$DB" "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
       WHERE c.relname = 'message' AND l.mode = 'AccessExclusiveLock' AND l.granted")" = 1 ] && break
    sleep 0.1
  done
  deliver_while_locked "locked table"
  # Refusing writes, as a hot standby does after a failover.
  db_name=$(e2e_sql "$DB" "SELECT current_database()")
  # (changed from the cluster's own database: a read-only session could not undo it)
  e2e_sql "$ABUSEDESK_TEST_PG" "ALTER DATABASE $db_name SET default_transaction_read_only = on" >/dev/null
  rc=$(deliver_rc "$DB")
  set +e; ad process >/dev/null 2>&1; rc_process=$?; set -e
  e2e_sql "$ABUSEDESK_TEST_PG" "ALTER DATABASE $db_name RESET default_transaction_read_only" >/dev/null
  check "read-only database: exit 75 (got $rc: $(head -c 200 "$WORK/err"))" test "$rc" -eq 75
  check "read-only database: process waits too, exit 75 (got $rc_process)" test "$rc_process" -eq 75
  n=$(stored "WHERE env_from = 'down@example.org'")
  check "read-only database: nothing stored ($n)" test "$n" -eq 0
  finish
  exit 0
fi
# SQLite: the file cannot be created or written.
set +e
"$AD" --db "$WORK/not-a-dir/desk.db" deliver < "$SRC_DIR/examples/01-ssh-brute-force.eml" 2>/dev/null
rc=$?
: > "$WORK/a-file"
"$AD" --db "$WORK/a-file/desk.db" deliver < "$SRC_DIR/examples/01-ssh-brute-force.eml" 2>/dev/null
rc2=$?
set -e
check "store directory missing: exit 75 (got $rc)" test "$rc" -eq 75
check "store path unusable: exit 75 (got $rc2)" test "$rc2" -eq 75
if [ "$(id -u)" -ne 0 ]; then
  mkdir "$WORK/ro"; chmod 555 "$WORK/ro"
  set +e; "$AD" --db "$WORK/ro/desk.db" deliver < "$SRC_DIR/examples/01-ssh-brute-force.eml" 2>/dev/null; rc=$?; set -e
  check "unwritable directory: exit 75 (got $rc)" test "$rc" -eq 75
fi
# Locked: another process holds the write lock longer than our busy timeout.
python3 - "$DB" "$WORK/locked" <<'PY' &
import os, sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN EXCLUSIVE")
open(sys.argv[2], "w").close()
time.sleep(120)  # killed below; longer than any busy wait under load
PY
locker=$!
for i in $(seq 100); do [ -e "$WORK/locked" ] && break; sleep 0.1; done
deliver_while_locked "locked store"
finish
