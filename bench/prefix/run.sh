#!/bin/sh
# bench/prefix/run.sh [V4_RANGES V6_RANGES ADDRESSES]
# The prefix lookup benchmark: generates an RIR-sized table (default 1M IPv4
# and 200k IPv6 ranges) and 2M addresses, then in the same run
#  - abusedesk's prefix_table (bench-prefix, a release build): build time,
#    memory, lookups per second;
#  - grepcidr (Debian package, installed here if missing) filtering the same
#    addresses against the same ranges.
# Both must agree on how many addresses match. Times are CPU seconds of each
# process (user + system), so jobs sharing the machine do not count against
# either side. Prints a Markdown table for docs/BENCHMARKS.md.
set -eu
cd "$(dirname "$0")/../.."
v4=${1:-1000000}; v6=${2:-200000}; na=${3:-2000000}
if ! command -v grepcidr >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ]; then s=""; else s=sudo; fi
  $s env DEBIAN_FRONTEND=noninteractive apt-get install -y -q grepcidr >/dev/null
fi
[ -f build-bench/build.ninja ] || meson setup build-bench --buildtype=release >/dev/null
ninja -C build-bench bench/prefix/bench-prefix >/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
python3 bench/prefix/gen.py "$tmp" "$v4" "$v6" "$na"
: >"$tmp/none.txt"

/usr/bin/time -f "%M" -o "$tmp/rss" build-bench/bench/prefix/bench-prefix "$tmp/ranges.txt" "$tmp/addrs.txt" 10 >"$tmp/ours"
get() { awk -v k="$1" '$1 == k {print $2}' "$tmp/ours"; }

calc() { awk "BEGIN { print $1 }"; }
secs() { # CPU seconds (user + system) of a command; its output in $tmp/out
  /usr/bin/time -f "%U %S" -o "$tmp/cpu" "$@" >"$tmp/out" || true
  calc "$(tail -1 "$tmp/cpu" | awk '{print $1 + $2}')"
}
g_load=$(secs grepcidr -f "$tmp/ranges.txt" "$tmp/none.txt")
g_all=$(secs grepcidr -f "$tmp/ranges.txt" "$tmp/addrs.txt")
g_matched=$(wc -l <"$tmp/out")
g_rate=$(calc "$na / ($g_all - $g_load)")
/usr/bin/time -f "%M" -o "$tmp/grss" grepcidr -f "$tmp/ranges.txt" "$tmp/none.txt" >/dev/null || true

ours_matched=$(get matched)
if [ "$ours_matched" != "$g_matched" ]; then
  echo "bench-prefix: MISMATCH: prefix_table matched $ours_matched addresses, grepcidr $g_matched" >&2
  exit 1
fi
ours_rate=$(get lookups_v4_per_s)
build=$(calc "$(get parse_seconds) + $(get build_seconds)")
printf '| figure | abusedesk prefix_table | grepcidr 2.0 | ratio ours/grepcidr |\n|---|---|---|---|\n'
printf '| ranges (IPv4 + IPv6) | %s + %s | same file | |\n' "$(get ranges_v4)" "$(get ranges_v6)"
printf '| load + build (s) | %.2f (build alone %.2f) | %.2f | %.2f |\n' "$build" "$(get build_seconds)" "$g_load" "$(calc "$build / $g_load")"
printf '| memory (MiB) | table %s, peak while building %s, process %.0f | process %.0f | |\n' "$(get table_mib)" \
  "$(get peak_rss_build_mib)" "$(calc "$(tail -1 "$tmp/rss") / 1024")" "$(calc "$(tail -1 "$tmp/grss") / 1024")"
printf '| IPv4 lookups/s (one core) | %.1f M | %.1f M (all families, reading text) | %.1f |\n' \
  "$(calc "$ours_rate / 1000000")" "$(calc "$g_rate / 1000000")" "$(calc "$ours_rate / $g_rate")"
printf '| IPv6 lookups/s | %.1f M | | |\n' "$(calc "$(get lookups_v6_per_s) / 1000000")"
printf '| addresses matching (of %s) | %s | %s | agree |\n' "$na" "$ours_matched" "$g_matched"
printf '| intervals after the split (IPv4, IPv6) | %s, %s | | |\n' "$(get intervals_v4)" "$(get intervals_v6)"
