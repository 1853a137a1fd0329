#!/usr/bin/env python3
"""sigrules_gen -- answers and DNSKEY sets for the signature rules of issue 14 (RFC 4035 5.2-5.3,
RFC 5011 2.1, RFC 6672 5.3.1, RFC 6840 5.11), signed here with python3-cryptography (Debian's).

Writes sigrules.txt (read by test/unit/dns/test_dnssec.c), one block per case:
    case <id> <now> <apex>
    msg <answer hex>                the answer to check (its answer section)
    keys <DNSKEY answer hex>        the zone's DNSKEY answer
    ds <owner> <tag> <alg> <digest type> <digest hex>     0 or more: the parent's DS
    expect <key set reason> [<reason of each RRset of msg, in order>]
    end
Reasons are dnssec_reason_name() texts with "_" for spaces; the RRset reasons are only checked
when the key set is valid. Every key is Ed25519 or Ed448 from a fixed seed, and both schemes are
deterministic, so the file is reproducible byte for byte. The zone is sr.test.
"""
import hashlib
import os
import struct
import sys

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed448, ed25519

NOW = 1800000000
INC, EXP = NOW - 86400, NOW + 30 * 86400
TTL = 300
A, NS, CNAME, SOA, DNAME, DS, RRSIG, DNSKEY = 1, 2, 5, 6, 39, 43, 46, 48

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))  # test/
from harness.fakes import name_wire as wire  # noqa: E402  (secure_gen.py imports it from here)


def labels(name):
    return len([x for x in name.rstrip(".").split(".") if x])


class Key:
    def __init__(self, seed, flags=256, alg=15):
        self.alg, self.flags = alg, flags
        if alg == 15:
            self.priv = ed25519.Ed25519PrivateKey.from_private_bytes(bytes([seed]) * 32)
        else:
            self.priv = ed448.Ed448PrivateKey.from_private_bytes(bytes([seed]) * 57)
        self.pub = self.priv.public_key().public_bytes(serialization.Encoding.Raw,
                                                       serialization.PublicFormat.Raw)

    def rdata(self, flags=None, protocol=3):
        return struct.pack(">HBB", self.flags if flags is None else flags, protocol, self.alg) + self.pub

    def tag(self, flags=None):
        rd = self.rdata(flags)
        ac = sum(b if i & 1 else b << 8 for i, b in enumerate(rd))
        return (ac + ((ac >> 16) & 0xFFFF)) & 0xFFFF


def sign(owner, rtype, rdatas, key, signer="sr.test.", nlabels=None, inc=INC, exp=EXP, alg=None,
         tag=None, signed_owner=None):
    """The RRSIG rdata over the RRset (owner, rtype, rdatas) by key (RFC 4034 3.1.8.1)."""
    nlabels = labels(owner) if nlabels is None else nlabels
    fixed = struct.pack(">HBBIIIH", rtype, alg or key.alg, nlabels, TTL, exp, inc,
                        key.tag() if tag is None else tag)
    if signed_owner is None:
        signed_owner = owner
        if nlabels < labels(owner):
            signed_owner = "*." + ".".join(owner.rstrip(".").split(".")[-nlabels:]) + "."
    data = fixed + wire(signer.lower())
    for rd in sorted(rdatas):
        data += wire(signed_owner.lower()) + struct.pack(">HHIH", rtype, 1, TTL, len(rd)) + rd
    return fixed + wire(signer.lower()) + key.priv.sign(data)


def msg(qname, qtype, rrs):
    out = struct.pack(">HHHHHH", 0x5152, 0x8400, 1, len(rrs), 0, 0) + wire(qname) + struct.pack(">HH", qtype, 1)
    for owner, rtype, rd in rrs:
        out += wire(owner) + struct.pack(">HHIH", rtype, 1, TTL, len(rd)) + rd
    return out


def ds_of(owner, rdata, digest_type):
    h = {1: hashlib.sha1, 2: hashlib.sha256, 4: hashlib.sha384}[digest_type]
    return h(wire(owner.lower()) + rdata).hexdigest()


