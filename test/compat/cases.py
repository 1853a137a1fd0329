"""cases -- the differential cases: one config, the same requests to both exporters.

A case is one HTTP request (module, target, headers, debug) sent to blackbox_exporter and to
nsprobe; compare.py decides whether the answers are the same. Targets and paths are templates
filled by run.Ctx.vars:
  {ka} Knot's 127.0.0.x   {kp} Knot's port (also on [::1])   {fh} the fake servers' 127.0.0.y
  {f_<behaviour>} a fakedns port   {r_<behaviour>} a relay port (world.py)   {free} a port on {fh}
  with nothing behind it.
  {dh} the DoT servers' 127.0.0.z (world.DotWorld)   {do} another address with a DoT server whose
  certificate does not name it   {dp_<behaviour>} a DoT port on {dh} (forward silent notls mtls
  tls12 cn cnip refused)   {dp_other} the port on {do}   {dp_v6} a DoT port on [::1].
needs: "names" (blackbox resolves target names through the fixture's Knot: mount namespace and
Knot on port 53), "port53" (Knot on port 53 of {ka}), "v6_53_free" (nothing on [::1]:53), "dot"
(the DoT servers run: certtool), "dot853" (port 853 of {dh} refused a connection).
same_err: with debug=true, compare the err= texts of the log lines too (normally only present).
zero_either: duration series ('name{label="value"}') that may be zero on one side only.
dev: a key of deviations.DEVIATIONS; bug: a key of deviations.KNOWN_BUGS; skip: a reason.
pair: "main" (MAIN_CONFIG) or "example" (upstream's example.yml, --timeout-offset 2).
burst: send that many identical requests at once to each exporter and compare them one by one.
"""

import urllib.parse

TIMEOUT_HEADER = "X-Prometheus-Scrape-Timeout-Seconds"

# --- the config ------------------------------------------------------------------------------------

_NEVER = '["^$"]'  # matches no RR text: the validator only logs "Validating RR" for each RR
_ALL3 = ("      validate_answer_rrs: {fail_if_matches_regexp: %s}\n"
         "      validate_authority_rrs: {fail_if_matches_regexp: %s}\n"
         "      validate_additional_rrs: {fail_if_matches_regexp: %s}\n") % (_NEVER, _NEVER, _NEVER)


def _yq(s):
    """A YAML single-quoted scalar."""
    return "'" + s.replace("'", "''") + "'"


