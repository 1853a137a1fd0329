"""valworld -- signed zones broken on purpose, one zone per validation case (test/dnssec/validation.py).

Each zone <id>.test is BASE signed by ldns-signzone (NSEC, or NSEC3 with -n; the case's algorithms,
a KSK and a ZSK each; times relative to now), then altered with dnspython as the case says; an
RRset changed after signing is re-signed with python3-cryptography (via dns.dnssec.sign) by the
ldns-keygen key read from its .private file. knotd serves every zone with signing off.
The trust anchor of a zone is its KSK(s) as generated, before any alteration (what a parent's DS
would point at).
"""

import base64
import os
import subprocess

import dns.dnssec
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdataset
import dns.rdatatype
import dns.rrset
import dns.zone
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa

import harness
from harness.ports import FixtureError

DAY = 86400

BASE = """$ORIGIN {z}.
$TTL 300
@          SOA    ns1 hostmaster 1 3600 600 86400 300
@          NS     ns1
@          MX     10 mail
ns1        A      127.0.0.87
www        A      192.0.2.10
mail       A      192.0.2.20
*.wild     A      192.0.2.30
real.wild  A      192.0.2.31
alias      CNAME  www
chain      CNAME  alias
a.b.ent    A      192.0.2.40
dname      DNAME  target.{z}.
www.target A      192.0.2.50
dangling   CNAME  nothere
towild     CNAME  y.wild
"""

ALG_NAMES = {5: "RSASHA1", 7: "RSASHA1-NSEC3-SHA1", 8: "RSASHA256", 10: "RSASHA512",
             13: "ECDSAP256SHA256", 14: "ECDSAP384SHA384", 15: "ED25519", 16: "ED448"}


def run(cmd, cwd=None):
    r = subprocess.run(cmd, capture_output=True, text=True, stdin=subprocess.DEVNULL, cwd=cwd)
    if r.returncode != 0:
        raise FixtureError("%s failed (%d): %s%s" % (" ".join(cmd), r.returncode, r.stderr, r.stdout))
    return r.stdout


def _b64int(s):
    return int.from_bytes(base64.b64decode(s), "big")


class Key:
    """One ldns-keygen key: its DNSKEY rdata and its private key for cryptography."""

    def __init__(self, d, base, origin):
        self.base = os.path.join(d, base)
        with open(self.base + ".key") as f:
            text = f.read().split(";")[0].split()
        # owner IN DNSKEY flags proto alg key...
        self.dnskey = dns.rdata.from_text("IN", "DNSKEY", " ".join(text[3:]))
        self.origin = origin
        priv = {}
        with open(self.base + ".private") as f:
            for line in f:
                k, _sep, v = line.partition(":")
                priv[k.strip()] = v.strip()
        alg = self.dnskey.algorithm
        if alg in (13, 14):
            curve = ec.SECP256R1() if alg == 13 else ec.SECP384R1()
            self.private = ec.derive_private_key(_b64int(priv["PrivateKey"]), curve)
        elif alg == 15:
            self.private = ed25519.Ed25519PrivateKey.from_private_bytes(base64.b64decode(priv["PrivateKey"]))
        elif alg == 16:
            self.private = ed448.Ed448PrivateKey.from_private_bytes(base64.b64decode(priv["PrivateKey"]))
        else:
            pub = rsa.RSAPublicNumbers(_b64int(priv["PublicExponent"]), _b64int(priv["Modulus"]))
            self.private = rsa.RSAPrivateNumbers(
                _b64int(priv["Prime1"]), _b64int(priv["Prime2"]), _b64int(priv["PrivateExponent"]),
                _b64int(priv["Exponent1"]), _b64int(priv["Exponent2"]), _b64int(priv["Coefficient"]),
                pub).private_key()

    @property
    def tag(self):
        return dns.dnssec.key_id(self.dnskey)

    def anchor_text(self):
        return "%s DNSKEY %s" % (self.origin, self.dnskey.to_text())


