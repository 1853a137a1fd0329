"""relay -- a UDP relay on loopback that keeps the queries it forwards, to read the OPT record
nsprobe sends (RFC 6891 6.1.2: class = UDP payload size, TTL bit 15 = DO; RFC 5001: NSID, code 3).

    r = Relay("127.0.0.x", upstream=(knot_addr, knot_port)); r.start()
    r.clear(); ...probe r.addr:r.port...; r.queries -> [bytes, ...]; r.stop()
"""

import selectors
import socket
import struct
import threading

import fixture


class Relay:
    def __init__(self, addr, upstream):
        self.addr = addr
        self.upstream = upstream
        self.port = None
        self.queries = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = None
        self._sock = None

    def start(self):
        self.port = fixture.free_port([self.addr], kinds=("udp",))
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._sock.bind((self.addr, self.port))
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def clear(self):
        with self._lock:
            self.queries = []

    def taken(self):
        with self._lock:
            return list(self.queries)

    def _run(self):
        sel = selectors.DefaultSelector()
        sel.register(self._sock, selectors.EVENT_READ)
        while not self._stop.is_set():
            if not sel.select(0.1):
                continue
            try:
                pkt, client = self._sock.recvfrom(65535)
            except OSError:
                continue
            with self._lock:
                self.queries.append(pkt)
            up = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            try:
                up.settimeout(3)
                up.sendto(pkt, self.upstream)
                reply, _ = up.recvfrom(65535)
                self._sock.sendto(reply, client)
            except OSError:
                pass                      # no answer: the probe times out and says so
            finally:
                up.close()
        sel.close()

    def stop(self):
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
        if self._sock is not None:
            self._sock.close()


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
