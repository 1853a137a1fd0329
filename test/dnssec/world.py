"""world -- the signed zones the DNSSEC suite probes, and the knotd that serves them.

Zones and recipes shared with test/data/dnssec/gen.py (harness/signzone.py), run fresh for every test run
so that every time is relative to now:
  * zones signed online by Knot: ECDSA P-256, Ed25519, RSA-SHA256 (KSK 2048 + ZSK 1024 split);
  * zones pre-signed with ldns-signzone and served with signing off: expired, not yet valid, one
    flipped signature bit, the signing ZSK removed from the DNSKEY set, a 2-hour signature.
One knotd listens on a random 127.0.0.x and a port proven free (harness.free_port), with an NSID,
answers over UDP up to 4096 bytes when the client allows it (Knot's default cap is 1232), and lets
127.0.0.0/8 transfer the zones (the AXFR feeds ldns-verify-zone).
Nothing here sleeps for correctness: readiness is polled against a deadline (harness.wait_until).
"""

import time

import harness
from harness import signzone

NSID = "nsprobe-dnssec-knot"

# Knot-signed zones: the three of gen.py's the issue names; ldns-signzone zones: all of gen.py's
KNOT_ZONES = {z: signzone.KNOT_ZONES[z] for z in ("p256.test", "ed.test", "rsa.test")}
LDNS_ZONES = signzone.LDNS_ZONES

# gen.py's zone, plus an RRset too big for a 1232-byte UDP answer (as bb.test's `big` TXT)
ZONE = signzone.ZONE + "".join('big     TXT   "padding-record-number-%d-%s"\n' % (i, "a" * 43)
                               for i in range(1, 21))


class SignedKnot(harness.Knot):
    """knotd serving KNOT_ZONES (signed by itself) and LDNS_ZONES (pre-signed) on addr@port."""

    def __init__(self, workdir):
        super().__init__(workdir, addr=harness.pick_loopback(lo=2, hi=250, avoid=("127.0.0.53",)),
                         want_port53=False)
        self.now = int(time.time())
        self.ldns_files = {}

    def listen_addrs(self):
        return [self.addr]

    def _zones(self):
        if not self.ldns_files:
            self.ldns_files = {z: signzone.write_ldns_zone(self.dir, z, s, self.now, ZONE) for z, s in LDNS_ZONES.items()}
        return {zone: ZONE.format(z=zone, Z=zone.upper()) for zone in KNOT_ZONES}

    def _config(self, listen):
        zones = [(z + ".", ["dnssec-signing: on", "dnssec-policy: %s" % z.split(".")[0]])
                 for z in KNOT_ZONES]
        zones += [(z + ".", ["dnssec-signing: off"]) for z in LDNS_ZONES]
        return harness.knot_config(
            self.dir, listen, zones, workers=1, server=['nsid: "%s"' % NSID, "udp-max-payload: 4096"],
            policies={z.split(".")[0]: lines for z, lines in KNOT_ZONES.items()},
            acl=[("xfr", "127.0.0.0/8", "transfer")], template=["acl: xfr"],
            generator="test/dnssec/world.py")

    def _ready(self):
        # every Knot zone has its DNSKEY set (signing done), every pre-signed zone its SOA
        checks = [(z, 48) for z in KNOT_ZONES] + [(z, 6) for z in LDNS_ZONES]
        return harness.answers([(self.addr, self.port, name, qtype) for name, qtype in checks])

    def start(self, deadline_s=30.0):
        return super().start(deadline_s)
