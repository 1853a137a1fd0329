"""test_probe -- the integration cases: /probe against Knot and the fake servers.

Each case asks the exporter under test for one URL and checks the whole answer: status, content
type and, for metrics, every family (order, HELP and TYPE lines, label sets, values). Expected
values come from blackbox_exporter 0.23 as observed in
shared/reference/blackbox-dns-data/probe-outputs/ (and blackbox-dns.md sections 2, 3, 7); the
addresses differ from the reference's, so probe_ip_addr_hash is recomputed (FNV-1a 32, section 3.8).
Durations are only compared as zero / non-zero, or as "roughly the timeout" with generous bounds.

Cases that need name resolution of the *target* run only against nsprobe (which is told to use the
fixture's Knot with --target.resolver); blackbox_exporter would ask the machine's resolver.

Deliberate nsprobe deviations are listed once, in DEVIATIONS, and applied only when the exporter
under test is nsprobe; such a case then asserts nsprobe's documented behaviour instead.
"""

import decimal
import ipaddress
import math
import re
import urllib.parse

# --- the config the exporter runs with -----------------------------------------------------------
# Modules of shared/reference/blackbox-dns-data/test-modules.yml, with our addresses (@SRC@ = a
# loopback address of ours that is not Knot's) and timeouts of 1s instead of 2s on the f_* modules.
# No http_2xx module on purpose: a request without module must then answer 400 Unknown module.

MODULES_YAML = r"""modules:
  dns_a:
    prober: dns
    timeout: 5s
    dns:
      query_name: "bb.test"
      query_type: "A"
      preferred_ip_protocol: ip4
  dns_soa:
    prober: dns
    dns:
      query_name: "bb.test"
      query_type: "SOA"
  dns_default:
    prober: dns
    dns:
      query_name: "bb.test"
  dns_all:
    prober: dns
    timeout: 3s
    dns:
      query_name: "bb.test"
      query_type: "ANY"
      transport_protocol: tcp
      validate_answer_rrs:
        fail_if_not_matches_regexp: ["^zzz"]
  dns_nx:
    prober: dns
    dns:
      query_name: "nope.bb.test"
      query_type: "A"
      valid_rcodes: [NXDOMAIN]
  dns_nx_default:
    prober: dns
    dns:
      query_name: "nope.bb.test"
      query_type: "A"
  dns_big_udp:
    prober: dns
    dns:
      query_name: "big.bb.test"
      query_type: "TXT"
  dns_big_tcp:
    prober: dns
    dns:
      query_name: "big.bb.test"
      query_type: "TXT"
      transport_protocol: tcp
  dns_badre:
    prober: dns
    dns:
      query_name: "bb.test"
      query_type: "A"
      validate_answer_rrs:
        fail_if_matches_regexp: ["(["]
  dns_badrcode:
    prober: dns
    dns:
      query_name: "bb.test"
      query_type: "A"
      valid_rcodes: [noerror]
  dns_ip6only:
    prober: dns
    dns:
      query_name: "bb.test"
      query_type: "A"
      ip_protocol_fallback: false
  dns_ip4only:
    prober: dns
    dns:
      query_name: "bb.test"
      query_type: "A"
      preferred_ip_protocol: ip4
      ip_protocol_fallback: false
  dns_norec:
    prober: dns
    dns:
      query_name: "bb.test"
      query_type: "A"
      recursion_desired: false
  dns_dot_udp:
    prober: dns
    dns:
      query_name: "bb.test"
      dns_over_tls: true
  dns_badsrc:
    prober: dns
    dns:
      query_name: "bb.test"
      source_ip_address: "notanip"
  dns_src:
    prober: dns
    dns:
      query_name: "bb.test"
      query_type: A
      source_ip_address: "@SRC@"
  dns_badproto:
    prober: dns
    dns:
      query_name: "bb.test"
      transport_protocol: "sctp"
  dns_noquery:
    prober: dns
  dns_chaos:
    prober: dns
    dns:
      query_name: "version.bind"
      query_type: TXT
      query_class: CH
  dns_validators:
    prober: dns
    dns:
      query_name: "multi.bb.test"
      query_type: A
      validate_answer_rrs:
        fail_if_all_match_regexp: ["192\\.0\\.2\\.1[0-9]"]
  dns_none_match:
    prober: dns
    dns:
      query_name: "multi.bb.test"
      query_type: A
      validate_answer_rrs:
        fail_if_none_matches_regexp: ["192\\.0\\.2\\.99"]
  dns_exact:
    prober: dns
    dns:
      query_name: "bb.test"
      query_type: A
      validate_answer_rrs:
        fail_if_not_matches_regexp: ["^bb\\.test\\.\t300\tIN\tA\t192\\.0\\.2\\.1$"]
      validate_authority_rrs:
        fail_if_not_matches_regexp: ["^bb\\.test\\.\t3600\tIN\tNS\tns1\\.bb\\.test\\.$"]
      validate_additional_rrs:
        fail_if_none_matches_regexp: ["ns1"]
  dns_unk:
    prober: dns
    dns:
      query_name: "unk.bb.test"
      query_type: ANY
      transport_protocol: tcp
  tcp_connect:
    prober: tcp
  icmp:
    prober: icmp
  grpc:
    prober: grpc
    grpc:
      tls: true
  weird:
    prober: foo
  f_udp:
    prober: dns
    timeout: 1s
    dns:
      query_name: "x.example"
      query_type: A
  f_udp_notimeout:
    prober: dns
    dns:
      query_name: "x.example"
      query_type: A
  f_tcp:
    prober: dns
    timeout: 1s
    dns:
      query_name: "x.example"
      query_type: A
      transport_protocol: tcp
  f_soa:
    prober: dns
    timeout: 1s
    dns:
      query_name: "x.example"
      query_type: SOA
  f_soa_fail:
    prober: dns
    timeout: 1s
    dns:
      query_name: "x.example"
      query_type: SOA
      valid_rcodes: [NXDOMAIN]
  f_badvers:
    prober: dns
    timeout: 1s
    dns:
      query_name: "x.example"
      query_type: A
      valid_rcodes: [BADVERS, BADSIG]
  f_opt_add:
    prober: dns
    timeout: 1s
    dns:
      query_name: "x.example"
      query_type: A
      valid_rcodes: [BADSIG]
      validate_additional_rrs:
        fail_if_matches_regexp: ["OPT PSEUDOSECTION"]
  f_allmatch:
    prober: dns
    timeout: 1s
    dns:
      query_name: "multi.bb.test"
      query_type: A
      validate_answer_rrs:
        fail_if_all_match_regexp: ["192\\.0\\.2\\.10"]
  f_allmatch_empty:
    prober: dns
    timeout: 1s
    dns:
      query_name: "multi.bb.test"
      query_type: A
      validate_authority_rrs:
        fail_if_all_match_regexp: ["zzz"]
        fail_if_matches_regexp: ["zzz"]
  f_echo_norec:
    prober: dns
    timeout: 1s
    dns:
      query_name: "x.example"
      query_type: A
      recursion_desired: false
      validate_answer_rrs:
        fail_if_not_matches_regexp:
          - '^x\.example\.\t0\tIN\tTXT\t"rd=0 opcode=0 qdcount=1 arcount=\d+ qtype=1 qclass=1 qname=x\.example\."$'
  f_echo_ch:
    prober: dns
    timeout: 1s
    dns:
      query_name: "Example.COM."
      query_type: AAAA
      query_class: CH
      transport_protocol: tcp
      validate_answer_rrs:
        fail_if_not_matches_regexp:
          - '^Example\.COM\.\t0\tCH\tTXT\t"rd=1 opcode=0 qdcount=1 arcount=\d+ qtype=28 qclass=3 qname=Example\.COM\."$'
  dns_signed:
    prober: dns
    dns:
      query_name: signed.test
      query_type: DNSKEY
      transport_protocol: tcp
      validate_answer_rrs:
        fail_if_not_matches_regexp: ['^signed\.test\.\t3600\tIN\tDNSKEY\t25[67] 3 13 [A-Za-z0-9+/]{86}==$']
        fail_if_none_matches_regexp: ['\tDNSKEY\t257 3 13 ']
  dns_unk_text:
    prober: dns
    dns:
      query_name: unk.bb.test
      query_type: ANY
      transport_protocol: tcp
      validate_answer_rrs:
        fail_if_not_matches_regexp: ['^unk\.bb\.test\.\t300\tCLASS1\tTYPE65280\t\\# 4 0a000001$']
  dns_mapped:
    prober: dns
    dns:
      query_name: mapped.bb.test
      query_type: AAAA
      validate_answer_rrs:
        fail_if_not_matches_regexp: ['^mapped\.bb\.test\.\t300\tIN\tAAAA\t192\.0\.2\.1$']
  dns_space:
    prober: dns
    dns:
      query_name: 'space\032name.bb.test'
      query_type: A
      validate_answer_rrs:
        fail_if_not_matches_regexp: ['^space\\ name\.bb\.test\.\t300\tIN\tA\t192\.0\.2\.99$']
  dns_txt:
    prober: dns
    dns:
      query_name: bb.test
      query_type: TXT
      validate_answer_rrs:
        fail_if_none_matches_regexp: ['^bb\.test\.\t300\tIN\tTXT\t"hello world" "second string"$']
        fail_if_not_matches_regexp: ['\tTXT\t"']
  dns_soa_text:
    prober: dns
    dns:
      query_name: bb.test
      query_type: SOA
      transport_protocol: tcp
      validate_answer_rrs:
        fail_if_not_matches_regexp: ['^bb\.test\.\t3600\tIN\tSOA\tns1\.bb\.test\. hostmaster\.bb\.test\. 2024010101 7200 3600 1209600 300$']
  dns_nx_auth:
    prober: dns
    dns:
      query_name: nope.bb.test
      query_type: A
      valid_rcodes: [NXDOMAIN]
      validate_authority_rrs:
        fail_if_not_matches_regexp: ['^bb\.test\.\t300\tIN\tSOA\t']
  rc_empty:
    prober: dns
    dns:
      query_name: "bb.test"
      query_type: A
      valid_rcodes: []
  rc_notimpl:
    prober: dns
    dns:
      query_name: "bb.test"
      query_type: A
      valid_rcodes: [NOTIMPL, NOERROR]
  re_anchor:
    prober: dns
    dns:
      query_name: "bb.test"
      query_type: A
      validate_answer_rrs:
        fail_if_not_matches_regexp: ["^bb\\.test\\.\\t300\\tIN\\tA\\t192\\.0\\.2\\.1$", "(?i)BB\\.TEST", "\\tA\\t"]
  re_multi:
    prober: dns
    dns:
      query_name: "bb.test"
      query_type: A
      validate_answer_rrs:
        fail_if_matches_regexp: ["^192"]
  re_lookaround:
    prober: dns
    dns:
      query_name: "bb.test"
      query_type: A
      validate_answer_rrs:
        fail_if_matches_regexp: ["(?=x)"]
  ipp_typo:
    prober: dns
    dns:
      query_name: bb.test
      query_type: A
      preferred_ip_protocol: ipv6
"""


