#!/usr/bin/env python3
"""run -- differential suite: blackbox_exporter 0.23 and nsprobe side by side, same requests.

    run.py --nsprobe build/nsprobe [--blackbox /usr/bin/prometheus-blackbox-exporter]
           [-k SUBSTRING] [-j N] [--keep] [--list] [-v] [--show]

Starts Knot (test/integration's fixture plus the zones of world.py), the fake servers of
test/fakes, the relay of world.py and the DNS-over-TLS servers of world.DotWorld
(test/fakes/dotserver.py; needs certtool, else the DoT cases are skipped) on loopback, then two
pairs of exporters: one pair on the config of cases.py, one on upstream's example.yml unchanged.
Every case of cases.py goes to both exporters of its pair at the same time and compare.py
compares the answers. The config files upstream-example.yml and debian-blackbox.yml are also
checked with --config.check by both, and so is each broken-then-fixed config of config_checks.py.

blackbox_exporter resolves target names with the system resolver, so it runs in a private mount
namespace whose /etc/resolv.conf names the fixture's Knot (port 53 of its address); nsprobe gets
--target.resolver (the same Knot on port 53). Both see an /etc/hosts with HOSTS_ONLY added (their
own mount namespaces). Without root/unshare or port 53 the name cases are skipped.

Output: one line per case, then "<matched> matched, <listed> listed deviations, <bugs> known
bugs" and, alone on the last line, "N passed, M failed[, K skipped]". Exit 1 on any failure,
2 if the fixture cannot be set up.
"""

import argparse
import concurrent.futures
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import traceback

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
TEST = os.path.dirname(HERE)
sys.path[:0] = [HERE, TEST]  # TEST: the harness and fakes packages

import harness  # noqa: E402
from fakes import fakedns  # noqa: E402
import world  # noqa: E402
import cases  # noqa: E402
import compare  # noqa: E402
import config_checks  # noqa: E402
import deviations  # noqa: E402

BLACKBOX = "/usr/bin/prometheus-blackbox-exporter"
CONFIG_DIR = os.path.join(TEST, "data", "config")
EXAMPLE_YML = os.path.join(CONFIG_DIR, "upstream-example.yml")
DEBIAN_YML = os.path.join(CONFIG_DIR, "debian-blackbox.yml")
EXAMPLE_OFFSET = "2"


class Pair:
    """blackbox_exporter and nsprobe on the same config."""

    def __init__(self, name, bb, ns):
        self.name, self.bb, self.ns = name, bb, ns


