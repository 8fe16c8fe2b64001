#!/usr/bin/env python3
"""Writes the logs of tests/e2e/scans.sh into the directory given.

Every source has a known expected kind (see EXPECT at the end, written to
expect.txt): address-range, port, both, login, other; the thresholds'
edges; IPv6; one scan split over two files in different zones; a file
with its lines shuffled; a second copy of a file (duplicate lines).
"""
import os
import random
import sys
from datetime import datetime, timedelta, timezone

out = sys.argv[1]
rnd = random.Random(7)
T0 = datetime(2026, 11, 22, 14, 3, 1, tzinfo=timezone.utc)


def syslog(t):  # syslog stamp, no zone, written in UTC (the test runs with TZ=UTC)
    return t.strftime("%b %d %H:%M:%S").replace(" 0", "  ", 1) if t.day < 10 else t.strftime("%b %d %H:%M:%S")


def iso(t, off_h):
    tz = timezone(timedelta(hours=off_h))
    return t.astimezone(tz).isoformat()


def ipt(stamp, src, dst, proto, dpt):
    fam = "SRC=%s DST=%s" % (src, dst)
    return ("%s gw kernel: [812345.123456] DROP-IN: IN=eth0 OUT= MAC=00:16:3e:aa:bb:cc:00:16:3e:dd:ee:ff:08:00 "
            "%s LEN=60 TOS=0x00 PREC=0x00 TTL=52 ID=%d DF PROTO=%s SPT=%d DPT=%d WINDOW=64240 RES=0x00 SYN URGP=0"
            % (stamp, fam, rnd.randrange(65536), proto, rnd.randrange(1024, 65535), dpt))


kern = []  # (time, line) syslog, no zone
def add(t, src, dst, proto, dpt):
    kern.append((t, ipt(syslog(t), src, dst, proto, dpt)))

# address-range scan: 240 of 192.0.2.0-255 on TCP 23
for i in range(256):
    if i in (0, 255) or i % 16 != 7:
        add(T0 + timedelta(seconds=i), "198.51.100.7", "192.0.2.%d" % i, "TCP", 23)
# edges of the address-range scan: 9 hosts (no), 10 hosts (yes)
for i in range(9):
    add(T0 + timedelta(seconds=300 + i), "198.51.100.9", "192.0.2.%d" % (i + 1), "TCP", 445)
for i in range(10):
    add(T0 + timedelta(seconds=300 + i), "198.51.100.10", "192.0.2.%d" % (i + 1), "TCP", 445)
# edges of the port scan: 5 addresses x 10 ports (port), 6 x 10 (both), 4 addresses x 4 ports (no)
for h in range(5):
    for p in range(10):
        add(T0 + timedelta(seconds=400 + h * 10 + p), "198.51.100.5", "192.0.2.%d" % (h + 1), "TCP", 8000 + p)
for h in range(6):
    for p in range(10):
        add(T0 + timedelta(seconds=400 + h * 10 + p), "198.51.100.6", "192.0.2.%d" % (h + 1), "TCP", 8000 + p)
for h in range(4):
    for p in range(4):
        add(T0 + timedelta(seconds=500 + h * 4 + p), "198.51.100.4", "192.0.2.%d" % (h + 1), "TCP", 8000 + p)
# IPv6 address-range scan on UDP 161
for i in range(50):
    add(T0 + timedelta(seconds=600 + i), "2001:db8:bad::1", "2001:db8:1::%x" % (i + 1), "UDP", 161)
# our own address scanning (never reported)
for i in range(30):
    add(T0 + timedelta(seconds=700 + i), "192.0.2.250", "192.0.2.%d" % (i + 1), "TCP", 22)
kern.sort()
with open(os.path.join(out, "kern.log"), "w") as f:
    f.writelines(l + "\n" for _, l in kern)
# the same lines shuffled: the classification must not change
shuf = [l for _, l in kern]
rnd.shuffle(shuf)
with open(os.path.join(out, "kern-shuffled.log"), "w") as f:
    f.writelines(l + "\n" for l in shuf)

# port scan in a file with stated zone +01:00: 812 of TCP 1-1024 at 192.0.2.10
with open(os.path.join(out, "kern-cet.log"), "w") as f:
    k = 0
    for p in range(1, 1025):
        if p in (1, 1024) or p % 5 != 3:
            f.write(ipt(iso(T0 + timedelta(seconds=1000 + k), 1), "203.0.113.66", "192.0.2.10", "TCP", p) + "\n")
            k += 1

