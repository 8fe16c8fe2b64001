#!/usr/bin/env python3
"""A small LMTP client for the e2e tests, recording exactly what it was told.

  lmtp_client.py case FILE HOST PORT
      Runs a readable conversation script (tests/e2e/lmtp/*.case):
        > TEXT        a client line (CRLF added); consecutive > lines go out
                      in ONE write (pipelining)
        >raw PYEXPR   bytes from a Python literal, e.g. >raw b"NO\\x00OP\\r\\n"
        >big N        N bytes of body text in lines of 70 (for over-size DATA)
        >longline N   a NOOP command N bytes long
        < CODES       the final reply codes expected next ("250 250 550")
        ! close       hang up now
        ! closed      the server must hang up (EOF) within 5 s
        ! wait N      wait N seconds
        ! trickle TEXT  a client line (CRLF added) sent a byte at a time,
                      0.2 s apart; stops (and skips later trickle lines)
                      once the server has said something
      Prints "got X, want Y" and exits 1 on the first difference.

  lmtp_client.py stream HOST PORT --total N --sessions S --per-session K
                 --tag T --out FILE [--deadline SECONDS] [--pause MS]
      S threads send N distinct messages (header X-Test-Id: T-<n>), K per
      connection. Like an MTA, a message that did not get 250 (refused
      connection, reset, 4xx) is tried again with the same bytes until the
      deadline. FILE gets one line per message: "<id> <outcome> <tries>",
      outcome "250" or the last failure. This is how the tests know which
      messages were acknowledged: smtp-source cannot tell them that.

  lmtp_client.py probe HOST PORT DB --count N --interval SECONDS
      For the benchmark: sends N distinct messages, one per connection,
      notes when each 250 arrived (its "queued as ID"), and polls the
      store until that message is done; prints the 250 -> ticket latencies'
      median and 99th percentile in milliseconds.

  lmtp_client.py verify DB FILE
      Checks the store against a stream's outcome file: every message
      acknowledged with 250 is stored exactly once, every stored message is
      processed into a ticket, and no ticket has two acknowledgments.
      Prints the counts; exits 1 when a check fails.
"""
import ast
import os
import random
import select
import socket
import sqlite3
import sys
import threading
import time


def read_reply(f):
    """Reads one (possibly multi-line) reply; returns its code or None on EOF."""
    while True:
        line = f.readline()
        if not line:
            return None
        if len(line) >= 4 and line[3:4] == b" ":
            return line[:3].decode()
        if len(line) < 4 or line[3:4] != b"-":
            return "???"