def check_unshare():
    try:
        return subprocess.run(["unshare", "--mount", "--propagation", "private", "true"],
                              stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


# Names only the pair's /etc/hosts lists (on Knot's address): cases.py "hosts/" cases. Go reads
# /etc/hosts and nothing else (no HOSTALIASES), so a test entry needs a private mount namespace.
HOSTS_ONLY = ("ns1.example.test",)


def namespace_prefix(workdir, knot_addr, resolv):
    """argv prefix: a private mount namespace whose /etc/hosts is the machine's plus HOSTS_ONLY on
    Knot's address, and (resolv=True, for blackbox_exporter) whose /etc/resolv.conf names only Knot
    (port 53). Needs root and util-linux unshare, as harness.resolv_namespace_prefix."""
    hosts = os.path.join(workdir, "hosts")
    try:
        with open("/etc/hosts") as f:
            text = f.read()
    except OSError:
        text = ""
    if text and not text.endswith("\n"):
        text += "\n"
    with open(hosts, "w") as f:
        f.write(text + "".join("%s %s\n" % (knot_addr, n) for n in HOSTS_ONLY))
    binds = 'mount --bind "$0" /etc/hosts && '
    args = [hosts]
    if resolv:
        path = os.path.join(workdir, "resolv.conf")
        with open(path, "w") as f:
            f.write("nameserver %s\noptions timeout:1 attempts:1\n" % knot_addr)
        binds += 'mount --bind "$1" /etc/resolv.conf && shift && '
        args.append(path)
    return ["unshare", "--mount", "--propagation", "private", "sh", "-c",
            binds + 'exec "$@"'] + args


def start_pair(tmp, name, args, config_text, extra, names):
    d = os.path.join(tmp, name)
    os.makedirs(os.path.join(d, "bb"))
    os.makedirs(os.path.join(d, "ns"))
    cfg = os.path.join(d, "config.yml")
    with open(cfg, "w") as f:
        f.write(config_text)
    # With names, both read the same /etc/hosts, and nsprobe asks Knot on port 53 as blackbox does
    # through resolv.conf: resolver errors name the same server ("lookup x on 127.0.0.5:53: ...").
    bb_prefix = namespace_prefix(os.path.join(d, "bb"), args.knot.addr, True) if names else []
    ns_prefix = namespace_prefix(os.path.join(d, "ns"), args.knot.addr, False) if names else []
    resolver = "%s:%d" % (args.knot.addr, 53 if names else args.knot.port)
    bb = harness.Exporter(os.path.join(d, "bb"), args.blackbox, cfg, extra, bb_prefix)
    ns = harness.Exporter(os.path.join(d, "ns"), args.nsprobe, cfg,
                          extra + ["--target.resolver=" + resolver], ns_prefix)
    pair = Pair(name, bb, ns)
    args.started.append(pair)
    bb.start()
    ns.start()
    return pair


def config_check_cases(args, tmp):
    """Both exporters load both shipped configs nobody wrote for nsprobe (--config.check), and agree
    on each load-time rule of the other probers' sections (config_checks.py)."""
    out = config_checks.run(args.blackbox, args.nsprobe, os.path.join(tmp, "config-checks"))
    for path in (EXAMPLE_YML, DEBIAN_YML):
        res = []
        for binary in (args.blackbox, args.nsprobe):
            p = subprocess.run([binary, "--config.check", "--config.file=" + path],
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, timeout=30)
            res.append((p.returncode, p.stdout.decode(errors="replace").strip()[-300:]))
        name = "config/check/" + os.path.basename(path)
        if res[0][0] == 0 and res[1][0] == 0:
            out.append(("PASS", name, "matched: both exit 0"))
        else:
            out.append(("FAIL", name, "blackbox exit %d (%s); nsprobe exit %d (%s)" % (
                res[0][0], res[0][1], res[1][0], res[1][1])))
    return out


def run_case(ctx, case):
    """-> (status, kind, detail): status PASS/FAIL/SKIP; kind matched/deviation/bug/''."""
    if case.skip:
        return "SKIP", "", case.skip
    if "names" in case.needs and not ctx["names"]:
        return "SKIP", "", "target names need blackbox in a mount namespace with Knot on port 53"
    if "port53" in case.needs and not ctx["port53"]:
        return "SKIP", "", "port 53 on Knot's address is not available"
    if "v6_53_free" in case.needs and not ctx["v6_53_free"]:
        return "SKIP", "", "something listens on [::1]:53"
    if "dot" in case.needs and ctx["dot"] is None:
        return "SKIP", "", "no DoT servers: %s" % ctx["dot_why"]
    if "dot853" in case.needs and not (ctx["dot"] and ctx["dot"].port853_closed):
        return "SKIP", "", "port 853 of the DoT servers' address did not refuse a connection"
    pair = ctx["pairs"][case.pair]
    url = case.url(ctx["vars"])
    # nsprobe shares a TCP connection between concurrent probes (KNOWN_BUGS tcp_connection_reuse);
    # the fakes close it after one answer, so cases for the same fake never overlap.
    lock = ctx["locks"].setdefault(case.target or url, threading.Lock()) \
        if "{fh}" in (case.target or case.path or "") else None
    n = case.burst
    with concurrent.futures.ThreadPoolExecutor(max_workers=2 * n) as many:
        if lock:
            lock.acquire()
        try:
            fb = [many.submit(pair.bb.request, url, case.headers, case.method) for _ in range(n)]
            fn = [many.submit(pair.ns.request, url, case.headers, case.method) for _ in range(n)]
            bbs, nss = [f.result() for f in fb], [f.result() for f in fn]
        finally:
            if lock:
                lock.release()
    bb, ns = bbs[0], nss[0]
    diffs = []
    for i, (b1, n1) in enumerate(zip(bbs, nss)):
        d = compare.compare(b1, n1, debug=case.debug, same_err=case.same_err,
                            zero_either=case.zero_either)
        if d:
            bb, ns = b1, n1
            diffs += ["request %d of %d: %s" % (i + 1, n, x) for x in d] if n > 1 else d
    if ctx["show"]:
        with ctx["show_lock"]:
            print("=== %s %s\n--- blackbox %d ---\n%s\n--- nsprobe %d ---\n%s" % (
                case.name, url, bb[0], bb[2], ns[0], ns[2]))
    listed = deviations.DEVIATIONS.get(case.dev) or deviations.KNOWN_BUGS.get(case.bug)
    if not diffs:
        if listed and listed.get("may_match"):
            return "PASS", "matched", url
        if listed:
            return "FAIL", "", "%s is listed as %r but both answer the same: remove it from the " \
                               "list" % (url, case.dev or case.bug)
        return "PASS", "matched", url
    detail = "%s\n%s" % (url, "\n".join(diffs))
    if listed:
        shows = listed.get("shows")
        if shows is not None and not shows(ns[0], ns[2]):
            return "FAIL", "", detail + "\nnsprobe does not show the listed behaviour:\n" + ns[2]
        more = ("\n" + detail) if ctx["verbose"] else ""
        if case.dev:
            return "PASS", "deviation", "%s: %s%s" % (case.dev, listed["reason"], more)
        return "PASS", "bug", "known bug %s: %s%s" % (case.bug, listed["reason"], more)
    return "FAIL", "", detail + "\n--- blackbox ---\n%s\n--- nsprobe ---\n%s" % (bb[2], ns[2])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nsprobe", required=True, help="the nsprobe binary")
    ap.add_argument("--blackbox", default=BLACKBOX, help="default: %s" % BLACKBOX)
    ap.add_argument("-k", dest="filter", help="run only cases whose name contains this")
    ap.add_argument("-j", dest="jobs", type=int, default=6, help="cases run in parallel")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    ap.add_argument("--show", action="store_true", help="print both answers of every case")
    ap.add_argument("--list", action="store_true", help="list the cases and exit")
    ap.add_argument("-v", dest="verbose", action="store_true",
                    help="print each URL, and the differences of listed cases")
    args = ap.parse_args(argv)

    broken = compare.selftest()
    if broken:
        print("the comparison is broken: %s" % "; ".join(broken), file=sys.stderr)
        return 2
    for c in cases.CASES:
        if c.dev and c.dev not in deviations.DEVIATIONS:
            ap.error("case %s names unknown deviation %r" % (c.name, c.dev))
        if c.bug and c.bug not in deviations.KNOWN_BUGS:
            ap.error("case %s names unknown bug %r" % (c.name, c.bug))
    names = [c.name for c in cases.CASES]
    dup = {n for n in names if names.count(n) > 1}
    if dup:
        ap.error("duplicate case names: %s" % sorted(dup))
    selected = [c for c in cases.CASES if not args.filter or args.filter in c.name]
    if args.list:
        for c in selected:
            print(c.name)
        return 0
    for b in (args.nsprobe, args.blackbox):
        if not os.access(b, os.X_OK):
            ap.error("not executable: %s" % b)
    args.nsprobe, args.blackbox = os.path.abspath(args.nsprobe), os.path.abspath(args.blackbox)

    harness.term_as_interrupt()  # a ctest timeout unwinds like Ctrl-C: the cleanup below runs

    t0 = time.monotonic()
    tmp = tempfile.mkdtemp(prefix="nsprobe-compat-")
    args.knot, args.started = None, []
    fakes = relay = dot = None
    dot_why = None
    results = []  # (status, kind, name, detail)
    try:
        try:
            args.knot = knot = world.CompatKnot(tmp)
            knot.start()
            fh = harness.pick_loopback(avoid=(knot.addr,))
            fakes = fakedns.FakeDNS(fh)
            fports = fakes.start()
            relay = world.Relay(fh, (knot.addr, knot.port))
            rports = relay.start()
            free = harness.free_port([fh])
            if shutil.which("certtool"):
                dot = world.DotWorld(tmp, knot, avoid=(fh,))
                dot.start()
            else:
                dot_why = "certtool (gnutls-bin) is not installed"
            names_ok = knot.port53 and check_unshare()
            with open(EXAMPLE_YML) as f:
                example_text = f.read()
            pairs = {
                "main": start_pair(tmp, "main", args,
                                   cases.main_config(fh, dot.config_vars() if dot else None), [],
                                   names_ok),
                "example": start_pair(tmp, "example", args, example_text,
                                      ["--timeout-offset=" + EXAMPLE_OFFSET], names_ok),
            }
        except (harness.FixtureError, OSError, subprocess.CalledProcessError) as e:
            print("fixture setup failed: %s" % e, file=sys.stderr)
            for p in args.started:
                for e2 in (p.bb, p.ns):
                    print(e2.log_tail(10), file=sys.stderr)
            return 2
        vars_ = {"ka": knot.addr, "kp": knot.port, "fh": fh, "free": free}
        vars_.update(("f_" + b, p) for b, p in fports.items())
        vars_.update(("r_" + b, p) for b, p in rports.items())
        if dot is not None:
            vars_.update(dot.vars())
        ctx = {"pairs": pairs, "vars": vars_, "names": names_ok, "port53": knot.port53,
               "v6_53_free": harness.port_is_free(53, ["::1"]), "verbose": args.verbose,
               "show": args.show, "show_lock": threading.Lock(), "locks": {},
               "dot": dot, "dot_why": dot_why}
        print("# knot %s@%d and [::1]@%d%s; fakes and relay on %s; workdir %s" % (
            knot.addr, knot.port, knot.port, ", %s@53" % knot.addr if knot.port53 else "", fh, tmp))
        if dot is not None:
            print("# DoT servers on %s (other %s, [::1]): %s" % (dot.host, dot.other, " ".join(
                "%s=%d" % kv for kv in sorted(dot.vars().items()) if kv[0].startswith("dp_"))))
        else:
            print("# DoT cases skipped: %s" % dot_why)
        for p in pairs.values():
            print("# %s: %s" % (p.name, " ".join(p.bb.prefix + p.bb.args)))
            print("# %s: %s" % (p.name, " ".join(p.ns.prefix + p.ns.args)))
        if not names_ok:
            print("# target-name cases skipped: %s" % (
                "no port 53 on Knot's address" if not knot.port53 else "unshare --mount failed"))
        sys.stdout.flush()

        if not args.filter or "config/check" in args.filter:
            for st, name, detail in config_check_cases(args, tmp):
                results.append((st, "matched" if st == "PASS" else "", name, detail))
                print("%-4s %s (%s)" % (st, name, detail))
        pool = concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs))
        try:
            futs = [pool.submit(run_case, ctx, c) for c in selected]
            for case, fut in zip(selected, futs):
                try:
                    status, kind, detail = fut.result()
                except Exception:  # a broken case or a dead exporter: report, keep going
                    status, kind, detail = "FAIL", "", traceback.format_exc()
                results.append((status, kind, case.name, detail))
                if status == "FAIL":
                    print("FAIL %s" % case.name)
                    for dl in detail.rstrip().splitlines()[:80]:
                        print("     | " + dl)
                elif kind in ("deviation", "bug") or status == "SKIP" or args.verbose:
                    print("%-4s %s (%s)" % (status, case.name, detail))
                else:
                    print("%-4s %s" % (status, case.name))
                sys.stdout.flush()
        finally:
            pool.shutdown(wait=False, cancel_futures=True)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        results.append(("FAIL", "", "interrupted", ""))
    finally:
        for p in args.started:
            p.bb.stop()
            rc = p.ns.stop()
            report = p.ns.sanitizer_report()
            if rc not in (0, None) or report:
                results.append(("FAIL", "", "nsprobe_clean_exit/" + p.name, ""))
                print("FAIL nsprobe_clean_exit/%s (exit status %s%s)" % (
                    p.name, rc, "; " + report if report else ""))
        if relay is not None:
            relay.stop()
        if fakes is not None:
            fakes.stop()
        if dot is not None:
            dot.stop()
        if args.knot is not None:
            args.knot.stop()
        if args.keep:
            print("# kept %s" % tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    count = lambda st, kind=None: sum(1 for r in results if r[0] == st and (kind is None or r[1] == kind))
    passed, failed, skipped = count("PASS"), count("FAIL"), count("SKIP")
    print("# %.1f s" % (time.monotonic() - t0))
    print("%d matched, %d listed deviations, %d known bugs" % (
        count("PASS", "matched"), count("PASS", "deviation"), count("PASS", "bug")))
    print(harness.summary(passed, failed, skipped))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
