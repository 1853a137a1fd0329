"""test_dot -- DNS over TLS cases: /probe?debug=true against test/fakes/dotserver.py on loopback.

The DoT servers forward to the fixture's Knot (or hang, or never speak TLS, or want a client
certificate); the PKI is generated at test time with certtool. Every case asks for debug=true and
checks the metrics (families, labels, values as blackbox 0.23 sets them at that stage:
blackbox-dns.md 2.2, 2.3; the TLS handshake counts in the connect phase) and the log line that says
why. The metrics must match for both exporters; only the wording of TLS errors differs, so each
failure case names the text expected from each exporter.

run.py calls setup(tmp, knot, avoid) before it writes the exporter's config, appends
config_text(world) to the modules, sets ctx.dot = world and runs CASES with the others.
"""

import os
import re
import socket

import harness
import test_probe
from test_probe import ZERO, Approx, Case, expect_dns, probe_path

HERE = os.path.dirname(os.path.abspath(__file__))
GOLDEN = os.path.join(HERE, "..", "data", "blackbox-0.23", "probe-outputs")


# --- the world: PKI and servers ------------------------------------------------------------------

class DotWorld:
    """A test PKI and DoT servers: host4 (every behaviour), other4 (same certificate, an address
    not in it) and ::1 (forward), all forwarding to Knot over TCP."""

    def __init__(self, tmp, knot, avoid=()):
        from fakes import dotserver
        self.dir = os.path.join(tmp, "dot")
        self.host4 = harness.pick_loopback(avoid=tuple(avoid) + (knot.addr,))
        self.other4 = harness.pick_loopback(avoid=tuple(avoid) + (knot.addr, self.host4))
        self.pki = dotserver.make_pki(self.dir, [self.host4, "::1"], ["dot.test"])
        self.missing = os.path.join(self.dir, "no-such-ca.pem")
        self.garbage = os.path.join(self.dir, "garbage-ca.pem")
        with open(self.garbage, "w") as f:
            f.write("this is not a certificate\n")
        up = (knot.addr, knot.port)
        self.servers = [
            dotserver.DotServer(self.host4, self.pki["server.pem"], self.pki["server.key"], up,
                                client_ca=self.pki["ca.pem"]),
            dotserver.DotServer(self.other4, self.pki["server.pem"], self.pki["server.key"], up,
                                behaviours=["forward"]),
            dotserver.DotServer("::1", self.pki["server.pem"], self.pki["server.key"], up,
                                behaviours=["forward"]),
        ]
        self.ports = {}
        self.port_other = self.port6 = None
        self.refused = None

    def start(self):
        try:
            self.ports = self.servers[0].start()
            self.port_other = self.servers[1].start()["forward"]
            self.port6 = self.servers[2].start()["forward"]
        except BaseException:
            self.stop()
            raise
        # A port nothing listens on (proven free just now): connect is refused.
        self.refused = harness.free_port([self.host4], kinds=("tcp",))
        return self

    def stop(self):
        for s in self.servers:
            s.stop()

    def target(self, tok):
        if tok == "OTHER":
            return "%s:%d" % (self.other4, self.port_other)
        if tok == "V6":
            return "[::1]:%d" % self.port6
        if tok == "REFUSED":
            return "%s:%d" % (self.host4, self.refused)
        if tok == "NOPORT":
            return self.host4
        return "%s:%d" % (self.host4, self.ports[tok])

    def ip(self, tok):
        return {"OTHER": self.other4, "V6": "::1"}.get(tok, self.host4)


def setup(tmp, knot, avoid=()):
    return DotWorld(tmp, knot, avoid).start()


# --- modules -------------------------------------------------------------------------------------

def _module(name, tls, timeout="2s", qtype="A", extra=""):
    return ("  %s:\n    prober: dns\n    timeout: %s\n    dns:\n      query_name: bb.test\n"
            "      query_type: %s\n      transport_protocol: tcp\n      dns_over_tls: true\n"
            "%s      tls_config: {%s}\n" % (name, timeout, qtype, extra, tls))