MAIN_MODULES = r"""modules:
  noquery:
    prober: dns
  dnsnull:
    prober: dns
    dns:
  default:
    prober: dns
    dns:
      query_name: bb.test
  a:
    prober: dns
    dns:
      query_name: bb.test
      query_type: A
  a_tcp:
    prober: dns
    dns:
      query_name: bb.test
      query_type: A
      transport_protocol: tcp
  a_norec:
    prober: dns
    dns:
      query_name: bb.test
      query_type: A
      recursion_desired: false
  a_norec_no:
    prober: dns
    dns:
      query_name: bb.test
      query_type: A
      recursion_desired: no
  a_sctp:
    prober: dns
    dns:
      query_name: bb.test
      query_type: A
      transport_protocol: sctp
  a_dot_udp:
    prober: dns
    dns:
      query_name: bb.test
      dns_over_tls: true
  a_dot_tcp:
    prober: dns
    timeout: 1s
    dns:
      query_name: bb.test
      transport_protocol: tcp
      dns_over_tls: true
  soa:
    prober: dns
    dns:
      query_name: bb.test
      query_type: SOA
  soa_5s:
    prober: dns
    timeout: 5s
    dns:
      query_name: bb.test
      query_type: SOA
  p6f:
    prober: dns
    dns: {query_name: bb.test, query_type: SOA}
  p6n:
    prober: dns
    dns: {query_name: bb.test, query_type: SOA, preferred_ip_protocol: ip6, ip_protocol_fallback: false}
  p4f:
    prober: dns
    dns: {query_name: bb.test, query_type: SOA, preferred_ip_protocol: ip4}
  p4n:
    prober: dns
    dns: {query_name: bb.test, query_type: SOA, preferred_ip_protocol: ip4, ip_protocol_fallback: false}
  ptypo:
    prober: dns
    dns: {query_name: bb.test, query_type: SOA, preferred_ip_protocol: ipv6}
  src_fake:
    prober: dns
    dns: {query_name: bb.test, query_type: A, source_ip_address: "@FH@"}
  src_fake_tcp:
    prober: dns
    dns: {query_name: bb.test, query_type: A, source_ip_address: "@FH@", transport_protocol: tcp}
  src_v6:
    prober: dns
    dns: {query_name: bb.test, query_type: A, source_ip_address: "::1"}
  src_bad:
    prober: dns
    dns: {query_name: bb.test, query_type: A, source_ip_address: notanip}
  ch_version:
    prober: dns
    dns: {query_name: version.bind, query_type: TXT, query_class: CH}
  ch_tcp:
    prober: dns
    dns: {query_name: version.bind, query_type: TXT, query_class: CH, transport_protocol: tcp}
  cls_hs:
    prober: dns
    timeout: 1s
    dns: {query_name: bb.test, query_type: A, query_class: HS}
  cls_none:
    prober: dns
    timeout: 1s
    dns: {query_name: bb.test, query_type: A, query_class: NONE}
  cls_any:
    prober: dns
    timeout: 1s
    dns: {query_name: bb.test, query_type: A, query_class: ANY}
  cls_cs:
    prober: dns
    timeout: 1s
    dns: {query_name: bb.test, query_type: A, query_class: CS}
  qt_none:
    prober: dns
    timeout: 1s
    dns: {query_name: bb.test, query_type: None}
  qt_reserved:
    prober: dns
    timeout: 1s
    dns: {query_name: bb.test, query_type: Reserved}
  qt_nsapptr:
    prober: dns
    timeout: 1s
    dns: {query_name: bb.test, query_type: NSAP-PTR}
  qt_opt:
    prober: dns
    timeout: 1s
    dns: {query_name: bb.test, query_type: OPT}
  qt_axfr_tcp:
    prober: dns
    timeout: 1s
    dns: {query_name: bb.test, query_type: AXFR, transport_protocol: tcp}
  qt_ixfr:
    prober: dns
    timeout: 1s
    dns: {query_name: bb.test, query_type: IXFR}
  qt_maila:
    prober: dns
    timeout: 1s
    dns: {query_name: bb.test, query_type: MAILA}
  qn_escapes:
    prober: dns
    timeout: 1s
    dns: {query_name: 'a\.b\032c.Example', query_type: A}
  qn_trailing_dot:
    prober: dns
    timeout: 1s
    dns: {query_name: 'MiXeD.rr.TEST.', query_type: A}
  qn_long_label:
    prober: dns
    timeout: 1s
    dns: {query_name: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.test', query_type: A}
  qn_empty_label:
    prober: dns
    timeout: 1s
    dns: {query_name: 'a..test', query_type: A}
  f_udp:
    prober: dns
    timeout: 1s
    dns: {query_name: x.example, query_type: A}
  f_tcp:
    prober: dns
    timeout: 1s
    dns: {query_name: x.example, query_type: A, transport_protocol: tcp}
  f_soa:
    prober: dns
    timeout: 1s
    dns: {query_name: x.example, query_type: SOA}
  f_soa_tcp:
    prober: dns
    timeout: 1s
    dns: {query_name: x.example, query_type: SOA, transport_protocol: tcp}
  f_notimeout:
    prober: dns
    dns: {query_name: x.example, query_type: A}
  f_opt:
    prober: dns
    timeout: 1s
    dns:
      query_name: x.example
      query_type: A
      valid_rcodes: [BADSIG]
      validate_additional_rrs: {fail_if_not_matches_regexp: ['^\n;; OPT PSEUDOSECTION:\n; EDNS: version 0; flags: do; udp: 1232$']}
  rc_absent:
    prober: dns
    dns: {query_name: nope.bb.test, query_type: A}
  rc_null:
    prober: dns
    dns: {query_name: nope.bb.test, query_type: A, valid_rcodes: }
  rc_null_item:
    prober: dns
    dns: {query_name: bb.test, query_type: A, valid_rcodes: [~, NOERROR]}
  rrv_null_item:
    prober: dns
    dns: {query_name: bb.test, query_type: A, validate_answer_rrs: {fail_if_matches_regexp: [~]}}
  rc_empty:
    prober: dns
    dns: {query_name: bb.test, query_type: A, valid_rcodes: []}
  rc_noerror:
    prober: dns
    dns: {query_name: bb.test, query_type: A, valid_rcodes: [NOERROR]}
  rc_lower:
    prober: dns
    dns: {query_name: bb.test, query_type: A, valid_rcodes: [noerror]}
  rc_nx:
    prober: dns
    dns: {query_name: nope.bb.test, query_type: A, valid_rcodes: [NXDOMAIN]}
  rc_notimpl:
    prober: dns
    dns: {query_name: bb.test, query_type: A, valid_rcodes: [NOTIMPL, NOERROR]}
  rc_unknown_first:
    prober: dns
    dns: {query_name: bb.test, query_type: A, valid_rcodes: [FOO, NOERROR]}
  rc_unknown_later_hit:
    prober: dns
    dns: {query_name: bb.test, query_type: A, valid_rcodes: [NOERROR, FOO]}
  rc_unknown_later_miss:
    prober: dns
    dns: {query_name: nope.bb.test, query_type: A, valid_rcodes: [NOERROR, FOO]}
  rc_refused:
    prober: dns
    dns: {valid_rcodes: [REFUSED], query_name: nope.example, query_type: A}
  rc_badvers:
    prober: dns
    timeout: 1s
    dns: {query_name: x.example, query_type: A, valid_rcodes: [BADVERS, BADSIG]}
  rc_badsig:
    prober: dns
    timeout: 1s
    dns: {query_name: x.example, query_type: A, valid_rcodes: [BADSIG]}
  rc_servfail:
    prober: dns
    timeout: 1s
    dns: {query_name: x.example, query_type: A, valid_rcodes: [SERVFAIL, NOERROR]}
  rc_formerr:
    prober: dns
    timeout: 1s
    dns: {query_name: x.example, query_type: A, valid_rcodes: [FORMERR]}
  rc_nxrrset:
    prober: dns
    timeout: 1s
    dns: {query_name: x.example, query_type: A, valid_rcodes: [NXRRSET, YXDOMAIN, BADCOOKIE, NOERROR]}
  weird:
    prober: foo
  tcp_connect:
    prober: tcp
""" + "".join("""  %s:
    prober: dns
    dns:
      query_name: multi.bb.test
      query_type: A
      validate_%s_rrs:
        %s: [%s]
""" % (name, section, key, ", ".join(_yq(r) for r in regexes))
    for name, section, key, regexes in [
        ("v_match_pass", "answer", "fail_if_matches_regexp", [r"^zzz"]),
        ("v_match_fail", "answer", "fail_if_matches_regexp", [r"zzz", r"192\.0\.2\.11"]),
        ("v_match_empty", "authority", "fail_if_matches_regexp", [r".*"]),
        ("v_match_badre", "answer", "fail_if_matches_regexp", [r"(["]),
        ("v_match_badre_empty", "additional", "fail_if_matches_regexp", [r"(["]),
        ("v_all_pass", "answer", "fail_if_all_match_regexp", [r"192\.0\.2\.1[0-9]", r"^multi"]),
        ("v_all_fail", "answer", "fail_if_all_match_regexp", [r"192\.0\.2\.10"]),
        ("v_all_empty", "authority", "fail_if_all_match_regexp", [r"zzz"]),
        ("v_all_badre", "answer", "fail_if_all_match_regexp", [r"a{1001}"]),
        ("v_not_pass", "answer", "fail_if_not_matches_regexp", [r"\tA\t192", r"(?i)MULTI\.BB"]),
        ("v_not_fail", "answer", "fail_if_not_matches_regexp", [r"192\.0\.2\.10$"]),
        ("v_not_empty", "authority", "fail_if_not_matches_regexp", [r".*"]),
        ("v_not_badre", "answer", "fail_if_not_matches_regexp", [r"(?=x)"]),
        ("v_none_pass", "answer", "fail_if_none_matches_regexp", [r"zzz", r"192\.0\.2\.12"]),
        ("v_none_fail", "answer", "fail_if_none_matches_regexp", [r"192\.0\.2\.99"]),
        ("v_none_empty", "additional", "fail_if_none_matches_regexp", [r".*"]),
        ("v_none_badre", "answer", "fail_if_none_matches_regexp", [r"(a)\1"]),
    ]) + """  v_all_kinds:
    prober: dns
    dns:
      query_name: mx.rr.test
      query_type: MX
      validate_answer_rrs:
        fail_if_matches_regexp: [NS]
        fail_if_all_match_regexp: ['^mx\\.rr\\.test\\.\\t300\\tIN\\tMX\\t[12]0 mail6?\\.rr\\.test\\.$']
        fail_if_not_matches_regexp: ['\\tMX\\t']
        fail_if_none_matches_regexp: ['mail6']
      validate_authority_rrs:
        fail_if_matches_regexp: ['.']
        fail_if_all_match_regexp: ['zzz']
      validate_additional_rrs:
        fail_if_not_matches_regexp: ['^mail6?\\.rr\\.test\\.\\t300\\tIN\\tA{1,4}\\t']
        fail_if_none_matches_regexp: ['2001:db8::25$']
"""