KSK = Key(1, 257)
ZSK = Key(2, 256)
KSK2 = Key(3, 257)            # a second KSK (rollover)
OLD = Key(4, 257)             # a key no longer published
WWWKEY = Key(5, 256)          # a key published at www.sr.test.
ZSK448 = Key(6, 256, alg=16)  # algorithm rollover: 15 -> 16
KSK448 = Key(7, 257, alg=16)
WWW = "www.sr.test."
A_RDS = [bytes([192, 0, 2, 1]), bytes([192, 0, 2, 2])]


def www_a(key=ZSK, **kw):
    """www.sr.test. A, signed by key."""
    return [(WWW, A, rd) for rd in A_RDS] + [(WWW, RRSIG, sign(WWW, A, A_RDS, key, **kw))]


def keyset(rdatas, signers, **kw):
    """The DNSKEY answer at sr.test. holding rdatas, with an RRSIG by each key of signers."""
    rrs = [("sr.test.", DNSKEY, rd) for rd in rdatas]
    for k in signers:
        if isinstance(k, tuple):   # (key, flags it is published with)
            k, flags = k
            sig = sign("sr.test.", DNSKEY, rdatas, k, tag=k.tag(flags), **kw)
        else:
            sig = sign("sr.test.", DNSKEY, rdatas, k, **kw)
        rrs.append(("sr.test.", RRSIG, sig))
    return msg("sr.test.", DNSKEY, rrs)


CASES = []


def case(cid, answer, keys, expect, ds=(), apex="sr.test."):
    CASES.append((cid, apex, answer, keys, list(ds), expect))


STD = [KSK.rdata(), ZSK.rdata()]
GOOD_KEYS = keyset(STD, [KSK])
GOOD = msg(WWW, A, www_a())

# 1. The key set: self-signed by a usable key of its own (RFC 4035 5.3.1, RFC 5011 2.1)
case("keyset-ok", GOOD, GOOD_KEYS, "ok ok")
case("keyset-unsigned", GOOD, keyset(STD, []), "DNSKEY_set_not_self-signed")
case("keyset-signed-by-outsider", GOOD, keyset(STD, [OLD]), "DNSKEY_set_not_self-signed")
REV = [KSK.rdata(flags=257 | 0x80), ZSK.rdata()]
case("keyset-revoked-only", GOOD, keyset(REV, [(KSK, 257 | 0x80)]), "DNSKEY_set_signed_only_by_revoked_keys")
REV2 = [KSK.rdata(flags=257 | 0x80), KSK2.rdata(), ZSK.rdata()]
case("keyset-revoked-and-new", GOOD, keyset(REV2, [(KSK, 257 | 0x80), KSK2]), "ok ok")
NOZONE = [KSK.rdata(flags=1), ZSK.rdata()]
case("keyset-no-zone-flag", GOOD, keyset(NOZONE, [(KSK, 1)]), "DNSKEY_set_not_self-signed")
PROTO2 = [KSK.rdata(protocol=2), ZSK.rdata()]
case("keyset-protocol-2", GOOD, keyset(PROTO2, [KSK]), "DNSKEY_set_not_self-signed")
case("keyset-expired", GOOD, keyset(STD, [KSK], inc=NOW - 20 * 86400, exp=NOW - 86400), "expired")
case("keyset-bad-signature", GOOD, keyset(STD, [KSK], signed_owner="other.test."), "bad_signature")
# the ZSK is in the set but the RRSIG over the A RRset is by a key that is not
case("rrset-key-not-in-set", msg(WWW, A, www_a(OLD)), GOOD_KEYS, "ok no_matching_key")

