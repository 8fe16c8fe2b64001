#!/usr/bin/env python3
"""The peer for bench/extract: what users script today with Python's standard
library. For each message of DIR: email.message_from_binary_file (policy
default), walk every part, get_content() of text parts (charset decoding),
HTML stripped to text, attached message/rfc822 headers (Received chain),
then per line: IPv4/IPv6 addresses, ports (SPT=/DPT=/port N), syslog/ISO/
Apache times; sources/destinations counted; findings dumped as JSON.
Prints one JSON line like bench-extract."""
import email, email.policy, html, ipaddress, json, os, re, resource, sys, time

IP4 = re.compile(r"(?<![\d.])(\d{1,3}(?:\.\d{1,3}){3})(?![\d.])")
IP6 = re.compile(r"(?<![0-9A-Fa-f:])([0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7})(?![0-9A-Fa-f:])")
PORT = re.compile(r"(?:DPT=|dport=|port )(\d{1,5})")
TIME = re.compile(r"(\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?|[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d|\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4})")
TAG = re.compile(r"<script.*?</script>|<style.*?</style>|<[^>]+>", re.S | re.I)
RECV_IP = re.compile(r"\[([0-9A-Fa-f.:]+)\]")

def addrs(line):
    out = []
    for m in IP4.findall(line):
        try:
            out.append(ipaddress.ip_address(m))
        except ValueError:
            pass
    if ":" in line:
        for m in IP6.findall(line):
            try:
                out.append(ipaddress.ip_address(m))
            except ValueError:
                pass
    return out

def extract(msg):
    found = {"sources": {}, "dests": {}, "ports": {}, "times": [], "origin": None}
    def text(t):
        for line in t.splitlines():
            a = addrs(line)
            if a:
                found["sources"][str(a[0])] = found["sources"].get(str(a[0]), 0) + 1
                if len(a) > 1:
                    found["dests"][str(a[1])] = found["dests"].get(str(a[1]), 0) + 1
            for p in PORT.findall(line):
                found["ports"][p] = found["ports"].get(p, 0) + 1
            m = TIME.search(line)
            if m:
                found["times"].append(m.group(1))
    def walk(m):
        for part in m.walk():
            ct = part.get_content_type()
            if part.is_multipart():
                continue
            if ct == "message/rfc822":
                inner = part.get_content()
                for r in inner.get_all("Received") or []:
                    ip = RECV_IP.search(r)
                    if ip and not found["origin"]:
                        found["origin"] = ip.group(1)
                walk(inner)
            elif ct.startswith("text/") or ct == "message/feedback-report":
                try:
                    t = part.get_content()
                except Exception:
                    t = part.get_payload(decode=True) or b""
                if isinstance(t, bytes):
                    t = t.decode("utf-8", "replace")
                elif not isinstance(t, str):
                    t = str(t)
                if ct == "text/html":
                    t = html.unescape(TAG.sub(" ", t))
                text(t)
    walk(msg)
    return found

def main():
    d = sys.argv[1]
    names = sorted(os.listdir(d))
    t0 = time.monotonic()
    c0 = time.process_time()
    total = 0
    sources = 0
    for n in names:
        with open(os.path.join(d, n), "rb") as f:
            raw = f.read()
        total += len(raw)
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        r = extract(msg)
        sources += len(r["sources"])
        json.dumps(r)
    secs = time.monotonic() - t0
    cpu = time.process_time() - c0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"impl": "python-email", "messages": len(names), "bytes": total, "seconds": round(secs, 3),
                      "cpu_seconds": round(cpu, 3), "msgs_per_s": round(len(names) / secs, 1),
                      "mb_per_s": round(total / 1e6 / secs, 2), "msgs_per_cpu_s": round(len(names) / cpu, 1),
                      "mb_per_cpu_s": round(total / 1e6 / cpu, 2),
                      "peak_rss_kb": rss, "sources": sources}))

main()
