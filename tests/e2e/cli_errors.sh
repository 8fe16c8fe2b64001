#!/bin/bash
# A wrong ticket number or a bad option is a one-line error on stderr with
# its sysexits code, never a crash (the ASan build reports any leak or
# overflow on stderr, which fails the row). Rows: cli_errors.tsv.
. "$(dirname "$0")/lib.sh" "$@"
ad deliver --sender netops@uni-a.example.ac.uk < "$SRC_DIR/examples/01-ssh-brute-force.eml" 2>/dev/null
ad process >/dev/null 2>&1
while IFS=$'\t' read -r args want_rc want_err; do
  case $args in ''|'#'*) continue ;; esac
  set +e
  # shellcheck disable=SC2086
  ad $args < /dev/null > /dev/null 2> "$WORK/err"
  rc=$?
  set -e
  lines=$(grep -c '' "$WORK/err" || true)
  if [ "$rc" -ne "$want_rc" ]; then fail "'$args': exit $rc, want $want_rc ($(head -c 300 "$WORK/err"))"
  elif ! grep -qF -- "$want_err" "$WORK/err"; then fail "'$args': stderr \"$(head -c 300 "$WORK/err")\", want \"$want_err\""
  elif grep -q Sanitizer "$WORK/err"; then fail "'$args': sanitizer report"
  elif [ "$lines" -ne 1 ] && [ "$want_err" != usage ]; then fail "'$args': $lines lines on stderr, want 1"
  else ok "'$args': exit $rc"
  fi
done < "$E2E_DIR/cli_errors.tsv"
finish
