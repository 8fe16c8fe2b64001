# Which store an e2e script runs on, and how it reads it: sourced (no traps,
# no state) by db_lib.sh, serve_lib.sh and the older scripts. The run says
# which backend (tests/e2e/meson.build): ABUSEDESK_TEST_DB=sqlite (suite
# 'e2e') or postgresql (suite 'pg', cluster in ABUSEDESK_TEST_PG from
# eval "$(tests/pg/pg-start.sh)"); see tests/support/testdb.h.
# Scripts read the desk through the abusedesk CLI where it shows the thing
# (ticket/outbox ... --json); e2e_sql is for what only SQL can count, and
# its SQL must mean the same on both (no instr, no casts of raw).
e2e_is_pg() { case "${ABUSEDESK_TEST_DB:-sqlite}" in postgres*) return 0 ;; esac; return 1; }

# e2e_store_url DIR NAME: prints a fresh, empty store URL on this run's
# backend: DIR/NAME.db, or a new database on the test cluster (exit 77,
# "skipped", when suite 'pg' runs without one).
e2e_store_url() {
  if e2e_is_pg; then
    if [ -z "${ABUSEDESK_TEST_PG:-}" ]; then
      echo "SKIP: no PostgreSQL cluster for suite 'pg': eval \"\$(tests/pg/pg-start.sh)\" first" >&2
      exit 77
    fi
    e2e_pg_create "$ABUSEDESK_TEST_PG" "e_$(basename "$1" | tr -c 'a-zA-Z0-9\n' _ | tr 'A-Z' 'a-z')_$2"
  else
    echo "$1/$2.db"
  fi
}

# e2e_pg_create BASE_URL NAME: creates database NAME, prints its URL.
e2e_pg_create() {
  psql -X -q -v ON_ERROR_STOP=1 "$1" -c "CREATE DATABASE $2" >/dev/null
  echo "$1" | sed "s|^\(postgres[a-z]*://[^/?]*/\)[^?]*|\1$2|"
}

# e2e_sql URL SQL: one value per line, columns joined by '|', on either store.
e2e_sql() {
  case $1 in
    postgres*) psql -X -A -t -q -v ON_ERROR_STOP=1 "$1" -c "$2" ;;
    *) sqlite3 -cmd ".timeout 10000" "${1#sqlite:}" "$2" ;;
  esac
}

# e2e_sqlite_copy URL FILE: a SQLite file holding URL's desk, for readers
# that only speak SQLite (lmtp_client.py verify): URL itself on SQLite, a
# copy made by `abusedesk migrate` into FILE (which must not exist) on
# PostgreSQL. Prints the file's name.
e2e_sqlite_copy() {
  case $1 in
    postgres*) "${AD:?}" --set log.level=error migrate --from "$1" --to "$2" >/dev/null && echo "$2" ;;
    *) echo "${1#sqlite:}" ;;
  esac
}
