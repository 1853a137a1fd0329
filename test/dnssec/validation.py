#!/usr/bin/env python3
"""validation -- nsprobe's `dnssec: {validate: true}` verdicts against two validators (issue 14).

    validation.py --binary build/nsprobe [--keep] [-k SUBSTRING] [--oracles-only]

valcases.py lists the cases: zones signed by ldns-signzone and broken on purpose with dnspython
(valworld.py), one zone per case, all served by one knotd with signing off on a random
127.0.0.x. For each case delv (BIND) and unbound-host (Unbound) validate the query against that
knotd with the zone's KSK as trust anchor, and nsprobe probes it (debug=true). A case passes when
nsprobe's verdict (probe_success) is the oracles' (secure: 1, bogus: 0); where the two oracles
disagree the case names the RFC rule that decides, and its verdict is that rule's.

Prints one line per case (id, delv, unbound-host, nsprobe, PASS/FAIL), then `N passed, M failed`;
exits 1 on a failure, 2 if the world could not be set up, 77 if a tool is missing.
Traffic stays on 127.0.0.0/8; every process started here is stopped by its pid.
"""

import os
import shutil
import sys
import tempfile
import time
import traceback
import urllib.parse

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))  # test/: the harness package

NEEDED = ("knotd", "ldns-signzone", "ldns-keygen", "delv", "unbound-host")


def missing_tools():
    miss = [t for t in NEEDED if shutil.which(t) is None and not os.path.exists("/usr/sbin/" + t)]
    try:
        import cryptography  # noqa: F401
        import dns.dnssec  # noqa: F401
    except ImportError:
        miss.append("python3-dnspython/python3-cryptography for %s" % sys.executable)
    return miss


def module_for(qname, qtype, nx):
    text = "    prober: dns\n    timeout: 5s\n    dns:\n"
    text += "      query_name: %s\n      query_type: %s\n      recursion_desired: false\n" % (qname, qtype)
    if nx:
        text += "      valid_rcodes: [NXDOMAIN]\n"
    text += "      dnssec:\n        validate: true\n"
    return text


def verdict_of_probe(body):
    """(probe_success, failure reason or "") from a debug=true /probe body."""
    head, _sep, rest = body.partition("Metrics that would have been returned:\n")
    success = None
    for line in rest.splitlines():
        if line.startswith("probe_success "):
            success = float(line.split()[1])
    reason = ""
    for line in head.splitlines():
        if 'msg="DNSSEC validation failed"' in line or "level=error" in line:
            i = line.find("reason=")
            reason = line[i:] if i >= 0 else line.split("msg=", 1)[-1]
            if "DNSSEC" in line:
                break
    return success, reason


class RewritingRelay:
    """A relay (UDP and TCP) in front of knotd that alters the answers to the zones of cases with a
    rewrite (valcases.Case.rewrite): the answer is parsed and written again by dnspython."""

    def __init__(self, harness, addr, upstream, rewrites):
        import dns.message

        class R(harness.relay.Relay):
            def reply(self, behaviour, pkt, tcp):
                ans = super().reply(behaviour, pkt, tcp)
                if ans is None:
                    return None
                msg = dns.message.from_wire(ans)
                qname = msg.question[0].name.to_text().rstrip(".").lower() if msg.question else ""
                for zone, fn in rewrites.items():
                    if qname == zone or qname.endswith("." + zone):
                        fn(zone, msg)
                        return msg.to_wire()
                return ans
        self.relay = R(addr, upstream)

    def start(self):
        self.relay.start()
        return self.relay


def expected(case, delv_v, ub_v):
    """(verdict the probe must show: "pass"/"fail", note) or (None, why) when it cannot be told."""
    if case.probe_must:
        return case.probe_must, "the probe's verdict is fixed by the case: %s" % case.rule
    if delv_v == ub_v:
        v = delv_v
        note = ""
    elif case.expect:
        v = case.expect
        note = "oracles disagree; %s" % case.rule
    else:
        return None, "oracles disagree and the case names no rule"
    if case.expect and delv_v == ub_v and v != case.expect:
        note = "both oracles say %s, the case expected %s (%s)" % (v, case.expect, case.rule)
    if v == "secure":
        return "pass", note
    if v == "insecure":
        return ("pass" if case.insecure_passes else "fail"), (note or "insecure")
    return "fail", note


