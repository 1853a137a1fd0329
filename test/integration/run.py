#!/usr/bin/env python3
"""run -- the integration suite: start Knot, the fake servers and the exporter, run every case.

    run.py --exporter blackbox [--binary /usr/bin/prometheus-blackbox-exporter]
    run.py --exporter nsprobe --binary build/nsprobe
    run.py --exporter blackbox --names-in-mount-ns   (root: also the target-name cases)
    options: --keep (keep the temporary directory), -k SUBSTRING (only matching cases),
             -j N (parallel cases, default 24)

Prints one line per case and then exactly `N passed, M failed` (plus `, K skipped`) on a line of
its own; exits 1 if any case failed, 2 if the fixture could not be set up.
Traffic stays on 127.0.0.0/8 and ::1; every process started here is stopped by its pid.
"""

import argparse
import concurrent.futures
import os
import subprocess
import sys
import tempfile
import time
import traceback

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))  # test/: the harness and fakes packages

import harness  # noqa: E402
from fakes import fakedns  # noqa: E402
import test_probe  # noqa: E402
import test_dot  # noqa: E402

BLACKBOX = "/usr/bin/prometheus-blackbox-exporter"


class Ctx:
    """What a case sees: the exporter kind, addresses, and a request function."""

    def __init__(self, kind, exporter, knot, fake_host, fake_ports):
        self.kind = kind
        self.exporter = exporter
        self.knot = knot
        self.fake_host = fake_host
        self.fake_ports = fake_ports
        self.src = fake_host  # a local address of ours that is not Knot's (dns_src)
        self.names = kind == "nsprobe"  # can target names be resolved through Knot?
        self.dot = None  # test_dot.DotWorld: the DoT servers and their PKI

    def target(self, tok):
        k = self.knot
        if tok is None or tok == "":
            return tok
        if tok == "KNOT":
            return "%s:%d" % (k.addr, k.port)
        if tok == "KNOT6":
            return "[%s]:%d" % (k.addr6, k.port)
        if tok == "KNOT_MAPPED":
            return "[::ffff:%s]:%d" % (k.addr, k.port)
        if tok == "KNOT53":
            return k.addr
        if tok.startswith("FAKE:"):
            return "%s:%d" % (self.fake_host, self.fake_ports[tok[5:]])
        if tok.startswith("NAME:"):
            return "%s.targets.test:%d" % (tok[5:], k.port)
        raise ValueError("unknown target token %r" % tok)

    def ip(self, tok):
        return {"knot": self.knot.addr, "fake": self.fake_host}.get(tok, tok)

    def request(self, path, headers=None, method="GET"):
        return self.exporter.request(path, headers=headers, method=method)