# 2. DS (RFC 4034 5.1.4, RFC 4509, RFC 6605): some DS matches a key that signs the set
ksk_ds = {t: ("sr.test.", KSK.tag(), 15, t, ds_of("sr.test.", KSK.rdata(), t)) for t in (1, 2, 4)}
case("ds-sha1", GOOD, GOOD_KEYS, "ok ok", [ksk_ds[1]])
case("ds-sha256", GOOD, GOOD_KEYS, "ok ok", [ksk_ds[2]])
case("ds-sha384", GOOD, GOOD_KEYS, "ok ok", [ksk_ds[4]])
case("ds-sha256-owner-case", GOOD, GOOD_KEYS, "ok ok", [("SR.Test.",) + ksk_ds[2][1:]])
unknown = ("sr.test.", KSK.tag(), 15, 99, "00" * 32)
case("ds-unknown-type-skipped", GOOD, GOOD_KEYS, "ok ok", [unknown, ksk_ds[2]])
case("ds-unknown-type-only", GOOD, GOOD_KEYS, "no_DS_matches_a_key", [unknown])
old_ds = ("sr.test.", OLD.tag(), 15, 2, ds_of("sr.test.", OLD.rdata(), 2))
case("ds-old-key", GOOD, GOOD_KEYS, "no_DS_matches_a_key", [old_ds])
bad = ksk_ds[2][:4] + ("ff" + ksk_ds[2][4][2:],)
case("ds-digest-flipped", GOOD, GOOD_KEYS, "no_DS_matches_a_key", [bad])
zsk_ds = ("sr.test.", ZSK.tag(), 15, 2, ds_of("sr.test.", ZSK.rdata(), 2))
case("ds-matches-zsk-only", GOOD, GOOD_KEYS, "the_key_matching_the_DS_does_not_sign_the_DNSKEY_set", [zsk_ds])
case("ds-old-and-new", GOOD, GOOD_KEYS, "ok ok", [old_ds, ksk_ds[2]])
case("ds-revoked", GOOD, keyset(REV, [(KSK, 257 | 0x80)]), "DNSKEY_set_signed_only_by_revoked_keys",
     [("sr.test.", KSK.tag(257 | 0x80), 15, 2, ds_of("sr.test.", REV[0], 2))])

# 3. The signer is the zone apex (RFC 4035 5.3.1): a key published at www.sr.test. signs www's A
www_keys = [KSK.rdata(), ZSK.rdata()]
case("signer-not-apex", msg(WWW, A, www_a(WWWKEY, signer=WWW)), GOOD_KEYS, "ok signer_is_not_the_zone_apex")
# the same answer with www's own key set taken as the apex: the room cannot tell (see dnssec.h)
WWW_KEYS = msg(WWW, DNSKEY, [(WWW, DNSKEY, WWWKEY.rdata()),
                            (WWW, RRSIG, sign(WWW, DNSKEY, [WWWKEY.rdata()], WWWKEY, signer=WWW))])
case("signer-www-as-apex", msg(WWW, A, www_a(WWWKEY, signer=WWW)), WWW_KEYS, "ok ok", apex=WWW)

# 4. RRSIG labels no smaller than the signer's (RFC 4035 5.3.1): a signature over *.test.
W = "a.b.sr.test."
case("labels-wildcard-ok", msg(W, A, [(W, A, A_RDS[0]), (W, RRSIG, sign(W, A, A_RDS[:1], ZSK, nlabels=2))]),
     GOOD_KEYS, "ok ok")
case("labels-below-signer", msg(W, A, [(W, A, A_RDS[0]), (W, RRSIG, sign(W, A, A_RDS[:1], ZSK, nlabels=1))]),
     GOOD_KEYS, "ok RRSIG_labels_below_the_signer's")

# 5. DNAME (RFC 6672 5.3.1): the unsigned CNAME is the DNAME's synthesis
D, T = "d.sr.test.", "t.example."
DRD = wire(T)
DN = [(D, DNAME, DRD), (D, RRSIG, sign(D, DNAME, [DRD], ZSK))]
case("dname-ok", msg("x.d.sr.test.", A, DN + [("x.d.sr.test.", CNAME, wire("x.t.example."))]),
     GOOD_KEYS, "ok ok ok")
case("dname-ok-case", msg("X.y.D.sr.test.", A, DN + [("X.y.D.sr.test.", CNAME, wire("x.Y.T.Example."))]),
     GOOD_KEYS, "ok ok ok")
case("dname-wrong-target", msg("x.d.sr.test.", A, DN + [("x.d.sr.test.", CNAME, wire("y.t.example."))]),
     GOOD_KEYS, "ok ok CNAME_is_not_the_DNAME's_synthesis")