def run_case(path, host, port):
    sock = socket.create_connection((host, port), timeout=10)
    f = sock.makefile("rb")
    pending = []
    greeting = read_reply(f)
    if greeting != "220":
        print(f"{path}: got greeting {greeting}, want 220")
        return 1
    lineno = 0
    for raw_line in open(path, encoding="utf-8"):
        lineno += 1
        line = raw_line.rstrip("\n")
        if not line or line.startswith("#"):
            continue
        if line.startswith(">raw "):
            pending.append(ast.literal_eval(line[5:]))
        elif line.startswith(">longline "):
            pending.append(b"NOOP " + b"A" * int(line[10:]) + b"\r\n")
        elif line.startswith(">big "):
            n = int(line[5:])
            chunk = b"x" * 68 + b"\r\n"
            pending.append(chunk * (n // len(chunk) + 1))
        elif line.startswith("> ") or line == ">":
            pending.append(line[2:].encode() + b"\r\n")
        elif line.startswith("<"):
            if pending:
                sock.sendall(b"".join(pending))
                pending = []
            want = line[1:].split()
            got = []
            for _ in want:
                code = read_reply(f)
                got.append(code or "EOF")
                if code is None:
                    break
            if got != want:
                print(f"{path}:{lineno}: got replies {' '.join(got)}, want {' '.join(want)}")
                return 1
        elif line == "! close":
            if pending:
                sock.sendall(b"".join(pending))
                pending = []
            sock.close()
            return 0
        elif line == "! closed":
            sock.settimeout(5)
            try:
                rest = f.read()
            except socket.timeout:
                print(f"{path}:{lineno}: got an open connection, want the server to hang up")
                return 1
            if rest:
                print(f"{path}:{lineno}: got {rest[:80]!r} before EOF, want nothing")
                return 1
        elif line.startswith("! wait "):
            time.sleep(float(line[7:]))
        elif line == "! trickle" or line.startswith("! trickle "):
            if pending:
                sock.sendall(b"".join(pending))
                pending = []
            for b in line[10:].encode() + b"\r\n":
                if select.select([sock], [], [], 0)[0]:
                    break  # the server spoke (421): read it next
                time.sleep(0.2)
                try:
                    sock.sendall(bytes([b]))
                except OSError:
                    break
        else:
            print(f"{path}:{lineno}: cannot read this line: {line}")
            return 2
    sock.close()
    return 0


def message_bytes(tag, n):
    # Distinct per message, identical on every retry of the same message.
    return (f"From: Reporter <reporter@example.org>\r\n"
            f"To: irt@csirt.example\r\n"
            f"Subject: scan from 192.0.2.{n % 250 + 1} ({tag}-{n})\r\n"
            f"Message-ID: <{tag}-{n}@reports.example.org>\r\n"
            f"X-Test-Id: {tag}-{n}\r\n"
            f"\r\n"
            f"Hello, we saw a scan from 192.0.2.{n % 250 + 1}.\r\n"
            f"..A stuffed line.\r\n").encode()


def stream(host, port, total, sessions, per_session, tag, out, deadline, pause):
    lock = threading.Lock()
    todo = list(range(total))
    outcome = {}
    tries = {}
    end = time.monotonic() + deadline

    def take():
        with lock:
            return todo.pop(0) if todo else None

    def give_back(n, why):
        with lock:
            outcome[n] = why
            todo.append(n)

    def worker():
        while time.monotonic() < end:
            batch = []
            for _ in range(per_session):
                n = take()
                if n is None:
                    break
                batch.append(n)
            if not batch:
                with lock:
                    if not todo:
                        return
                time.sleep(0.05)
                continue
            sent = 0
            try:
                sock = socket.create_connection((host, port), timeout=30)
                f = sock.makefile("rb")
                if read_reply(f) != "220":
                    raise ConnectionError("no greeting")
                sock.sendall(b"LHLO client.example\r\n")
                if read_reply(f) != "250":
                    raise ConnectionError("LHLO refused")
                for n in batch:
                    with lock:
                        tries[n] = tries.get(n, 0) + 1
                    # PIPELINING: envelope and DATA in one write.
                    sock.sendall(b"MAIL FROM:<reporter@example.org>\r\n"
                                 b"RCPT TO:<irt@csirt.example>\r\nDATA\r\n")
                    codes = [read_reply(f) for _ in range(3)]
                    if codes != ["250", "250", "354"]:
                        raise ConnectionError(f"envelope {codes}")
                    sock.sendall(message_bytes(tag, n) + b".\r\n")
                    code = read_reply(f)
                    if code is None:
                        raise ConnectionError("EOF after DATA")
                    if code == "250":
                        with lock:
                            outcome[n] = "250"
                    else:
                        give_back(n, code)
                    sent += 1
                    if pause:
                        time.sleep(pause / 1000.0)
                sock.sendall(b"QUIT\r\n")
                read_reply(f)
                sock.close()
            except (OSError, ConnectionError) as e:
                for n in batch[sent:]:
                    give_back(n, type(e).__name__)
                time.sleep(0.1 + random.random() * 0.2)

    threads = [threading.Thread(target=worker) for _ in range(sessions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with open(out, "w") as fh:
        for n in range(total):
            fh.write(f"{tag}-{n} {outcome.get(n, 'never-sent')} {tries.get(n, 0)}\n")
    acked = sum(1 for v in outcome.values() if v == "250")
    retried = sum(1 for v in tries.values() if v > 1)
    print(f"stream: {total} messages, {acked} acknowledged with 250, {retried} needed more than one try")
    return 0 if acked == total else 1


def verify(db, path):
    acked, other = set(), set()
    for line in open(path):
        mid, outcome, _ = line.split()
        (acked if outcome == "250" else other).add(mid)
    con = sqlite3.connect(db)
    stored = {}
    states = {}
    for raw, state, ticket in con.execute(
            "SELECT raw, state, ticket FROM message WHERE direction = 'in'"):
        raw = bytes(raw)
        i = raw.find(b"X-Test-Id: ")
        if i < 0:
            continue
        mid = raw[i + 11:raw.index(b"\n", i)].decode().strip()
        stored[mid] = stored.get(mid, 0) + 1
        key = state if ticket is not None else state + " (no ticket)"
        states[key] = states.get(key, 0) + 1
    lost = [m for m in acked if stored.get(m, 0) == 0]
    doubled = [m for m, c in stored.items() if c > 1]
    unprocessed = {k: v for k, v in states.items() if k not in ("done", "parked")}
    double_acks = con.execute(
        "SELECT count(*) FROM (SELECT ticket FROM outbox WHERE purpose = 'ack'"
        " GROUP BY ticket HAVING count(*) > 1)").fetchone()[0]
    acks = con.execute("SELECT count(*) FROM outbox WHERE purpose = 'ack'").fetchone()[0]
    tickets = con.execute("SELECT count(*) FROM ticket").fetchone()[0]
    print(f"verify: acknowledged {len(acked)}, not acknowledged {len(other)}, "
          f"stored {sum(stored.values())} ({len(stored)} distinct), lost {len(lost)}, doubled {len(doubled)}, "
          f"states {states}, tickets {tickets}, acknowledgments {acks}, tickets with two acks {double_acks}")
    ok = True
    if lost:
        print(f"got {len(lost)} acknowledged messages missing from the store (e.g. {lost[:5]}), want 0")
        ok = False
    if doubled:
        print(f"got {len(doubled)} messages stored twice (e.g. {doubled[:5]}), want 0")
        ok = False
    if unprocessed:
        print(f"got unprocessed messages {unprocessed}, want all done or parked with a ticket")
        ok = False
    if double_acks:
        print(f"got {double_acks} tickets with two acknowledgments, want 0")
        ok = False
    return 0 if ok else 1


def probe(host, port, db, count, interval):
    con = sqlite3.connect(db, timeout=30)
    lat = []
    pending = {}
    next_send = time.monotonic()
    sent = 0
    while sent < count or pending:
        now = time.monotonic()
        if sent < count and now >= next_send:
            sock = socket.create_connection((host, port), timeout=30)
            f = sock.makefile("rb")
            read_reply(f)
            sock.sendall(b"LHLO probe.example\r\nMAIL FROM:<probe@example.org>\r\n"
                         b"RCPT TO:<irt@csirt.example>\r\nDATA\r\n")
            codes = [read_reply(f) for _ in range(4)]
            sock.sendall(message_bytes("probe-%d" % os.getpid(), sent) + b".\r\n")
            line = f.readline()
            t = time.monotonic()
            sock.sendall(b"QUIT\r\n")
            sock.close()
            if codes == ["250", "250", "250", "354"] and line.startswith(b"250"):
                pending[int(line.split()[-1])] = t
            sent += 1
            next_send += interval
        for qid in list(pending):
            row = con.execute("SELECT state FROM message WHERE id = ?", (qid,)).fetchone()
            if row and row[0] in ("done", "parked"):
                lat.append((time.monotonic() - pending.pop(qid)) * 1000)
        time.sleep(0.002)
    lat.sort()
    if not lat:
        print("probe: no message was acknowledged")
        return 1
    med = lat[len(lat) // 2]
    p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))]
    print(f"probe: {len(lat)} messages, 250 -> ticket median {med:.1f} ms, p99 {p99:.1f} ms, max {lat[-1]:.1f} ms")
    return 0


def main(argv):
    if len(argv) >= 5 and argv[1] == "probe":
        import argparse
        ap = argparse.ArgumentParser()
        ap.add_argument("host")
        ap.add_argument("port", type=int)
        ap.add_argument("db")
        ap.add_argument("--count", type=int, default=100)
        ap.add_argument("--interval", type=float, default=0.05)
        a = ap.parse_args(argv[2:])
        return probe(a.host, a.port, a.db, a.count, a.interval)
    if len(argv) >= 5 and argv[1] == "case":
        return run_case(argv[2], argv[3], int(argv[4]))
    if len(argv) >= 4 and argv[1] == "stream":
        import argparse
        ap = argparse.ArgumentParser()
        ap.add_argument("host")
        ap.add_argument("port", type=int)
        ap.add_argument("--total", type=int, required=True)
        ap.add_argument("--sessions", type=int, default=8)
        ap.add_argument("--per-session", type=int, default=20)
        ap.add_argument("--tag", default="m")
        ap.add_argument("--out", required=True)
        ap.add_argument("--deadline", type=float, default=300)
        ap.add_argument("--pause", type=float, default=0)
        a = ap.parse_args(argv[2:])
        return stream(a.host, a.port, a.total, a.sessions, a.per_session, a.tag, a.out, a.deadline, a.pause)
    if len(argv) == 4 and argv[1] == "verify":
        return verify(argv[2], argv[3])
    print(__doc__, file=sys.stderr)
    return 64


if __name__ == "__main__":
    sys.exit(main(sys.argv))