# Regex dialect: each must compile and match "a.rr.test.\t300\tIN\tA\t192.0.2.1" for the probe to
# pass (fail_if_none_matches_regexp); Go RE2 rejects some that PCRE2 would accept, and the reverse.
REGEXES = [
    ("exact", r"^a\.rr\.test\.\t300\tIN\tA\t192\.0\.2\.1$"),
    ("icase", r"(?i)A\.RR\.TEST"),
    ("digits", r"\d{3}"),
    ("unicode_letter", r"\pL"),
    ("unicode_greek", r"\p{Greek}"),
    ("not_letter", r"\PL"),
    ("posix_class", r"[[:digit:]]+$"),
    ("posix_negated", r"[[:^alpha:]]"),
    ("posix_bad", r"[[:foo:]]"),
    ("quote_meta", r"\Q.rr.\E"),
    ("dotall", r"(?s)test.\t"),
    ("multiline", r"(?m)^a"),
    ("ungreedy", r"(?U)a+?"),
    ("end_z", r"1\z"),
    ("begin_A", r"\Aa\."),
    ("upper_Z", r"1\Z"),
    ("byte_C", r"\C"),
    ("named_P", r"(?P<x>rr)"),
    ("named_angle", r"(?<x>rr)"),
    ("hex_brace", r"\x{41}"),
    ("octal", r"\101"),
    ("nested_rep", r"x**"),
    ("bad_range", r"a{2,1}"),
    ("rep_1000", r"(?:a{1000})?rr"),
    ("rep_1001", r"a{1001}"),
    ("word_boundary", r"\b192\b"),
    ("class_escape_range", r"[\d-z]"),
    ("backref_8", r"\8"),
    ("escape_e", r"\e"),
    ("vertical_v", r"\v"),
    ("horizontal_h", r"\h"),
    ("linebreak_R", r"\R"),
    ("space_s", r"test\.\s300"),
    ("extended_x", r"(?x) a \. rr"),
    ("empty_alt", r"zzz|"),
    ("unclosed_group", r"(?:a"),
    ("possessive", r"a++"),
    ("atomic", r"(?>a)"),
    ("unicode_escape_u", r"\u0041"),
    ("class_intersect", r"[a-z&&[^b]]"),
    ("flags_group", r"(?i:RR)\.test"),
    ("literal_brace", r"a{,2}"),
]

MAIN_MODULES += "".join("""  re_%s:
    prober: dns
    dns:
      query_name: a.rr.test
      query_type: A
      validate_answer_rrs:
        fail_if_none_matches_regexp: [%s]
""" % (name, _yq(rx)) for name, rx in REGEXES)