def config_text(ctx):
    return MODULES_YAML.replace("@SRC@", ctx.src)


# --- deviations: the one place where nsprobe is allowed to differ --------------------------------

DEVIATIONS = {
    "udp_over_512": "nsprobe reads UDP answers larger than 512 bytes; blackbox's 512-byte buffer "
                    "truncates them and fails with 'dns: overflowing header size'",
    "no_module_hint": "a /probe without module= keeps blackbox's 400 'Unknown module \"http_2xx\"' "
                      "line, then says why and names the DNS modules loaded",
    "question_mismatch": "nsprobe ignores a reply whose question does not match the query, or that "
                         "has none and says NOERROR, NXDOMAIN or YXDOMAIN, and waits until the "
                         "deadline; blackbox accepts it",
}


# --- metric expectations ---------------------------------------------------------------------------

HELP = {
    "probe_dns_additional_rrs": "Returns number of entries in the additional resource record list",
    "probe_dns_answer_rrs": "Returns number of entries in the answer resource record list",
    "probe_dns_authority_rrs": "Returns number of entries in the authority resource record list",
    "probe_dns_duration_seconds": "Duration of DNS request by phase",
    "probe_dns_lookup_time_seconds": "Returns the time taken for probe dns lookup in seconds",
    "probe_dns_query_succeeded": "Displays whether or not the query was executed successfully",
    "probe_dns_serial": "Returns the serial number of the zone",
    "probe_duration_seconds": "Returns how long the probe took to complete in seconds",
    "probe_ip_addr_hash": "Specifies the hash of IP address. It's useful to detect if the IP address changes.",
    "probe_ip_protocol": "Specifies whether probe ip protocol is IP4 or IP6",
    "probe_success": "Displays whether or not the probe was a success",
}

METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class Zero:
    def check(self, text, value, out):
        return value == 0.0

    def __repr__(self):
        return "0"


class NonZero:
    def check(self, text, value, out):
        return value > 0.0 and math.isfinite(value)

    def __repr__(self):
        return ">0"


class Approx:
    """A duration roughly equal to a timeout: generous bounds, never a performance assert."""

    def __init__(self, seconds):
        self.lo, self.hi = seconds * 0.9, seconds + 2.0

    def check(self, text, value, out):
        return self.lo <= value <= self.hi

    def __repr__(self):
        return "in [%g, %g]" % (self.lo, self.hi)


class Exact:
    """An exact value, also checked for Go's strconv.FormatFloat(v, 'g', -1, 64) spelling."""

    def __init__(self, v):
        self.v = float(v)

    def check(self, text, value, out):
        return text == go_float(self.v)

    def __repr__(self):
        return go_float(self.v)


class SameAs:
    """Equal to another sample's value (resolve phase == lookup time)."""

    def __init__(self, key):
        self.key = key

    def check(self, text, value, out):
        return self.key in out and out[self.key][0] == text

    def __repr__(self):
        return "same as %s%s" % (self.key[0], _fmt_labels(self.key[1]))


ZERO, NZ = Zero(), NonZero()


def go_float(v):
    """Go's strconv.FormatFloat(v, 'g', -1, 64)."""
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "+Inf" if v > 0 else "-Inf"
    if v == 0:
        return "0"
    sign = "-" if v < 0 else ""
    d = decimal.Decimal(repr(abs(v))).normalize()
    _s, digits, exp10 = d.as_tuple()
    digits = "".join(map(str, digits))
    exp = len(digits) + exp10 - 1  # exponent of the first digit
    if exp < -4 or exp >= 6:  # Go uses precision 6 for this decision in shortest mode
        mant = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return "%s%se%s%02d" % (sign, mant, "-" if exp < 0 else "+", abs(exp))
    if exp < 0:
        return sign + "0." + "0" * (-exp - 1) + digits
    if len(digits) <= exp + 1:
        return sign + digits + "0" * (exp + 1 - len(digits))
    return sign + digits[:exp + 1] + "." + digits[exp + 1:]


def fnv1a32(data):
    h = 0x811C9DC5
    for b in data:
        h = ((h ^ b) * 0x01000193) & 0xFFFFFFFF
    return h


def ip_hash(addr):
    """blackbox ipHash: FNV-1a 32 over 4 bytes (IPv4 or v4-mapped) or 16 bytes."""
    ip = ipaddress.ip_address(addr)
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return fnv1a32(ip.packed)


def expect_dns(stage, ip=None, success=0, an=0, ns=0, ar=0, serial=None, timeout=None,
               request=None, connect=None):
    """The expected sample list [(name, labels, spec)] for a DNS probe that reached `stage`:
    config        stopped before target resolution (bad transport_protocol)
    resolve_fail  target resolution failed
    pre_query     resolved, then stopped before the exchange (DoT+udp, bad source address)
    exchange_fail the exchange failed (timeout, short read, unpack error, ...)
    answer        a response was parsed (rcode and validators decide success)
    serial: None = no probe_dns_serial family, else its value.
    timeout: the probe's timeout when the exchange is expected to run into it.
    """
    s = []
    lookup = stage != "config"
    got = stage == "answer"
    resolved = stage in ("pre_query", "exchange_fail", "answer")
    exchanged = stage in ("exchange_fail", "answer")
    s.append(("probe_dns_additional_rrs", (), Exact(ar if got else 0)))
    s.append(("probe_dns_answer_rrs", (), Exact(an if got else 0)))
    s.append(("probe_dns_authority_rrs", (), Exact(ns if got else 0)))
    if connect is None:
        connect = NZ if exchanged else ZERO
    if request is None:
        request = (Approx(timeout) if timeout else NZ) if exchanged else ZERO
    s.append(("probe_dns_duration_seconds", (("phase", "connect"),), connect))
    s.append(("probe_dns_duration_seconds", (("phase", "request"),), request))
    s.append(("probe_dns_duration_seconds", (("phase", "resolve"),),
              SameAs(("probe_dns_lookup_time_seconds", ())) if resolved else ZERO))
    if lookup:
        s.append(("probe_dns_lookup_time_seconds", (), NZ))
    s.append(("probe_dns_query_succeeded", (), Exact(1 if got else 0)))
    if serial is not None:
        s.append(("probe_dns_serial", (), Exact(serial)))
    s.append(("probe_duration_seconds", (), Approx(timeout) if timeout else NZ))
    if lookup:
        if stage == "resolve_fail":
            s.append(("probe_ip_addr_hash", (), Exact(0)))
            s.append(("probe_ip_protocol", (), Exact(0)))
        else:
            s.append(("probe_ip_addr_hash", (), Exact(ip_hash(ip))))
            s.append(("probe_ip_protocol", (), Exact(ipaddress.ip_address(ip).version
                                                     if not _mapped(ip) else 4)))
    s.append(("probe_success", (), Exact(success)))
    return s


def _mapped(ip):
    a = ipaddress.ip_address(ip)
    return a.version == 6 and a.ipv4_mapped is not None


_SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$')
_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)')


def parse_exposition(text):
    """Prometheus text format 0.0.4 -> [{"name", "help", "type", "samples": [(labels, text)]}].
    Raises AssertionError on anything malformed."""
    assert text.endswith("\n"), "exposition does not end with a newline"
    fams = []
    for line in text[:-1].split("\n"):
        if line.startswith("# HELP "):
            name, _, helptext = line[7:].partition(" ")
            fams.append({"name": name, "help": helptext, "type": None, "samples": []})
        elif line.startswith("# TYPE "):
            name, _, typ = line[7:].partition(" ")
            assert fams and fams[-1]["name"] == name and fams[-1]["type"] is None \
                and not fams[-1]["samples"], "misplaced TYPE line: %r" % line
            fams[-1]["type"] = typ
        else:
            m = _SAMPLE.match(line)
            assert m, "unparsable line: %r" % line
            assert fams and fams[-1]["name"] == m.group(1), "sample outside its family: %r" % line
            labels = ()
            if m.group(2):
                pos, lab = 0, []
                while pos < len(m.group(2)):
                    lm = _LABEL.match(m.group(2), pos)
                    assert lm, "bad labels in %r" % line
                    lab.append((lm.group(1), lm.group(2)))
                    pos = lm.end()
                labels = tuple(lab)
            float(m.group(3).replace("Inf", "inf"))
            fams[-1]["samples"].append((labels, m.group(3)))
    return fams