# one range scan across two files in different zones: first half UTC
# (stated Z), second half -05:00; merged on UTC it is one scan of 40
with open(os.path.join(out, "east.log"), "w") as fe, open(os.path.join(out, "west.log"), "w") as fw:
    for i in range(40):
        t = T0 + timedelta(seconds=2000 + i * 10)
        (fe if i < 20 else fw).write(ipt(iso(t, 0 if i < 20 else -5), "198.51.100.77", "192.0.2.%d" % (i + 100),
                                         "TCP", 3389) + "\n")

# sshd: 30 failed logins from IPv6 (login), 9 from 198.51.100.50 (below)
with open(os.path.join(out, "auth.log"), "w") as f:
    # a 3 MiB line (longer than the read block) is read up to its limit and skipped
    f.write("Nov 22 13:00:00 bastion junk: " + "x" * (3 << 20) + "\n")
    for i in range(30):
        t = T0 + timedelta(seconds=3000 + i * 7)
        f.write("%s bastion sshd[%d]: Failed password for root from 2001:db8::bad port %d ssh2\n"
                % (syslog(t), 4000 + i, 50000 + i))
    for i in range(9):
        t = T0 + timedelta(seconds=3000 + i * 7)
        f.write("%s bastion sshd[%d]: Failed password for invalid user admin from 198.51.100.50 port %d ssh2\n"
                % (syslog(t), 5000 + i, 40000 + i))

# episodes (docs/SCANS.md "The window", default 24 h): a gap longer than
# the window splits a source's activity, a shorter one never does.
# 198.51.100.201: two bursts 30 h apart -> two range scans, each with its
# own first, last and counts; 198.51.100.202: one probe every 2 hours for
# 3 days -> one range scan of 36 over 70 hours. Stated zone (Z).
epi = []
A = T0 + timedelta(days=1)
for i in range(12):
    epi.append((A + timedelta(minutes=i), "198.51.100.201", "192.0.2.%d" % (i + 1), 23))
B = A + timedelta(minutes=11, hours=30)
for i in range(15):
    epi.append((B + timedelta(minutes=i), "198.51.100.201", "192.0.2.%d" % (i + 101), 23))
for i in range(36):
    epi.append((A + timedelta(hours=2 * i), "198.51.100.202", "192.0.2.%d" % (i + 1), 445))
epi.sort()
def write_epi(name, rows):
    with open(os.path.join(out, name), "w") as f:
        f.writelines(ipt(iso(t, 0), src, dst, "TCP", dpt) + "\n" for t, src, dst, dpt in rows)
write_epi("episodes.log", epi)
# out of order: newest first, and each line moved by up to 6 hours (less
# than the window): the same episodes
write_epi("episodes-reversed.log", epi[::-1])
write_epi("episodes-jittered.log", sorted(epi, key=lambda r: r[0] + timedelta(seconds=rnd.randrange(6 * 3600))))
with open(os.path.join(out, "episodes.txt"), "w") as f:
    f.write("198.51.100.201 range 12 %sZ %sZ\n" % (A.strftime("%Y-%m-%d %H:%M:%S"),
                                                  (A + timedelta(minutes=11)).strftime("%Y-%m-%d %H:%M:%S")))
    f.write("198.51.100.201 range 15 %sZ %sZ\n" % (B.strftime("%Y-%m-%d %H:%M:%S"),
                                                  (B + timedelta(minutes=14)).strftime("%Y-%m-%d %H:%M:%S")))
    f.write("198.51.100.202 range 36 %sZ %sZ\n" % (A.strftime("%Y-%m-%d %H:%M:%S"),
                                                  (A + timedelta(hours=70)).strftime("%Y-%m-%d %H:%M:%S")))

EXPECT = {
    "198.51.100.7": ("range", 240), "198.51.100.9": ("other", 9), "198.51.100.10": ("range", 10),
    "198.51.100.5": ("port", 50), "198.51.100.6": ("both", 60), "198.51.100.4": ("other", 16),
    "2001:db8:bad::1": ("range", 50), "203.0.113.66": ("port", 819), "198.51.100.77": ("range", 40),
    "2001:db8::bad": ("login", 30), "198.51.100.50": ("other", 9),
}
with open(os.path.join(out, "expect.txt"), "w") as f:
    for src, (kind, events) in sorted(EXPECT.items()):
        f.write("%s %s %d\n" % (src, kind, events))
