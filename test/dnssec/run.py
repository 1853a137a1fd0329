#!/usr/bin/env python3
"""run -- nsprobe's DNSSEC and EDNS extensions (issue 6) against live signed zones, judged by others.

    run.py --binary build-sec/nsprobe [--keep] [-k SUBSTRING]

One knotd on a random 127.0.0.x serves zones signed online by Knot (ECDSA P-256, Ed25519,
RSA-SHA256) and zones pre-signed with ldns-signzone and broken on purpose (world.py). For every
probe, the verdict nsprobe should reach is computed here from the live server by tools that are not
nsprobe (oracle.py): `delv` with the zone's KSK as trust anchor, `ldns-verify-zone` on the served
zone file at the current time, and `kdig +dnssec` for the RRSIG times, counts, flags and sizes.

Prints one line per check and then `N passed, M failed` (plus `, K skipped`) alone on a line; exits
1 if a check failed, 2 if the world could not be set up, 77 if a needed tool is missing.
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
sys.path.insert(0, os.path.dirname(HERE))  # test/: the harness and fakes packages

import harness  # noqa: E402
import oracle  # noqa: E402
import relay as relaymod  # noqa: E402
import world  # noqa: E402

NEEDED = ("knotd", "kdig", "ldns-signzone", "ldns-verify-zone", "ldns-keygen")

# The families nsprobe adds for modules that use the extension keys (prober/lib/metrics.c).
EXT_DNS = ["probe_dns_flag_aa", "probe_dns_flag_ad", "probe_dns_nsid_info", "probe_dns_rcode_info",
           "probe_dns_reply_truncated", "probe_dns_response_size_bytes"]
EXT_DNSSEC = ["probe_dnssec_earliest_rrsig_expiry", "probe_dnssec_latest_rrsig_inception",
              "probe_dnssec_rrsig_valid"]
EXTENSIONS = set(EXT_DNS + EXT_DNSSEC)
DURATIONS = {"probe_duration_seconds", "probe_dns_duration_seconds", "probe_dns_lookup_time_seconds"}
COUNTS = {"probe_dns_answer_rrs": "answer", "probe_dns_authority_rrs": "authority",
          "probe_dns_additional_rrs": "additional"}


# --- results ---------------------------------------------------------------------------------

class Results:
    def __init__(self):
        self.passed = self.failed = self.skipped = 0

    def check(self, name, ok, detail=""):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
        print("%s %s%s" % ("PASS" if ok else "FAIL", name, ": " + detail if detail else ""))
        sys.stdout.flush()
        return ok

    def skip(self, name, why):
        self.skipped += 1
        print("SKIP %s: %s" % (name, why))
        sys.stdout.flush()

    def summary(self):
        return harness.summary(self.passed, self.failed, self.skipped)


# --- exposition text -------------------------------------------------------------------------

def families(text):
    """[(name, help line, type line, [(sample key, value)])] in order, from exposition text."""
    out = []
    for line in text.splitlines():
        if not line.strip():
            continue
        if line.startswith("# HELP "):
            out.append([line.split()[2], line, None, []])
        elif line.startswith("# TYPE "):
            out[-1][2] = line
        elif not line.startswith("#"):
            key, value = line.rsplit(" ", 1)
            out[-1][3].append((key, float(value)))
    return [tuple(f) for f in out]


def metric(fams, key):
    """The value of sample `key` (name plus labels as printed), or None."""
    for _n, _h, _t, samples in fams:
        for k, v in samples:
            if k == key:
                return v
    return None


def family(fams, name):
    for f in fams:
        if f[0] == name:
            return f
    return None


# --- configuration ---------------------------------------------------------------------------

def yaml_value(v, indent):
    pad = " " * indent
    if isinstance(v, dict) and not v:
        return " {}"
    if isinstance(v, dict):
        return "".join("\n%s%s:%s" % (pad, k, yaml_value(x, indent + 2)) for k, x in v.items())
    if isinstance(v, list):
        return " [" + ", ".join(str(x) for x in v) + "]"
    if isinstance(v, bool):
        return " true" if v else " false"
    return " " + str(v)


def module(qname, qtype, **extra):
    dns = {"query_name": qname, "query_type": qtype, "recursion_desired": False}
    dns.update(extra)
    return {"prober": "dns", "timeout": "5s", "dns": dns}


VALIDATE = {"validate": True}

# MUST SHOW 1: id -> (zone, qname, qtype, extra dns keys). Every probe's verdict is computed from
# the live server by delv and ldns-verify-zone; the RRSIG times by kdig.
VERDICT_CASES = {
    "p256-www-A": ("p256.test", "www.p256.test", "A", {}),
    "p256-www-A-mixed-case": ("p256.test", "wWw.P256.tEsT", "A", {}),
    "ed25519-www-A": ("ed.test", "www.ed.test", "A", {}),
    "rsasha256-www-A": ("rsa.test", "www.rsa.test", "A", {}),
    "p256-cname-chain": ("p256.test", "alias.p256.test", "A", {}),
    "ed25519-wildcard": ("ed.test", "foo.wild.ed.test", "A", {}),
    "rsasha256-MX": ("rsa.test", "rsa.test", "MX", {}),
    "expired-www-A": ("expired.test", "www.expired.test", "A", {}),
    "notyet-www-A": ("notyet.test", "www.notyet.test", "A", {}),
    "flipped-www-A": ("bogus.test", "www.bogus.test", "A", {}),
    "flipped-zone-mail-A": ("bogus.test", "mail.bogus.test", "A", {}),
    "nokey-www-A": ("nokey.test", "www.nokey.test", "A", {}),
    "short-www-A": ("short.test", "www.short.test", "A", {}),
    "short-www-A-min_validity-72h": ("short.test", "www.short.test", "A", {"min_validity": "72h"}),
    "short-www-A-min_validity-1h": ("short.test", "www.short.test", "A", {"min_validity": "1h"}),
    "p256-NXDOMAIN": ("p256.test", "nx.p256.test", "A", {"valid_rcodes": ["NXDOMAIN"]}),
    "rsasha256-NODATA": ("rsa.test", "www.rsa.test", "AAAA", {}),
    "expired-NXDOMAIN": ("expired.test", "nx.expired.test", "A", {"valid_rcodes": ["NXDOMAIN"]}),
    "p256-DNSKEY": ("p256.test", "p256.test", "DNSKEY", {}),
    "rsasha256-DNSKEY": ("rsa.test", "rsa.test", "DNSKEY", {}),
    "ed25519-DNSKEY": ("ed.test", "ed.test", "DNSKEY", {}),
    "expired-DNSKEY": ("expired.test", "expired.test", "DNSKEY", {}),
    "nokey-DNSKEY": ("nokey.test", "nokey.test", "DNSKEY", {}),
    "p256-www-A-tcp": ("p256.test", "www.p256.test", "A", {"transport_protocol": "tcp"}),
    "notyet-www-A-tcp": ("notyet.test", "www.notyet.test", "A", {"transport_protocol": "tcp"}),
    "rsasha256-NXDOMAIN-tcp": ("rsa.test", "nx.rsa.test", "A",
                               {"transport_protocol": "tcp", "valid_rcodes": ["NXDOMAIN"]}),
    "p256-big-TXT-tcp": ("p256.test", "big.p256.test", "TXT", {"transport_protocol": "tcp"}),
    "p256-big-TXT-tcp_on_truncation": ("p256.test", "big.p256.test", "TXT", {"tcp_on_truncation": True}),
    "expired-big-TXT-tcp_on_truncation": ("expired.test", "big.expired.test", "TXT",
                                          {"tcp_on_truncation": True}),
}

DURATION_S = {"72h": 72 * 3600, "1h": 3600}


def verdict_modules():
    mods = {}
    for cid, (_zone, qname, qtype, extra) in VERDICT_CASES.items():
        keys = dict(extra)
        dnssec = dict(VALIDATE)
        if "min_validity" in keys:
            dnssec["min_validity"] = keys.pop("min_validity")
        mods["v-" + cid] = module(qname, qtype, dnssec=dnssec, **keys)
    return mods


def other_modules():
    m = {}
    # MUST SHOW 2: the same question with and without the keys
    for tag, (qname, qtype, rc) in {"www": ("www.p256.test", "A", None),
                                    "nx": ("nx.p256.test", "A", ["NXDOMAIN"])}.items():
        base = {"valid_rcodes": rc} if rc else {}
        m["f-plain-" + tag] = module(qname, qtype, **base)
        m["f-dnssec-" + tag] = module(qname, qtype, dnssec=VALIDATE, **base)
        m["f-edns-" + tag] = module(qname, qtype, edns={"udp_size": 1232}, **base)
        m["f-tcpretry-" + tag] = module(qname, qtype, tcp_on_truncation=True, **base)
    # MUST SHOW 3: EDNS on the wire and the answer facts
    m["e-plain"] = module("www.p256.test", "A")
    m["e-all"] = module("www.p256.test", "A", edns={"udp_size": 1400, "do": True, "nsid": True})
    m["e-size-only"] = module("www.p256.test", "A", edns={"udp_size": 2048})
    m["e-empty"] = module("www.p256.test", "A", edns={})
    m["e-dnssec"] = module("www.p256.test", "A", dnssec=VALIDATE)
    m["e-dnskey"] = module("p256.test", "DNSKEY", dnssec=VALIDATE)
    m["e-big-512"] = module("big.p256.test", "TXT", edns={"udp_size": 512, "do": True})
    m["e-big-4096"] = module("big.p256.test", "TXT", edns={"udp_size": 4096, "do": True})
    m["e-big-retry"] = module("big.p256.test", "TXT", edns={"udp_size": 1232, "do": True},
                              tcp_on_truncation=True)
    m["e-big-dnssec-noretry"] = module("big.p256.test", "TXT", dnssec=VALIDATE)
    m["e-big-retry-noedns"] = module("big.p256.test", "TXT", tcp_on_truncation=True)
    return m


def config_text(mods):
    out = "# generated by test/dnssec/run.py\nmodules:"
    for name, body in mods.items():
        out += "\n  %s:%s" % (name, yaml_value(body, 4))
    return out + "\n"


# --- probing ---------------------------------------------------------------------------------

class World:
    def __init__(self, tmp, knot, exporter, relay, have_delv):
        self.tmp = tmp
        self.knot = knot
        self.exporter = exporter
        self.relay = relay
        self.have_delv = have_delv
        self.zone_files = dict(knot.ldns_files)

    def target(self):
        return "%s:%d" % (self.knot.addr, self.knot.port)

    def probe(self, mod, target=None, debug=False):
        """(families, log text) of one /probe."""
        q = {"module": mod, "target": target or self.target()}
        if debug:
            q["debug"] = "true"
        st, _h, body = self.exporter.request("/probe?" + urllib.parse.urlencode(q))
        if st != 200:
            raise AssertionError("/probe module=%s: HTTP %d: %s" % (mod, st, body[:300]))
        if not debug:
            return families(body), ""
        head, _sep, rest = body.partition("Metrics that would have been returned:\n")
        metrics_text = rest.split("\n\n\nModule configuration:")[0]
        return families(metrics_text), head

    def zone_file(self, zone):
        if zone not in self.zone_files:
            self.zone_files[zone] = oracle.axfr(self.knot.addr, self.knot.port, zone,
                                                os.path.join(self.tmp, zone + ".axfr"))
        return self.zone_files[zone]

    def kdig(self, name, qtype, *opts):
        return oracle.kdig(self.knot.addr, self.knot.port, name, qtype, *opts)


def log_failure_line(log):
    for line in log.splitlines():
        if 'msg="DNSSEC validation failed"' in line:
            return line
    return None


def verdict_case(w, res, cid):
    zone, qname, qtype, extra = VERDICT_CASES[cid]
    tcp = extra.get("transport_protocol") == "tcp"
    mv = DURATION_S.get(extra.get("min_validity"), 0)
    name = "verdict/" + cid
    # the answer as kdig sees it (after a TC retry over TCP, as nsprobe with tcp_on_truncation)
    a = w.kdig(qname, qtype, "+dnssec", "+bufsize=1232", *(["+tcp"] if tcp else []))
    sec = a.checked_section()
    sigs = a.rrsigs(sec)
    rrsets = a.rrsets(sec)
    if not rrsets or not sigs:
        return res.check(name + " oracle", False, "kdig shows no signed RRset in the %s section:\n%s"
                         % (sec, a.text))
    now = int(time.time())
    path = w.zone_file(zone)
    _rc, errs = oracle.ldns_errors(path, now)
    mine = [e for e in errs if (e[1], e[2]) in rrsets]
    ldns_ok = not mine
    mine_mv = []
    if mv:
        _rc, errs_mv = oracle.ldns_errors(path, now, mv)
        mine_mv = [e for e in errs_mv if (e[1], e[2]) in rrsets]
    def describe(errs):
        return "; ".join("%s %s: %s" % (o, t, r) for r, o, t in errs[:2]) or "no error"
    ldns_text = describe(mine)
    if w.have_delv:
        delv_ok, delv_text = oracle.delv(w.knot.addr, w.knot.port, w.tmp, zone, qname, qtype, tcp)
        if not res.check(name + " validators agree", delv_ok == ldns_ok,
                         "delv %s (%s); ldns-verify-zone %s (%s)" % (
                             "valid" if delv_ok else "bogus", delv_text,
                             "valid" if ldns_ok else "bogus", ldns_text)):
            return
    else:
        delv_ok, delv_text = ldns_ok, "not run"
    want_valid = ldns_ok and delv_ok
    want_success = want_valid and not mine_mv
    oracle_says = "delv: %s; ldns-verify-zone: %s" % (delv_text, ldns_text)
    if mv:
        oracle_says += "; ldns-verify-zone -e PT%dS: %s" % (mv, describe(mine_mv))

    fams, log = w.probe("v-" + cid, debug=True)
    got_success = metric(fams, "probe_success")
    got_valid = metric(fams, "probe_dnssec_rrsig_valid")
    res.check(name + " probe_success", got_success == (1 if want_success else 0),
              "nsprobe %s, independent verdict %d (%s)" % (got_success, want_success, oracle_says))
    res.check(name + " probe_dnssec_rrsig_valid", got_valid == (1 if want_valid else 0),
              "nsprobe %s, independent verdict %d" % (got_valid, want_valid))
    earliest = min(s["exp"] for s in sigs)
    latest = max(s["inc"] for s in sigs)
    got_e = metric(fams, "probe_dnssec_earliest_rrsig_expiry")
    got_l = metric(fams, "probe_dnssec_latest_rrsig_inception")
    res.check(name + " probe_dnssec_earliest_rrsig_expiry", got_e == earliest,
              "nsprobe %s, kdig min over %d RRSIGs of the %s section %d (%s UTC)" % (
                  got_e, len(sigs), sec, earliest, time.strftime("%Y%m%d%H%M%S", time.gmtime(earliest))))
    res.check(name + " probe_dnssec_latest_rrsig_inception", got_l == latest,
              "nsprobe %s, kdig max %d" % (got_l, latest))

    line = log_failure_line(log)
    if want_success:
        res.check(name + " log", line is None and 'msg="DNSSEC signatures are valid"' in log,
                  "no failure line, and 'DNSSEC signatures are valid'" if line is None else line)
        return
    # The failure line names the RRset, key tag, algorithm and reason; the independent validator
    # flagged that RRset for the same reason, and kdig shows an RRSIG with that tag and algorithm.
    first = (mine or mine_mv)[0]
    reason_word = [k for k, v in oracle.LDNS_REASON.items() if v == first[0]]
    want_reason = reason_word[0] if reason_word else "?"
    sig = [s for s in sigs if s["owner"] == first[1] and s["covered"] == first[2]]
    if line is None or not sig:
        res.check(name + " log", False, "no 'DNSSEC validation failed' line in the probe log"
                  if line is None else "kdig shows no RRSIG over %s %s" % first[1:])
        return
    frags = ['%s IN %s: %s (' % (first[1], first[2], want_reason)]
    tags_ok = any("key tag %d, algorithm %d " % (s["tag"], s["alg"]) in line for s in sig)
    if mv and want_reason == "expiring":
        frags.append("min_validity=%s" % extra["min_validity"])
    missing = [f for f in frags if f not in line]
    res.check(name + " log", not missing and tags_ok,
              "%s (want %r and a key tag/algorithm of %s)" % (line.split("level=error ", 1)[-1], frags,
                                                              ["%d/%d" % (s["tag"], s["alg"]) for s in sig]))
    if cid.startswith("nokey") and qtype != "DNSKEY":
        published = [k[3] for k in oracle.dnskeys(w.knot.addr, w.knot.port, zone)]
        res.check(name + " key not published", all(s["tag"] not in published for s in sig),
                  "RRSIG key tags %s, DNSKEY tags the server publishes %s" % (
                      [s["tag"] for s in sig], published))


def families_case(w, res, tag, qname, qtype):
    """MUST SHOW 2: with the keys, only the extension families are added; the blackbox families are
    unchanged but for durations and the counts, which move exactly as kdig sees the server's answer
    move when EDNS (and DO) is asked for."""
    plain, _ = w.probe("f-plain-" + tag)
    k_plain = w.kdig(qname, qtype, "+noedns")
    for variant, kd in (("dnssec", w.kdig(qname, qtype, "+dnssec", "+bufsize=1232")),
                        ("edns", w.kdig(qname, qtype, "+nodnssec", "+bufsize=1232")),
                        ("tcpretry", k_plain)):
        name = "families/%s-%s" % (variant, tag)
        fams, _ = w.probe("f-%s-%s" % (variant, tag))
        base = [f for f in fams if f[0] not in EXTENSIONS]
        ext = [f[0] for f in fams if f[0] in EXTENSIONS]
        want_ext = sorted(set(EXT_DNS) - {"probe_dns_nsid_info"})
        if variant == "dnssec":
            want_ext = sorted(want_ext + EXT_DNSSEC)
        res.check(name + " extension families", sorted(ext) == want_ext, "got %s, want %s" % (ext, want_ext))
        res.check(name + " blackbox family order", [f[0] for f in base] == [f[0] for f in plain],
                  "%s vs plain %s" % ([f[0] for f in base], [f[0] for f in plain]))
        diffs = []
        for f, p in zip(base, plain):
            if f[1] != p[1] or f[2] != p[2]:
                diffs.append("%s: HELP/TYPE %r vs %r" % (f[0], f[1:3], p[1:3]))
            if [k for k, _v in f[3]] != [k for k, _v in p[3]]:
                diffs.append("%s: labels %s vs %s" % (f[0], f[3], p[3]))
                continue
            if f[0] in DURATIONS:
                continue
            for (k, v), (_k, pv) in zip(f[3], p[3]):
                if f[0] in COUNTS:
                    sec = COUNTS[f[0]]
                    # OPT is counted in the additional section, as miekg's len(msg.Extra) does
                    want = kd.count(sec) + (1 if sec == "additional" and variant != "tcpretry" else 0)
                    want_p = k_plain.count(sec)
                    if v != want or pv != want_p:
                        diffs.append("%s: %s (kdig %d) vs plain %s (kdig %d)" % (k, v, want, pv, want_p))
                elif v != pv:
                    diffs.append("%s: %s vs plain %s" % (k, v, pv))
        moved = ["%s %+d" % (k, v - pv) for f, p in zip(base, plain) if f[0] in COUNTS
                 for (k, v), (_k, pv) in zip(f[3], p[3]) if v != pv]
        res.check(name + " blackbox families unchanged", not diffs and len(base) == len(plain),
                  "; ".join(diffs) if diffs else "HELP/TYPE/labels/values equal; counts moved as kdig's: %s"
                  % (", ".join(moved) or "none"))
    res.check("families/plain-%s no extension family" % tag,
              not [f[0] for f in plain if f[0] in EXTENSIONS or f[0].startswith("probe_dnssec")],
              "families %s" % [f[0] for f in plain])


def relay_probe(w, mod):
    w.relay.clear()
    fams, log = w.probe(mod, target="%s:%d" % (w.relay.addr, w.relay.port), debug=True)
    return fams, log, [relaymod.parse_query(q) for q in w.relay.taken()]


def edns_cases(w, res):
    """MUST SHOW 3: the OPT record on the wire, and the answer facts against kdig's view."""
    _f, _l, qs = relay_probe(w, "e-plain")
    res.check("edns/no-keys sends no OPT", len(qs) == 1 and qs[0]["opt"] is None and qs[0]["arcount"] == 0,
              "queries %s" % qs)
    fams, _l, qs = relay_probe(w, "e-all")
    opt = qs[0]["opt"] if qs else None
    res.check("edns/udp_size+do+nsid on the wire",
              len(qs) == 1 and opt is not None and opt["udp_size"] == 1400 and opt["do"]
              and opt["version"] == 0 and opt["options"] == [(3, b"")], "queries %s" % qs)
    _f, _l, qs = relay_probe(w, "e-size-only")
    opt = qs[0]["opt"] if qs else None
    res.check("edns/udp_size only: DO clear, no NSID option",
              opt is not None and opt["udp_size"] == 2048 and not opt["do"] and opt["options"] == [],
              "queries %s" % qs)
    fams, _l, qs = relay_probe(w, "e-empty")
    opt = qs[0]["opt"] if qs else None
    res.check("edns/empty map: the defaults (1232, DO clear, no option)",
              opt is not None and opt["udp_size"] == 1232 and not opt["do"] and opt["options"] == []
              and family(fams, "probe_dns_rcode_info") is not None, "queries %s" % qs)
    fams_d, _l, qs = relay_probe(w, "e-dnssec")
    # issue 14: then the apex's SOA, which proves the signer is the zone's apex (RFC 4035 5.3.1)
    ok = (len(qs) == 3 and qs[0]["opt"] and qs[0]["opt"]["udp_size"] == 1232 and qs[0]["opt"]["do"]
          and qs[1]["qname"] == "p256.test." and qs[1]["qtype"] == 48 and qs[1]["opt"]["do"]
          and qs[2]["qname"] == "p256.test." and qs[2]["qtype"] == 6)
    res.check("edns/dnssec implies DO=1 at 1232, then asks the signer's DNSKEY set with DO=1, then its SOA",
              bool(ok),
              "queries %s" % [(q["qname"], q["qtype"], q["opt"]) for q in qs])
    res.check("edns/dnssec through the relay is valid", metric(fams_d, "probe_dnssec_rrsig_valid") == 1
              and metric(fams_d, "probe_success") == 1, "rrsig_valid %s success %s" % (
                  metric(fams_d, "probe_dnssec_rrsig_valid"), metric(fams_d, "probe_success")))
    fams_k, _l, qs = relay_probe(w, "e-dnskey")
    # the set validates itself; one more query (SOA) proves its owner is the zone's apex
    res.check("dnskey/self-validated, its apex proven by one SOA query",
              len(qs) == 2 and qs[0]["qtype"] == 48 and qs[1]["qtype"] == 6
              and metric(fams_k, "probe_dnssec_rrsig_valid") == 1,
              "%d queries %s, rrsig_valid %s" % (len(qs), [(q["qname"], q["qtype"]) for q in qs],
                                                 metric(fams_k, "probe_dnssec_rrsig_valid")))

    # The answer facts of e-all against kdig asking the same (+dnssec = DO, +nsid, 1400 bytes)
    kd = w.kdig("www.p256.test", "A", "+dnssec", "+bufsize=1400", "+nsid")
    fams, _ = w.probe("e-all")
    facts = {
        "probe_dns_flag_aa": 1 if "aa" in kd.flags else 0,
        "probe_dns_flag_ad": 1 if "ad" in kd.flags else 0,
        "probe_dns_reply_truncated": 1 if "tc" in kd.flags else 0,
        "probe_dns_response_size_bytes": kd.size,
        'probe_dns_rcode_info{rcode="%s"}' % kd.rcode: 1,
        'probe_dns_nsid_info{nsid="%s"}' % kd.nsid: 1,
        "probe_dns_answer_rrs": kd.count("answer"),
        "probe_success": 1,
    }
    for key, want in facts.items():
        res.check("edns/answer fact %s" % key, metric(fams, key) == want,
                  "nsprobe %s, kdig %s" % (metric(fams, key), want))
    res.check("edns/nsid is the knot.conf one", kd.nsid == world.NSID, "kdig NSID %r" % kd.nsid)
    nsid_f = family(fams, "probe_dns_nsid_info")
    res.check("edns/nsid HELP", nsid_f is not None and nsid_f[1] ==
              "# HELP probe_dns_nsid_info The name server identifier (NSID, RFC 5001) the server returned",
              repr(nsid_f[1] if nsid_f else None))
    fams, _ = w.probe("e-size-only")
    kd = w.kdig("www.p256.test", "A", "+nodnssec", "+bufsize=2048")
    res.check("edns/DO clear: no RRSIG in the answer", metric(fams, "probe_dns_answer_rrs") == kd.count("answer")
              and not kd.rrsigs("answer") and family(fams, "probe_dns_nsid_info") is None,
              "answer_rrs %s, kdig %d; nsid family %s" % (metric(fams, "probe_dns_answer_rrs"), kd.count("answer"),
                                                          family(fams, "probe_dns_nsid_info")))

    # Truncation: a 20-record TXT RRset plus its RRSIG (~1.7 kB) against the advertised size
    kd_tc = w.kdig("big.p256.test", "TXT", "+dnssec", "+bufsize=512", "+ignore")
    fams, _ = w.probe("e-big-512")
    res.check("truncation/udp_size 512 without retry: TC seen, empty answer",
              "tc" in kd_tc.flags and metric(fams, "probe_dns_reply_truncated") == 1
              and metric(fams, "probe_dns_answer_rrs") == kd_tc.count("answer")
              and metric(fams, "probe_dns_response_size_bytes") == kd_tc.size
              and metric(fams, "probe_success") == 1,
              "truncated %s answer_rrs %s size %s success %s; kdig tc=%s answer %d size %s" % (
                  metric(fams, "probe_dns_reply_truncated"), metric(fams, "probe_dns_answer_rrs"),
                  metric(fams, "probe_dns_response_size_bytes"), metric(fams, "probe_success"),
                  "tc" in kd_tc.flags, kd_tc.count("answer"), kd_tc.size))
    kd_big = w.kdig("big.p256.test", "TXT", "+dnssec", "+bufsize=4096")
    fams, _ = w.probe("e-big-4096")
    res.check("truncation/udp_size 4096: the whole RRset over UDP",
              not kd_big.tcp and metric(fams, "probe_dns_reply_truncated") == 0
              and metric(fams, "probe_dns_answer_rrs") == kd_big.count("answer")
              and metric(fams, "probe_dns_response_size_bytes") == kd_big.size,
              "truncated %s answer_rrs %s size %s; kdig (TCP %s) answer %d size %s" % (
                  metric(fams, "probe_dns_reply_truncated"), metric(fams, "probe_dns_answer_rrs"),
                  metric(fams, "probe_dns_response_size_bytes"), kd_big.tcp, kd_big.count("answer"),
                  kd_big.size))
    # dnssec without tcp_on_truncation: the TC answer holds no RRset, so nothing can be validated
    fams, log = w.probe("e-big-dnssec-noretry", debug=True)
    line = log_failure_line(log) or ""
    res.check("truncation/dnssec without tcp_on_truncation fails: nothing to validate",
              metric(fams, "probe_dns_reply_truncated") == 1 and metric(fams, "probe_success") == 0
              and metric(fams, "probe_dnssec_rrsig_valid") == 0 and 'reason="no RRset to check"' in line,
              "truncated %s success %s rrsig_valid %s; %s" % (
                  metric(fams, "probe_dns_reply_truncated"), metric(fams, "probe_success"),
                  metric(fams, "probe_dnssec_rrsig_valid"), line.split("level=error ", 1)[-1] or "no failure line"))
    kd_tcp = w.kdig("big.p256.test", "TXT", "+dnssec", "+bufsize=1232")
    for mod, kd in (("e-big-retry", kd_tcp), ("e-big-retry-noedns", w.kdig("big.p256.test", "TXT", "+noedns"))):
        fams, log = w.probe(mod, debug=True)
        res.check("truncation/%s: retried over TCP" % mod,
                  kd.tcp and "Truncated answer, retrying over TCP" in log
                  and metric(fams, "probe_dns_reply_truncated") == 1
                  and metric(fams, "probe_dns_answer_rrs") == kd.count("answer")
                  and metric(fams, "probe_dns_response_size_bytes") == kd.size
                  and metric(fams, "probe_success") == 1,
                  "truncated %s answer_rrs %s size %s success %s; kdig (TCP %s) answer %d size %s" % (
                      metric(fams, "probe_dns_reply_truncated"), metric(fams, "probe_dns_answer_rrs"),
                      metric(fams, "probe_dns_response_size_bytes"), metric(fams, "probe_success"),
                      kd.tcp, kd.count("answer"), kd.size))