def config_text(world):
    p = world.pki
    ca = "ca_file: %s" % p["ca.pem"]
    other = "ca_file: %s" % p["other-ca.pem"]
    client = "cert_file: %s, key_file: %s" % (p["client.pem"], p["client.key"])
    mods = [
        _module("dot_ca", ca),
        _module("dot_soa", ca, qtype="SOA"),
        _module("dot_other_ca", other),
        _module("dot_insecure", other + ", insecure_skip_verify: true"),
        _module("dot_sn_ok", ca + ", server_name: dot.test"),
        _module("dot_sn_bad", ca + ", server_name: wrong.test"),
        _module("dot_no_ca_file", "ca_file: %s" % world.missing),
        _module("dot_garbage_ca", "ca_file: %s" % world.garbage),
        _module("dot_client", ca + ", " + client),
        _module("dot_cert_no_key", ca + ", cert_file: %s" % p["client.pem"]),
        _module("dot_versions_swapped", ca + ", min_version: TLS13, max_version: TLS12"),
        _module("dot_tls13_only", ca + ", min_version: TLS13"),
        _module("dot_max_tls12", ca + ", max_version: TLS12"),
        _module("dot_short", ca, timeout="1s"),
        _module("dot_src", ca, extra="      source_ip_address: %s\n" % world.other4),
        # The TCP twin of dot_soa, probed against Knot directly.
        "  dot_twin_tcp:\n    prober: dns\n    timeout: 2s\n    dns:\n      query_name: bb.test\n"
        "      query_type: SOA\n      transport_protocol: tcp\n",
    ]
    return "".join(mods)


# --- checks --------------------------------------------------------------------------------------

class Any:
    def check(self, text, value, out):
        return True

    def __repr__(self):
        return "any"


DEBUG_METRICS = "\n\n\nMetrics that would have been returned:\n"
DEBUG_MODULE = "\n\n\nModule configuration:\n"


def split_debug(body):
    """debug=true body -> (log lines, metrics text)."""
    i, j = body.find(DEBUG_METRICS), body.find(DEBUG_MODULE)
    assert body.startswith("Logs for the probe:\n") and 0 <= i < j, "not a debug body:\n" + body
    logs = body[len("Logs for the probe:\n"):i].split("\n")
    return [l for l in logs if l], body[i + len(DEBUG_METRICS):j]


def log_value(line, key):
    """The value of key=… in a logfmt line (quoted or bare), or None. Keys other than level and
    msg are the message's own, after msg= (the logger's module= and target= come before it)."""
    if key not in ("level", "msg"):
        m = re.search(r' msg=("(?:[^"\\]|\\.)*"|\S*)', line)
        line = line[m.end():] if m else line
    m = re.search(r'(?:^| )%s=("(?:[^"\\]|\\.)*"|\S*)' % re.escape(key), line)
    if not m:
        return None
    v = m.group(1)
    if v.startswith('"'):
        v = bytes(v[1:-1], "utf-8").decode("unicode_escape")
    return v


def log_msgs(lines):
    return [log_value(l, "msg") for l in lines]


def find_log(lines, msg):
    for l in lines:
        if log_value(l, "msg") == msg:
            return l
    return None


def _fail(errs, body):
    raise AssertionError("; ".join(errs) + "\n--- body ---\n" + body)


def probe_debug(ctx, module, target):
    st, _h, body = ctx.request(probe_path(module, target, debug=True))
    if st != 200:
        _fail(["status %d" % st], body)
    return body


CASES = []


def check_dot(ctx, module, tok, stage, err=None, conf_err=None, dial=True, **kw):
    """One DoT probe with debug=true. stage as expect_dns; err: {exporter kind: substring, or a
    tuple of alternatives; case-insensitive} of the "Error while sending a DNS query" err (or a
    function of the DotWorld returning that); conf_err: the exact "Failed to create TLS configuration"
    err (both exporters); dial: the "Making DNS query" line must say dial_protocol=tcpN-tls."""
    w = ctx.dot
    ip = w.ip(tok)
    body = probe_debug(ctx, module, w.target(tok))
    lines, metrics = split_debug(body)
    errs = ["metrics: " + e for e in
            test_probe.compare_metrics(metrics, expect_dns(stage, ip=ip, **kw))]
    if dial:
        line = find_log(lines, "Making DNS query")
        want = "tcp%s-tls" % ("6" if ":" in ip else "4")
        if line is None or log_value(line, "dial_protocol") != want:
            errs.append("no 'Making DNS query' line with dial_protocol=%s" % want)
        elif tok == "NOPORT" and log_value(line, "target") != "%s:853" % ip:
            errs.append("target %r, expected the DoT default port 853" % log_value(line, "target"))
    if err is not None:
        line = find_log(lines, "Error while sending a DNS query")
        got = log_value(line, "err") if line else None
        want = err(w) if callable(err) else err
        want = want[ctx.kind]
        alts = want if isinstance(want, tuple) else (want,)
        if got is None or not any(a.lower() in got.lower() for a in alts):
            errs.append("err %r, expected it to contain %s" % (got, " or ".join(map(repr, alts))))
    if conf_err is not None:
        line = find_log(lines, "Failed to create TLS configuration")
        got = log_value(line, "err") if line else None
        want = conf_err(w)
        if got != want:
            errs.append("TLS configuration err %r, expected %r" % (got, want))
        if find_log(lines, "Making DNS query") is not None:
            errs.append("a query was made after the TLS configuration failed")
    if stage == "answer" and kw.get("success") and find_log(lines, "Probe succeeded") is None:
        errs.append("no 'Probe succeeded' line")
    if errs:
        _fail(errs, body)