def compare_metrics(text, expected):
    """All differences between an exposition and the expected sample list, as strings."""
    errs = []
    try:
        fams = parse_exposition(text)
    except AssertionError as e:
        return [str(e)]
    got_names = [f["name"] for f in fams]
    want_names = []
    for name, _l, _s in expected:
        if name not in want_names:
            want_names.append(name)
    if got_names != want_names:
        errs.append("families %s, expected %s" % (got_names, want_names))
    values = {}
    for f in fams:
        if f["name"] in HELP and f["help"] != HELP[f["name"]]:
            errs.append("HELP of %s is %r" % (f["name"], f["help"]))
        if f["type"] != "gauge":
            errs.append("TYPE of %s is %r" % (f["name"], f["type"]))
        for labels, vtext in f["samples"]:
            values[(f["name"], labels)] = (vtext, float(vtext.replace("Inf", "inf")))
    got_series = [(f["name"], l) for f in fams for l, _v in f["samples"]]
    want_series = [(n, l) for n, l, _s in expected]
    if got_series != want_series and got_names == want_names:
        errs.append("series %s, expected %s" % (got_series, want_series))
    for name, labels, spec in expected:
        key = (name, labels)
        if key not in values:
            continue
        vtext, v = values[key]
        if not spec.check(vtext, v, values):
            errs.append("%s%s = %s, expected %r" % (name, _fmt_labels(labels), vtext, spec))
    return errs


def _fmt_labels(labels):
    return "{%s}" % ",".join('%s="%s"' % kv for kv in labels) if labels else ""


# --- the cases -------------------------------------------------------------------------------------

class Skip(Exception):
    pass


class Case:
    def __init__(self, name, fn, needs=(), deviation=None):
        self.name, self.fn, self.needs, self.deviation = name, fn, set(needs), deviation


CASES = []
TIMEOUT_HEADER = "X-Prometheus-Scrape-Timeout-Seconds"


def probe_path(module, target, debug=False, extra=()):
    q = []
    if module is not None:
        q.append(("module", module))
    if target is not None:
        q.append(("target", target))
    if debug:
        q.append(("debug", "true"))
    q.extend(extra)
    return "/probe?" + urllib.parse.urlencode(q)


def check_metrics_response(status, headers, body, expected):
    errs = []
    if status != 200:
        errs.append("status %d, body %r" % (status, body[:300]))
        return errs
    ct = headers.get("content-type")
    if ct != METRICS_CONTENT_TYPE:
        errs.append("Content-Type %r" % ct)
    errs += compare_metrics(body, expected)
    return errs


def _fail(errs, body):
    raise AssertionError("; ".join(errs) + "\n--- body ---\n" + body)


def add_probe(name, module, target, ip, stage, dev=None, needs=(), headers=None, method="GET",
              extra=(), **kw):
    """A /probe case. target: a target token (see Ctx.target); ip: the address token whose
    hash/family the exporter should report. dev: (DEVIATIONS key, kwargs for expect_dns) used
    instead of the blackbox expectation when the exporter is nsprobe."""

    def run(ctx):
        exp_kw = dict(kw)
        exp_stage = stage
        if dev is not None and ctx.kind == "nsprobe":
            exp_kw = dict(dev[1])
            exp_stage = exp_kw.pop("stage")
        expected = expect_dns(exp_stage, ip=ctx.ip(ip) if ip else None, **exp_kw)
        more = tuple((k, ctx.target(v) if k == "target" else v) for k, v in extra)
        status, hdrs, body = ctx.request(probe_path(module, ctx.target(target), extra=more),
                                         headers=headers, method=method)
        errs = check_metrics_response(status, hdrs, body, expected)
        if errs:
            _fail(errs, body)

    CASES.append(Case(name, run, needs, dev[0] if dev else None))


def knot_answer(name, module, **kw):
    """A /probe case that Knot (target KNOT, reported address knot) answers."""
    add_probe(name, module, "KNOT", "knot", "answer", **kw)


def knot_answers(success, cases, **counts):
    """Knot cases with one expectation (probe_success, RR counts): a case is a module name (the
    case's name too) or (case name, module)."""
    for case in cases:
        name, module = (case, case) if isinstance(case, str) else case
        knot_answer(name, module, success=success, **counts)


# Knot, the modules of test-modules.yml (expected values: probe-outputs/<module>.debug.txt), and
# more: RR text as the regexes see it (blackbox-dns.md section 5), rcodes, regexes. A case is its
# module's name, or (case name, module); each line is one expectation.
knot_answers(1, ["dns_a", "dns_default", "dns_ip4only", "dns_norec", "dns_src", "dns_chaos", "dns_unk",
                 ("rr_unknown_type_text", "dns_unk_text"), ("rr_mapped_aaaa_text", "dns_mapped"),
                 ("rr_owner_space_text", "dns_space"), ("rc_notimpl_alias", "rc_notimpl"),
                 "re_anchor", ("re_caret_192", "re_multi")], an=1)
knot_answers(0, ["dns_all", "dns_badre", "dns_badrcode", ("rc_empty_list", "rc_empty"), "re_lookaround",
                 "dns_exact"], an=1)  # dns_exact: Knot sends no NS
knot_answers(1, ["dns_soa", ("rr_soa_text_tcp", "dns_soa_text")], an=1, serial=2024010101)
knot_answers(1, ["dns_nx", ("nx_authority_soa", "dns_nx_auth")], ns=1)
knot_answers(0, ["dns_nx_default"], ns=1)
knot_answers(1, ["dns_validators", "f_allmatch_empty"], an=3)
knot_answers(0, ["dns_none_match", "f_allmatch"], an=3)
knot_answers(1, [("rr_dnskey_signed", "dns_signed"), ("rr_txt_text", "dns_txt")], an=2)
knot_answers(1, ["dns_big_tcp"], an=20)
knot_answers(1, ["dns_big_udp"])  # TC, 0 RRs, no retry
knot_answers(0, ["dns_noquery"])  # "." ANY: REFUSED
add_probe("dns_ip6only", "dns_ip6only", "KNOT", None, "resolve_fail")
add_probe("dns_dot_udp", "dns_dot_udp", "KNOT", "knot", "pre_query")
add_probe("dns_badsrc", "dns_badsrc", "KNOT", "knot", "pre_query")
add_probe("dns_badproto", "dns_badproto", "KNOT", None, "config")
# Target forms (blackbox-dns.md 3.5).
add_probe("target_v6_literal", "dns_soa", "KNOT6", "::1", "answer", success=1, an=1,
          serial=2024010101)