def main(argv=None):
    import harness
    ap, args = harness.suite_args(__doc__, "cases whose id", argv)
    miss = missing_tools()
    if miss:
        print("SKIP dnssec/validation: missing %s (apt-get install knot ldnsutils bind9-dnsutils "
              "unbound-host python3-dnspython python3-cryptography)" % ", ".join(miss))
        print("0 passed, 0 failed, 1 skipped")
        return 77
    import harness.relay
    import oracle
    import valcases
    import valparent
    import valworld

    binary = os.path.abspath(args.binary)
    if not os.access(binary, os.X_OK):
        ap.error("not executable: %s" % binary)
    os.environ.setdefault("ASAN_OPTIONS", "halt_on_error=1:detect_leaks=1")
    os.environ.setdefault("UBSAN_OPTIONS", "halt_on_error=1:print_stacktrace=1")
    harness.term_as_interrupt()

    cases = {cid: c for cid, c in valcases.CASES.items() if not args.filter or args.filter in cid}
    tmp = tempfile.mkdtemp(prefix="nsprobe-validation-")
    knot = exporter = relay = par = None
    passed = failed = 0
    disagree = []
    t0 = time.monotonic()
    try:
        try:
            now = int(time.time())
            zones, anchors, qnames = {}, {}, {}
            for cid, c in cases.items():
                zone = cid + ".test"
                text, keys, ctx = valworld.build(tmp, zone, c.spec, now)
                zones[zone] = text
                anchors[cid] = [k.anchor_text() for k in keys]
                if c.q is None:
                    qnames[cid] = ctx.qname.to_text().rstrip(".")
                else:
                    qnames[cid] = zone if c.q == "@" else "%s.%s" % (c.q, zone)
            par = valparent.Parent(tmp, now, args.filter)
            zones.update(par.zones)
            knot = valworld.ValKnot(tmp, zones).start(deadline_s=60)
            par.start(knot)
            cfg = os.path.join(tmp, "nsprobe.yml")
            with open(cfg, "w") as f:
                f.write("# generated by test/dnssec/validation.py\nmodules:\n")
                for cid, c in cases.items():
                    f.write("  %s:\n%s" % (cid, module_for(qnames[cid], c.qtype, c.nx)))
                f.write(par.modules())
            rewrites = {cid + ".test": c.rewrite for cid, c in cases.items() if c.rewrite}
            if rewrites:
                relay = RewritingRelay(harness, harness.pick_loopback(
                    lo=2, hi=250, avoid=(knot.addr, "127.0.0.53")), (knot.addr, knot.port), rewrites).start()
            # the parent's knotd: it answers `ds_from: resolver`'s DS queries (valparent.py); every
            # other target is an IP literal, which needs no resolver
            exporter = harness.Exporter(tmp, binary, cfg, ["--target.resolver=" + par.resolver()])
            exporter.start()
        except (harness.FixtureError, OSError) as e:
            print("setup failed: %s" % e, file=sys.stderr)
            return 2
        print("# knotd %s@%d serving %d zones, nsprobe on port %d (--target.resolver=%s), workdir %s, "
              "built in %.1fs" % (knot.addr, knot.port, len(zones), exporter.port, par.resolver(), tmp,
                                  time.monotonic() - t0))
        print("# %-26s %-9s %-9s %-14s" % ("case", "delv", "unbound", "nsprobe"))
        for cid, c in cases.items():
            zone = cid + ".test"
            qname = qnames[cid]
            addr, port = (relay.addr, relay.port) if c.rewrite else (knot.addr, knot.port)
            try:
                dv, dwhy = oracle.delv_verdict(addr, port, tmp, zone, anchors[cid], qname, c.qtype)
                uv, uwhy = oracle.unbound_verdict(addr, port, tmp, zone, anchors[cid], qname, c.qtype)
                want, note = expected(c, dv, uv)
                q = urllib.parse.urlencode({"module": cid, "target": "%s:%d" % (addr, port),
                                            "debug": "true"})
                st, _h, body = exporter.request("/probe?" + q)
                if st != 200:
                    raise AssertionError("/probe HTTP %d: %s" % (st, body[:200]))
                success, reason = verdict_of_probe(body)
                got = "pass" if success == 1 else "fail"
                ok = want is not None and got == want
                if dv != uv:
                    disagree.append(cid)
                print("%s %-26s delv=%-8s unbound=%-8s nsprobe=%-4s want=%-4s  %s %s" % (
                    "PASS" if ok else "FAIL", cid, dv, uv, got, want or "?", qname, c.qtype))
                print("     | %s" % c.what)
                if note:
                    print("     | note: %s" % note)
                if not ok or os.environ.get("VALIDATION_VERBOSE"):
                    print("     | delv: %s\n     | unbound-host: %s\n     | nsprobe: %s" % (
                        dwhy, uwhy, reason or "no failure line"))
            except Exception:
                ok = False
                print("FAIL %s\n     | %s" % (cid, traceback.format_exc().rstrip().replace("\n", "\n     | ")))
            sys.stdout.flush()
            passed += ok
            failed += not ok
        p, f, missing = par.run(exporter, expected, verdict_of_probe)
        passed += p
        failed += f
        if missing:
            print("# probe_dnssec_ds_match/probe_dnssec_cds_pending missing (counted as failures): %s"
                  % ", ".join(missing))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        failed += 1
    finally:
        if exporter is not None:
            ok, detail = exporter.stop_verdict()
            print("%s nsprobe exits 0 on SIGTERM, no sanitizer report: %s" % ("PASS" if ok else "FAIL", detail))
            passed += ok
            failed += not ok
        harness.clean_up(tmp, args.keep, relay, *(par.daemons() if par else ()), knot)
    if disagree:
        print("# delv and unbound-host disagree on: %s" % ", ".join(disagree))
    print("# %.1fs" % (time.monotonic() - t0))
    print(harness.summary(passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
