#!/bin/bash
# bench/deliver: messages per second through `abusedesk deliver` (one
# process per message, as an MTA's pipe transport runs it) and then
# `abusedesk process`, against the peer "cat > file; sync file" (one cat
# and one fsync per message: the least a program that keeps each message
# durably can do) on the same messages in the same run.
# Needs a release build: meson setup build -Dbuildtype=release && ninja -C build
# usage: bench/deliver/run.sh [BUILD_DIR] [N_MESSAGES]   (default: build 10000)
set -eu
cd "$(dirname "$0")/../.."
build=${1:-build}
N=${2:-10000}
AD=$(pwd)/$build/abusedesk
[ -x "$AD" ] || { echo "bench/deliver: no $AD; build first (make bench does)" >&2; exit 1; }
WORK=$(mktemp -d "${BENCH_TMPDIR:-/var/tmp}/abusedesk-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
DB=$WORK/bench.db
mkdir "$WORK/msgs" "$WORK/cat"

# The corpus: varied reports, replies that thread, auto-replies, HTML,
# 8-bit junk, multipart with attachments, a few large ones.
python3 - "$WORK/msgs" "$N" <<'PY'
import base64, random, sys
d, n = sys.argv[1], int(sys.argv[2])
r = random.Random(2026)
words = "scan brute force ssh rdp port attack from our honeypot saw attempts logs timestamp utc network abuse".split()
def text(k):
    return "\n".join(" ".join(r.choice(words) for _ in range(12)) + " 192.0.2.%d" % r.randrange(256) for _ in range(k)) + "\n"
for i in range(n):
    sender = "reporter%d@example%d.org" % (r.randrange(500), r.randrange(20))
    kind = r.random()
    h = "From: Reporter <%s>\nTo: irt@csirt.example\nMessage-ID: <bench-%d@example.org>\nDate: Mon, 23 Nov 2026 10:%02d:00 +0000\n" % (sender, i, i % 60)
    if kind < 0.15 and i > 10:
        h += "Subject: Re: [Janet CSIRT#%d] scan continues\n" % (100001 + r.randrange(i))
        body = text(r.randrange(1, 20))
    elif kind < 0.22:
        h += "Subject: Automatic reply: away\nAuto-Submitted: auto-replied\n"
        body = text(2)
    elif kind < 0.35:
        h += "Subject: HTML report %d\nContent-Type: text/html; charset=utf-8\n" % i
        body = "<html><body><p>" + text(r.randrange(1, 50)).replace("\n", "</p><p>") + "</p></body></html>\n"
    elif kind < 0.45:
        h += "Subject: =?ISO-8859-1?Q?Angriff_=FCber_SSH_%d?=\nContent-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: 8bit\n" % i
        body = text(r.randrange(1, 30)).replace("scan", "Gr\xfc\xdfe")
    elif kind < 0.55:
        att = base64.encodebytes(bytes(r.randrange(256) for _ in range(r.randrange(1000, 60000)))).decode()
        h += "Subject: logs attached %d\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b%d\n" % (i, i)
        body = "--b%d\nContent-Type: text/plain\n\n%s--b%d\nContent-Type: application/octet-stream\nContent-Disposition: attachment; filename=logs.bin\nContent-Transfer-Encoding: base64\n\n%s--b%d--\n" % (i, text(5), i, att, i)
    elif kind < 0.5505:
        h += "Subject: big log dump %d\n" % i
        body = text(20000)
    else:
        h += "Subject: %s from 192.0.2.%d\n" % (r.choice(["SSH brute force", "Port scan", "Spam", "Phishing site"]), r.randrange(256))
        body = text(r.randrange(1, 80))
    data = (h + "\n" + body).encode("latin-1", "replace")
    open("%s/%06d.eml" % (d, i), "wb").write(data)
PY
bytes=$(cat "$WORK"/msgs/*.eml | wc -c)
largest=$(ls -S "$WORK"/msgs/*.eml | head -n 1)
now() { date +%s.%N; }
echo "corpus: $N messages, $bytes bytes (largest $(wc -c < "$largest") bytes)"

# Peer: cat > file; sync file -- one process and one fsync per message.
t0=$(now)
for f in "$WORK"/msgs/*.eml; do
  out=$WORK/cat/${f##*/}
  cat < "$f" > "$out"; sync "$out"
done
t1=$(now)

# abusedesk deliver, one process per message.
"$AD" --db "$DB" init >/dev/null 2>&1
t2=$(now)
for f in "$WORK"/msgs/*.eml; do
  "$AD" --db "$DB" deliver --sender reporter@example.org --recipient irt@csirt.example < "$f" 2>/dev/null
done
t3=$(now)
# abusedesk process: one run takes the whole queue.
/usr/bin/time -f '%M' -o "$WORK/process.rss" "$AD" --db "$DB" process >/dev/null 2>&1
t4=$(now)
/usr/bin/time -f '%M' -o "$WORK/deliver.rss" "$AD" --db "$WORK/rss.db" deliver --sender r@example.org < "$largest" 2>/dev/null
/usr/bin/time -f '%M' -o "$WORK/cat.rss" cat < "$largest" > /dev/null

tickets=$(sqlite3 "$DB" "SELECT count(*) FROM ticket")
done_n=$(sqlite3 "$DB" "SELECT count(*) FROM message WHERE direction = 'in' AND state = 'done'")
dbsize=$(du -k "$DB" | cut -f1)
python3 - "$N" "$t0" "$t1" "$t2" "$t3" "$t4" "$(cat "$WORK/deliver.rss")" "$(cat "$WORK/process.rss")" "$(cat "$WORK/cat.rss")" "$tickets" "$done_n" "$dbsize" <<'PY'
import sys
n = int(sys.argv[1]); t0, t1, t2, t3, t4 = map(float, sys.argv[2:7])
drss, prss, crss = map(int, sys.argv[7:10])
tickets, done_n, dbk = map(int, sys.argv[10:13])
cat, dl, pr = t1 - t0, t3 - t2, t4 - t3
rows = [
    ("cat > file; sync file (peer)", cat, n / cat, 1.0, "%d kB" % crss),
    ("abusedesk deliver", dl, n / dl, (n / dl) / (n / cat), "%d kB (largest message)" % drss),
    ("abusedesk process", pr, n / pr, (n / pr) / (n / cat), "%d kB (whole queue)" % prss),
    ("deliver + process", dl + pr, n / (dl + pr), (n / (dl + pr)) / (n / cat), ""),
]
print("| step | seconds | messages/s | ratio to peer | peak RSS |")
print("|---|---:|---:|---:|---|")
for name, s, rate, ratio, rss in rows:
    print("| %s | %.1f | %.0f | %.2f | %s |" % (name, s, rate, ratio, rss))
print()
print("processed: %d of %d messages done, %d tickets; store %d kB" % (done_n, n, tickets, dbk))
PY