# RR types and answer shapes: (module suffix, query_name, query_type, transport).
RR_QUERIES = [(t.replace("-", ""), o, t, tr) for t, o, tr in [
    ("A", "a.rr.test", "udp"), ("AAAA", "aaaa.rr.test", "udp"), ("NS", "rr.test", "udp"),
    ("CNAME", "cname.rr.test", "udp"), ("SOA", "rr.test", "udp"), ("PTR", "ptr.rr.test", "udp"),
    ("HINFO", "hinfo.rr.test", "udp"), ("MINFO", "minfo.rr.test", "udp"),
    ("MX", "mx.rr.test", "udp"), ("TXT", "txt.rr.test", "udp"), ("RP", "rp.rr.test", "udp"),
    ("AFSDB", "afsdb.rr.test", "udp"), ("RT", "rt.rr.test", "udp"), ("KEY", "key.rr.test", "udp"),
    ("LOC", "loc.rr.test", "udp"), ("SRV", "srv.rr.test", "udp"), ("NAPTR", "naptr.rr.test", "udp"),
    ("KX", "kx.rr.test", "udp"), ("CERT", "cert.rr.test", "udp"), ("DNAME", "dname.rr.test", "udp"),
    ("APL", "apl.rr.test", "udp"), ("DS", "sub.rr.test", "udp"), ("SSHFP", "sshfp.rr.test", "udp"),
    ("DHCID", "dhcid.rr.test", "udp"), ("TLSA", "tlsa.rr.test", "udp"),
    ("SMIMEA", "smimea.rr.test", "udp"), ("CDS", "cds.rr.test", "udp"),
    ("CDNSKEY", "cdnskey.rr.test", "udp"), ("OPENPGPKEY", "openpgpkey.rr.test", "udp"),
    ("CSYNC", "csync.rr.test", "udp"), ("ZONEMD", "rr.test", "udp"), ("SPF", "spf.rr.test", "udp"),
    ("NID", "nid.rr.test", "udp"), ("L32", "l32.rr.test", "udp"), ("L64", "l64.rr.test", "udp"),
    ("LP", "lp.rr.test", "udp"), ("EUI48", "eui48.rr.test", "udp"), ("EUI64", "eui64.rr.test", "udp"),
    ("URI", "uri.rr.test", "udp"), ("CAA", "caa.rr.test", "udp"), ("SVCB", "svcb.rr.test", "udp"),
    ("HTTPS", "https.rr.test", "udp"), ("DNSKEY", "signed.test", "tcp"),
    ("NSEC", "signed.test", "tcp"), ("RRSIG", "signed.test", "tcp"),
]] + [
    ("IPSECKEY_any", "ipseckey.rr.test", "ANY", "udp"),  # miekg 1.1.50 has no IPSECKEY: RFC 3597 text
    ("HTTPS0", "https0.rr.test", "HTTPS", "udp"),
    ("unknown_any", "unk.rr.test", "ANY", "udp"),
    ("unknown_empty_any", "unk0.rr.test", "ANY", "udp"),
    ("cname_chain", "cname.rr.test", "A", "udp"),
    ("dname_chain", "a.dname.rr.test", "A", "udp"),
    ("wildcard_a", "foo.bar.wild.rr.test", "A", "udp"),
    ("wildcard_txt", "x.wild.rr.test", "TXT", "udp"),
    ("wildcard_nodata", "x.wild.rr.test", "MX", "udp"),
    ("mixed_owner", "mixed.rr.test", "A", "udp"),
    ("mixed_query", "MiXeD.Rr.TeSt", "A", "udp"),
    ("mixed_upper_case", "upper.case.rr.test", "AAAA", "udp"),
    ("mixed_zone_cname", "wWW.mixed.case.test", "A", "udp"),
    ("mixed_zone_mx", "Mixed.Case.Test", "MX", "udp"),
    ("escape_space", r"space\032name.rr.test", "A", "udp"),
    ("escape_dot", r"dot\.in\.label.rr.test", "A", "udp"),
    ("escape_semicolon", r"semi\;colon.rr.test", "TXT", "udp"),
    ("txt_utf8", "utf8.rr.test", "TXT", "udp"),
    ("referral", "host.sub.rr.test", "A", "udp"),
    ("nxdomain", "nope.rr.test", "A", "udp"),
    ("nodata", "a.rr.test", "TXT", "udp"),
    ("any_apex_tcp", "rr.test", "ANY", "tcp"),
    ("ns_glue", "bb.test", "NS", "udp"),
]

MAIN_MODULES += "".join("""  rr_%s:
    prober: dns
    dns:
      query_name: %s
      query_type: %s
      transport_protocol: %s
      valid_rcodes: [NOERROR, NXDOMAIN]
%s""" % (name, _yq(qn), qt, tr, _ALL3) for name, qn, qt, tr in RR_QUERIES)



def _dot(name, tls, timeout="2s", qtype="A", extra="", transport="tcp"):
    return ("  %s:\n    prober: dns\n    timeout: %s\n    dns:\n      query_name: bb.test\n"
            "      query_type: %s\n      transport_protocol: %s\n      dns_over_tls: true\n"
            "%s      tls_config: {%s}\n" % (name, timeout, qtype, transport, extra, tls))


# DNS over TLS (world.DotWorld; the modules of test/integration/test_dot.py). @...@ are the files
# and addresses of DotWorld.config_vars().
_CA, _CLIENT = "ca_file: @CA@", "cert_file: @CLIENT_CERT@, key_file: @CLIENT_KEY@"
DOT_MODULES = "".join([
    _dot("dot_ca", _CA),
    _dot("dot_soa", _CA, qtype="SOA"),
    _dot("dot_other_ca", "ca_file: @OTHER_CA@"),
    _dot("dot_insecure", "ca_file: @OTHER_CA@, insecure_skip_verify: true"),
    _dot("dot_sn_ok", _CA + ", server_name: dot.test"),
    _dot("dot_sn_bad", _CA + ", server_name: wrong.test"),
    _dot("dot_sn_cn", "ca_file: @CN_CA@, server_name: server"),
    _dot("dot_cn_ip", "ca_file: @CN_CA@"),
    _dot("dot_no_ca_file", "ca_file: @MISSING_CA@"),
    _dot("dot_garbage_ca", "ca_file: @GARBAGE_CA@"),
    _dot("dot_client", _CA + ", " + _CLIENT),
    _dot("dot_client_tls12", _CA + ", max_version: TLS12, " + _CLIENT),
    _dot("dot_cert_no_key", _CA + ", cert_file: @CLIENT_CERT@"),
    _dot("dot_key_no_cert", _CA + ", key_file: @CLIENT_KEY@"),
    _dot("dot_versions_swapped", _CA + ", min_version: TLS13, max_version: TLS12"),
    _dot("dot_tls13_only", _CA + ", min_version: TLS13"),
    _dot("dot_max_tls12", _CA + ", max_version: TLS12"),
    _dot("dot_short", _CA, timeout="1s"),
    _dot("dot_src", _CA, extra="      source_ip_address: @DOT_OTHER@\n"),
    _dot("dot_udp_tls", _CA, transport="udp"),
    _dot("dot_p6n", _CA, extra="      preferred_ip_protocol: ip6\n"
                               "      ip_protocol_fallback: false\n"),
    _dot("dot_validate", _CA, extra="      validate_answer_rrs:\n        fail_if_not_matches_regexp:"
                                    " ['\\tA\\t192\\.0\\.2\\.']\n"),
])


def main_config(fake_host, dot_vars=None):
    """The main pair's config; with the DoT servers' files and addresses, the DoT modules too."""
    text = MAIN_MODULES.replace("@FH@", fake_host)
    if dot_vars:
        dot = DOT_MODULES
        for k, v in dot_vars.items():
            dot = dot.replace(k, v)
        text += dot
    return text


# --- the cases ---------------------------------------------------------------------------------------

