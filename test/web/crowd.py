#!/usr/bin/env python3
"""A crowd cannot wedge the listener (issue 12, section 3).

nsprobe runs with a descriptor limit of 256 (soft and hard) and two workers. Three times in a row, a
crowd of 1,000 connections to 127.0.0.1 is opened at once, held until nsprobe says in its log why it
stopped accepting, then closed. After each round nsprobe must answer /-/healthy within 2 s of the
last connection closing, and its log must carry a warning that names the descriptor limit (Go's
net/http logs "http: Accept error: ...; retrying in ..." and carries on; libmicrohttpd 0.9.75 in
external epoll mode stopped listening for good).

A second nsprobe starts with a soft limit of 256 under a higher hard one: it must raise the soft limit
to the hard one (as Go does since 1.19, os/rlimit.go) and log the connection budget it derived.

Loopback only; every wait is bounded. Ends with "N passed, M failed"."""
import argparse
import http.client
import os
import re
import resource
import select
import socket
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

import fixture  # noqa: E402

CONFIG = os.path.join(HERE, "..", "..", "config", "blackbox.yml")
LIMIT = 256
CROWD = 1000
ROUNDS = 3
RECOVER_S = 2.0
SKIP = 77

# What nsprobe must say while it refuses: the accept path and the descriptor limit.
WARNING = re.compile(r'level=warn msg="accept: [^"]*descriptor limit %d\b' % LIMIT)


def limited(soft, hard):
    """argv prefix that runs the command with RLIMIT_NOFILE soft/hard (exec keeps the pid)."""
    code = ("import os, resource, sys; resource.setrlimit(resource.RLIMIT_NOFILE, (%d, %d)); "
            "os.execv(sys.argv[1], sys.argv[1:])" % (soft, hard))
    return [sys.executable, "-c", code]


class Suite:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, name, cond, detail=""):
        if cond:
            self.passed += 1
            print("ok   %s" % name, flush=True)
        else:
            self.failed += 1
            print("FAIL %s %s" % (name, detail), flush=True)
        return bool(cond)


