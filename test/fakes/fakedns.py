#!/usr/bin/env python3
"""fakedns -- misbehaving DNS servers on loopback, one behaviour per port.

Each behaviour gets one port number, served over UDP and TCP (2-byte length
framing, one answer per connection) on a single loopback address. Ports are
chosen by the kernel (bind to port 0), then the TCP socket is bound to the same
number; so they are free by construction.

As a library:
    srv = FakeDNS("127.0.0.62")
    ports = srv.start()          # {"silent": 40123, "wrong_id": 40124, ...}
    ...
    srv.stop()
As a script:
    fakedns.py --host 127.0.0.62 [--only silent,garbage]
prints the port map as one JSON line on stdout, then serves until SIGTERM/SIGINT.

Python 3 standard library only. Only loopback addresses are accepted.
"""

import argparse
import os
import selectors
import socket
import struct
import sys
import threading
import time

if __name__ == "__main__":  # as a script: test/ on the path, for the harness package
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from harness.fakes import FakeServer, name_wire, serve_main  # noqa: E402

QR, AA, TC, RD = 0x8000, 0x0400, 0x0200, 0x0100

# behaviour name -> one-line description (the order is the port order).
BEHAVIOURS = {
    "silent": "never answers (UDP: drops; TCP: reads the query and holds the connection)",
    "wrong_id": "answers with ID+1 (one A record)",
    "big_notc": "~880-byte answer (4 TXT records of 201 bytes) with TC=0",
    "opt_badsig": "A record plus OPT with extended rcode 1 and DO: rcode 16 (BADSIG)",
    "garbage": "5 bytes 01 02 03 04 05",
    "tc_partial": "TC=1, ANCOUNT 2, the second A record cut in the middle",
    "tc_empty": "TC=1, question only, no records",
    "other_question": "question other.example A, answer 192.0.2.8",
    "qr0": "QR=0 (otherwise a normal A answer)",
    "two_soa": "two SOA records, serials 4294967295 then 7",
    "rcode11": "rcode 11 (no name in miekg 1.1.50), question only",
    "opt_ok": "A record plus OPT with extended rcode 0, no DO",
    "qdcount0": "NOERROR, QDCOUNT 0, no records",
    "hdr_refused": "12-byte header only, REFUSED, QDCOUNT 0",
    "hdr_servfail": "12-byte header only, SERVFAIL, QDCOUNT 0",
    "hdr_notimp": "12-byte header only, NOTIMP, QDCOUNT 0",
    "hdr_formerr": "12-byte header only, FORMERR, QDCOUNT 0, no OPT",
    "hdr_nxdomain": "12-byte header only, NXDOMAIN, QDCOUNT 0",
    "hdr_refused_opt": "REFUSED, QDCOUNT 0, an OPT record (UDP size 1232) in the additional section",
    "hdr_refused_split": "as hdr_refused_opt; over TCP sent in pieces (1, 7, rest) 50 ms apart",
    "servfail": "SERVFAIL with the question echoed",
    "comp_loop": "ANCOUNT 1 whose owner is a compression pointer to itself",
    "big1200": "~1200-byte answer (5 TXT records of 221 bytes) with TC=0",
    "echo": "TXT answer describing the query: rd, opcode, qdcount, arcount, qtype, qclass, qname",
}


# The header-only answers (hdr_<name>): their rcodes.
HEADER_ONLY_RCODES = {"formerr": 1, "servfail": 2, "nxdomain": 3, "notimp": 4, "refused": 5}


def _rr(owner, rtype, rclass, ttl, rdata):
    return owner + struct.pack(">HHIH", rtype, rclass, ttl, len(rdata)) + rdata


def _hdr(qid, flags, qd, an, ns, ar):
    return struct.pack(">HHHHHH", qid, flags, qd, an, ns, ar)


def parse_query(pkt):
    """Return (id, flags, qdcount, arcount, question bytes, qname text, qtype, qclass) or None."""
    if len(pkt) < 12:
        return None
    qid, flags, qd, _an, _ns, ar = struct.unpack(">HHHHHH", pkt[:12])
    if qd < 1:
        return None
    off, labels = 12, []
    while True:
        if off >= len(pkt):
            return None
        n = pkt[off]
        if n == 0:
            off += 1
            break
        if n > 63 or off + 1 + n > len(pkt):
            return None
        labels.append(pkt[off + 1:off + 1 + n])
        off += 1 + n
    if off + 4 > len(pkt):
        return None
    qtype, qclass = struct.unpack(">HH", pkt[off:off + 4])
    qname = ".".join(l.decode("latin-1") for l in labels) + "."
    return qid, flags, qd, ar, pkt[12:off + 4], qname, qtype, qclass