class Case:
    def __init__(self, name, module=None, target=None, headers=None, debug=False, method="GET",
                 path=None, needs=(), dev=None, bug=None, skip=None, pair="main", extra=(),
                 burst=1, same_err=False, zero_either=()):
        self.name, self.module, self.target, self.headers = name, module, target, headers
        self.debug, self.method, self.path, self.needs = debug, method, path, set(needs)
        self.dev, self.bug, self.skip, self.pair, self.extra = dev, bug, skip, pair, extra
        self.burst = burst  # > 1: that many identical requests at once to each exporter
        self.same_err = same_err  # debug=true: the err= texts of the log lines must match too
        self.zero_either = zero_either  # durations that may be zero on one side (compare.py)

    def url(self, vars_):
        if self.path is not None:
            return self.path.format_map(vars_)
        q = []
        if self.module is not None:
            q.append(("module", self.module))
        if self.target is not None:
            q.append(("target", self.target.format_map(vars_)))
        q.extend((k, v.format_map(vars_)) for k, v in self.extra)
        if self.debug:
            q.append(("debug", "true"))
        return "/probe?" + urllib.parse.urlencode(q)


CASES = []


def add(name, module, target, both=False, **kw):
    """One case; both=True adds a debug=true twin named <name>+debug."""
    CASES.append(Case(name, module, target, **kw))
    if both:
        kw["debug"] = True
        CASES.append(Case(name + "+debug", module, target, **kw))


K, K6, F, R = "{ka}:{kp}", "[::1]:{kp}", "{fh}:{f_%s}", "{fh}:{r_%s}"
NAMES = ("names",)
DOT = ("dot",)

# dns: keys and their value classes.
add("key/no_dns_section", "noquery", K, both=True)
add("key/dns_null", "dnsnull", K)
add("key/no_dns_section_echo", "noquery", F % "echo", both=True)
add("key/default_type_any", "default", K, both=True)
add("key/default_type_any_echo", "default", F % "echo")
add("key/query_type_A", "a", K, both=True)
for m in ("qt_none", "qt_reserved", "qt_nsapptr", "qt_opt", "qt_ixfr", "qt_maila"):
    add("key/%s_echo" % m, m, F % "echo")
add("key/qt_axfr_tcp_knot", "qt_axfr_tcp", K, both=True)
add("key/qt_ixfr_knot", "qt_ixfr", K)
add("key/transport_tcp", "a_tcp", K, both=True)
add("key/transport_tcp_echo", "a_tcp", F % "echo")
add("key/transport_sctp", "a_sctp", K, both=True)
add("key/dot_with_udp", "a_dot_udp", K, both=True)
# No tls_config: the system's roots do not know the test CA; dot/ has the rest.
add("key/dot_with_tcp", "a_dot_tcp", "{dh}:{dp_forward}", both=True, needs=DOT)
add("key/rd_off", "a_norec", K, both=True)
add("key/rd_off_echo", "a_norec", F % "echo")
add("key/rd_off_yaml_no_echo", "a_norec_no", F % "echo")
add("key/class_CH_knot", "ch_version", K, both=True)
add("key/class_CH_tcp_knot", "ch_tcp", K)
add("key/class_CH_echo", "ch_version", F % "echo", both=True)
for m in ("cls_hs", "cls_none", "cls_any", "cls_cs"):
    add("key/%s_knot" % m, m, K)
    add("key/%s_echo" % m, m, F % "echo", debug=True)
add("key/qname_escapes_echo", "qn_escapes", F % "echo", both=True)
add("key/qname_trailing_dot_mixed", "qn_trailing_dot", K, debug=True)
add("key/qname_label_64", "qn_long_label", K, both=True)
add("key/qname_empty_label", "qn_empty_label", K, both=True)
add("key/source_address", "src_fake", K, both=True)
add("key/source_address_tcp", "src_fake_tcp", K)
add("key/source_v6_target_v4", "src_v6", K, both=True)
add("key/source_v6_target_v6", "src_v6", K6)
add("key/source_v4_target_v6", "src_fake", K6, both=True)
add("key/source_unparsable", "src_bad", K, both=True)

# preferred_ip_protocol x ip_protocol_fallback x target family.
for m in ("p6f", "p6n", "p4f", "p4n", "ptypo"):
    add("ipproto/%s_v4_literal" % m, m, K, debug=m in ("p6n", "ptypo"))
    add("ipproto/%s_v6_literal" % m, m, K6, debug=m == "p4n")
    add("ipproto/%s_mapped_literal" % m, m, "[::ffff:{ka}]:{kp}")
    for n in ("v4", "v6", "dual"):
        add("ipproto/%s_name_%s" % (m, n), m, n + ".targets.test:{kp}", needs=NAMES,
            debug=m == "p6n")
add("ipproto/name_mapped", "p6f", "mapped.targets.test:{kp}", needs=NAMES)
add("ipproto/name_nxdomain", "p6f", "nx.targets.test:{kp}", needs=NAMES, both=True)

