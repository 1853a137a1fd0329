"""parworld -- the parent zone of validation.py's chain cases (issue 14), and the 50-key zone.

par.test. holds one delegation per chain case (<id>.par.test. NS nschild.par.test., no glue below
the cut) and the DS records the case chose; ldns-signzone signs it (NSEC, ECDSA P-256) and a
second knotd (signing off) serves it on its own 127.0.0.x. The children are built by valworld
and served by the suite's first knotd. delv reaches both servers through a Router, a relay that
sends each query to the server of the zone that answers it (a child's DS to the parent), since
delv asks one server for everything; unbound-host gets a stub per zone instead.

tagstorm() alters a valworld zone into a DNSKEY set of 50 extra RSA keys sharing two key tags
(each public exponent chosen so that the RFC 4034 Appendix B tag comes out as wanted) and 100
RRSIGs over www A that claim those tags and verify under none of them.
"""

import os
import random

import dns.dnssec
import dns.message
import dns.name
import dns.rdata
import dns.rdataset
import dns.rdatatype
import dns.zone
from cryptography.hazmat.primitives.asymmetric import ec, rsa

import harness
import harness.relay
import valworld
from harness.fakes import key_tag

PARENT = "par.test"
DIGESTS = {1: "SHA1", 2: "SHA256", 4: "SHA384"}

PARENT_BASE = """$ORIGIN {p}.
$TTL 300
@        SOA  ns1 hostmaster 1 3600 600 86400 300
@        NS   ns1
ns1      A    {paddr}
nschild  A    {caddr}
"""


class NewKey:
    """A key made here (not by ldns-keygen): an ECDSA P-256 key as valworld.Key offers it."""

    def __init__(self, origin, flags=257):
        self.private = ec.generate_private_key(ec.SECP256R1())
        self.dnskey = dns.dnssec.make_dnskey(self.private.public_key(), 13, flags=flags)
        self.origin = origin

    @property
    def tag(self):
        return dns.dnssec.key_id(self.dnskey)


def ds_rdata(zone, dnskey, digest_type, algorithm=None):
    """The DS rdata text of dnskey for zone; algorithm overrides the DS's algorithm field."""
    ds = dns.dnssec.make_ds(dns.name.from_text(zone), dnskey, DIGESTS[digest_type],
                            policy=dns.dnssec.allow_all_policy)  # SHA-1 too: a case of its own
    if algorithm is not None:
        ds = ds.replace(algorithm=algorithm)
    return ds.to_text()


def build_parent(workdir, children, paddr, caddr, now):
    """Signs par.test. with a delegation per child ({child zone: [DS rdata text]}, [] for none).
    Returns (zone text, [anchor valworld.Key], {child zone: ["<child>. IN DS ..." as signed]})."""
    d = os.path.join(workdir, "parworld")
    os.makedirs(d)
    origin = dns.name.from_text(PARENT)
    text = PARENT_BASE.format(p=PARENT, paddr=paddr, caddr=caddr)
    for child, dss in children.items():
        label = child[:-len(PARENT) - 1]
        text += "%s NS nschild\n" % label
        text += "".join("%s DS %s\n" % (label, ds) for ds in dss)
    src = os.path.join(d, "zone")
    with open(src, "w") as f:
        f.write(text)
    kb = valworld.run(["ldns-keygen", "-a", "ECDSAP256SHA256", "-k", PARENT], cwd=d).strip()
    zb = valworld.run(["ldns-keygen", "-a", "ECDSAP256SHA256", PARENT], cwd=d).strip()
    out = os.path.join(d, "signed")
    valworld.run(["ldns-signzone", "-i", str(now - 3600), "-e", str(now + 30 * valworld.DAY), "-f", out,
                  src, kb, zb], cwd=d)
    with open(out) as f:
        signed = f.read()
    z = dns.zone.from_text(signed, origin=origin, relativize=False, check_origin=False)
    served = {}
    for child in children:
        rds = z.get_rdataset(dns.name.from_text(child), "DS")
        served[child] = ["%s. IN DS %s" % (child, r.to_text()) for r in rds] if rds else []
    return signed, [valworld.Key(d, kb, origin)], served