def build_reply(behaviour, pkt):
    """The reply bytes for one query, or None for no reply."""
    q = parse_query(pkt)
    if q is None:
        return None
    qid, qflags, qd, ar, qsec, qname, qtype, qclass = q
    rd = qflags & RD
    base = QR | AA | rd
    ptr = b"\xc0\x0c"  # the question name
    a_rr = _rr(ptr, 1, 1, 60, socket.inet_aton("192.0.2.7"))
    if behaviour == "silent":
        return None
    if behaviour == "wrong_id":
        return _hdr((qid + 1) & 0xFFFF, base, 1, 1, 0, 0) + qsec + a_rr
    if behaviour == "big_notc":
        txts = b"".join(_rr(ptr, 16, 1, 60, bytes([200]) + b"x" * 200) for _ in range(4))
        return _hdr(qid, base, 1, 4, 0, 0) + qsec + txts
    if behaviour == "big1200":
        txts = b"".join(_rr(ptr, 16, 1, 60, bytes([220]) + b"y" * 220) for _ in range(5))
        return _hdr(qid, base, 1, 5, 0, 0) + qsec + txts
    if behaviour == "opt_badsig":
        # OPT: root owner, type 41, class = UDP size 1232, TTL = ext-rcode 1 << 24 | version 0 | DO.
        opt = b"\x00" + struct.pack(">HHIH", 41, 1232, (1 << 24) | 0x8000, 0)
        return _hdr(qid, base, 1, 1, 0, 1) + qsec + a_rr + opt
    if behaviour == "opt_ok":
        opt = b"\x00" + struct.pack(">HHIH", 41, 1232, 0, 0)
        return _hdr(qid, base, 1, 1, 0, 1) + qsec + a_rr + opt
    if behaviour == "garbage":
        return b"\x01\x02\x03\x04\x05"
    if behaviour == "tc_partial":
        return (_hdr(qid, base | TC, 1, 2, 0, 0) + qsec + a_rr + a_rr)[:-3]
    if behaviour == "tc_empty":
        return _hdr(qid, base | TC, 1, 0, 0, 0) + qsec
    if behaviour == "other_question":
        q2 = name_wire("other.example") + struct.pack(">HH", 1, 1)
        return _hdr(qid, base, 1, 1, 0, 0) + q2 + _rr(ptr, 1, 1, 60, socket.inet_aton("192.0.2.8"))
    if behaviour == "qr0":
        return _hdr(qid, AA | rd, 1, 1, 0, 0) + qsec + a_rr
    if behaviour == "two_soa":
        def soa(serial):
            return name_wire("ns.x") + name_wire("h.x") + struct.pack(">IIIII", serial, 1, 2, 3, 4)
        return (_hdr(qid, base, 1, 2, 0, 0) + qsec
                + _rr(ptr, 6, 1, 60, soa(4294967295)) + _rr(ptr, 6, 1, 60, soa(7)))
    if behaviour == "rcode11":
        return _hdr(qid, base | 11, 1, 0, 0, 0) + qsec
    if behaviour == "qdcount0":
        return _hdr(qid, base, 0, 0, 0, 0)
    if behaviour.startswith("hdr_") and behaviour[4:] in HEADER_ONLY_RCODES:
        return _hdr(qid, base | HEADER_ONLY_RCODES[behaviour[4:]], 0, 0, 0, 0)
    if behaviour in ("hdr_refused_opt", "hdr_refused_split"):
        return _hdr(qid, base | 5, 0, 0, 0, 1) + b"\x00" + struct.pack(">HHIH", 41, 1232, 0, 0)
    if behaviour == "servfail":
        return _hdr(qid, base | 2, 1, 0, 0, 0) + qsec
    if behaviour == "comp_loop":
        # The answer's owner is a pointer to its own offset.
        off = 12 + len(qsec)
        loop = struct.pack(">H", 0xC000 | off)
        return _hdr(qid, base, 1, 1, 0, 0) + qsec + _rr(loop, 1, 1, 60, socket.inet_aton("192.0.2.9"))
    if behaviour == "echo":
        text = "rd=%d opcode=%d qdcount=%d arcount=%d qtype=%d qclass=%d qname=%s" % (
            1 if rd else 0, (qflags >> 11) & 0xF, qd, ar, qtype, qclass, qname)
        data = text.encode("latin-1")[:255]
        return _hdr(qid, base, 1, 1, 0, 0) + qsec + _rr(ptr, 16, qclass, 0, bytes([len(data)]) + data)
    raise ValueError("unknown behaviour %r" % behaviour)