# DNS over TLS against test/fakes/dotserver.py (world.DotWorld; test/integration/test_dot.py has
# the same cases against one exporter at a time, with the error texts each one gives). {dh}: the
# servers' address, in the certificate; {do}: another address, not in it. Failures are compared
# like the others: metrics, and for debug=true the log lines with err= only as present on both
# sides; same_err=True: the err text too (a "Failed to create TLS configuration" text is Go's and
# nsprobe gives it word for word).
D, DO, D6 = "{dh}:{dp_%s}", "{do}:{dp_other}", "[::1]:{dp_v6}"
DK = dict(both=True, needs=DOT)
# Success: the same families and values as a TCP probe.
add("dot/ip_san", "dot_ca", D % "forward", **DK)
add("dot/dns_san_server_name", "dot_sn_ok", D % "forward", **DK)
add("dot/ipv6_ip_san", "dot_ca", D6, **DK)
add("dot/ipv6_only_ip6", "dot_p6n", D6, **DK)
add("dot/soa_serial", "dot_soa", D % "forward", **DK)
add("dot/validate_answer", "dot_validate", D % "forward", **DK)
add("dot/insecure_skip_verify_wrong_ca", "dot_insecure", D % "forward", **DK)
add("dot/insecure_skip_verify_ip_not_in_sans", "dot_insecure", DO, **DK)
add("dot/client_cert", "dot_client", D % "mtls", **DK)
add("dot/client_cert_tls12", "dot_client_tls12", D % "mtls", **DK)
add("dot/max_version_tls12", "dot_max_tls12", D % "forward", **DK)
add("dot/tls12_server", "dot_ca", D % "tls12", **DK)
add("dot/min_version_tls13", "dot_tls13_only", D % "forward", **DK)
add("dot/source_address", "dot_src", D % "forward", **DK)
add("dot/burst_10", "dot_ca", D % "forward", burst=10, needs=DOT)
# Verification failures happen in the handshake: all of it is connect, request stays 0.
add("dot/wrong_ca", "dot_other_ca", D % "forward", **DK)
add("dot/server_name_mismatch", "dot_sn_bad", D % "forward", **DK)
add("dot/target_ip_not_in_ip_sans", "dot_ca", DO, **DK)
add("dot/cn_only_server_name", "dot_sn_cn", D % "cn", dev="dot_cn_fallback", **DK)
add("dot/no_sans_target_ip", "dot_cn_ip", D % "cn", **DK)
add("dot/no_sans_cn_is_target_ip", "dot_cn_ip", D % "cnip", **DK)
add("dot/connection_refused", "dot_ca", "{dh}:{dp_refused}", **DK)
add("dot/default_port_853_refused", "dot_ca", "{dh}", both=True, needs=("dot", "dot853"))
add("dot/tls13_against_tls12_server", "dot_tls13_only", D % "tls12", **DK)
# TLS 1.3: the client's handshake is done before the server rejects the missing certificate; the
# refusal (alert, then close) races the query: the write fails (request 0) or the read gets the
# alert or a reset (request > 0), in either exporter. With TLS 1.2 it is part of the handshake.
add("dot/client_cert_missing", "dot_ca", D % "mtls",
    zero_either=('probe_dns_duration_seconds{phase="request"}',), **DK)
add("dot/client_cert_missing_tls12", "dot_max_tls12", D % "mtls", **DK)
# Timeouts: handshake done, no answer -> request ~ timeout; no TLS at all -> connect ~ timeout.
add("dot/silent_after_handshake", "dot_short", D % "silent", **DK)
add("dot/handshake_never_starts", "dot_short", D % "notls", **DK)
add("dot/handshake_never_starts_header_1.6", "dot_ca", D % "notls", both=True, needs=DOT,
    headers={TIMEOUT_HEADER: "1.6"})
# Plain DNS over TCP where TLS is expected: Knot reads the ClientHello as the start of a 5635-byte
# query and closes the connection when its tcp-io-timeout sweep sees it (0.5 s or later, not the
# same moment for both connections); the 1 s timeout bounds it, so connect is 0.5-1 s on each side.
add("dot/plain_dns_server", "dot_short", K, **DK)
# "Failed to create TLS configuration": resolved, then stopped before the exchange.
for m in ("dot_no_ca_file", "dot_garbage_ca", "dot_cert_no_key", "dot_key_no_cert",
          "dot_versions_swapped"):
    add("dot/config_" + m[4:], m, D % "forward", same_err=True, **DK)
# dns_over_tls with transport udp: a configuration error, no query (also key/dot_with_udp).
add("dot/over_udp", "dot_udp_tls", D % "forward", **DK)

# Target forms (blackbox-dns.md 3.5).
add("target/ip_default_port", "soa", "{ka}", needs=("port53",), both=True)
add("target/ip_port", "soa", K)
add("target/ip_service_name", "soa", "{ka}:domain", needs=("port53",))
add("target/ip_empty_port", "soa", "{ka}:", both=True, dev="udp_port0")
add("target/ip_empty_port_tcp", "a_tcp", "{ka}:", both=True)
add("target/ip_port_99999", "soa", "{ka}:99999", both=True)
add("target/v6_bracket_port", "soa", K6, both=True)
add("target/v6_bare", "soa", "::1", needs=("v6_53_free",))
add("target/v6_bracket_no_port", "soa", "[::1]", needs=NAMES, both=True)
add("target/v4_in_brackets", "soa", "[{ka}]:{kp}")
add("target/mapped_bracket", "soa", "[::ffff:{ka}]:{kp}", both=True)
add("target/mapped_bare", "soa", "::ffff:{ka}", needs=("port53",))
add("target/empty_host", "soa", ":{kp}", needs=NAMES, both=True)
add("target/scheme", "soa", "dns://{ka}", needs=NAMES)
# Only forms that stay on 127.0.0.0/8 however they are read (octal or decimal).
add("target/leading_zeros", "soa", "127.000.000.001:{kp}", needs=NAMES)
add("target/short_dotted", "soa", "127.1:{kp}", needs=NAMES)
add("target/hex_ip", "soa", "0x7f.0.0.1:{kp}", needs=NAMES)
add("target/leading_zero_last", "soa", "127.0.0.01:{kp}", needs=NAMES)
add("target/decimal_ip", "soa", "2130706433:{kp}", needs=NAMES)
add("target/name_with_port", "soa", "v4.targets.test:{kp}", needs=NAMES, both=True)
add("target/raw_colon_in_url", None, None, path="/probe?module=soa&target={ka}:{kp}")
add("target/percent_encoded_percent", None, None, path="/probe?module=soa&target={ka}%2553",
    needs=NAMES)
add("target/repeated_first_wins", "soa", K, extra=(("target", "{fh}:{f_garbage}"),))
add("target/post_method", "soa", K, method="POST")
add("target/debug_not_true", "soa", K, extra=(("debug", "1"),))

# Targets as Go resolves them (issue 15). /etc/hosts first, with or without --target.resolver:
# run.HOSTS_ONLY puts ns1.example.test on Knot's address in both exporters' /etc/hosts; Go keys a
# name with a dot with its final dot too, a name without one only as written ("localhost." goes to
# DNS in both).
add("hosts/trailing_dot_dotted_name", "soa", "ns1.example.test.:{kp}", needs=NAMES, both=True)
add("hosts/dotted_name", "soa", "ns1.example.test:{kp}", needs=NAMES)
add("hosts/dotted_name_mixed_case", "soa", "NS1.Example.Test.:{kp}", needs=NAMES)
add("hosts/v4_only_ip6_no_fallback", "p6n", "ns1.example.test.:{kp}", needs=NAMES, debug=True,
    same_err=True)
