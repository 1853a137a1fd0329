"""deviations -- where nsprobe answers differently from blackbox_exporter 0.23, on purpose or not.

DEVIATIONS: deliberate. blackbox_exporter's behaviour there is a plain bug or a library limit no
user can rely on; each entry has the reason (shown in the run and in DEVIATIONS.md) and `shows`,
a check that nsprobe's own answer is the documented one (so a listed case cannot hide any other
difference in nsprobe's output).
KNOWN_BUGS: differences that are bugs in nsprobe, listed so the suite stays green while they are
fixed. Remove an entry when its fix lands: a listed case that matches fails the run as "fixed".
"""

import re


def _metric(name, value):
    pat = re.compile(r"^%s %s$" % (re.escape(name), re.escape(value)), re.M)
    return lambda status, body: status == 200 and pat.search(body) is not None


def _all(*checks):
    return lambda status, body: all(c(status, body) for c in checks)


def _status(code, text=None):
    return lambda status, body: status == code and (text is None or text in body)


DEVIATIONS = {
    "udp_over_512": dict(
        reason="nsprobe reads UDP answers larger than 512 bytes; blackbox_exporter reads them into "
               "a 512-byte buffer and fails with 'dns: overflowing header size', although the "
               "answer arrived intact",
        shows=_all(_metric("probe_dns_query_succeeded", "1"), _metric("probe_success", "1"))),
    "question_mismatch": dict(
        reason="nsprobe ignores a reply whose question section does not match the query (or has "
               "none and says NOERROR, NXDOMAIN or YXDOMAIN) and the probe times out; "
               "blackbox_exporter accepts an answer to another question, which is a spoofing hole "
               "(RFC 5452)",
        shows=_all(_metric("probe_dns_query_succeeded", "0"), _metric("probe_success", "0"))),
    "short_reply": dict(
        reason="a reply shorter than a DNS header is dropped by nsprobe (c-ares) and the probe "
               "times out; blackbox_exporter fails at once with 'dns: short read'. "
               "probe_success is 0 either way",
        shows=_all(_metric("probe_dns_query_succeeded", "0"), _metric("probe_success", "0"))),
    "udp_port0": dict(
        reason="a target with an empty port ('ip:'): Go dials port 0 and the kernel refuses the "
               "datagram (blackbox fails at read); c-ares would take port 0 as 'the default port "
               "53' and probe another port, so nsprobe fails at dial with the same error. "
               "probe_success is 0 either way; only the phase split differs",
        shows=_all(_metric("probe_dns_query_succeeded", "0"), _metric("probe_success", "0"))),
    "dot_cn_fallback": dict(
        reason="DoT with server_name against a certificate without SANs whose CN is that name: "
               "GnuTLS (nsprobe) matches the CN and the probe succeeds; Go 1.19 "
               "(blackbox_exporter) ignores the CN and fails verification (README lists it)",
        shows=_all(_metric("probe_dns_query_succeeded", "1"), _metric("probe_success", "1"))),
    "non_dns_prober": dict(
        reason="nsprobe runs DNS probes only: a module whose prober is http, tcp, icmp or grpc "
               "loads, and probing it answers 400 instead of running that prober",
        shows=_status(400, "is not supported by nsprobe")),
    "no_module_hint": dict(
        reason="a /probe without module= asks for blackbox_exporter's default module, http_2xx; "
               "when the config has none, nsprobe answers blackbox's 400 'Unknown module "
               "\"http_2xx\"' line and then says why and names the DNS modules loaded. Only the "
               "body grows: Prometheus and vmagent show the status, not the body",
        shows=_status(400, 'Unknown module "http_2xx"\nThe request has no module= parameter')),
    "err_socket_addresses": dict(
        reason="debug-log err texts of a failed read: Go names its socket's ephemeral local "
               "address and the call that failed ('read udp4 127.0.0.1:52900->127.0.0.5:53: read: "
               "connection refused', '...: i/o timeout'); nsprobe names the server only ('read "
               "udp4 127.0.0.5:53: connection refused'): c-ares owns and closes the socket, and the "
               "port is random, so no search or alert can depend on it. Metrics are the same",
        shows=_all(_metric("probe_success", "0"),
                   lambda status, body: re.search(
                       r'err="read udp[46] [^ ]+:\d+: (connection refused|i/o timeout)"', body)
                   is not None)),
}

# key -> dict(reason=..., shows=None or a check as above). Empty when nsprobe has no known bug.
KNOWN_BUGS = {
}
