#!/usr/bin/env python3
"""A crowd cannot wedge the listener (issue 12, section 3).

In each case nsprobe runs with two workers. Three times in a row, a crowd of 1,000 connections to
127.0.0.1 is opened at once, held until nsprobe says in its log why it stopped accepting, then
closed. After each round nsprobe must answer /-/healthy within 2 s of the last connection closing,
a keep-alive connection opened before the crowd is served during it, and the log must carry a
warning that names the descriptor limit (Go's net/http logs "http: Accept error: ...; retrying in
..." and carries on; libmicrohttpd 0.9.75 in external epoll mode stopped listening for good).
Which path each case covers:

- limit: started under a descriptor limit of 256 (soft and hard). The connection budget derived
  from it (32 per worker) is reached first: "connection limit reached", the crowd waits in the
  backlog.
- emfile: started under 4096, then the soft limit is lowered to 256 from outside (prlimit, as an
  operator may), so the budget (992 per worker) is far above what the process may open and accept()
  itself fails with EMFILE: "accept: too many open files (descriptor limit 256); retrying in ...".
- inherited: started under 256 with 200 inheritable descriptors left open by its parent. The budget
  leaves them out (4 per worker), so the limit is reached before accept() can fail: the log says
  why the budget is small, and never "too many open files".

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
sys.path.insert(0, os.path.dirname(HERE))  # test/: the harness and fakes packages

import harness  # noqa: E402

CONFIG = os.path.join(HERE, "..", "..", "config", "blackbox.yml")
LIMIT = 256
CROWD = 1000
ROUNDS = 3
RECOVER_S = 2.0
SKIP = 77

# What nsprobe must say while it refuses: the accept path and the descriptor limit.
WARNING = re.compile(r'level=warn msg="accept: [^"]*descriptor limit %d\b' % LIMIT)
AT_LIMIT = re.compile(r'level=warn msg="accept: connection limit reached \(\d+ per worker, descriptor limit %d\)'
                      % LIMIT)
EMFILE = re.compile(r'level=warn msg="accept: too many open files \(descriptor limit %d\); retrying in \d+m?s"'
                    % LIMIT)
INHERITED = 200
# The listen backlog is min(4096, somaxconn) per worker: two must hold most of the crowd.
MIN_SOMAXCONN = 512
EXIT_CASE = "%s: nsprobe exits 0 on SIGTERM"


def limited(soft, hard, inherit=0):
    """argv prefix that runs the command with RLIMIT_NOFILE soft/hard (exec keeps the pid), leaving
    `inherit` descriptors (on /dev/null, inheritable) open across the exec."""
    code = ("import os, resource, sys\n"
            "for _ in range(%d): os.set_inheritable(os.open(os.devnull, os.O_RDONLY), True)\n"
            "resource.setrlimit(resource.RLIMIT_NOFILE, (%d, %d))\n"
            "os.execv(sys.argv[1], sys.argv[1:])" % (inherit, soft, hard))
    return [sys.executable, "-c", code]


def warnings(ex, pattern=WARNING):
    return [line for line in ex.log_text().splitlines() if pattern.search(line)]


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
            status, _h, _b = harness.http_request(ex.HOST, ex.port, "/-/healthy", timeout=left)
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


def crowd_rounds(s, ex, name, want, forbid=None):
    """Three rounds of the crowd against a running exporter; `want` must be logged in each round,
    `forbid` never."""
    for rnd in range(1, ROUNDS + 1):
        before = len(warnings(ex, want))
        # A client that was there before the crowd keeps being served throughout.
        keep = http.client.HTTPConnection(ex.HOST, ex.port, timeout=5)
        first = keepalive_get(keep, "/-/healthy")
        socks = open_crowd(ex.port, CROWD)
        s.check("%s round %d: %d connections open" % (name, rnd, CROWD), len(socks) == CROWD,
                "only %d connected" % len(socks))
        # Hold the crowd until nsprobe has said why it stopped accepting (bounded).
        try:
            harness.wait_until(lambda: len(warnings(ex, want)) > before, 5.0, "the accept warning")
        except harness.FixtureError:
            pass
        during = keepalive_get(keep, "/-/healthy")
        keep.close()
        s.check("%s round %d: a connection open before the crowd is served during it" % (name, rnd),
                first == 200 and during == 200, "before: %r, during: %r" % (first, during))
        for c in socks:
            c.close()
        took = healthy_within(ex, RECOVER_S)
        s.check("%s round %d: /-/healthy within %.0f s of the last close" % (name, rnd, RECOVER_S),
                took is not None, "no answer in %.1f s\n%s" % (RECOVER_S, ex.log_tail(15)))
        if took is None and healthy_within(ex, 10.0) is None:
            s.check("%s round %d: nsprobe recovers at all" % (name, rnd), False,
                    "still no /-/healthy 12 s after")
            break
        got = warnings(ex, want)[before:]
        if s.check("%s round %d: the log says why it refused (names the descriptor limit)" % (name, rnd),
                   len(got) > 0, "no line matching %s in:\n%s" % (want.pattern, ex.log_tail(15))):
            print("     %s (back in %.2f s)" % (got[0], took or -1), flush=True)
    if forbid is not None:
        bad = warnings(ex, forbid)
        s.check("%s: never logs %s" % (name, forbid.pattern), not bad, "\n".join(bad[:3]))
    # The warnings are rate-limited, for the whole process: never a flood, whatever the crowd.
    n = len(warnings(ex))
    s.check("%s: warnings are rate-limited (%d lines for %d refusals)" % (name, n, ROUNDS * CROWD), n <= 40)


def counted(s, ex, name, series):
    """/metrics counts what the log said: the sample `series` (name and labels as written) is above 0."""
    st, _h, body = harness.http_request(ex.HOST, ex.port, "/metrics")
    value = None
    for line in body.splitlines() if st == 200 else []:
        if line.startswith(series + " "):
            value = float(line.split()[-1])
    s.check("%s: /metrics counts it: %s > 0" % (name, series), value is not None and value > 0,
            "HTTP %d, %s = %r" % (st, series, value))


def at_limit(s, tmp, binary, _hard):
    ex = harness.Exporter(os.path.join(tmp, "limit"), binary, CONFIG, extra_args=["--workers=2"],
                          prefix=limited(LIMIT, LIMIT))
    os.makedirs(ex.dir)
    ex.start()
    try:
        crowd_rounds(s, ex, "limit", AT_LIMIT)
        counted(s, ex, "limit", "nsprobe_http_connection_limit_reached_total")
    finally:
        s.stopped(ex, "limit", exit_case=EXIT_CASE, tail=15)


def accept_emfile(s, tmp, binary, hard):
    start = min(hard, 4096)
    ex = harness.Exporter(os.path.join(tmp, "emfile"), binary, CONFIG, extra_args=["--workers=2"],
                          prefix=limited(start, start))
    os.makedirs(ex.dir)
    ex.start()
    try:
        # The budget was sized for `start`; from now on the process may open only LIMIT.
        resource.prlimit(ex.proc.pid, resource.RLIMIT_NOFILE, (LIMIT, start))
        crowd_rounds(s, ex, "emfile", EMFILE)
        counted(s, ex, "emfile", 'nsprobe_http_accept_errors_total{reason="EMFILE"}')
    finally:
        s.stopped(ex, "emfile", exit_case=EXIT_CASE, tail=15)


def inherited(s, tmp, binary, _hard):
    ex = harness.Exporter(os.path.join(tmp, "inherited"), binary, CONFIG, extra_args=["--workers=2"],
                          prefix=limited(LIMIT, LIMIT, inherit=INHERITED))
    os.makedirs(ex.dir)
    ex.start()
    try:
        m = re.search(r'msg="Descriptors inherited at start reduce the connection budget" inherited=(\d+) '
                      r'descriptor_limit=(\d+) connections_per_worker=(\d+)', ex.log_text())
        s.check("inherited: the budget leaves out the %d inherited descriptors, and says so" % INHERITED,
                m is not None and int(m.group(1)) >= INHERITED and int(m.group(3)) <= 8,
                "no such line in:\n%s" % ex.log_tail(15))
        crowd_rounds(s, ex, "inherited", AT_LIMIT, forbid=EMFILE)
    finally:
        s.stopped(ex, "inherited", exit_case=EXIT_CASE, tail=15)


def soft_limit_raised(s, tmp, binary, hard):
    ex = harness.Exporter(os.path.join(tmp, "raise"), binary, CONFIG,
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
        log = ex.log_text()
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
    try:
        with open("/proc/sys/net/core/somaxconn") as f:
            somaxconn = int(f.read())
    except (OSError, ValueError):
        somaxconn = 0
    cases = [at_limit, accept_emfile, inherited]
    if somaxconn < MIN_SOMAXCONN:
        print("SKIP crowds: net.core.somaxconn is %d (< %d): two listen backlogs cannot hold a crowd of %d"
              % (somaxconn, MIN_SOMAXCONN, CROWD))
        cases = []
    s = harness.Tally()
    with tempfile.TemporaryDirectory(prefix="nsprobe-crowd-") as tmp:
        for case in cases + [soft_limit_raised]:
            try:
                case(s, tmp, binary, raise_to)
            except (harness.FixtureError, OSError) as e:
                s.check(case.__name__, False, "%s: %s" % (type(e).__name__, e))
    print(s.summary())
    if s.failed == 0 and s.passed > 0 and not cases:
        return SKIP
    return s.exit_status()


if __name__ == "__main__":
    sys.exit(main())
