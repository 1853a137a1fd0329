#!/usr/bin/env python3
"""limits_gen -- RSASHA256 answers signed with keys at and past the size limits of dnssec.c.

Writes limits.txt (read by test/unit/dns/test_dnssec.c): one block per case,
    case <id> <now> <reason dnssec_reason_name() must give>
    msg <answer hex>      www.rsa.test. A 192.0.2.1 and its RRSIG (a correct signature)
    keys <DNSKEY answer hex>
    end
Every signature is mathematically valid, so only the key-size rule can make a case fail. Primes
are Miller-Rabin tested (seeded, so the file is reproducible); the signing is plain PKCS#1 v1.5 (RFC 3447 8.2, RFC 5702 3).
"""
import hashlib
import math
import os
import struct

import random

NOW = 1800000000
RNG = random.Random(9276)
ZONE = b"\x03rsa\x04test\x00"
OWNER = b"\x03www" + ZONE
DIGESTINFO_SHA256 = bytes.fromhex("3031300d060960864801650304020105000420")


def prime(bits, rng):
    """A random prime of exactly `bits` bits with its top two bits set (Miller-Rabin, 40 rounds)."""
    while True:
        c = rng.getrandbits(bits) | (3 << (bits - 2)) | 1
        d, r = c - 1, 0
        while d % 2 == 0:
            d, r = d // 2, r + 1
        for _ in range(40):
            x = pow(rng.randrange(2, c - 1), d, c)
            if x in (1, c - 1):
                continue
            for _ in range(r - 1):
                x = pow(x, 2, c)
                if x == c - 1:
                    break
            else:
                break
        else:
            return c


def primes(bits, rng):
    return prime(bits // 2, rng), prime(bits - bits // 2, rng)


def i2b(v, n=None):
    n = n or (v.bit_length() + 7) // 8
    return v.to_bytes(n, "big")


def case(e_wanted_bits, mod_bits):
    while True:
        p, q = primes(mod_bits, RNG)
        phi = (p - 1) * (q - 1)
        e = 65537 if e_wanted_bits == 17 else (1 << (e_wanted_bits - 1)) | 1
        while math.gcd(e, phi) != 1:
            e += 2
        if e.bit_length() == e_wanted_bits:
            break
    n = p * q
    d = pow(e, -1, phi)
    eb = i2b(e)
    pub = bytes([len(eb)]) + eb + i2b(n)
    dnskey = struct.pack(">HBB", 257, 3, 8) + pub
    ac = sum(b if i & 1 else b << 8 for i, b in enumerate(dnskey))
    tag = (ac + ((ac >> 16) & 0xFFFF)) & 0xFFFF
    a = bytes([192, 0, 2, 1])
    fixed = struct.pack(">HBBIIIH", 1, 8, 3, 300, NOW + 86400 * 30, NOW - 86400, tag)
    data = fixed + ZONE + OWNER + struct.pack(">HHIH", 1, 1, 300, 4) + a
    k = (n.bit_length() + 7) // 8
    t = DIGESTINFO_SHA256 + hashlib.sha256(data).digest()
    em = b"\x00\x01" + b"\xff" * (k - len(t) - 3) + b"\x00" + t
    sig = i2b(pow(int.from_bytes(em, "big"), d, n), k)
    rrsig = fixed + ZONE + sig
    q = OWNER + struct.pack(">HH", 1, 1)
    msg = (struct.pack(">HHHHHH", 1, 0x8400, 1, 2, 0, 0) + q
           + b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 300, 4) + a
           + b"\xc0\x0c" + struct.pack(">HHIH", 46, 1, 300, len(rrsig)) + rrsig)
    kq = ZONE + struct.pack(">HH", 48, 1)
    keys = (struct.pack(">HHHHHH", 2, 0x8400, 1, 1, 0, 0) + kq
            + b"\xc0\x0c" + struct.pack(">HHIH", 48, 1, 300, len(dnskey)) + dnskey)
    return msg, keys


CASES = [
    ("exponent-35-bits", 35, 1024, "ok"),          # BIND's RSA_MAX_PUBEXP_BITS: accepted
    ("exponent-36-bits", 36, 1024, "bad_key"),     # one bit more: refused
    ("modulus-1024-bits", 17, 1024, "ok"),
    ("modulus-504-bits", 17, 504, "bad_key"),      # under RFC 3110's 512 bits
]

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "limits.txt"), "w") as f:
    f.write("# RSA key-size limits, written by limits_gen.py. See there for the format.\n")
    for cid, ebits, mbits, reason in CASES:
        msg, keys = case(ebits, mbits)
        f.write("case %s %d %s\nmsg %s\nkeys %s\nend\n" % (cid, NOW, reason, msg.hex(), keys.hex()))
