#!/bin/sh
# bench/scans: lines/s, MB/s and peak memory of `abusedesk scans` beside
# the peers people run today on the same files, in the same run:
#   iptables log (>= 10M lines, >= 100k sources): abusedesk; psad -A -m
#     (psad's offline analysis) on a slice, since it is slow;
#   sshd log (>= 1M lines): abusedesk, sshguard's C parser sshg-parser,
#     fail2ban-regex with its sshd filter.
# The peers come from Debian and are installed here (root, apt-get) if
# missing -- never in CI. Logs are generated (bench/scans/genlog.py) into
# bench/out/scans and kept between runs. Sizes may be changed:
#   SCANS_IPT_LINES (10000000) SCANS_IPT_SOURCES (150000)
#   SCANS_SSHD_LINES (1000000) SCANS_SLICE (1000000: psad's slice)
# Prints a Markdown table for docs/BENCHMARKS.md. Rates per core are lines
# over user+sys CPU seconds; wall rates divide by elapsed time.
set -eu
cd "$(dirname "$0")/.."
AD=${ABUSEDESK:-$(pwd)/build/abusedesk}
[ -x "$AD" ] || { echo "bench/scans: build first: $AD" >&2; exit 1; }
OUT=bench/out/scans
mkdir -p "$OUT"
IPT_LINES=${SCANS_IPT_LINES:-10000000}
IPT_SOURCES=${SCANS_IPT_SOURCES:-150000}
SSHD_LINES=${SCANS_SSHD_LINES:-1000000}
SLICE=${SCANS_SLICE:-1000000}
IPT=$OUT/iptables-$IPT_LINES.log
SSHD=$OUT/sshd-$SSHD_LINES.log
SLICE_LOG=$OUT/iptables-slice-$SLICE.log

[ -s "$IPT" ] || python3 bench/scans/genlog.py iptables "$IPT_LINES" "$IPT_SOURCES" "$IPT"
[ -s "$SSHD" ] || python3 bench/scans/genlog.py sshd "$SSHD_LINES" "$((SSHD_LINES / 100))" "$SSHD"
[ -s "$SLICE_LOG" ] || head -n "$SLICE" "$IPT" > "$SLICE_LOG"

if [ "$(id -u)" -eq 0 ] && command -v apt-get > /dev/null; then
  for p in psad fail2ban sshguard; do
    dpkg -s "$p" > /dev/null 2>&1 ||
      DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$p" > "$OUT/apt-$p.log" 2>&1 ||
      echo "bench/scans: could not install $p (see $OUT/apt-$p.log)" >&2
  done
fi
SSHG=/usr/libexec/sshguard/sshg-parser

echo "| run | file | lines | MB | wall s | cpu s | lines/s (wall) | lines/s per core | MB/s per core | peak MB |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"
# measure NAME FILE STDIN|- CMD...: one row
RUN=0
measure() {
  name=$1; file=$2; in=$3; shift 3
  RUN=$((RUN + 1))
  o=$OUT/run$RUN
  lines=$(wc -l < "$file")
  bytes=$(wc -c < "$file")
  if [ "$in" = "-" ]; then
    /usr/bin/time -f "%e %U %S %M" -o "$OUT/time" "$@" > "$o.out" 2> "$o.err" || true
  else
    /usr/bin/time -f "%e %U %S %M" -o "$OUT/time" "$@" < "$in" > "$o.out" 2> "$o.err" || true
  fi
  read -r wall user sys kb < "$OUT/time"
  awk -v n="$name" -v f="$(basename "$file")" -v l="$lines" -v b="$bytes" -v w="$wall" -v u="$user" -v s="$sys" -v k="$kb" \
    'BEGIN { c = u + s; if (c <= 0) c = 0.01; if (w <= 0) w = 0.01;
      printf "| %s | %s | %d | %.0f | %.2f | %.2f | %.0f | %.0f | %.1f | %.0f |\n",
        n, f, l, b / 1e6, w, c, l / w, l / c, b / 1e6 / c, k / 1024 }'
}

measure "abusedesk scans" "$IPT" - "$AD" scans "$IPT"
measure "abusedesk scans (slice)" "$SLICE_LOG" - "$AD" scans "$SLICE_LOG"
if command -v psad > /dev/null; then
  measure "psad -A -m (slice)" "$SLICE_LOG" - psad -A -m "$SLICE_LOG"
fi
measure "abusedesk scans" "$SSHD" - "$AD" scans "$SSHD"
[ -x "$SSHG" ] && measure "sshg-parser" "$SSHD" "$SSHD" "$SSHG"
command -v fail2ban-regex > /dev/null && measure "fail2ban-regex sshd" "$SSHD" - fail2ban-regex "$SSHD" sshd
echo
echo "kinds found by abusedesk in $(basename "$IPT"):"
awk '{ k = $2 " " $3; if ($2 == "address-range" && $3 == "and") k = "range+port"; n[k]++ } END { for (k in n) print "  " n[k], k }' \
  "$OUT/run1.out" 2>/dev/null | sort -rn || true
grep -h "sources" "$OUT/run1.err" 2>/dev/null | head -1 || true
