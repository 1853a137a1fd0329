"""valparent -- validation.py's chain cases (parcases.py) and the 50-key timing case, run beside
the zone cases: the children and tagstorm.test join the first knotd's zones, par.test. gets a
knotd of its own (parworld.py).

For each chain case delv validates through parworld.Router with par.test.'s KSK as trust anchor
(+root=par.test), and unbound-host with a stub for par.test. and one for the child and the same
anchor. nsprobe probes the child on the first knotd three times, `dnssec.ds` (the DS as the
signed parent holds them), `dnssec.ds_from` (the parent's knotd) and `ds_from: resolver` (the
suite's --target.resolver is the parent's knotd); a variant passes when probe_success is the
oracles' verdict and probe_dnssec_ds_match and probe_dnssec_cds_pending are as the case says.
A missing metric family fails the variant.

Key info: the `ds` variant of a case with key_info sets `dnssec.key_info: true` and must show one
probe_dnssec_key_info series per DNSKEY of the child's apex as kdig gets it (flags, algorithm,
the RFC 4034 Appendix B key tag, and ds_sha256 the SHA-256 DS digest of the key by dnspython's
dns.dnssec.make_ds, uppercase hex); every other variant must show no such family.

tagstorm: www.tagstorm.test A carries 100 RRSIGs by 50 keys of two key tags, none valid; probed
with timeout 5s over TCP, the /probe answer must come back within that and say probe_success 0.
"""

import os
import re
import time
import urllib.parse

import dns.dnssec
import dns.name
import dns.rdata

import harness
import oracle
import parcases
import parworld
import valworld

STORM = "tagstorm"
STORM_TIMEOUT = 5.0


def metrics_of(body):
    """{name: value} of the samples without labels in a debug=true /probe body's metrics."""
    _head, _sep, rest = body.partition("Metrics that would have been returned:\n")
    out = {}
    for line in rest.splitlines():
        if line and not line.startswith("#") and "{" not in line:
            f = line.split()
            if len(f) >= 2:
                try:
                    out[f[0]] = float(f[1])
                except ValueError:
                    pass
    return out


def key_info_of(body):
    """[{label: value}] of the probe_dnssec_key_info samples, and whether the family is declared."""
    _head, _sep, rest = body.partition("Metrics that would have been returned:\n")
    series = [dict(re.findall(r'(\w+)="([^"]*)"', line.split("}", 1)[0]))
              for line in rest.splitlines() if line.startswith("probe_dnssec_key_info{")]
    declared = any(line.startswith("# TYPE probe_dnssec_key_info ") for line in rest.splitlines())
    return series, declared


def expected_key_info(addr, port, zone):
    """The series probe_dnssec_key_info must carry for zone's DNSKEY set as kdig gets it from
    addr:port: flags and algorithm as kdig shows them, the key tag (RFC 4034 Appendix B, checked
    against dnspython's key_id) and the SHA-256 DS digest by dns.dnssec.make_ds."""
    want = []
    for flags, proto, alg, tag, key in oracle.dnskeys(addr, port, zone):
        rd = dns.rdata.from_text("IN", "DNSKEY", "%d %d %d %s" % (flags, proto, alg, key))
        assert dns.dnssec.key_id(rd) == tag, "key tag %d by oracle, %d by dnspython" % (tag, dns.dnssec.key_id(rd))
        ds = dns.dnssec.make_ds(dns.name.from_text(zone), rd, "SHA256")
        want.append({"algorithm": str(alg), "ds_sha256": ds.digest.hex().upper(), "flags": str(flags),
                     "key_tag": str(tag)})
    return want


def key_info_problem(body, want):
    """"" when the body's probe_dnssec_key_info series are want (None: there must be none)."""
    got, declared = key_info_of(body)
    if want is None:
        return "probe_dnssec_key_info present without dnssec.key_info" if got or declared else ""
    norm = lambda xs: sorted(tuple(sorted(x.items())) for x in xs)  # noqa: E731
    if not want:
        return "kdig found no DNSKEY at the apex"
    if norm(got) != norm(want):
        return "probe_dnssec_key_info %s, want %s" % (norm(got), norm(want))
    return ""


