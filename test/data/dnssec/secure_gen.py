#!/usr/bin/env python3
"""secure_gen -- the messages of a probe's DNSSEC verdict (probe/secure): answers, the DNSKEY, SOA,
DS, CDS and CDNSKEY answers fetched for them, and NSEC/NSEC3 proofs, signed here with
python3-cryptography (Debian's) by the fixed-seed Ed25519/Ed448 keys of sigrules_gen.py.

Writes secure.txt (read by test/unit/probe/test_secure.c), one line per item:
    msg <name> <message hex>       a whole DNS message (answer, authority sections; rcode set)
    text <name> <text>             a string the test needs (a DS as a registrar shows it, a key tag)
    line <name> <text>             one line of a multi-line string (probe_dnssec_key_info's samples,
                                   in the order the exposition sorts them)
Both signature schemes are deterministic, so the file is reproducible byte for byte. The zone is
sr.test.; the clock of every case is sigrules_gen.NOW.
"""
import base64
import hashlib
import os
import struct

import sigrules_gen as sg
from sigrules_gen import A, CNAME, DNSKEY, DS, NS, RRSIG, SOA, TTL, Key, sign, wire

NSEC, NSEC3, CDS, CDNSKEY = 47, 50, 59, 60
Z = "sr.test."
KSK, ZSK, KSK2, OLD, ZSK448 = sg.KSK, sg.ZSK, sg.KSK2, sg.OLD, sg.ZSK448
SUBKEY = Key(8, 257)          # a key published at sub.sr.test., which is no zone
OUT = []


def message(qname, qtype, answer=(), authority=(), rcode=0):
    out = struct.pack(">HHHHHH", 0x5153, 0x8400 | rcode, 1, len(answer), len(authority), 0)
    out += wire(qname) + struct.pack(">HH", qtype, 1)
    for owner, rtype, rd in list(answer) + list(authority):
        out += wire(owner) + struct.pack(">HHIH", rtype, 1, TTL, len(rd)) + rd
    return out


def signed(owner, rtype, rdatas, key=ZSK, signer=Z, **kw):
    """The RRset and its RRSIG."""
    return [(owner, rtype, rd) for rd in rdatas] + [(owner, RRSIG, sign(owner, rtype, rdatas, key, signer=signer, **kw))]