case("dname-cname-outside", msg("x.e.sr.test.", A, DN + [("x.e.sr.test.", CNAME, wire("x.t.example."))]),
     GOOD_KEYS, "ok ok missing_rrsig")
case("dname-at-cname-owner", msg("d.sr.test.", A, DN + [("d.sr.test.", CNAME, wire("t.example."))]),
     GOOD_KEYS, "ok ok missing_rrsig")
BAD_DN = [(D, DNAME, DRD), (D, RRSIG, sign(D, DNAME, [DRD], ZSK, signed_owner="e.sr.test."))]
case("dname-unverified", msg("x.d.sr.test.", A, BAD_DN + [("x.d.sr.test.", CNAME, wire("x.t.example."))]),
     GOOD_KEYS, "ok bad_signature missing_rrsig")
# owner and target too long for a synthesis (RFC 6672 2.2: YXDOMAIN): no CNAME can match
LONG = ".".join(["a" * 63] * 3) + ".abcdef."      # 200 octets; with the owner's 64: 264
XO = "x" * 63 + ".d.sr.test."
case("dname-too-long", msg(XO, A, [(D, DNAME, wire(LONG)), (D, RRSIG, sign(D, DNAME, [wire(LONG)], ZSK)),
                                   (XO, CNAME, wire("x.t.example."))]),
     GOOD_KEYS, "ok ok CNAME_is_not_the_DNAME's_synthesis")

# 6. Algorithm rollover (RFC 6840 5.11): one valid signature by a key of the set is enough
ROLL = [KSK.rdata(), ZSK.rdata(), KSK448.rdata(), ZSK448.rdata()]
ROLL_KEYS = keyset(ROLL, [KSK, KSK448])
two = [(WWW, A, rd) for rd in A_RDS] + [(WWW, RRSIG, sign(WWW, A, A_RDS, ZSK)),
                                        (WWW, RRSIG, sign(WWW, A, A_RDS, ZSK448))]
case("rollover-both", msg(WWW, A, two), ROLL_KEYS, "ok ok")
one_bad = [(WWW, A, rd) for rd in A_RDS] + [(WWW, RRSIG, sign(WWW, A, A_RDS, ZSK, signed_owner="x.sr.test.")),
                                            (WWW, RRSIG, sign(WWW, A, A_RDS, ZSK448))]
case("rollover-one-bad", msg(WWW, A, one_bad), ROLL_KEYS, "ok ok")
unk = [(WWW, A, rd) for rd in A_RDS] + [(WWW, RRSIG, sign(WWW, A, A_RDS, ZSK, alg=253, tag=ZSK.tag())),
                                        (WWW, RRSIG, sign(WWW, A, A_RDS, ZSK))]
case("rollover-unknown-alg-skipped", msg(WWW, A, unk), GOOD_KEYS, "ok ok")
case("rollover-unknown-alg-only", msg(WWW, A, unk[:3]), GOOD_KEYS, "ok unsupported_algorithm")
# the key set signed by an unknown algorithm and by a usable key
case("rollover-keyset-unknown-alg", GOOD,
     msg("sr.test.", DNSKEY, [("sr.test.", DNSKEY, rd) for rd in STD] +
         [("sr.test.", RRSIG, sign("sr.test.", DNSKEY, STD, KSK, alg=253)),
          ("sr.test.", RRSIG, sign("sr.test.", DNSKEY, STD, KSK))]), "ok ok")
# the key set signed by the new algorithm's KSK only, the DS still on the old one
case("rollover-ds-old-alg", GOOD, keyset(ROLL, [KSK448]),
     "the_key_matching_the_DS_does_not_sign_the_DNSKEY_set", [ksk_ds[2]])

if __name__ == "__main__":   # secure_gen.py imports the keys and helpers
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "sigrules.txt"), "w") as f:
        f.write("# Signature rules of issue 14, written by sigrules_gen.py. See there for the format.\n")
        for cid, apex, answer, keys, ds, expect in CASES:
            f.write("case %s %d %s\nmsg %s\nkeys %s\n" % (cid, NOW, apex, answer.hex(), keys.hex()))
            for d in ds:
                f.write("ds %s %d %d %d %s\n" % d)
            f.write("expect %s\nend\n" % expect)