class Parent:
    def __init__(self, tmp, now, filt):
        self.tmp = tmp
        self.now = now
        self.cases = {cid: c for cid, c in parcases.CASES.items() if not filt or filt in cid}
        self.storm = not filt or filt in STORM
        self.zones, self.qnames, self.dss, self.tags = {}, {}, {}, {}
        for cid, c in self.cases.items():
            zone = "%s.%s" % (cid, parworld.PARENT)
            text, _keys, ctx = valworld.build(tmp, zone, c.spec, now)
            self.zones[zone] = text
            self.dss[zone] = c.ds(ctx, zone)
            self.tags[zone] = sorted({k.tag for k in ctx.keys.values()})
            self.qnames[cid] = zone if c.q == "@" else "%s.%s" % (c.q, zone)
        if self.storm:
            zone = STORM + ".test"
            text, self.storm_anchors, _ctx = valworld.build(tmp, zone, {"mutate": parworld.tagstorm()}, now)
            self.zones[zone] = text
        self.pknot = self.router = None

    def start(self, knot):
        """Signs and serves par.test. beside knot (which serves the children), and the Router."""
        self.knot = knot
        if not self.cases:
            return
        paddr = harness.pick_loopback(lo=2, hi=250, avoid=(knot.addr, "127.0.0.53"))
        text, self.anchors, self.served = parworld.build_parent(self.tmp, self.dss, paddr, knot.addr, self.now)
        self.pknot = parworld.ParKnot(os.path.join(self.tmp, "parent"), paddr, {parworld.PARENT: text})
        self.pknot.start(deadline_s=30)
        raddr = harness.pick_loopback(lo=2, hi=250, avoid=(knot.addr, paddr, "127.0.0.53"))
        self.router = parworld.Router(raddr, (self.pknot.addr, self.pknot.port), (knot.addr, knot.port),
                                      [z for z in self.zones if z.endswith("." + parworld.PARENT)])
        self.router.start()

    def daemons(self):
        return [self.router, self.pknot]

    def modules(self):
        text = ""
        for cid, c in self.cases.items():
            zone = "%s.%s" % (cid, parworld.PARENT)
            for v in c.variants:
                text += "  %s:\n" % self.module_name(cid, v)
                text += "    prober: dns\n    timeout: 5s\n    dns:\n"
                text += "      query_name: %s\n      query_type: %s\n      recursion_desired: false\n" % (
                    self.qnames[cid], c.qtype)
                text += "      dnssec:\n        validate: true\n"
                if v == "ds":
                    text += "        ds:\n" + "".join('          - "%s"\n' % d for d in self.served[zone])
                    if c.key_info:
                        text += "        key_info: true\n"
                elif v == "ds_resolver":
                    text += "        ds_from: resolver\n"
                else:
                    text += '        ds_from: "%s:%d"\n' % (self.pknot.addr, self.pknot.port)
        if self.storm:
            text += ("  %s:\n    prober: dns\n    timeout: %ds\n    dns:\n      query_name: www.%s.test\n"
                     "      query_type: A\n      transport_protocol: tcp\n      recursion_desired: false\n"
                     "      dnssec:\n        validate: true\n" % (STORM, STORM_TIMEOUT, STORM))
        return text

    def resolver(self):
        """--target.resolver for the suite's nsprobe: the parent's knotd (every other target is an
        IP literal, so only `ds_from: resolver` asks it), the first knotd without chain cases."""
        srv = self.pknot or self.knot
        return "%s:%d" % (srv.addr, srv.port)

    @staticmethod
    def module_name(cid, variant):
        return {"ds": cid, "ds_from": cid + "-from", "ds_resolver": cid + "-resolver"}[variant]

    def run(self, exporter, expected, verdict_of_probe):
        """Runs the cases; prints a line per variant; returns (passed, failed, [ids missing a family])."""
        passed = failed = 0
        missing = []
        kaddr, kport = self.knot.addr, self.knot.port
        for cid, c in self.cases.items():
            zone = "%s.%s" % (cid, parworld.PARENT)
            qname = self.qnames[cid]
            try:
                dv, dwhy = oracle.delv_verdict(self.router.addr, self.router.port, self.tmp, parworld.PARENT,
                                               [k.anchor_text() for k in self.anchors], qname, c.qtype)
                uv, uwhy = oracle.unbound_stubs_verdict(
                    self.tmp, cid, {parworld.PARENT: (self.pknot.addr, self.pknot.port), zone: (kaddr, kport)},
                    [k.anchor_text() for k in self.anchors], qname, c.qtype)
                want, note = expected(c, dv, uv)
                keys_want = expected_key_info(kaddr, kport, zone) if c.key_info else None
            except Exception as e:  # noqa: BLE001 -- an oracle that cannot run fails the case
                dv = uv = "error"
                dwhy = uwhy = str(e)
                want, note = None, "oracle error: %s" % e
                keys_want = None
            for v in c.variants:
                vid = "%s/%s" % (cid, v)
                q = urllib.parse.urlencode({"module": self.module_name(cid, v), "target": "%s:%d" % (kaddr, kport),
                                            "debug": "true"})
                st, _h, body = exporter.request("/probe?" + q)
                success, reason = verdict_of_probe(body) if st == 200 else (None, "HTTP %d" % st)
                got = "pass" if success == 1 else "fail"
                m = metrics_of(body) if st == 200 else {}
                dsm, cdp = m.get("probe_dnssec_ds_match"), m.get("probe_dnssec_cds_pending")
                fam_missing = dsm is None or cdp is None
                if fam_missing:
                    missing.append(vid)
                ok = (want is not None and got == want and not fam_missing and dsm == c.ds_match
                      and cdp == c.cds_pending)
                keys_bad = key_info_problem(body, keys_want if v == "ds" and c.key_info else None)
                ok = ok and not keys_bad
                unnamed = []
                if c.names_keys:
                    # one line of the debug log names the DS records' tags and the child's key tags
                    want_tags = [d.split()[3] for d in self.served[zone]] + [str(t) for t in self.tags[zone]]
                    lines = body.partition("Metrics that would have been returned:")[0].splitlines() or [""]
                    unnamed = min(([t for t in want_tags if t not in ln] for ln in lines), key=len)
                    ok = ok and not unnamed
                print("%s %-26s delv=%-8s unbound=%-8s nsprobe=%-4s want=%-4s ds_match=%s/%d "
                      "cds_pending=%s/%d  %s %s" % (
                          "PASS" if ok else "FAIL", vid, dv, uv, got, want or "?",
                          "-" if dsm is None else "%g" % dsm, c.ds_match,
                          "-" if cdp is None else "%g" % cdp, c.cds_pending, qname, c.qtype))
                print("     | %s" % c.what)
                if note:
                    print("     | note: %s" % note)
                if fam_missing:
                    print("     | probe_dnssec_ds_match/probe_dnssec_cds_pending missing from the metrics")
                if keys_bad:
                    print("     | key info: %s" % keys_bad)
                elif v == "ds" and c.key_info:
                    print("     | key info: %d probe_dnssec_key_info series, as kdig's DNSKEY set (tags %s)" % (
                        len(keys_want), ", ".join(k["key_tag"] + "/" + k["flags"] for k in keys_want)))
                if unnamed:
                    print("     | no line of the debug log names all of the DS and key tags (%s: best line "
                          "lacks %s)" % (", ".join(want_tags), ", ".join(unnamed)))
                if not ok or os.environ.get("VALIDATION_VERBOSE"):
                    print("     | delv: %s\n     | unbound-host: %s\n     | nsprobe: %s" % (
                        dwhy, uwhy, reason or "no failure line"))
                    print("     | DS: %s" % ("; ".join(self.served[zone]) or "none"))
                passed += ok
                failed += not ok
        if self.storm:
            ok = self.run_storm(exporter, verdict_of_probe)
            passed += ok
            failed += not ok
        return passed, failed, missing

    def run_storm(self, exporter, verdict_of_probe):
        zone = STORM + ".test"
        qname = "www." + zone
        kaddr, kport = self.knot.addr, self.knot.port
        anchors = [k.anchor_text() for k in self.storm_anchors]
        t0 = time.monotonic()
        dv, _dwhy = oracle.delv_verdict(kaddr, kport, self.tmp, zone, anchors, qname, "A")
        t1 = time.monotonic()
        uv, _uwhy = oracle.unbound_verdict(kaddr, kport, self.tmp, zone, anchors, qname, "A")
        t2 = time.monotonic()
        q = urllib.parse.urlencode({"module": STORM, "target": "%s:%d" % (kaddr, kport), "debug": "true"})
        st, _h, body = exporter.request("/probe?" + q)
        took = time.monotonic() - t2
        success, reason = verdict_of_probe(body) if st == 200 else (None, "HTTP %d" % st)
        m = metrics_of(body) if st == 200 else {}
        ok = st == 200 and took < STORM_TIMEOUT and success == 0
        print("%s %-26s delv=%-8s unbound=%-8s nsprobe=%-4s want=fail  /probe %.2fs (timeout %gs, "
              "probe_duration_seconds %s; delv %.2fs, unbound-host %.2fs)  %s A" % (
                  "PASS" if ok else "FAIL", STORM, dv, uv, "pass" if success == 1 else "fail", took,
                  STORM_TIMEOUT, m.get("probe_duration_seconds", "-"), t1 - t0, t2 - t1, qname))
        print("     | 50 RSA keys over two key tags and 100 RRSIGs over www A, none valid: answered "
              "within the module's timeout")
        print("     | nsprobe: %s" % (reason or "no failure line"))
        return ok
