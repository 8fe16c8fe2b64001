#!/bin/sh
# Installs the Debian 12 packages abusedesk needs: "run" for building and
# running the desk (swaks: `make run` shows how to send the desk a report
# with it), "test" for the whole test suite as well (postfix brings
# smtp-source and smtp-sink; python3 drives the LMTP e2e client).
# "bench" for make bench.
# Installs only what is missing; needs root (or sudo) only when something is.
set -eu
what=${1:-run}

run_pkgs="meson ninja-build pkg-config gcc libc6-dev libgmime-3.0-dev libsqlite3-dev libcurl4-openssl-dev
  libjansson-dev libsodium-dev libinih-dev libpcre2-dev libmicrohttpd-dev libpq-dev sqlite3 zlib1g-dev swaks"
test_pkgs="$run_pkgs libcriterion-dev clang libclang-rt-14-dev postfix swaks python3 procps postgresql jq
  chromium util-linux"
# make bench: GNU time for peak memory (/usr/bin/time), python3 for the corpus.
bench_pkgs="$run_pkgs time python3"

case "$what" in
run) pkgs=$run_pkgs ;;
test) pkgs=$test_pkgs ;;
bench) pkgs=$bench_pkgs ;;
*) echo "usage: $0 run|test|bench" >&2; exit 64 ;;
esac

missing=""
# The browser tests need node and npm; a machine may have them from
# elsewhere (e.g. NodeSource, whose nodejs conflicts with Debian's npm).
if [ "$what" = test ] && ! command -v npm >/dev/null 2>&1; then
  pkgs="$pkgs nodejs npm"
fi
for p in $pkgs; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  sudo=""
elif command -v sudo >/dev/null 2>&1; then
  sudo="sudo"
else
  echo "abusedesk: these Debian packages are missing:$missing" >&2
  echo "abusedesk: install them as root: apt-get install$missing" >&2
  exit 69
fi
echo "abusedesk: installing:$missing"
# Postfix asks how to configure itself; the tests bring their own config.
echo "postfix postfix/main_mailer_type select No configuration" | $sudo debconf-set-selections
$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