# Behaviours whose TCP answer (length prefix included) goes out in pieces: the first two
# split the length word and the header, so a reader sees partial reads at every stage.
SPLIT_TCP = {"hdr_refused_split": (1, 7)}
SPLIT_PAUSE = 0.05


def _send_split(conn, reply):
    data = struct.pack(">H", len(reply)) + reply
    try:
        conn.setblocking(True)
        conn.settimeout(5)
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for n in SPLIT_TCP["hdr_refused_split"]:
            conn.sendall(data[:n])
            data = data[n:]
            time.sleep(SPLIT_PAUSE)
        conn.sendall(data)
    except OSError:
        pass
    finally:
        conn.close()


class FakeDNS(FakeServer):
    """All behaviours on one loopback address, served by one thread."""

    name = "fakedns"

    def __init__(self, host, behaviours=None):
        super().__init__(host)
        self.behaviours = list(behaviours or BEHAVIOURS)
        for b in self.behaviours:
            if b not in BEHAVIOURS:
                raise ValueError("unknown behaviour %r" % b)
        self.queries = {b: [] for b in self.behaviours}  # raw query bytes received
        self._conns = {}
        self._lock = threading.Lock()

    def _bind(self):
        for b in self.behaviours:
            self.bind_pair(b)

    def _close_extra(self):
        for c in list(self._conns):
            c.close()
        self._conns.clear()

    def _on(self, kind, b, sock):
        if kind == "udp":
            self._on_udp(sock, b)
        elif kind == "listen":
            self._on_accept(sock, b)
        elif kind == "conn":
            self._on_conn(sock, b)

    def _record(self, behaviour, pkt):
        with self._lock:
            self.queries[behaviour].append(bytes(pkt))

    def _on_udp(self, sock, behaviour):
        pkt, addr = sock.recvfrom(65535)
        self._record(behaviour, pkt)
        reply = build_reply(behaviour, pkt)
        if reply is not None:
            sock.sendto(reply, addr)

    def _on_accept(self, lsock, behaviour):
        conn, _ = lsock.accept()
        conn.setblocking(False)
        self._conns[conn] = b""
        self._sel.register(conn, selectors.EVENT_READ, ("conn", behaviour))

    def _drop(self, conn):
        self._sel.unregister(conn)
        self._conns.pop(conn, None)
        conn.close()

    def _on_conn(self, conn, behaviour):
        try:
            data = conn.recv(65535)
        except OSError:
            data = b""
        if not data:
            self._drop(conn)
            return
        buf = self._conns[conn] + data
        self._conns[conn] = buf
        if len(buf) < 2:
            return
        (n,) = struct.unpack(">H", buf[:2])
        if len(buf) < 2 + n:
            return
        pkt = buf[2:2 + n]
        self._conns[conn] = buf[2 + n:]
        self._record(behaviour, pkt)
        reply = build_reply(behaviour, pkt)
        if reply is None:
            return  # hold the connection open until the client gives up
        if behaviour in SPLIT_TCP:
            # Paced from a thread of its own, so the other behaviours are not held up.
            self._sel.unregister(conn)
            self._conns.pop(conn, None)
            threading.Thread(target=_send_split, args=(conn, reply), daemon=True).start()
            return
        conn.setblocking(True)
        conn.settimeout(5)
        try:
            conn.sendall(struct.pack(">H", len(reply)) + reply)
        finally:
            self._drop(conn)


def main(argv=None):
    ap = argparse.ArgumentParser(description="misbehaving DNS servers on a loopback address")
    ap.add_argument("--host", help="loopback address to bind, e.g. 127.0.0.62 or ::1")
    ap.add_argument("--only", help="comma-separated behaviours (default: all)")
    ap.add_argument("--list", action="store_true", help="list the behaviours and exit")
    args = ap.parse_args(argv)
    if args.list:
        for name, desc in BEHAVIOURS.items():
            print("%-15s %s" % (name, desc))
        return 0
    if not args.host:
        ap.error("--host is required")
    try:
        srv = FakeDNS(args.host, args.only.split(",") if args.only else None)
    except ValueError as e:
        ap.error(str(e))
    return serve_main(srv, lambda ports: {"host": args.host, "ports": ports})

if __name__ == "__main__":
    sys.exit(main())
