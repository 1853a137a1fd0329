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
               "none) and the probe times out; blackbox_exporter accepts an answer to another "
               "question, which is a spoofing hole (RFC 5452)",
        shows=_all(_metric("probe_dns_query_succeeded", "0"), _metric("probe_success", "0"))),
    "short_reply": dict(
        reason="a reply shorter than a DNS header is dropped by nsprobe (c-ares) and the probe "
               "times out; blackbox_exporter fails at once with 'dns: short read'. "
               "probe_success is 0 either way",
        shows=_all(_metric("probe_dns_query_succeeded", "0"), _metric("probe_success", "0"))),
    "formerr_no_opt": dict(
        reason="a FORMERR answer without OPT makes c-ares 1.18 resend a mangled query and the "
               "probe fails (UDP: times out); blackbox_exporter reports the FORMERR rcode. "
               "probe_success is 0 either way unless FORMERR is listed in valid_rcodes. Until "
               "nsprobe retires that c-ares channel, later probes on it see the FORMERR as "
               "blackbox does, so a match is accepted too",
        shows=_all(_metric("probe_dns_query_succeeded", "0"), _metric("probe_success", "0")),
        may_match=True),
    "non_dns_prober": dict(
        reason="nsprobe runs DNS probes only: a module whose prober is http, tcp, icmp or grpc "
               "loads, and probing it answers 400 instead of running that prober",
        shows=_status(400, "is not supported by nsprobe")),
}

# key -> dict(reason=..., shows=None or a check as above). Empty when nsprobe has no known bug.
KNOWN_BUGS = {
    "tcp_connection_reuse": dict(
        reason="nsprobe sends several concurrent TCP probes to the same server over one pooled "
               "c-ares TCP connection; a server that answers one query per connection and "
               "closes it (what blackbox does to it: one connection per probe) makes the other "
               "probes fail at once with 'read tcp4 A:P: connection refused'. Typically 10-14 "
               "of 20 simultaneous probes fail; blackbox: all succeed",
        shows=None, may_match=True),
    "tcp_refused_phase": dict(
        reason="TCP connect refused: blackbox fails at dial ('dial tcp4 A:P: connect: connection "
               "refused', phase request 0, all the time in connect); nsprobe reports it as a read "
               "error ('read tcp4 A:P: connection refused') with a non-zero request phase",
        shows=None),
    "udp_port0_phase": dict(
        reason="target 'ip:' (port 0) over UDP: nsprobe fails at dial ('dial udp4 A:: connect: "
               "connection refused', request phase 0) while blackbox here dials, writes and fails "
               "on read ('read udp4 ...->A:0: read: connection refused', request phase non-zero); "
               "what Go sees may depend on the kernel (this machine runs gVisor)",
        shows=None),
    "ipv4_inet_aton_forms": dict(
        reason="a target host in inet_aton form with leading zeros (127.000.000.001) is taken as "
               "an IPv4 literal by nsprobe; Go's net.ParseIP rejects it, so blackbox looks it up "
               "as a name and fails to resolve it",
        shows=None),
}