add("hosts/v4_only_ip4_no_fallback", "p4n", "ns1.example.test:{kp}", needs=NAMES, debug=True)
add("hosts/single_label_trailing_dot_goes_to_dns", "soa", "localhost.:{kp}", needs=NAMES,
    debug=True)
# localhost is in every /etc/hosts: nsprobe reads it although it asks --target.resolver for names.
add("hosts/localhost_with_target_resolver", "soa", "localhost:{kp}", both=True)
add("hosts/localhost_ip6_no_fallback", "p6n", "localhost:{kp}", debug=True)
# Resolver errors name the server ("lookup x on 127.0.0.5:53: no such host").
add("resolver/nxdomain_names_server", "p6f", "nx.targets.test:{kp}", needs=NAMES, debug=True,
    same_err=True)
add("resolver/nodata_names_server", "p6n", "v4.targets.test:{kp}", needs=NAMES, debug=True,
    same_err=True)
# Zoned IPv6 literals are IP addresses (Go's parseIPZone): protocol 6, the address hash, no lookup;
# without fallback LookupIP drops the zone. [::1%lo] reaches Knot; fe80::1 fails at dial.
add("target/zoned_v6_bracket_port", "soa", "[::1%lo]:{kp}", both=True, same_err=True)
add("target/zoned_v6_numeric_zone", "soa", "[::1%1]:{kp}", debug=True)
for m in ("p6n", "p4n", "p4f"):
    add("target/zoned_v6_" + m, m, "[::1%lo]:{kp}", debug=True, same_err=m == "p4n")
add("target/zoned_link_local_bare", "soa", "fe80::1%lo", both=True, same_err=True)
add("target/zoned_link_local_bracket_percent25", None, None, debug=True, same_err=True,
    path="/probe?module=soa&debug=true&target=[fe80::1%25lo]:53")
add("target/zoned_link_local_zone_25lo", "soa", "[fe80::1%25lo]:53", debug=True, same_err=True)
add("target/zoned_v4_is_a_name", "soa", "{ka}%lo:{kp}", debug=True, same_err=True)
# Go's port texts: a name that is no service is "unknown port", a number out of range "invalid".
add("target/unknown_service_port", "soa", "{ka}:nosuchservice", debug=True, same_err=True)
add("target/signed_port", "soa", "{ka}:+{kp}")
add("target/negative_port", "soa", "{ka}:-1", debug=True, same_err=True)
add("target/ip_port_99999_err", "soa", "{ka}:99999", debug=True, same_err=True)
add("key/source_v4_target_v6_err", "src_fake", K6, debug=True, same_err=True)
# Read errors: Go's texts name the ephemeral local port (deviation err_socket_addresses).
add("fault/udp/port_unreachable_err", "f_udp", "{fh}:{free}", debug=True, same_err=True,
    dev="err_socket_addresses")
add("fault/udp/silent_err", "f_notimeout", F % "silent", debug=True, same_err=True,
    headers={TIMEOUT_HEADER: "1.6"}, dev="err_socket_addresses")

# valid_rcodes.
add("rcode/absent_nxdomain", "rc_absent", K, both=True)
add("rcode/null_nxdomain", "rc_null", K)
add("rcode/empty_list", "rc_empty", K, both=True)
# yaml.v3 drops a null item from a []string (decode.go: null() sets nothing for a string)
add("rcode/null_item", "rc_null_item", K)
add("validate/null_item", "rrv_null_item", K)
add("rcode/noerror", "rc_noerror", K)
add("rcode/lower_case", "rc_lower", K, both=True)
add("rcode/nxdomain_listed", "rc_nx", K)
add("rcode/notimpl_alias", "rc_notimpl", K)
add("rcode/unknown_first", "rc_unknown_first", K, both=True)
add("rcode/unknown_after_hit", "rc_unknown_later_hit", K)
add("rcode/unknown_after_miss", "rc_unknown_later_miss", K, both=True)
add("rcode/refused_listed", "rc_refused", K, both=True)
add("rcode/badvers_not_a_name", "rc_badvers", F % "opt_badsig", both=True)
add("rcode/badsig_extended", "rc_badsig", F % "opt_badsig")
add("rcode/servfail_listed", "rc_servfail", F % "servfail")
add("rcode/rcode11_unnamed", "rc_nxrrset", F % "rcode11", both=True)
add("rcode/formerr_without_opt", "rc_formerr", R % "formerr", both=True)

# Validators: every kind passing and failing, empty sections, invalid regexes.
for m in ("v_match_pass", "v_match_fail", "v_match_empty", "v_match_badre", "v_match_badre_empty",
          "v_all_pass", "v_all_fail", "v_all_empty", "v_all_badre", "v_not_pass", "v_not_fail",
          "v_not_empty", "v_not_badre", "v_none_pass", "v_none_fail", "v_none_empty",
          "v_none_badre", "v_all_kinds"):
    add("validator/" + m[2:], m, K, debug=True)
for name, _rx in REGEXES:
    add("regex/" + name, "re_" + name, K, debug=True)

# Every RR type Knot serves, in each section: answer from Knot, authority and additional through
# the relay (world.py), which recounts Knot's records into that section.
for name, _qn, _qt, _tr in RR_QUERIES:
    add("rr/answer/" + name, "rr_" + name, K, debug=True)
    add("rr/authority/" + name, "rr_" + name, R % "to_authority", debug=True)
    add("rr/additional/" + name, "rr_" + name, R % "to_additional", debug=True)

# Every fake-server fault (test/fakes/fakedns.py), UDP and TCP where TCP differs.
_FAULT_DEV = {"big_notc": "udp_over_512", "big1200": "udp_over_512",
              "other_question": "question_mismatch", "qdcount0": "question_mismatch",
              "hdr_nxdomain": "question_mismatch", "garbage": "short_reply"}