add_probe("target_v4_mapped", "dns_a", "KNOT_MAPPED", "knot", "answer", success=1, an=1)
add_probe("target_v6_ip4only", "dns_ip4only", "KNOT6", None, "resolve_fail")
add_probe("target_default_port_53", "dns_a", "KNOT53", "knot", "answer", success=1, an=1,
          needs=("port53",))
knot_answer("post_method", "dns_a", success=1, an=1, method="POST")
knot_answer("target_repeated_first_wins", "dns_a", success=1, an=1,
            extra=(("target", "FAKE:garbage"),))
knot_answer("debug_not_true", "dns_a", success=1, an=1, extra=(("debug", "1"),))

# Fake servers (expected values: probe-outputs/f_*_54NN.txt; 1s timeouts instead of 2s).
TIMEOUT_1S = dict(stage="exchange_fail", timeout=1.0)
add_probe("f_udp_silent", "f_udp", "FAKE:silent", "fake", "exchange_fail", timeout=1.0)
add_probe("f_tcp_silent", "f_tcp", "FAKE:silent", "fake", "exchange_fail", timeout=1.0)
add_probe("f_udp_wrong_id", "f_udp", "FAKE:wrong_id", "fake", "exchange_fail", timeout=1.0)
# c-ares drops the reply with the wrong ID, and the fake then closes the connection: the probe fails
# at once, as blackbox's does (there with "dns: id mismatch").
add_probe("f_tcp_wrong_id", "f_tcp", "FAKE:wrong_id", "fake", "exchange_fail")
add_probe("f_udp_big_notc", "f_udp", "FAKE:big_notc", "fake", "exchange_fail",
          dev=("udp_over_512", dict(stage="answer", success=1, an=4)))
add_probe("f_tcp_big_notc", "f_tcp", "FAKE:big_notc", "fake", "answer", success=1, an=4)
add_probe("f_udp_big1200", "f_udp", "FAKE:big1200", "fake", "exchange_fail",
          dev=("udp_over_512", dict(stage="answer", success=1, an=5)))
add_probe("f_tcp_big1200", "f_tcp", "FAKE:big1200", "fake", "answer", success=1, an=5)
add_probe("f_badvers", "f_badvers", "FAKE:opt_badsig", "fake", "answer", success=0, an=1, ar=1)
add_probe("f_opt_add", "f_opt_add", "FAKE:opt_badsig", "fake", "answer", success=0, an=1, ar=1)
add_probe("f_udp_opt_badsig", "f_udp", "FAKE:opt_badsig", "fake", "answer", success=0, an=1, ar=1)
add_probe("f_udp_garbage", "f_udp", "FAKE:garbage", "fake", "exchange_fail")
add_probe("f_tcp_garbage", "f_tcp", "FAKE:garbage", "fake", "exchange_fail")
add_probe("f_udp_tc_partial", "f_udp", "FAKE:tc_partial", "fake", "exchange_fail")
add_probe("f_udp_tc_empty", "f_udp", "FAKE:tc_empty", "fake", "answer", success=1)
add_probe("f_udp_other_question", "f_udp", "FAKE:other_question", "fake", "answer", success=1,
          an=1, dev=("question_mismatch", TIMEOUT_1S))
add_probe("f_udp_qr0", "f_udp", "FAKE:qr0", "fake", "answer", success=1, an=1)
add_probe("f_soa_two_soa", "f_soa", "FAKE:two_soa", "fake", "answer", success=1, an=2, serial=7)
add_probe("f_soa_hdr_refused", "f_soa", "FAKE:hdr_refused", "fake", "answer", success=0,
          serial=0)
add_probe("f_soa_fail_rcode11", "f_soa_fail", "FAKE:rcode11", "fake", "answer", success=0,
          serial=0)
add_probe("f_udp_rcode11", "f_udp", "FAKE:rcode11", "fake", "answer", success=0)
add_probe("f_udp_opt_ok", "f_udp", "FAKE:opt_ok", "fake", "answer", success=1, an=1, ar=1)
add_probe("f_udp_qdcount0", "f_udp", "FAKE:qdcount0", "fake", "answer", success=1,
          dev=("question_mismatch", TIMEOUT_1S))
# An error answer without a question section (a header only) is the answer, over UDP and TCP; one
# with an OPT record too (the question goes in before it, and comes out again).
for _b in ("hdr_refused", "hdr_servfail", "hdr_notimp", "hdr_formerr"):
    for _t in ("udp", "tcp"):
        add_probe("f_%s_%s" % (_t, _b), "f_" + _t, "FAKE:" + _b, "fake", "answer", success=0)
add_probe("f_udp_hdr_refused_opt", "f_udp", "FAKE:hdr_refused_opt", "fake", "answer", success=0,
          ar=1)
add_probe("f_tcp_hdr_refused_opt", "f_tcp", "FAKE:hdr_refused_opt", "fake", "answer", success=0,
          ar=1)
# The same, its length word and header arriving in pieces over TCP.
add_probe("f_tcp_hdr_refused_split", "f_tcp", "FAKE:hdr_refused_split", "fake", "answer",
          success=0, ar=1)
# NXDOMAIN (like NOERROR) speaks about the name asked for, so it must echo the question.
add_probe("f_udp_hdr_nxdomain", "f_udp", "FAKE:hdr_nxdomain", "fake", "answer", success=0,
          dev=("question_mismatch", TIMEOUT_1S))
add_probe("f_udp_servfail", "f_udp", "FAKE:servfail", "fake", "answer", success=0)
add_probe("f_udp_comp_loop", "f_udp", "FAKE:comp_loop", "fake", "exchange_fail")
add_probe("f_echo_norec_udp", "f_echo_norec", "FAKE:echo", "fake", "answer", success=1, an=1)
add_probe("f_echo_ch_tcp_case", "f_echo_ch", "FAKE:echo", "fake", "answer", success=1, an=1)

