"""relay -- a UDP relay on loopback that keeps the queries it forwards, to read the OPT record
nsprobe sends (RFC 6891 6.1.2: class = UDP payload size, TTL bit 15 = DO; RFC 5001: NSID, code 3).

    r = Relay("127.0.0.x", upstream=(knot_addr, knot_port)); r.start()
    r.clear(); ...probe r.addr:r.port...; r.queries -> [bytes, ...]; r.stop()
"""

import struct

import harness.relay


class Relay(harness.relay.Relay):
    """One UDP port forwarding to upstream over UDP (so the upstream sees nsprobe's own payload
    size), keeping every query."""

    def __init__(self, addr, upstream):
        super().__init__(addr, upstream, udp_only=True)

    def start(self):
        super().start()
        return self


def parse_query(pkt):
    """{'qname', 'qtype', 'rd', 'opt': None | {'udp_size', 'do', 'version', 'options': [(code, bytes)]}}
    of a query as a stub sends it (no compression)."""
    _qid, flags, qd, an, ns, ar = struct.unpack(">HHHHHH", pkt[:12])
    off = 12
    labels = []
    while pkt[off]:
        labels.append(pkt[off + 1:off + 1 + pkt[off]].decode("ascii", "replace"))
        off += 1 + pkt[off]
    off += 1
    qtype, _qclass = struct.unpack(">HH", pkt[off:off + 4])
    off += 4
    out = {"qname": ".".join(labels) + ".", "qtype": qtype, "rd": bool(flags & 0x0100), "opt": None,
           "arcount": ar}
    for _ in range(an + ns + ar):
        if pkt[off] != 0:
            raise ValueError("unexpected owner name in a query's records")
        rtype, rclass, ttl, rdlen = struct.unpack(">HHIH", pkt[off + 1:off + 11])
        rdata = pkt[off + 11:off + 11 + rdlen]
        off += 11 + rdlen
        if rtype == 41:
            opts, o = [], 0
            while o + 4 <= len(rdata):
                code, ln = struct.unpack(">HH", rdata[o:o + 4])
                opts.append((code, rdata[o + 4:o + 4 + ln]))
                o += 4 + ln
            out["opt"] = {"udp_size": rclass, "do": bool(ttl & 0x8000), "version": (ttl >> 16) & 0xFF,
                          "options": opts}
    return out
