#!/usr/bin/env python3
"""Writes N varied abuse reports (default 5000) into DIR as 00000.eml ...
for bench/extract: log pastes of every format in several sizes, attached
logs (base64), forwarded spam (message/rfc822), ARF, X-ARF, CSV, HTML-only,
legacy charsets, nested multiparts. Deterministic (seeded)."""
import base64, os, random, sys

out = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 5000
rnd = random.Random(20261122)
os.makedirs(out, exist_ok=True)

def ip4(net="198.51.100"):
    return "%s.%d" % (net, rnd.randint(1, 254))

def syslog_time(i):
    s = 3 + i
    return "Nov 22 %02d:%02d:%02d" % (10 + s // 3600 % 10, s // 60 % 60, s % 60)

def iptables(k):
    src = ip4()
    return "".join("%s gw kernel: [%d.%06d] DROP IN=eth0 OUT= MAC=00:16:3e:aa:bb:cc:00:16:3e:dd:ee:ff:08:00 SRC=%s DST=%s LEN=60 TOS=0x00 PREC=0x00 TTL=52 ID=%d DF PROTO=TCP SPT=%d DPT=%d WINDOW=64240 RES=0x00 SYN URGP=0\n"
                   % (syslog_time(i), 800000 + i, i, src, ip4("192.0.2"), i, 40000 + i % 20000, rnd.choice([22, 23, 445, 3389, 8080])) for i in range(k))

def sshd(k):
    src = ip4()
    forms = ["Failed password for root from %s port %d ssh2", "Failed password for invalid user admin from %s port %d ssh2",
             "Invalid user oracle from %s port %d", "Disconnected from authenticating user root %s port %d [preauth]"]
    return "".join("%s bastion sshd[%d]: %s\n" % (syslog_time(i), 4000 + i, rnd.choice(forms) % (src, 50000 + i % 10000)) for i in range(k))

def apache(k):
    src = ip4()
    return "".join('%s - - [22/Nov/2026:%02d:%02d:%02d +0000] "GET /wp-login.php?x=%d HTTP/1.1" 404 209 "-" "Mozilla/5.0 (compatible; scanner)"\n'
                   % (src, 10 + i // 3600 % 10, i // 60 % 60, i % 60, i) for i in range(k))

def postfix(k):
    src = ip4()
    return "".join("%s mx postfix/smtpd[%d]: NOQUEUE: reject: RCPT from unknown[%s]: 554 5.7.1 <u%d@example.net>: Relay access denied; from=<a@example.com> to=<u%d@example.net> proto=ESMTP helo=<x>\n"
                   % (syslog_time(i), 1000 + i, src, i, i) for i in range(k))

def asa(k):
    src = ip4()
    return "".join("%s fw01 %%ASA-4-106023: Deny tcp src outside:%s/%d dst inside:%s/%d by access-group \"outside_in\" [0x0, 0x0]\n"
                   % (syslog_time(i), src, 40000 + i % 20000, ip4("192.0.2"), rnd.choice([22, 445, 3389])) for i in range(k))

def suricata(k):
    src = ip4()
    return "".join('{"timestamp":"2026-11-22T14:%02d:%02d.123456+0000","flow_id":%d,"in_iface":"eth0","event_type":"alert","src_ip":"%s","src_port":%d,"dest_ip":"%s","dest_port":22,"proto":"TCP","alert":{"action":"allowed","gid":1,"signature_id":2001219,"rev":20,"signature":"ET SCAN Potential SSH Scan","category":"Attempted Information Leak","severity":2}}\n'
                   % (i // 60 % 60, i % 60, 1000000 + i, src, 40000 + i % 20000, ip4("192.0.2")) for i in range(k))

LOGS = [iptables, sshd, apache, postfix, asa, suricata]
PROSE = ["Hello,\n\nWe are seeing abuse from the address below against our network; about %d connection attempts so far.\nOur clocks are NTP synchronised. Log excerpt follows.\n\n",
         "Dear CSIRT,\n\nplease look into the attached log lines. Times are UTC. Thanks.\n\n",
         "Hi, port scan of our hosts since this morning, roughly %d packets. Details:\n\n"]

def hdr(i, ctype, extra=""):
    return ("From: Reporter %d <noc%d@reporter%d.example>\nTo: irt@csirt.example\nSubject: abuse report %d\n"
            "Date: Mon, 23 Nov 2026 09:%02d:%02d +0000\nMessage-ID: <bench%d@reporter.example>\nMIME-Version: 1.0\n%sContent-Type: %s\n\n"
            % (i, i, i % 97, i, i // 60 % 60, i % 60, i, extra, ctype))

def prose(k):
    p = rnd.choice(PROSE)
    return p % k if "%d" in p else p

def msg(i):
    kind = i % 10
    k = rnd.choice([5, 20, 50, 200, 500])
    log = rnd.choice(LOGS)(k)
    if kind <= 2:    # inline paste, plain text
        return hdr(i, "text/plain; charset=utf-8") + prose(k) + log + "\nRegards\n"
    if kind == 3:    # log attached in base64, nested multipart
        return (hdr(i, 'multipart/mixed; boundary="o"') + '--o\nContent-Type: multipart/alternative; boundary="i"\n\n--i\nContent-Type: text/plain\n\n'
                + prose(k) + '\n--i\nContent-Type: text/html\n\n<p>see attachment</p>\n--i--\n--o\nContent-Type: text/plain; name="log.txt"\n'
                'Content-Disposition: attachment; filename="log.txt"\nContent-Transfer-Encoding: base64\n\n'
                + base64.encodebytes(log.encode()).decode() + "--o--\n")
    if kind == 4:    # forwarded spam
        spam_ip = ip4("203.0.113")
        return (hdr(i, 'multipart/mixed; boundary="s"') + "--s\nContent-Type: text/plain\n\nSpam received, attached.\n\n--s\nContent-Type: message/rfc822\n\n"
                "Received: from mx1.reporter.example (mx1 [10.1.2.3])\n\tby store.reporter.example with LMTP; Sun, 22 Nov 2026 14:03:05 +0000\n"
                "Received: from mail.spammer.example (unknown [%s])\n\tby mx1.reporter.example (Postfix) with ESMTP id 4AbC%d\n\tfor <user@reporter.example>; Sun, 22 Nov 2026 14:03:04 +0000\n"
                "From: \"Prize\" <w%d@spammer.example>\nTo: user@reporter.example\nSubject: You have won\nDate: Sun, 22 Nov 2026 14:02:59 +0000\n"
                "Content-Type: text/plain\n\n%s\n--s--\n" % (spam_ip, i, i, "Claim your prize at http://prize.spammer.example/claim?id=%d now.\n" % i * 20))
    if kind == 5:    # ARF
        return (hdr(i, 'multipart/report; report-type=feedback-report; boundary="a"') + "--a\nContent-Type: text/plain\n\nThis is an abuse report.\n\n"
                "--a\nContent-Type: message/feedback-report\n\nFeedback-Type: abuse\nUser-Agent: X/1\nVersion: 1\nArrival-Date: Sun, 22 Nov 2026 14:03:01 +0000\n"
                "Source-IP: %s\nIncidents: %d\n\n--a\nContent-Type: text/rfc822-headers\n\nReceived: from x (x [%s])\n\tby mx.isp.example; Sun, 22 Nov 2026 14:03:01 +0000\n"
                "From: <s@example.net>\nSubject: spam\n\n--a--\n" % (ip4(), k, ip4()))
    if kind == 6:    # CSV
        rows = "".join("2026-11-22T14:%02d:%02dZ,%s,%s,23,tcp,%d\n" % (j // 60 % 60, j % 60, ip4(), ip4("192.0.2"), j % 9 + 1) for j in range(k))
        return (hdr(i, 'multipart/mixed; boundary="c"') + "--c\nContent-Type: text/plain\n\nBlocked connection attempts, times UTC.\n\n"
                '--c\nContent-Type: text/csv; name="b.csv"\nContent-Disposition: attachment; filename="b.csv"\n\ntimestamp,src_ip,dst_ip,dst_port,protocol,count\n' + rows + "--c--\n")
    if kind == 7:    # HTML only
        body = "".join("<tr><td>%s</td><td>%s</td></tr>\n" % (l.replace("&", "&amp;").replace("<", "&lt;"), j) for j, l in enumerate(log.splitlines()))
        return hdr(i, "text/html; charset=utf-8") + "<html><head><script>x()</script></head><body><p>" + prose(k) + "</p><table>" + body + "</table></body></html>\n"
    if kind == 8:    # legacy charset, quoted-printable
        import quopri
        text = ("Grüße, wir sehen Angriffe von unten genannter Adresse, über %d Versuche.\n\n" % k + log).encode("iso-8859-1")
        return (hdr(i, "text/plain; charset=iso-8859-1", "Content-Transfer-Encoding: quoted-printable\n").replace("Content-Transfer-Encoding: quoted-printable\nContent-Type: text/plain; charset=iso-8859-1",
                "Content-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable") + quopri.encodestring(text).decode("ascii"))
    # X-ARF
    return (hdr(i, 'multipart/mixed; boundary="x"', "X-ARF: Yes\n") + "--x\nContent-Type: text/plain\n\nlogin attack report\n\n--x\nContent-Type: text/plain; name=\"report.txt\"\n\n"
            "---\nReported-From: r@blocklist.example\nCategory: abuse\nReport-Type: login-attack\nService: ssh\nVersion: 0.2\nDate: Sun, 22 Nov 2026 14:03:01 +0000\n"
            "Source: %s\nSource-Type: ipv4\nPort: 22\n\n--x\nContent-Type: text/plain; name=\"log\"\n\n%s--x--\n" % (ip4(), sshd(k)))

total = 0
for i in range(n):
    data = msg(i).encode("utf-8") if isinstance(msg, object) else b""
    with open(os.path.join(out, "%05d.eml" % i), "wb") as f:
        f.write(data)
    total += len(data)
print("gen_corpus: %d messages, %.1f MB in %s" % (n, total / 1e6, out))