# Timeout from X-Prometheus-Scrape-Timeout-Seconds (blackbox-dns.md 3.3), offset 0.5.
add_probe("timeout_header_2_5", "f_udp_notimeout", "FAKE:silent", "fake", "exchange_fail",
          timeout=2.0, headers={TIMEOUT_HEADER: "2.5"})
add_probe("timeout_header_above_module", "f_udp", "FAKE:silent", "fake", "exchange_fail",
          timeout=1.0, headers={TIMEOUT_HEADER: "10"})
add_probe("timeout_header_negative_max", "f_udp", "FAKE:silent", "fake", "exchange_fail",
          timeout=1.0, headers={TIMEOUT_HEADER: "0.3"})
add_probe("timeout_header_1_5_tcp", "f_tcp", "FAKE:silent", "fake", "exchange_fail",
          timeout=1.0, headers={TIMEOUT_HEADER: "1.5"})
# max = 0.5 - 0.5 = 0: the exchange fails at once, before anything is sent.
add_probe("timeout_header_zero_budget", "dns_soa", "KNOT", "knot", "exchange_fail",
          request=ZERO, headers={TIMEOUT_HEADER: "0.5"})

# Target names resolved through the fixture's Knot (nsprobe --target.resolver only).
add_probe("name_v4_default", "dns_soa", "NAME:v4", "knot", "answer", success=1, an=1,
          serial=2024010101, needs=("names",))
add_probe("name_v6_default", "dns_soa", "NAME:v6", "::1", "answer", success=1, an=1,
          serial=2024010101, needs=("names",))
add_probe("name_dual_prefers_ip6", "dns_soa", "NAME:dual", "::1", "answer", success=1, an=1,
          serial=2024010101, needs=("names",))
add_probe("name_dual_ip4", "dns_a", "NAME:dual", "knot", "answer", success=1, an=1,
          needs=("names",))
add_probe("name_dual_ipv6_typo_means_ip4", "ipp_typo", "NAME:dual", "knot", "answer", success=1,
          an=1, needs=("names",))
add_probe("name_v6_ip4_fallback", "dns_a", "NAME:v6", "::1", "answer", success=1, an=1,
          needs=("names",))
add_probe("name_v4_ip6_nofallback", "dns_ip6only", "NAME:v4", None, "resolve_fail",
          needs=("names",))
add_probe("name_v6_ip4_nofallback", "dns_ip4only", "NAME:v6", None, "resolve_fail",
          needs=("names",))
add_probe("name_nxdomain", "dns_soa", "NAME:nx", None, "resolve_fail", needs=("names",))
add_probe("name_mapped_is_ip4", "dns_soa", "NAME:mapped", "knot", "answer", success=1, an=1,
          serial=2024010101, needs=("names",))


# --- HTTP behaviour (blackbox-dns.md 3.2) -----------------------------------------------------------

def add_http(name, path_fn, status, body, headers=None, ctype="text/plain; charset=utf-8",
             method="GET", dev=None):
    """dev: (DEVIATIONS key, nsprobe's body) when nsprobe answers another body on purpose."""
    bb_body = body

    def run(ctx):
        body = dev[1] if dev is not None and ctx.kind == "nsprobe" else bb_body
        st, hdrs, got = ctx.request(path_fn(ctx), headers=headers, method=method)
        errs = []
        if st != status:
            errs.append("status %d, expected %d" % (st, status))
        if (body.fullmatch(got) is None) if hasattr(body, "fullmatch") else got != body:
            errs.append("body %r, expected %r" % (got, getattr(body, "pattern", body)))
        if ctype is not None and hdrs.get("content-type") != ctype:
            errs.append("Content-Type %r, expected %r" % (hdrs.get("content-type"), ctype))
        if errs:
            _fail(errs, got)
    CASES.append(Case(name, run, deviation=dev[0] if dev else None))


def _no_module_body():
    """blackbox's line, then nsprobe's hint naming the DNS modules of MODULES_YAML in file order
    (and after them the ones test_dot adds), as a pattern."""
    names, mod = [], None
    for line in MODULES_YAML.splitlines():
        m = re.match(r"^  ([A-Za-z0-9_.-]+):\s*$", line)
        if m:
            mod = m.group(1)
        elif mod and re.match(r"^    prober: dns\s*$", line):
            names.append(mod)
    head = ('Unknown module "http_2xx"\nThe request has no module= parameter, so blackbox_exporter\'s '
            'default module, http_2xx, was asked for; nsprobe runs DNS modules only.\n'
            'DNS modules loaded: %s' % ", ".join(names))
    tail = "\nAdd module=<name> to the URL, e.g. /probe?module=%s&target=<nameserver>\n" % names[0]
    return re.compile(re.escape(head) + r"(, [a-z0-9_]+)*" + re.escape(tail))


NO_MODULE_BODY = _no_module_body()
BAD_HEADER_BODY = ('Failed to parse timeout from Prometheus header: strconv.ParseFloat: '
                   'parsing "abc": invalid syntax\n')
add_http("http_unknown_module", lambda c: probe_path("nope", c.target("KNOT")), 400,
         'Unknown module "nope"\n')
add_http("http_missing_target", lambda c: probe_path("dns_a", None), 400,
         "Target parameter is missing\n")
add_http("http_empty_target", lambda c: probe_path("dns_a", ""), 400,
         "Target parameter is missing\n")
add_http("http_bad_timeout_header", lambda c: probe_path("dns_a", c.target("KNOT")), 500,
         BAD_HEADER_BODY, headers={TIMEOUT_HEADER: "abc"})
add_http("http_unknown_module_before_header", lambda c: probe_path("nope", c.target("KNOT")), 400,
         'Unknown module "nope"\n', headers={TIMEOUT_HEADER: "abc"})
add_http("http_header_before_target", lambda c: probe_path("dns_a", None), 500,
         BAD_HEADER_BODY, headers={TIMEOUT_HEADER: "abc"})
add_http("http_module_absent_is_http_2xx", lambda c: probe_path(None, c.target("KNOT")), 400, 'Unknown module "http_2xx"\n',
         dev=("no_module_hint", NO_MODULE_BODY))
add_http("http_module_empty_is_http_2xx", lambda c: probe_path("", c.target("KNOT")), 400, 'Unknown module "http_2xx"\n',
         dev=("no_module_hint", NO_MODULE_BODY))