class Ctx:
    """A signed zone being altered: the dnspython zone, the keys and the signing times."""

    def __init__(self, zone, origin, keys, inc, exp, nsec3):
        self.zone = zone
        self.origin = origin
        self.keys = keys          # {"ksk": Key, "zsk": Key, "ksk15": ..., ...}
        self.inc = inc
        self.exp = exp
        self.nsec3 = nsec3        # (iterations, salt bytes) or None
        self.qname = None         # a case may pick its query name while altering

    def n(self, rel):
        return dns.name.from_text(rel, self.origin) if rel != "@" else self.origin

    def rrset(self, rel, rdtype):
        name = self.n(rel) if isinstance(rel, str) else rel
        rds = self.zone.find_rdataset(name, rdtype)
        rr = dns.rrset.RRset(name, rds.rdclass, rds.rdtype)
        rr.update(rds)
        return rr

    def sigs(self, rel, covers):
        name = self.n(rel) if isinstance(rel, str) else rel
        return self.zone.get_rdataset(name, dns.rdatatype.RRSIG, dns.rdatatype.from_text(covers)
                                      if isinstance(covers, str) else covers)

    def put(self, name, rdataset):
        name = self.n(name) if isinstance(name, str) else name
        self.zone.replace_rdataset(name, rdataset)

    def drop_sigs(self, rel, covers):
        name = self.n(rel) if isinstance(rel, str) else rel
        self.zone.delete_rdataset(name, dns.rdatatype.RRSIG, dns.rdatatype.from_text(covers)
                                  if isinstance(covers, str) else covers)

    def sign(self, rrset, key="zsk", signer=None, dnskey=None, owner=None, alone=True):
        """Signs rrset with keys[key] (its DNSKEY as given, or dnskey); puts the RRSIG at owner
        (default the rrset's owner), replacing the RRSIGs there when alone."""
        k = self.keys[key] if isinstance(key, str) else key
        sig = dns.dnssec.sign(rrset, k.private, signer or self.origin, dnskey or k.dnskey,
                              inception=self.inc, expiration=self.exp)
        owner = owner or rrset.name
        rds = dns.rdataset.Rdataset(dns.rdataclass.IN, dns.rdatatype.RRSIG, rrset.rdtype, rrset.ttl)
        if not alone:
            old = self.sigs(owner, rrset.rdtype)
            if old is not None:
                for r in old:
                    rds.add(r)
        rds.add(sig)
        self.put(owner, rds)
        return sig

    def resign(self, rel, rdtype, key="zsk"):
        return self.sign(self.rrset(rel, rdtype), key)

    def set_rrset(self, rel, rdtype, texts, ttl=300):
        rds = dns.rdataset.from_text_list("IN", rdtype, ttl, texts)
        self.put(rel, rds)

    # the denial records ---------------------------------------------------------------------
    def nsec_owners(self):
        return sorted(n for n, node in self.zone.nodes.items()
                      if node.get_rdataset(dns.rdataclass.IN, dns.rdatatype.NSEC) is not None)

    def nsec_covering(self, qname):
        """The owner of the NSEC whose span (owner, next) holds qname (or whose owner is qname)."""
        for o in self.nsec_owners():
            nxt = self.zone.find_rdataset(o, "NSEC")[0].next
            if o == qname or (o < qname and (qname < nxt or nxt <= o)):
                return o
        raise FixtureError("no NSEC covers %s" % qname)

    def nsec3_hash(self, name):
        it, salt = self.nsec3
        return dns.dnssec.nsec3_hash(name, salt, it, 1).lower()

    def nsec3_owners(self):
        """[(hash label, owner)] of the zone's NSEC3 records, sorted by hash."""
        out = []
        for n, node in self.zone.nodes.items():
            if node.get_rdataset(dns.rdataclass.IN, dns.rdatatype.NSEC3) is not None:
                out.append((n.labels[0].decode().lower(), n))
        return sorted(out)

    def nsec3_for(self, name, match=False):
        """The NSEC3 owner that matches name's hash (match) or covers it."""
        h = self.nsec3_hash(name)
        owners = self.nsec3_owners()
        for lbl, o in owners:
            if lbl == h:
                return o if match else None
        if match:
            return None
        prev = [o for lbl, o in owners if lbl < h]
        return prev[-1] if prev else owners[-1][1]

    def text(self):
        return self.zone.to_text(relativize=False)