def log_text(ex):
    try:
        with open(ex.log_path, errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def warnings(ex):
    return [line for line in log_text(ex).splitlines() if WARNING.search(line)]


def open_crowd(port, n, deadline_s=15.0):
    """n connections to 127.0.0.1:port, connected concurrently (non-blocking connects, then a bounded
    wait for all); returns the sockets that connected."""
    socks = []
    for _ in range(n):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        s.connect_ex(("127.0.0.1", port))
        socks.append(s)
    pending = {s.fileno(): s for s in socks}
    p = select.poll()
    for fd in pending:
        p.register(fd, select.POLLOUT)
    end = time.monotonic() + deadline_s
    while pending and time.monotonic() < end:
        for fd, _ev in p.poll(100):
            p.unregister(fd)
            pending.pop(fd, None)
    ok = [s for s in socks if s.fileno() not in pending
          and s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0]
    for s in socks:
        if s not in ok:
            s.close()
    return ok


def healthy_within(ex, budget_s):
    """Seconds until /-/healthy answers 200 (fresh connection per try), or None after budget_s."""
    start = time.monotonic()
    end = start + budget_s
    while True:
        left = end - time.monotonic()
        if left <= 0:
            return None
        try:
            status, _h, _b = fixture.http_request(ex.HOST, ex.port, "/-/healthy", timeout=left)
            if status == 200:
                return time.monotonic() - start
        except OSError:
            pass
        time.sleep(0.01)  # between tries only; the budget bounds the wait


def keepalive_get(conn, path):
    """One request on an open keep-alive connection; the status, or an error string."""
    try:
        conn.request("GET", path)
        r = conn.getresponse()
        r.read()
        return r.status
    except (OSError, http.client.HTTPException) as e:
        return "%s: %s" % (type(e).__name__, e)


def crowd_rounds(s, tmp, binary):
    ex = fixture.Exporter(os.path.join(tmp, "crowd"), binary, CONFIG, extra_args=["--workers=2"],
                          prefix=limited(LIMIT, LIMIT))
    os.makedirs(ex.dir)
    ex.start()
    try:
        for rnd in range(1, ROUNDS + 1):
            before = len(warnings(ex))
            # A client that was there before the crowd keeps being served throughout.
            keep = http.client.HTTPConnection(ex.HOST, ex.port, timeout=5)
            first = keepalive_get(keep, "/-/healthy")
            socks = open_crowd(ex.port, CROWD)
            s.check("round %d: %d connections open" % (rnd, CROWD), len(socks) == CROWD,
                    "only %d connected" % len(socks))
            # Hold the crowd until nsprobe has said why it stopped accepting (bounded).
            try:
                fixture.wait_until(lambda: len(warnings(ex)) > before, 5.0, "the accept warning")
            except fixture.FixtureError:
                pass
            during = keepalive_get(keep, "/-/healthy")
            keep.close()
            s.check("round %d: a connection open before the crowd is served during it" % rnd,
                    first == 200 and during == 200, "before: %r, during: %r" % (first, during))
            for c in socks:
                c.close()
            took = healthy_within(ex, RECOVER_S)
            s.check("round %d: /-/healthy within %.0f s of the last close" % (rnd, RECOVER_S),
                    took is not None, "no answer in %.1f s\n%s" % (RECOVER_S, ex.log_tail(15)))
            if took is None and healthy_within(ex, 10.0) is None:
                s.check("round %d: nsprobe recovers at all" % rnd, False, "still no /-/healthy 12 s after")
                break
            got = warnings(ex)[before:]
            if s.check("round %d: the log says why it refused (names the descriptor limit)" % rnd,
                       len(got) > 0, "no line matching %s in:\n%s" % (WARNING.pattern, ex.log_tail(15))):
                print("     " + got[0], flush=True)
        # The warnings are rate-limited: never a flood, whatever the crowd.
        n = len(warnings(ex))
        s.check("warnings are rate-limited (%d lines for %d refusals)" % (n, ROUNDS * CROWD), n <= 40)
    finally:
        code = ex.stop()
    s.check("crowd: nsprobe exits 0 on SIGTERM", code == 0, "exit %r\n%s" % (code, ex.log_tail(15)))
    rep = ex.sanitizer_report()
    s.check("crowd: no sanitizer report", rep is None, rep or "")


def soft_limit_raised(s, tmp, binary, hard):
    ex = fixture.Exporter(os.path.join(tmp, "raise"), binary, CONFIG,
                          extra_args=["--workers=2", "--log.level=debug"], prefix=limited(LIMIT, hard))
    os.makedirs(ex.dir)
    ex.start()
    try:
        soft = None
        with open("/proc/%d/limits" % ex.proc.pid) as f:
            for line in f:
                if line.startswith("Max open files"):
                    soft = int(line.split()[3])
        s.check("soft descriptor limit raised to the hard one (%d)" % hard, soft == hard,
                "soft limit is %r" % soft)
        log = log_text(ex)
        m = re.search(r'descriptor_limit=(\d+).*connections_per_worker=(\d+)', log)
        s.check("start-up logs the connection budget from the raised limit",
                m is not None and int(m.group(1)) == hard and 0 < int(m.group(2)) < hard // 2,
                "no budget line with descriptor_limit=%d in:\n%s" % (hard, ex.log_tail(15)))
    finally:
        code = ex.stop()
    s.check("raise: nsprobe exits 0 on SIGTERM", code == 0, "exit %r" % code)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    args = ap.parse_args()
    binary = os.path.abspath(args.binary)
    # The client side holds the whole crowd at once: raise our own limit first.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < CROWD + 200:
        print("SKIP: the hard descriptor limit (%d) is too low for a crowd of %d" % (hard, CROWD))
        return SKIP
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    raise_to = 4096 if hard == resource.RLIM_INFINITY else min(hard, 4096)
    s = Suite()
    with tempfile.TemporaryDirectory(prefix="nsprobe-crowd-") as tmp:
        for case in (crowd_rounds, soft_limit_raised):
            try:
                if case is soft_limit_raised:
                    case(s, tmp, binary, raise_to)
                else:
                    case(s, tmp, binary)
            except (fixture.FixtureError, OSError) as e:
                s.check(case.__name__, False, "%s: %s" % (type(e).__name__, e))
    print("%d passed, %d failed" % (s.passed, s.failed))
    return 0 if s.failed == 0 and s.passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