class ParKnot(valworld.ValKnot):
    """The second knotd: the parent zone only, on its own address."""

    def __init__(self, workdir, addr, zones):
        harness.Knot.__init__(self, workdir, addr=addr, want_port53=False)
        self.zone_texts = zones


class Router(harness.relay.Relay):
    """One address for delv: a child's DS goes to the parent, a child's other names to the child's
    server, everything else to the parent."""

    def __init__(self, addr, parent, child, child_zones):
        super().__init__(addr, parent)
        self.child = child
        self.child_zones = set(child_zones)

    def reply(self, behaviour, pkt, tcp):
        up = self.upstream
        try:
            q = dns.message.from_wire(pkt).question[0]
            name = q.name.to_text().rstrip(".").lower()
            for z in self.child_zones:
                if name == z or name.endswith("." + z):
                    if not (name == z and q.rdtype == dns.rdatatype.DS):
                        up = self.child
                    break
        except Exception:  # noqa: BLE001 -- a query we cannot read goes to the parent as is
            pass
        if tcp:
            return harness.relay.exchange_tcp(up[0], up[1], pkt)
        return harness.relay.exchange_udp(up[0], up[1], pkt)


# --- the 50-key zone -----------------------------------------------------------------------------

def rsa_key_with_tag(tag, bits=1024):
    """A DNSKEY (flags 256, RSASHA256) of a fresh RSA modulus whose key tag is tag: the public
    exponent, 4 octets, is chosen to make the Appendix B sum come out right (a public key that
    verifies nothing signed here; only its tag and form matter)."""
    n = rsa.generate_private_key(65537, bits).public_key().public_numbers().n
    nb = n.to_bytes((n.bit_length() + 7) // 8, "big")
    head = bytes([1, 0, 3, 8, 4])     # flags 256, protocol 3, algorithm 8, exponent length 4
    for _ in range(64):
        top = random.randrange(0x8000, 0x10000) << 16
        # unfolded sum with e's low two octets zero; they sit at rdata offsets 7 (adds x) and
        # 8 (adds x << 8)
        acc = 0
        for i, b in enumerate(head + top.to_bytes(4, "big") + nb):
            acc += b if i & 1 else b << 8
        for x8 in range(1, 256, 2):   # an odd exponent
            for x7 in range(256):
                a = acc + x7 + (x8 << 8)
                if (a + ((a >> 16) & 0xFFFF)) & 0xFFFF == tag:
                    rdata = head + (top | (x7 << 8) | x8).to_bytes(4, "big") + nb
                    assert key_tag(rdata) == tag
                    return dns.rdata.from_wire("IN", "DNSKEY", rdata, 0, len(rdata))
    raise harness.FixtureError("no exponent gives key tag %d" % tag)


def tagstorm(nkeys=50, nsigs=100, ntags=2):
    """A valworld mutate: nkeys RSA keys over ntags tags join the DNSKEY set (re-signed by the
    KSK), www A carries nsigs RRSIGs by those tags that verify under none of them."""
    def mutate(c):
        tags = []
        while len(tags) < ntags:
            t = random.randrange(1, 65535)
            if t not in tags and t not in (c.keys["ksk"].tag, c.keys["zsk"].tag):
                tags.append(t)
        keys = [rsa_key_with_tag(tags[i % ntags]) for i in range(nkeys)]
        assert len({dns.dnssec.key_id(k) for k in keys}) == ntags, "tags did not collide"
        dnskeys = c.rrset("@", "DNSKEY")
        for k in keys:
            dnskeys.add(k)
        c.put("@", _rds(dnskeys))
        c.resign("@", "DNSKEY", "ksk")
        good = list(c.sigs("www", "A"))[0]
        rds = dns.rdataset.Rdataset(good.rdclass, dns.rdatatype.RRSIG, dns.rdatatype.A, 300)
        for i in range(nsigs):
            rds.add(good.replace(algorithm=8, key_tag=tags[i % ntags],
                                 signature=bytes(random.randrange(256) for _ in range(128))))
        c.put("www", rds)
        c.storm_tags = tags
    return mutate


def _rds(rrset):
    rds = dns.rdataset.Rdataset(rrset.rdclass, rrset.rdtype, ttl=rrset.ttl)
    for r in rrset:
        rds.add(r)
    return rds