add_http("http_unknown_prober", lambda c: probe_path("weird", c.target("KNOT")), 400,
         'Unknown prober "foo"\n')
add_http("http_healthy", lambda c: "/-/healthy", 200, "Healthy")

# Malformed query strings: Go's url.ParseQuery drops a pair with a bad %-escape or a ';'.
add_http("http_bad_escape_drops_target", lambda c: "/probe?module=dns_a&target=%zz", 400,
         "Target parameter is missing\n")
add_http("http_truncated_escape_drops_target", lambda c: "/probe?module=dns_a&target=127.0.0.1%4", 400,
         "Target parameter is missing\n")
add_http("http_semicolon_drops_target", lambda c: "/probe?module=dns_a&target=a;b", 400,
         "Target parameter is missing\n")
add_http("http_bad_escape_in_module", lambda c: "/probe?module=%G0&target=x", 400, 'Unknown module "http_2xx"\n',
         dev=("no_module_hint", NO_MODULE_BODY))


def _long_target(ctx):
    """A 100 KB target. blackbox (Go, 1 MB header limit) probes it and fails to resolve it;
    nsprobe answers 414 (it keeps 4 KB per connection: no DNS name is longer than 255 octets)."""
    st, _h, body = ctx.request("/probe?module=dns_a&target=" + "a" * 100000)
    if ctx.kind == "nsprobe":
        if st != 414:
            _fail(["status %d, expected 414" % st], body)
    elif st != 200 or "\nprobe_success 0\n" not in body:
        _fail(["status %d, expected 200 with probe_success 0" % st], body)
    # The exporter must still be serving.
    st, _h, body = ctx.request("/-/healthy")
    if st != 200:
        _fail(["not healthy after a 100 KB target"], body)


CASES.append(Case("http_100kb_target", _long_target))


def _raw_request(ctx, raw, timeout=10.0):
    """Sends raw bytes as one request on a fresh connection; returns the status line (or '')."""
    import socket
    data = b""
    with socket.create_connection((ctx.exporter.HOST, ctx.exporter.port), timeout=timeout) as s:
        try:
            # No half-close: every request says "Connection: close", so the server ends the exchange.
            s.sendall(raw)
        except OSError:
            pass                     # the server may answer and close before reading it all
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        except ConnectionResetError:
            pass
    return data.split(b"\r\n", 1)[0].decode("latin-1")


def _fuzz_urls(ctx):
    """300 malformed requests (seeded, so a failure reproduces): random bytes and escapes in the
    query, odd methods, broken header lines, huge and binary header values. Every one must get an
    HTTP answer with a sane status, and the exporter must still serve probes afterwards."""
    import random
    rnd = random.Random(20261127)
    alphabet = b"%&=;+?#/\\ \t\x00\xff\xfe\x7f:[]@!$'()*,abcXYZ0123456789.-_~"
    keys = [b"module", b"target", b"debug", b"id", b"", b"mod%75le", b"t%61rget"]
    ok_status = {"200", "301", "400", "404", "405", "413", "414", "431", "500", "501", "505"}
    errs = []
    for i in range(300):
        q = b"&".join(k + b"=" + bytes(rnd.choice(alphabet) for _ in range(rnd.randint(0, 40)))
                      for k in rnd.sample(keys, rnd.randint(1, len(keys))))
        path = rnd.choice([b"/probe", b"/logs", b"/", b"/-/reload", b"/config", b"//probe", b"/%00"])
        method = rnd.choice([b"GET", b"POST", b"HEAD", b"PUT", b"BREW", b"get"])
        headers = b"Host: x\r\n"
        if rnd.random() < 0.3:
            headers += b"X-Prometheus-Scrape-Timeout-Seconds: " + bytes(
                rnd.choice(b"0123456789.eE+-xpinfaN ") for _ in range(rnd.randint(0, 12))) + b"\r\n"
        if rnd.random() < 0.2:
            headers += b"Accept-Encoding: " + bytes(rnd.choice(alphabet) for _ in range(30)) + b"\r\n"
        if rnd.random() < 0.1:
            headers += b"X-Junk: " + b"a" * rnd.randint(1, 20000) + b"\r\n"
        if rnd.random() < 0.1:
            headers += b"no colon here\r\n"
        raw = method + b" " + path + b"?" + q + b" HTTP/1.1\r\n" + headers + b"Connection: close\r\n\r\n"
        try:
            line = _raw_request(ctx, raw)
        except OSError as e:
            errs.append("request %d: %r" % (i, e))
            continue
        if not line and len(raw) > 4096:
            continue                 # too big: answered 431/414 and closed; TCP may reset it away
        status = line.split(" ")[1] if line.count(" ") >= 1 else ""
        if not line.startswith("HTTP/1.") or status not in ok_status:
            errs.append("request %d: status line %r for %r" % (i, line, raw[:120]))
    st, _h, body = ctx.request(probe_path("dns_a", ctx.target("KNOT")))
    if st != 200 or "\nprobe_success 1\n" not in body:
        errs.append("after the fuzz: a good probe answered %d" % st)
    if errs:
        _fail(errs[:10], "")


CASES.append(Case("http_fuzz_malformed_requests", _fuzz_urls))


def _self_metrics(ctx):
    """/metrics after an unknown-module probe: the counter and reload gauge (blackbox-dns.md 4.2).
    Other cases also ask for unknown modules concurrently, so the counter is only checked >= 1."""
    st, _h, body = ctx.request(probe_path("no_such_module", ctx.target("KNOT")))
    if st != 400:
        _fail(["unknown module answered %d" % st], body)
    st, _h, body = ctx.request("/metrics")
    want = [
        "# HELP blackbox_module_unknown_total Count of unknown modules requested by probes",
        "# TYPE blackbox_module_unknown_total counter",
        "# HELP blackbox_exporter_config_last_reload_successful Blackbox exporter config loaded successfully.",
        "# TYPE blackbox_exporter_config_last_reload_successful gauge",
        "blackbox_exporter_config_last_reload_successful 1",
    ]
    lines = body.split("\n")
    errs = ["status %d" % st] if st != 200 else []
    errs += ["missing line %r" % w for w in want if w not in lines]
    m = re.search(r"^blackbox_module_unknown_total (\S+)$", body, re.M)
    if not m or float(m.group(1)) < 1:
        errs.append("blackbox_module_unknown_total missing or < 1")
    if errs:
        _fail(errs, body)