def run_case(ctx, case):
    """-> (status, detail): status is PASS, FAIL or SKIP."""
    if "names" in case.needs and not ctx.names:
        return "SKIP", "target names need nsprobe --target.resolver (or --names-in-mount-ns)"
    if "port53" in case.needs and not ctx.knot.port53:
        return "SKIP", "port 53 on the Knot address is not available"
    t0 = time.monotonic()
    try:
        case.fn(ctx)
    except test_probe.Skip as e:
        return "SKIP", str(e)
    except AssertionError as e:
        return "FAIL", str(e)
    except Exception:  # a broken case or a dead exporter: report, keep going
        return "FAIL", traceback.format_exc()
    detail = "%.2fs" % (time.monotonic() - t0)
    if case.deviation and ctx.kind == "nsprobe":
        detail += "; expected deviation: " + test_probe.DEVIATIONS[case.deviation]
    return "PASS", detail


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--exporter", choices=("blackbox", "nsprobe"), default="blackbox")
    ap.add_argument("--binary", help="exporter binary (default for blackbox: %s)" % BLACKBOX)
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    ap.add_argument("-k", dest="filter", help="run only cases whose name contains this")
    ap.add_argument("-j", dest="jobs", type=int, default=24, help="cases run in parallel")
    ap.add_argument("--names-in-mount-ns", action="store_true",
                    help="blackbox only, needs root: run it in a private mount namespace whose "
                         "resolv.conf points at the fixture's Knot on port 53, so the target-name "
                         "cases run too")
    args = ap.parse_args(argv)

    binary = args.binary or (BLACKBOX if args.exporter == "blackbox" else None)
    if not binary:
        ap.error("--exporter nsprobe needs --binary PATH")
    binary = os.path.abspath(binary)
    if not os.access(binary, os.X_OK):
        ap.error("not executable: %s" % binary)
    all_cases = test_probe.CASES + test_dot.CASES
    for case in all_cases:
        if case.deviation and case.deviation not in test_probe.DEVIATIONS:
            ap.error("case %s names unknown deviation %r" % (case.name, case.deviation))
    cases = [c for c in all_cases if not args.filter or args.filter in c.name]

    harness.term_as_interrupt()  # SIGTERM (a ctest timeout) unwinds like Ctrl-C

    tmp = tempfile.mkdtemp(prefix="nsprobe-it-")
    knot = fakes = dot = exporter = None
    results = []
    try:
        try:
            knot = harness.Knot(tmp)
            knot.start()
            fake_host = harness.pick_loopback(avoid=(knot.addr,))
            fakes = fakedns.FakeDNS(fake_host)
            fake_ports = fakes.start()
            cfg = os.path.join(tmp, "exporter.yml")
            ctx = Ctx(args.exporter, None, knot, fake_host, fake_ports)
            dot = ctx.dot = test_dot.setup(tmp, knot, avoid=(fake_host,))
            with open(cfg, "w") as f:
                f.write(test_probe.config_text(ctx) + test_dot.config_text(dot))
            extra, prefix = [], []
            if args.exporter == "nsprobe":
                extra.append("--target.resolver=%s:%d" % (knot.addr, knot.port))
            elif args.names_in_mount_ns:
                if not knot.port53:
                    raise harness.FixtureError("--names-in-mount-ns needs port 53 on Knot's address")
                prefix = harness.resolv_namespace_prefix(tmp, knot.addr)
                ctx.names = True
            exporter = harness.Exporter(tmp, binary, cfg, extra, prefix)
            exporter.start()
            ctx.exporter = exporter
        except (harness.FixtureError, OSError, subprocess.CalledProcessError) as e:
            print("fixture setup failed: %s" % e, file=sys.stderr)
            return 2
        print("# exporter: %s" % " ".join(exporter.prefix + exporter.args))
        print("# knot: %s@%d, [::1]@%d%s; fakes: %s; workdir: %s" % (
            knot.addr, knot.port, knot.port, ", %s@53" % knot.addr if knot.port53 else "",
            fake_host, tmp))
        sys.stdout.flush()

        pool = concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs))
        try:
            futs = [pool.submit(run_case, ctx, c) for c in cases]
            for case, fut in zip(cases, futs):
                status, detail = fut.result()
                results.append(status)
                line = "%-4s %s" % (status, case.name)
                if status == "FAIL":
                    print(line)
                    for dl in detail.rstrip().splitlines()[:60]:
                        print("     | " + dl)
                else:
                    print("%s (%s)" % (line, detail))
                sys.stdout.flush()
        finally:
            # On an interrupt, queued cases are dropped; running ones end when the exporter stops.
            pool.shutdown(wait=False, cancel_futures=True)
        if "FAIL" in results:
            print("# exporter log tail:")
            for dl in exporter.log_tail(20).splitlines():
                print("     | " + dl)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        results.append("FAIL")
    finally:
        if exporter is not None:
            # nsprobe must stop cleanly on SIGTERM: exit 0, and no sanitizer report (leaks included).
            ok, detail = exporter.stop_verdict()
            if args.exporter == "nsprobe":
                results.append("PASS" if ok else "FAIL")
                print("%-4s exporter_clean_exit (%s)" % ("PASS" if ok else "FAIL", detail))
        harness.clean_up(tmp, args.keep, fakes, dot, knot)

    failed = results.count("FAIL")
    print(harness.summary_of(results))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