_HDR = ("hdr_refused", "hdr_servfail", "hdr_notimp", "hdr_formerr", "hdr_refused_opt",
        "hdr_refused_split")
for b in ("silent", "wrong_id", "big_notc", "opt_badsig", "garbage", "tc_partial", "tc_empty",
          "other_question", "qr0", "rcode11", "opt_ok", "qdcount0", "servfail",
          "comp_loop", "big1200", "echo", "hdr_nxdomain") + _HDR:
    add("fault/udp/" + b, "f_udp", F % b, dev=_FAULT_DEV.get(b), both=True)
for b in ("silent", "wrong_id", "big_notc", "opt_badsig", "garbage", "tc_partial", "tc_empty",
          "other_question", "qr0", "qdcount0", "comp_loop", "big1200", "echo",
          "hdr_nxdomain") + _HDR:
    add("fault/tcp/" + b, "f_tcp", F % b, debug=True,
        dev={"other_question": "question_mismatch", "qdcount0": "question_mismatch",
             "hdr_nxdomain": "question_mismatch"}.get(b))
add("fault/udp/two_soa", "f_soa", F % "two_soa", both=True)
add("fault/tcp/two_soa", "f_soa_tcp", F % "two_soa")
add("fault/udp/soa_refused_header_only", "f_soa", F % "hdr_refused", debug=True)
add("fault/udp/opt_in_additional_text", "f_opt", F % "opt_badsig", debug=True)
add("fault/udp/port_unreachable", "f_udp", "{fh}:{free}", both=True)
add("fault/tcp/connection_refused", "f_tcp", "{fh}:{free}", both=True)
add("fault/tcp/formerr_without_opt", "f_tcp", R % "formerr")
# The fakes answer one query per TCP connection and close it, as blackbox expects (it opens one
# connection per probe); 20 probes at once must all succeed.
add("fault/tcp/echo_burst_20", "f_tcp", F % "echo", burst=20)

# Timeout: X-Prometheus-Scrape-Timeout-Seconds with --timeout-offset 0.5 (blackbox-dns.md 3.3);
# debug=true shows the computed timeout_seconds on the "Beginning probe" line.
for label, value in [("none", None), ("10", "10"), ("1e1", "1e1"), ("leading_spaces", "  7"),
                     ("zero", "0"), ("empty", ""), ("0.5_budget_zero", "0.5"),
                     ("0.3_negative_max", "0.3"), ("minus_5", "-5"), ("inf", "inf"),
                     ("NaN", "NaN"), ("hex", "0x10"), ("abc", "abc"), ("1_5e0", "1.5e0")]:
    add("timeout/header_%s" % label, "soa", K, debug=True,
        headers=None if value is None else {TIMEOUT_HEADER: value})
for label, value in [("3", "3"), ("none", None), ("0.3", "0.3"), ("120", "120")]:
    add("timeout/module_5s_header_%s" % label, "soa_5s", K, debug=True,
        headers=None if value is None else {TIMEOUT_HEADER: value})
add("timeout/silent_header_1.6", "f_notimeout", F % "silent", both=True,
    headers={TIMEOUT_HEADER: "1.6"})
add("timeout/silent_module_1s_header_10", "f_udp", F % "silent", headers={TIMEOUT_HEADER: "10"})
add("timeout/silent_tcp_header_1.5", "f_tcp", F % "silent", headers={TIMEOUT_HEADER: "1.5"})

# HTTP errors (blackbox-dns.md 3.2).
add("http/unknown_module", "nope", K)
add("http/unknown_module_debug", "nope", K, debug=True)
add("http/missing_target", "a", None)
add("http/empty_target", "a", "")
add("http/bad_timeout_header", "a", K, headers={TIMEOUT_HEADER: "abc"})
add("http/unknown_module_before_header", "nope", K, headers={TIMEOUT_HEADER: "abc"})
add("http/header_before_target", "a", None, headers={TIMEOUT_HEADER: "abc"})
add("http/target_before_prober", "weird", None)
add("http/module_absent_is_http_2xx", None, K, dev="no_module_hint")
add("http/module_empty_is_http_2xx", "", K, dev="no_module_hint")
add("http/unknown_prober", "weird", K)
add("http/bad_escape_drops_target", None, None, path="/probe?module=a&target=%zz")
add("http/semicolon_drops_target", None, None, path="/probe?module=a&target=a;b")
add("http/tcp_prober", "tcp_connect", "{fh}:{free}", dev="non_dns_prober")

# The second config: upstream's example.yml, unchanged, run with --timeout-offset 2.
EX = dict(pair="example")
for m in ("dns_udp_example", "dns_soa", "dns_tcp_example"):
    add("example/%s_knot" % m, m, K, both=True, **EX)
    add("example/%s_knot6" % m, m, K6, **EX)
    add("example/%s_knot53" % m, m, "{ka}", needs=("port53",), **EX)
    add("example/%s_echo" % m, m, F % "echo", **EX)
    add("example/%s_relay_authority" % m, m, R % "to_authority", debug=True, **EX)
add("example/dns_soa_header_3_silent", "dns_soa", F % "silent", headers={TIMEOUT_HEADER: "3"},
    both=True, **EX)
add("example/dns_soa_header_1.5_negative_max", "dns_soa", K, headers={TIMEOUT_HEADER: "1.5"},
    debug=True, **EX)
add("example/dns_soa_header_10", "dns_soa", K, headers={TIMEOUT_HEADER: "10"}, debug=True, **EX)
add("example/dns_udp_example_header_10", "dns_udp_example", K, headers={TIMEOUT_HEADER: "10"},
    debug=True, **EX)
add("example/dns_udp_example_header_1.5", "dns_udp_example", K, headers={TIMEOUT_HEADER: "1.5"},
    debug=True, **EX)
add("example/no_module_is_http_2xx", None, K, dev="no_module_hint", **EX)
add("example/http_2xx_example", "http_2xx_example", "{fh}:{free}", dev="non_dns_prober", **EX)
add("example/tcp_connect_example", "tcp_connect_example", "{fh}:{free}", dev="non_dns_prober", **EX)