def add_dot(name, module, tok, stage, **kw):
    CASES.append(Case(name, lambda ctx: check_dot(ctx, module, tok, stage, **kw)))


# Success: the same families and values as a TCP probe would give (see also dot_same_as_tcp).
add_dot("dot_ok_ip_san", "dot_ca", "forward", "answer", success=1, an=1)
add_dot("dot_ok_dns_san_server_name", "dot_sn_ok", "forward", "answer", success=1, an=1)
add_dot("dot_ok_ipv6_ip_san", "dot_ca", "V6", "answer", success=1, an=1)
add_dot("dot_ok_soa_serial", "dot_soa", "forward", "answer", success=1, an=1, serial=2024010101)
add_dot("dot_insecure_skip_verify_wrong_ca", "dot_insecure", "forward", "answer", success=1, an=1)
add_dot("dot_client_cert", "dot_client", "mtls", "answer", success=1, an=1)
add_dot("dot_max_version_tls12", "dot_max_tls12", "forward", "answer", success=1, an=1)

# Verification failures happen in the handshake: all of it is connect, request stays 0.
add_dot("dot_wrong_ca", "dot_other_ca", "forward", "exchange_fail", request=ZERO,
        err={"nsprobe": "tls: certificate verification failed: signer not found",
             "blackbox": "x509: certificate signed by unknown authority"})
add_dot("dot_server_name_mismatch", "dot_sn_bad", "forward", "exchange_fail", request=ZERO,
        err={"nsprobe": "certificate name does not match wrong.test",
             "blackbox": "x509: certificate is valid for dot.test, not wrong.test"})


add_dot("dot_target_ip_not_in_ip_sans", "dot_ca", "OTHER", "exchange_fail", request=ZERO,
        err=lambda w: {"nsprobe": "certificate name does not match %s" % w.other4,
                       "blackbox": "not %s" % w.other4})

add_dot("dot_connection_refused", "dot_ca", "REFUSED", "exchange_fail", request=ZERO,
        err={"nsprobe": "connection refused", "blackbox": "connection refused"})
add_dot("dot_tls13_against_tls12_server", "dot_tls13_only", "tls12", "exchange_fail",
        request=ZERO, err={"nsprobe": "tls: handshake with", "blackbox": "protocol version"})
# TLS 1.3: the client's handshake is done before the server rejects the missing certificate, so
# the refusal arrives after the handshake: as the answer is read (the alert), or as the query is
# written (the server has already reset the connection: then request is 0).
CERT_REFUSED = ("certificate required", "certificate is required", "connection reset")
add_dot("dot_client_cert_missing", "dot_ca", "mtls", "exchange_fail", request=Any(),
        err={"nsprobe": CERT_REFUSED, "blackbox": CERT_REFUSED})
# Timeouts: handshake done, no answer -> request ~ timeout; no TLS at all -> connect ~ timeout.
add_dot("dot_silent_after_handshake", "dot_short", "silent", "exchange_fail", timeout=1.0,
        err={"nsprobe": "i/o timeout", "blackbox": "i/o timeout"})
add_dot("dot_handshake_never_starts", "dot_short", "notls", "exchange_fail", timeout=1.0,
        connect=Approx(1.0), request=ZERO,
        err={"nsprobe": "i/o timeout", "blackbox": "context deadline exceeded"})

# "Failed to create TLS configuration": resolved, then stopped before the exchange (2.2).
add_dot("dot_ca_file_missing", "dot_no_ca_file", "forward", "pre_query", dial=False,
        conf_err=lambda w: "unable to load specified CA cert %s: open %s: no such file or directory"
        % (w.missing, w.missing))
add_dot("dot_ca_file_garbage", "dot_garbage_ca", "forward", "pre_query", dial=False,
        conf_err=lambda w: "unable to use specified CA cert %s" % w.garbage)
add_dot("dot_cert_without_key", "dot_cert_no_key", "forward", "pre_query", dial=False,
        conf_err=lambda w: 'client cert file "%s" specified without client key file'
        % w.pki["client.pem"])
