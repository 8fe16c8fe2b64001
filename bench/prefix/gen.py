#!/usr/bin/env python3
"""Generates an RIR-sized range table and a set of addresses to look up.

usage: gen.py DIR [V4_RANGES [V6_RANGES [ADDRESSES]]]
Writes DIR/ranges.txt (one range per line, "first-last" or CIDR, the form
grepcidr reads too) and DIR/addrs.txt (one address per line, 90% IPv4).

The shape imitates RIR data: allocations (/12 to /24) holding assignments
that are often not CIDR-aligned, and assignments inside those again, so the
table nests three or four deep; some allocations overlap partially.
"""
import ipaddress
import random
import sys

out = sys.argv[1]
n4 = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
n6 = int(sys.argv[3]) if len(sys.argv) > 3 else 200_000
na = int(sys.argv[4]) if len(sys.argv) > 4 else 2_000_000
rnd = random.Random(20261123)

def v4(x):
    return str(ipaddress.IPv4Address(x))

def v6(x):
    return str(ipaddress.IPv6Address(x))

lines = []
allocs4 = []
while len(lines) < n4:
    if not allocs4 or rnd.random() < 0.15:
        plen = rnd.randint(12, 24)
        size = 1 << (32 - plen)
        first = rnd.randrange(1 << 24, 224 << 24) & ~(size - 1)
        allocs4.append((first, first + size - 1))
        lines.append(f"{v4(first)}/{plen}")
        continue
    pf, pl = allocs4[rnd.randrange(len(allocs4))]
    span = pl - pf + 1
    a = pf + rnd.randrange(span)
    b = min(pl, a + rnd.randrange(1, max(2, span // 8)))
    if rnd.random() < 0.3:
        allocs4.append((a, b))
    lines.append(f"{v4(a)}-{v4(b)}")

allocs6 = []
c6 = 0
while c6 < n6:
    if not allocs6 or rnd.random() < 0.2:
        plen = rnd.randint(19, 32)
        first = (0x2000 << 112) | (rnd.getrandbits(plen - 3) << (128 - plen))
        allocs6.append((first, plen))
        lines.append(f"{v6(first)}/{plen}")
    else:
        pf, pp = allocs6[rnd.randrange(len(allocs6))]
        plen = min(128, pp + rnd.randint(4, 32))
        first = pf | (rnd.getrandbits(plen - pp) << (128 - plen))
        if rnd.random() < 0.2:
            allocs6.append((first, plen))
        lines.append(f"{v6(first)}/{plen}")
    c6 += 1

with open(f"{out}/ranges.txt", "w") as f:
    f.write("\n".join(lines) + "\n")

with open(f"{out}/addrs.txt", "w") as f:
    buf = []
    for i in range(na):
        if i % 10 == 9:
            pf, pp = allocs6[rnd.randrange(len(allocs6))]
            buf.append(v6(pf | rnd.getrandbits(128 - pp)))
        else:
            buf.append(v4(rnd.randrange(1 << 24, 224 << 24)))
    f.write("\n".join(buf) + "\n")
