#!/bin/bash
# Every command of the CLI works on the run's store (both, backend.sh):
# each row of cli_commands.tsv runs once, in order, on one desk, and must
# exit as the row says, print what it says and nothing from a sanitizer.
# Every command `abusedesk --help` lists has a row (serve has its own
# tests), so a new command is not forgotten here.
. "$(dirname "$0")/lib.sh" "$@"
rows=$E2E_DIR/cli_commands.tsv
for f in "$SRC_DIR"/examples/*.eml; do
  ad deliver --sender netops@uni-a.example.ac.uk --recipient irt@csirt.example < "$f" 2>/dev/null
done
for i in $(seq 10 40); do
  echo "2026-11-22T14:53:$i+00:00 gw sshd[123]: Failed password for root from 203.0.113.70 port 4$i ssh2"
done > "$WORK/ssh.log"
for cmd in $("$AD" --help 2>&1 | sed -n '/^commands:/,/^$/p' | awk 'NR > 1 && NF {print $1}'); do
  [ "$cmd" = serve ] && continue
  check "'$cmd' has a row" grep -Eq "^(--set [^ ]+ )?$cmd( |	)" "$rows"
done
while IFS=$'\t' read -r args want_rc want_out; do
  case $args in ''|'#'*) continue ;; esac
  args=${args//@SRC@/$SRC_DIR}; args=${args//@WORK@/$WORK}
  set +e
  # shellcheck disable=SC2086
  echo "Thanks, we are looking into it." | ad --set evidence.trusted_relays=192.0.2.16/28 $args > "$WORK/out" 2>&1
  rc=$?
  set -e
  if [ "$rc" -ne "$want_rc" ]; then fail "'$args': exit $rc, want $want_rc ($(head -c 300 "$WORK/out"))"
  elif ! grep -qF -- "$want_out" "$WORK/out"; then fail "'$args': output \"$(head -c 300 "$WORK/out")\", want \"$want_out\""
  elif grep -q Sanitizer "$WORK/out"; then fail "'$args': sanitizer report"
  else ok "'$args': exit $rc"
  fi
done < "$rows"
finish