CASES.append(Case("http_self_metrics", _self_metrics))


# --- debug=true (blackbox-dns.md 3.4) ------------------------------------------------------------

DEBUG_HEAD = "Logs for the probe:\n"
DEBUG_METRICS = "\n\n\nMetrics that would have been returned:\n"
DEBUG_MODULE = "\n\n\nModule configuration:\n"

YAML_COMMON = """http:
  ip_protocol_fallback: true
  follow_redirects: true
  enable_http2: true
tcp:
  ip_protocol_fallback: true
icmp:
  ip_protocol_fallback: true
  ttl: 64
"""


def module_yaml(dns, timeout=None):
    """The yaml.v2 dump blackbox 0.23 prints for a dns module (probe-outputs/*.txt)."""
    return ("prober: dns\n" + ("timeout: %s\n" % timeout if timeout else "") + YAML_COMMON
            + "dns:\n" + dns)


def add_debug(name, module, target, ip, yaml_text, stage, **kw):
    def run(ctx):
        expected = expect_dns(stage, ip=ctx.ip(ip) if ip else None, **kw)
        st, hdrs, body = ctx.request(probe_path(module, ctx.target(target), debug=True))
        errs = []
        if st != 200:
            _fail(["status %d" % st], body)
        if hdrs.get("content-type") != "text/plain":
            errs.append("Content-Type %r, expected 'text/plain'" % hdrs.get("content-type"))
        if not body.startswith(DEBUG_HEAD):
            errs.append("does not start with %r" % DEBUG_HEAD)
        i, j = body.find(DEBUG_METRICS), body.find(DEBUG_MODULE)
        if i < 0 or j < 0 or j < i or body.count(DEBUG_METRICS) != 1 or body.count(DEBUG_MODULE) != 1:
            errs.append("section headers missing, repeated or out of order")
        else:
            errs += ["metrics section: " + e
                     for e in compare_metrics(body[i + len(DEBUG_METRICS):j], expected)]
            want = yaml_text.replace("@SRC@", ctx.src)
            got = body[j + len(DEBUG_MODULE):]
            if got != want:
                errs.append("module configuration:\n%s\nexpected:\n%s" % (got, want))
        if errs:
            _fail(errs, body)
    CASES.append(Case(name, run))


add_debug("debug_dns_a", "dns_a", "KNOT", "knot", module_yaml("""  preferred_ip_protocol: ip4
  ip_protocol_fallback: true
  query_name: bb.test
  query_type: A
  recursion_desired: true
""", "5s"), "answer", success=1, an=1)
add_debug("debug_dns_all", "dns_all", "KNOT", "knot", module_yaml("""  ip_protocol_fallback: true
  transport_protocol: tcp
  query_name: bb.test
  query_type: ANY
  recursion_desired: true
  validate_answer_rrs:
    fail_if_not_matches_regexp:
    - ^zzz
""", "3s"), "answer", success=0, an=1)
add_debug("debug_dns_exact", "dns_exact", "KNOT", "knot", module_yaml(r"""  ip_protocol_fallback: true
  query_name: bb.test
  query_type: A
  recursion_desired: true
  validate_answer_rrs:
    fail_if_not_matches_regexp:
    - "^bb\\.test\\.\t300\tIN\tA\t192\\.0\\.2\\.1$"
  validate_authority_rrs:
    fail_if_not_matches_regexp:
    - "^bb\\.test\\.\t3600\tIN\tNS\tns1\\.bb\\.test\\.$"
  validate_additional_rrs:
    fail_if_none_matches_regexp:
    - ns1
"""), "answer", success=0, an=1)
add_debug("debug_dns_badrcode", "dns_badrcode", "KNOT", "knot", module_yaml("""  ip_protocol_fallback: true
  query_name: bb.test
  query_type: A
  recursion_desired: true
  valid_rcodes:
  - noerror
"""), "answer", success=0, an=1)
add_debug("debug_dns_noquery", "dns_noquery", "KNOT", "knot", module_yaml("""  ip_protocol_fallback: true
  recursion_desired: true
"""), "answer", success=0)
add_debug("debug_dns_src", "dns_src", "KNOT", "knot", module_yaml("""  ip_protocol_fallback: true
  source_ip_address: @SRC@
  query_name: bb.test
  query_type: A
  recursion_desired: true
"""), "answer", success=1, an=1)
add_debug("debug_dns_ip6only", "dns_ip6only", "KNOT", None, module_yaml("""  query_name: bb.test
  query_type: A
  recursion_desired: true
"""), "resolve_fail")
add_debug("debug_dns_badproto", "dns_badproto", "KNOT", None, module_yaml("""  ip_protocol_fallback: true
  transport_protocol: sctp
  query_name: bb.test
  recursion_desired: true
"""), "config")
add_debug("debug_dns_chaos", "dns_chaos", "KNOT", "knot", module_yaml("""  ip_protocol_fallback: true
  query_class: CH
  query_name: version.bind
  query_type: TXT
  recursion_desired: true
"""), "answer", success=1, an=1)
add_debug("debug_dns_norec", "dns_norec", "KNOT", "knot", module_yaml("""  ip_protocol_fallback: true
  query_name: bb.test
  query_type: A
"""), "answer", success=1, an=1)
add_debug("debug_dns_validators", "dns_validators", "KNOT", "knot", module_yaml(r"""  ip_protocol_fallback: true
  query_name: multi.bb.test
  query_type: A
  recursion_desired: true
  validate_answer_rrs:
    fail_if_all_match_regexp:
    - 192\.0\.2\.1[0-9]
"""), "answer", success=1, an=3)
add_debug("debug_f_opt_add", "f_opt_add", "FAKE:opt_badsig", "fake", module_yaml("""  ip_protocol_fallback: true
  query_name: x.example
  query_type: A
  recursion_desired: true
  valid_rcodes:
  - BADSIG
  validate_additional_rrs:
    fail_if_matches_regexp:
    - OPT PSEUDOSECTION
""", "1s"), "answer", success=0, an=1, ar=1)
add_debug("debug_f_soa_two_soa", "f_soa", "FAKE:two_soa", "fake", module_yaml("""  ip_protocol_fallback: true
  query_name: x.example
  query_type: SOA
  recursion_desired: true
""", "1s"), "answer", success=1, an=2, serial=7)