# --- main ------------------------------------------------------------------------------------

def main(argv=None):
    ap, args = harness.suite_args(__doc__, "checks whose group", argv)
    binary = os.path.abspath(args.binary)
    missing = [t for t in NEEDED if shutil.which(t) is None and not os.path.exists("/usr/sbin/" + t)]
    if missing:
        print("SKIP dnssec/live: %s not found (apt-get install knot knot-dnsutils ldnsutils "
              "bind9-dnsutils)" % ", ".join(missing))
        print("0 passed, 0 failed, 1 skipped")
        return 77
    if not os.access(binary, os.X_OK):
        ap.error("not executable: %s" % binary)
    os.environ.setdefault("ASAN_OPTIONS", "halt_on_error=1:detect_leaks=1")
    os.environ.setdefault("UBSAN_OPTIONS", "halt_on_error=1:print_stacktrace=1")

    harness.term_as_interrupt()  # SIGTERM (a ctest timeout) unwinds like Ctrl-C

    res = Results()
    have_delv = shutil.which("delv") is not None
    tmp = tempfile.mkdtemp(prefix="nsprobe-dnssec-")
    knot = exporter = relay = None
    t0 = time.monotonic()
    try:
        try:
            knot = world.SignedKnot(tmp).start()
            relay = relaymod.Relay(harness.pick_loopback(lo=2, hi=250, avoid=(knot.addr, "127.0.0.53")),
                                   (knot.addr, knot.port)).start()
            cfg = os.path.join(tmp, "nsprobe.yml")
            with open(cfg, "w") as f:
                f.write(config_text({**verdict_modules(), **other_modules()}))
            # targets are IP literals; the resolver flag keeps nsprobe off the machine's resolver
            exporter = harness.Exporter(tmp, binary, cfg, ["--target.resolver=%s:%d" % (knot.addr, knot.port)])
            exporter.start()
        except (harness.FixtureError, OSError) as e:
            print("setup failed: %s" % e, file=sys.stderr)
            return 2
        print("# knotd %s@%d (zones %s), relay %s@%d, nsprobe on port %d, workdir %s" % (
            knot.addr, knot.port, ", ".join(list(world.KNOT_ZONES) + list(world.LDNS_ZONES)),
            relay.addr, relay.port, exporter.port, tmp))
        if not have_delv:
            res.skip("delv", "not found (bind9-dnsutils): verdicts rest on ldns-verify-zone alone")
        sys.stdout.flush()
        w = World(tmp, knot, exporter, relay, have_delv)
        groups = [("verdict/" + cid, lambda c=cid: verdict_case(w, res, c)) for cid in VERDICT_CASES]
        groups += [("families/www", lambda: families_case(w, res, "www", "www.p256.test", "A")),
                   ("families/nx", lambda: families_case(w, res, "nx", "nx.p256.test", "A")),
                   ("edns", lambda: edns_cases(w, res))]
        for gname, fn in groups:
            if args.filter and args.filter not in gname:
                continue
            try:
                fn()
            except Exception:  # a broken case or a dead exporter: report it, keep going
                res.check(gname, False, traceback.format_exc().rstrip().replace("\n", "\n     | "))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        res.failed += 1
    finally:
        if exporter is not None:
            ok, detail = exporter.stop_verdict()
            res.check("nsprobe exits 0 on SIGTERM, no sanitizer report", ok, detail)
            if not ok:
                print("# nsprobe log tail:\n" + exporter.log_tail(30))
        harness.clean_up(tmp, args.keep, relay, knot)
    print("# %.1fs" % (time.monotonic() - t0))
    print(res.summary())
    return 1 if res.failed else 0


if __name__ == "__main__":
    sys.exit(main())