def b32hex_next(label):
    """The base32hex label one above label: an NSEC3 span that covers nothing."""
    digits = "0123456789abcdefghijklmnopqrstuv"
    v = 0
    for c in label:
        v = v * 32 + digits.index(c)
    v += 1
    out = ""
    for _ in range(len(label)):
        out = digits[v % 32] + out
        v //= 32
    return out


def build(workdir, zone, spec, now):
    """Signs BASE for zone as spec says and alters it; returns (zone text, [anchor Key], Ctx)."""
    d = os.path.join(workdir, "valworld", zone)
    os.makedirs(d)
    origin = dns.name.from_text(zone)
    src = os.path.join(d, "zone")
    with open(src, "w") as f:
        f.write(BASE.format(z=zone) + spec.get("extra", "").format(z=zone))
    keys, anchors, bases = {}, [], []
    algs = spec.get("algs", [13])
    for i, alg in enumerate(algs):
        sfx = "" if i == 0 else str(alg)
        rsa_bits = ["-b", "2048"] if alg in (5, 7, 8, 10) else []
        kb = run(["ldns-keygen", "-a", ALG_NAMES[alg], *rsa_bits, "-k", zone], cwd=d).strip()
        zb = run(["ldns-keygen", "-a", ALG_NAMES[alg], *(["-b", "1024"] if rsa_bits else []), zone],
                 cwd=d).strip()
        keys["ksk" + sfx] = Key(d, kb, origin)
        keys["zsk" + sfx] = Key(d, zb, origin)
        anchors.append(keys["ksk" + sfx])
        bases += [kb, zb]
    inc = now + spec.get("inc", -3600)
    exp = now + spec.get("exp", 30 * DAY)
    out = os.path.join(d, "signed")
    opts = []
    nsec3 = None
    if spec.get("nsec3"):
        it = spec.get("iterations", 0)
        opts = ["-n", "-t", str(it)] + (["-s", spec["salt"]] if spec.get("salt") else [])
        if spec.get("optout"):
            opts.append("-p")
        nsec3 = (it, b"")
    run(["ldns-signzone", *opts, "-i", str(inc), "-e", str(exp), "-f", out, src, *bases], cwd=d)
    with open(out) as f:
        z = dns.zone.from_text(f.read(), origin=origin, relativize=False, check_origin=False)
    if nsec3:
        p = z.find_rdataset(origin, "NSEC3PARAM")[0]
        nsec3 = (p.iterations, p.salt)
    ctx = Ctx(z, origin, keys, inc, exp, nsec3)
    if spec.get("mutate"):
        spec["mutate"](ctx)
    return ctx.text(), anchors, ctx


class ValKnot(harness.Knot):
    """knotd serving the case zones (already signed and altered) with signing off on addr@port."""

    def __init__(self, workdir, zones):
        super().__init__(workdir, addr=harness.pick_loopback(lo=2, hi=250, avoid=("127.0.0.53",)),
                         want_port53=False)
        self.zone_texts = zones   # {zone: text}

    def listen_addrs(self):
        return [self.addr]

    def _zones(self):
        return dict(self.zone_texts)

    def _config(self, listen):
        zones = [(z + ".", ["dnssec-signing: off", "semantic-checks: off"]) for z in self.zone_texts]
        return harness.knot_config(self.dir, listen, zones, workers=1, server=["udp-max-payload: 4096"],
                                   generator="test/dnssec/valworld.py")

    def _ready(self):
        return harness.answers([(self.addr, self.port, z, 6) for z in self.zone_texts])
