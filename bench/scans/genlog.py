#!/usr/bin/env python3
"""Generates the benchmark logs of bench/scans.sh.

  genlog.py iptables LINES SOURCES FILE   kern.log-style netfilter LOG lines
  genlog.py sshd LINES SOURCES FILE       auth.log-style sshd lines

The mixture, in time order: most sources send a few packets (background
noise); 1 % are address-range scanners sweeping a /16 on one port; 0.2 %
are port scanners; the iptables log also has a few that do both. sshd: 3 %
of sources are password guessers, the rest fail once or twice. Seeded, so
every run writes the same bytes.
"""
import random
import sys

kind, lines, sources, path = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
rnd = random.Random(20261122)
MON = "Nov"
T0 = 2 * 3600


def stamp(i):
    # 02:00 to 22:00 of one day; syslog has no year and no zone
    t = T0 + i * 72000 // lines
    return "%s 22 %02d:%02d:%02d" % (MON, t // 3600, t // 60 % 60, t % 60)


def src_addr(group, k):
    """Source k of a group (0 scanners, 1 port scanners, 2 noise, ...):
    groups never share an address; one source in ten speaks IPv6."""
    if k % 10 == 9:
        return "2001:db8:%x:%x::%x" % (group, k >> 16 & 0xffff, k & 0xffff)
    return "%d.%d.%d.%d" % (11 + group * 10 + (k >> 24) % 10, k >> 16 & 255, k >> 8 & 255, k & 255)


def iptables(out):
    scanners = max(1, sources // 100)
    portscanners = max(1, sources // 500)
    w = out.write
    buf = []
    for i in range(lines):
        r = rnd.random()
        if r < 0.45:  # range scanner
            s = rnd.randrange(scanners)
            src = src_addr(0, s)
            dst = "192.0.%d.%d" % (rnd.randrange(256), rnd.randrange(256))
            dpt = (23, 445, 3389, 22, 5900)[s % 5]
        elif r < 0.55:  # port scanner
            s = rnd.randrange(portscanners)
            src = src_addr(1, s)
            dst = "192.0.2.%d" % (10 + s % 5)
            dpt = rnd.randrange(1, 65536)
        else:  # noise: many sources, a few packets each
            src = src_addr(2, rnd.randrange(sources))
            dst = "192.0.%d.%d" % (rnd.randrange(256), rnd.randrange(256))
            dpt = rnd.choice((80, 443, 22, 25, 53, 123, 8080))
        proto = "UDP" if dpt in (53, 123) else "TCP"
        if ":" in src:
            dst = "2001:db8:ffff::%x" % ((10 + s % 5) if r >= 0.45 and r < 0.55 else rnd.randrange(65536))
        buf.append("%s gw kernel: [%d.%06d] DROP-IN: IN=eth0 OUT= MAC=00:16:3e:aa:bb:cc:00:16:3e:dd:ee:ff:08:00 "
                   "SRC=%s DST=%s LEN=60 TOS=0x00 PREC=0x00 TTL=%d ID=%d DF PROTO=%s SPT=%d DPT=%d WINDOW=64240 "
                   "RES=0x00 SYN URGP=0\n" % (stamp(i), 812345 + i // 1000, i % 1000000, src, dst, 40 + i % 200,
                                               i & 0xffff, proto, 1024 + i % 60000, dpt))
        if len(buf) >= 10000:
            w("".join(buf))
            buf = []
    w("".join(buf))


def sshd(out):
    guessers = max(1, sources * 3 // 100)
    users = ("root", "admin", "oracle", "test", "ubuntu", "pi", "postgres", "git")
    w = out.write
    buf = []
    for i in range(lines):
        if rnd.random() < 0.8:
            src = src_addr(3, rnd.randrange(guessers))
        else:
            src = src_addr(4, rnd.randrange(sources))
        u = users[i % len(users)]
        pid = 1000 + i % 30000
        port = 1024 + i % 60000
        m = i % 4
        if m == 0:
            msg = "Failed password for %s from %s port %d ssh2" % (u, src, port)
        elif m == 1:
            msg = "Failed password for invalid user %s from %s port %d ssh2" % (u, src, port)
        elif m == 2:
            msg = "Invalid user %s from %s port %d" % (u, src, port)
        else:
            msg = "Disconnected from invalid user %s %s port %d [preauth]" % (u, src, port)
        buf.append("%s bastion sshd[%d]: %s\n" % (stamp(i), pid, msg))
        if len(buf) >= 10000:
            w("".join(buf))
            buf = []
    w("".join(buf))


with open(path, "w") as f:
    (iptables if kind == "iptables" else sshd)(f)