def bitmap(types):
    """The type bitmap of NSEC/NSEC3 (RFC 4034 4.1.2), window 0 only."""
    bits = bytearray(32)
    for t in types:
        bits[t // 8] |= 0x80 >> (t % 8)
    n = max(t // 8 for t in types) + 1
    return bytes([0, n]) + bytes(bits[:n])


def soa_rdata(serial=1):
    return wire("ns." + Z) + wire("admin." + Z) + struct.pack(">IIIII", serial, 3600, 600, 86400, 300)


def ds_rdata(key, owner=Z, digest_type=2):
    return struct.pack(">HBB", key.tag(), key.alg, digest_type) + bytes.fromhex(sg.ds_of(owner, key.rdata(), digest_type))


def emit(kind, name, value):
    OUT.append("%s %s %s" % (kind, name, value))


def emit_msg(name, m):
    emit("msg", name, m.hex())


SOA_RRS = signed(Z, SOA, [soa_rdata()])
WWW = "www." + Z
WWW_A = signed(WWW, A, sg.A_RDS)

# ---- the key sets, the apex and its SOA ----
STD = [KSK.rdata(), ZSK.rdata()]
emit_msg("keys", message(Z, DNSKEY, signed(Z, DNSKEY, STD, KSK)))
THREE = [KSK.rdata(), ZSK.rdata(), ZSK448.rdata()]
emit_msg("keys3", message(Z, DNSKEY, signed(Z, DNSKEY, THREE, KSK)))
emit_msg("www", message(WWW, A, WWW_A))
emit_msg("www-auth-soa", message(WWW, A, WWW_A, SOA_RRS))
emit_msg("soa", message(Z, SOA, SOA_RRS))
# the answer is the key set itself (a DNSKEY probe at the apex)
emit_msg("keys-probe", message(Z, DNSKEY, signed(Z, DNSKEY, STD, KSK)))

# a name below the apex that publishes a self-signed DNSKEY of its own and signs its data with it;
# its SOA query shows the real apex (NODATA with the SOA of sr.test.)
SUB = "sub." + Z
X = "x." + SUB
emit_msg("sub-a", message(X, A, signed(X, A, sg.A_RDS[:1], SUBKEY, signer=SUB)))
emit_msg("sub-keys", message(SUB, DNSKEY, signed(SUB, DNSKEY, [SUBKEY.rdata()], SUBKEY, signer=SUB)))
emit_msg("sub-soa", message(SUB, SOA, (), SOA_RRS))

# ---- the parent's DS ----
for label, key in (("ksk", KSK), ("old", OLD), ("ksk2", KSK2), ("zsk", ZSK)):
    emit("text", label + "-tag", str(key.tag()))
    digest = sg.ds_of(Z, key.rdata(), 2).upper()
    emit("text", "ds-" + label, "%s IN DS %d %d 2 %s" % (Z, key.tag(), key.alg, digest))
    emit("text", "ds-" + label + "-rdata", "%d %d 2 %s" % (key.tag(), key.alg, digest))
emit_msg("ds-answer", message(Z, DS, [(Z, DS, ds_rdata(KSK))]))
emit_msg("ds-answer-old", message(Z, DS, [(Z, DS, ds_rdata(OLD))]))
emit_msg("ds-answer-empty", message(Z, DS, (), [("test.", SOA, wire("ns.test.") + wire("admin.test.") +
                                                 struct.pack(">IIIII", 1, 3600, 600, 86400, 300))]))

# ---- CDS / CDNSKEY (RFC 7344, RFC 8078) ----
emit_msg("cds-same", message(Z, CDS, [(Z, CDS, ds_rdata(KSK))]))
emit_msg("cds-new", message(Z, CDS, [(Z, CDS, ds_rdata(KSK2))]))
emit_msg("cds-delete", message(Z, CDS, [(Z, CDS, bytes([0, 0, 0, 0, 0]))]))       # "0 0 0 00"
emit_msg("cdnskey-same", message(Z, CDNSKEY, [(Z, CDNSKEY, KSK.rdata())]))
emit_msg("cdnskey-new", message(Z, CDNSKEY, [(Z, CDNSKEY, KSK2.rdata())]))
emit_msg("cds-empty", message(Z, CDS, (), SOA_RRS))

# ---- key info: probe_dnssec_key_info's samples for keys3, digests by hashlib ----
lines = []
for key in (KSK, ZSK, ZSK448):
    rd = key.rdata()
    digest = hashlib.sha256(wire(Z) + rd).hexdigest().upper()
    lines.append('probe_dnssec_key_info{algorithm="%d",ds_sha256="%s",flags="%d",key_tag="%d"} 1'
                 % (key.alg, digest, key.flags, key.tag()))
for ln in sorted(lines):
    emit("line", "keyinfo3", ln)
# one digest spelled out, as a registrar would show it, to compare with dnssec_ds_digest's
emit("text", "ksk-sha256", hashlib.sha256(wire(Z) + KSK.rdata()).hexdigest().upper())

# ---- NSEC proofs (RFC 4035 3.1.3, 5.4) ----
NX = "nx." + Z


def nsec(owner, nxt, types):
    return signed(owner, NSEC, [wire(nxt) + bitmap(types)])


APEX_NSEC = nsec(Z, "a." + Z, [NS, SOA, RRSIG, NSEC, DNSKEY])     # covers *.sr.test.
COVER = nsec("mail." + Z, WWW, [A, RRSIG, NSEC])                   # covers nx.sr.test.
GAP = nsec("mail." + Z, "mb." + Z, [A, RRSIG, NSEC])               # does not
emit_msg("nx-nsec", message(NX, A, (), SOA_RRS + COVER + APEX_NSEC, rcode=3))
emit_msg("nx-nsec-gap", message(NX, A, (), SOA_RRS + GAP + APEX_NSEC, rcode=3))
# NODATA at www for AAAA, and the lying bitmap that lists AAAA
emit_msg("nodata-nsec", message(WWW, 28, (), SOA_RRS + nsec(WWW, "z." + Z, [A, RRSIG, NSEC]), rcode=0))
emit_msg("nodata-nsec-lies", message(WWW, 28, (), SOA_RRS + nsec(WWW, "z." + Z, [A, 28, RRSIG, NSEC]), rcode=0))

# a wildcard expansion: foo.sr.test. A from *.sr.test. (RRSIG labels 2), with and without the NSEC
# that shows foo.sr.test. does not exist
FOO = "foo." + Z
FOO_A = signed(FOO, A, sg.A_RDS[:1], nlabels=2)
WNSEC = nsec("a." + Z, "g." + Z, [A, RRSIG, NSEC])
emit_msg("wild-nsec", message(FOO, A, FOO_A, WNSEC))
emit_msg("wild-bare", message(FOO, A, FOO_A))
emit_msg("wild-nsec-gap", message(FOO, A, FOO_A, nsec("a." + Z, "b." + Z, [A, RRSIG, NSEC])))
emit_msg("wild-nsec-unsigned", message(FOO, A, FOO_A, WNSEC[:1]))
emit_msg("wild-nsec-forged", message(FOO, A, FOO_A, WNSEC[:1] + [(WNSEC[1][0], RRSIG, sign(
    "a." + Z, NSEC, [WNSEC[0][2]], ZSK, signed_owner="b." + Z))]))

# ---- NSEC3 with Opt-Out (RFC 5155 6, 8.4, 9.2): the NXDOMAIN rests on an Opt-Out span ----
SALT, ITER = b"\xab\xcd", 1


def n3hash(name):
    h = hashlib.sha1(wire(name.lower()) + SALT).digest()
    for _ in range(ITER):
        h = hashlib.sha1(h + SALT).digest()
    return h


def b32(h):
    return base64.b32hexencode(h).decode().lower()


def shift(h, d):
    return ((int.from_bytes(h, "big") + d) % (1 << 160)).to_bytes(20, "big")


def nsec3(owner_hash, next_hash, flags, types):
    rd = struct.pack(">BBHB", 1, flags, ITER, len(SALT)) + SALT + bytes([20]) + next_hash + bitmap(types)
    return signed(b32(owner_hash) + "." + Z, NSEC3, [rd])


def n3_nx(flags):
    ha, hn, hw = n3hash(Z), n3hash(NX), n3hash("*." + Z)
    return (nsec3(ha, shift(ha, 1), flags, [NS, SOA, RRSIG, DNSKEY, 51]) +      # matches the apex
            nsec3(shift(hn, -1), shift(hn, 1), flags, [A, RRSIG]) +              # covers nx
            nsec3(shift(hw, -1), shift(hw, 1), flags, [A, RRSIG]))               # covers *.sr.test.


emit_msg("nx-nsec3-optout", message(NX, A, (), SOA_RRS + n3_nx(1), rcode=3))
emit_msg("nx-nsec3", message(NX, A, (), SOA_RRS + n3_nx(0), rcode=3))

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "secure.txt"), "w") as f:
    f.write("# The DNSSEC verdicts of probe/secure, written by secure_gen.py. See there for the format.\n")
    f.write("now %d\n" % sg.NOW)
    for ln in OUT:
        f.write(ln + "\n")