add_dot("dot_versions_swapped", "dot_versions_swapped", "forward", "pre_query", dial=False,
        conf_err=lambda w: "tls_config.max_version must be greater than or equal to "
        "tls_config.min_version if both are specified")


def _default_port(ctx):
    """No port in the target: DoT dials 853 (blackbox-dns.md 3.5). Only when 853 on our address
    refuses connections (nothing listens there), so the outcome is known."""
    w = ctx.dot
    s = socket.socket()
    try:
        s.settimeout(2)
        s.connect((w.host4, 853))
        raise test_probe.Skip("something listens on %s:853" % w.host4)
    except ConnectionRefusedError:
        pass
    finally:
        s.close()
    check_dot(ctx, "dot_ca", "NOPORT", "exchange_fail", request=ZERO,
              err={"nsprobe": "connection refused", "blackbox": "connection refused"})


CASES.append(Case("dot_default_port_853", _default_port))


def _source_address(ctx):
    """source_ip_address: the TLS connection comes from that address (blackbox: a TCPAddr as the
    dialer's LocalAddr)."""
    w = ctx.dot
    check_dot(ctx, "dot_src", "forward", "answer", success=1, an=1)
    if ("forward", w.other4) not in w.servers[0].peers:
        raise AssertionError("no connection from %s among %s" % (w.other4, w.servers[0].peers))


CASES.append(Case("dot_source_address", _source_address))


def _same_as_tcp(ctx):
    """The DoT probe's output equals the TCP probe's for the same query, timings and the address
    hash aside: same families, label sets, HELP/TYPE and values."""
    w = ctx.dot
    _l1, m_dot = split_debug(probe_debug(ctx, "dot_soa", w.target("forward")))
    _l2, m_tcp = split_debug(probe_debug(ctx, "dot_twin_tcp", ctx.target("KNOT")))
    timing = {"probe_dns_duration_seconds", "probe_dns_lookup_time_seconds",
              "probe_duration_seconds", "probe_ip_addr_hash"}

    def shape(text):
        out = []
        for f in test_probe.parse_exposition(text):
            for labels, v in f["samples"]:
                out.append((f["name"], f["help"], f["type"], labels,
                            None if f["name"] in timing else v))
        return out
    a, b = shape(m_dot), shape(m_tcp)
    if a != b:
        _fail(["DoT %s\n!= TCP %s" % (a, b)], m_dot + "\n---\n" + m_tcp)


CASES.append(Case("dot_same_as_tcp", _same_as_tcp))


def _udp_golden(ctx):
    """dns_over_tls with transport udp: the output blackbox 0.23 gave (probe-outputs/
    dns_dot_udp.debug.txt): the same log messages in order, the same families and label sets,
    zero where it is zero, equal non-timing values (the address hash recomputed for our address)."""
    with open(os.path.join(GOLDEN, "dns_dot_udp.debug.txt")) as f:
        g_lines, g_metrics = split_debug(f.read())
    body = probe_debug(ctx, "dns_dot_udp", ctx.target("KNOT53"))
    lines, metrics = split_debug(body)
    errs = []
    if log_msgs(lines) != log_msgs(g_lines):
        errs.append("log messages %s, expected %s" % (log_msgs(lines), log_msgs(g_lines)))
    line = find_log(lines, "Configuration error: Expected transport protocol tcp for DoT")
    if line is None or log_value(line, "protocol") != "udp" or log_value(line, "level") != "error":
        errs.append("no level=error DoT configuration line with protocol=udp")
    got = {(f["name"], l): v for f in test_probe.parse_exposition(metrics) for l, v in f["samples"]}
    want = {(f["name"], l): v for f in test_probe.parse_exposition(g_metrics)
            for l, v in f["samples"]}
    if list(got) != list(want):
        errs.append("series %s, expected %s" % (list(got), list(want)))
    for key, gv in want.items():
        v = got.get(key)
        if v is None:
            continue
        if key[0] == "probe_ip_addr_hash":
            gv = test_probe.go_float(test_probe.ip_hash(ctx.knot.addr))
        elif key[0] in ("probe_duration_seconds", "probe_dns_lookup_time_seconds") or \
                key == ("probe_dns_duration_seconds", (("phase", "resolve"),)):
            if (float(v) == 0) != (float(gv) == 0):
                errs.append("%s = %s, expected %s" % (key, v, "0" if float(gv) == 0 else ">0"))
            continue
        if v != gv:
            errs.append("%s = %s, expected %s" % (key, v, gv))
    if errs:
        _fail(errs, body)


CASES.append(Case("dot_udp_config_error_as_blackbox", _udp_golden))
