#!/bin/sh
# bench/extract: abusedesk's evidence extractor vs Python's email package
# doing the same MIME walk, over the same generated corpus, in the same run,
# one core each (one after the other). Needs a release build:
#   meson setup build -Dbuildtype=release && ninja -C build
# usage: bench/extract/run.sh [BUILD_DIR] [N_MESSAGES]
set -eu
cd "$(dirname "$0")/../.."
build=${1:-build}
n=${2:-5000}
corpus=$(mktemp -d)
trap 'rm -rf "$corpus"' EXIT INT TERM
python3 bench/extract/gen_corpus.py "$corpus" "$n" >&2
# warm the page cache for both
cat "$corpus"/* > /dev/null
c=$(taskset -c 0 "$build/bench/extract/bench-extract" "$corpus" 2>/dev/null || "$build/bench/extract/bench-extract" "$corpus")
p=$(taskset -c 0 python3 bench/extract/peer_email.py "$corpus" 2>/dev/null || python3 bench/extract/peer_email.py "$corpus")
echo "$c"
echo "$p"
echo "log-format dispatcher (1M generated lines each, CPU time):"
"$build/bench/extract/bench-logfmt"
python3 - "$c" "$p" <<'PY'
import json, sys
c, p = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print("| | messages/s (wall) | MB/s (wall) | messages/CPU-s | MB/CPU-s | peak RSS | messages | MB |")
print("|---|---|---|---|---|---|---|---|")
for r in (c, p):
    print("| %s | %.0f | %.1f | %.0f | %.1f | %.1f MiB | %d | %.1f |" % (r["impl"], r["msgs_per_s"], r["mb_per_s"], r["msgs_per_cpu_s"],
          r["mb_per_cpu_s"], r["peak_rss_kb"] / 1024, r["messages"], r["bytes"] / 1e6))
print("\nratio (abusedesk / python-email): %.1fx wall, %.1fx CPU" % (c["msgs_per_s"] / p["msgs_per_s"], c["msgs_per_cpu_s"] / p["msgs_per_cpu_s"]))
PY
