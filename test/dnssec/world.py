"""world -- the signed zones the DNSSEC suite probes, and the knotd that serves them.

Recipes from test/data/dnssec/gen.py (a teammate's capture generator), run fresh for every test run
so that every time is relative to now:
  * zones signed online by Knot: ECDSA P-256, Ed25519, RSA-SHA256 (KSK 2048 + ZSK 1024 split);
  * zones pre-signed with ldns-signzone and served with signing off: expired, not yet valid, one
    flipped signature bit, the signing ZSK removed from the DNSKEY set, a 2-hour signature.
One knotd listens on a random 127.0.0.x and a port proven free (harness.free_port), with an NSID,
answers over UDP up to 4096 bytes when the client allows it (Knot's default cap is 1232), and lets
127.0.0.0/8 transfer the zones (the AXFR feeds ldns-verify-zone).
Nothing here sleeps for correctness: readiness is polled against a deadline (harness.wait_until).
"""

import os
import subprocess
import time

import harness

DAY = 86400
NSID = "nsprobe-dnssec-knot"

# Knot-signed zones: name -> policy lines (gen.py's KNOT_ZONES, the three the issue names)
KNOT_ZONES = {
    "p256.test": ["algorithm: ecdsap256sha256", "single-type-signing: on"],
    "ed.test": ["algorithm: ed25519", "single-type-signing: on"],
    "rsa.test": ["algorithm: rsasha256", "ksk-size: 2048", "zsk-size: 1024"],
}

# ldns-signzone zones: name -> (algorithm, inception offset, expiration offset, breakage)
LDNS_ZONES = {
    "expired.test": ("ED25519", -30 * DAY, -DAY, None),
    "notyet.test": ("ECDSAP256SHA256", DAY, 30 * DAY, None),
    "bogus.test": ("RSASHA256", -3600, 30 * DAY, "flip"),
    "nokey.test": ("ECDSAP256SHA256", -3600, 30 * DAY, "dropzsk"),
    "short.test": ("ED25519", -3600, 2 * 3600, None),
}

# gen.py's zone, plus an RRset too big for a 1232-byte UDP answer (as bb.test's `big` TXT)
ZONE = """$ORIGIN {z}.
$TTL 300
@       SOA   ns1 hostmaster 2024020202 3600 600 86400 300
@       NS    ns1
@       MX    10 Mail.{Z}.
ns1     A     127.0.0.87
www     A     192.0.2.10
www     A     192.0.2.9
www     A     192.0.2.11
mail    A     192.0.2.20
txt     TXT   "second"
txt     TXT   "first" "x"
*.wild  A     192.0.2.30
alias   CNAME www
""" + "".join('big     TXT   "padding-record-number-%d-%s"\n' % (i, "a" * 43) for i in range(1, 21))

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def run(cmd, check=True, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, stdin=subprocess.DEVNULL, **kw)
    if check and r.returncode != 0:
        raise harness.FixtureError("%s failed (%d): %s%s" % (" ".join(cmd), r.returncode, r.stderr,
                                                            r.stdout))
    return r


def write_ldns_zone(tmp, zone, spec, now):
    """Signs the zone with ldns-signzone and breaks it as spec says; returns the served file."""
    alg, inc, exp, breakage = spec
    d = os.path.join(tmp, "ldns", zone)
    os.makedirs(d)
    src = os.path.join(d, "zone")
    with open(src, "w") as f:
        f.write(ZONE.format(z=zone, Z=zone.upper()))
    bits = ["-b", "2048"] if alg.startswith("RSA") else []
    keys = [run(["ldns-keygen", "-a", alg, *bits, "-k", zone], cwd=d).stdout.strip()]
    if breakage == "dropzsk":
        keys.append(run(["ldns-keygen", "-a", alg, zone], cwd=d).stdout.strip())
    out = os.path.join(tmp, "zones", zone + ".zone")
    run(["ldns-signzone", "-i", str(now + inc), "-e", str(now + exp), "-f", out, src, *keys], cwd=d)
    with open(out) as f:
        lines = f.read().splitlines()
    if breakage == "flip":
        # one bit of the signature of www A: the 10th base64 character of its last field
        for i, line in enumerate(lines):
            f = line.split()
            if f and f[0].lower() == "www.%s." % zone and f[3] == "RRSIG" and f[4] == "A":
                sig = f[-1]
                f[-1] = sig[:9] + ALPHABET[ALPHABET.index(sig[9]) ^ 1] + sig[10:]
                lines[i] = "\t".join(f)
                break
        else:
            raise harness.FixtureError("no www RRSIG to flip in " + out)
    if breakage == "dropzsk":
        # the ZSK (flags 256) goes: the data keep RRSIGs by a key the server does not publish
        lines = [ln for ln in lines
                 if not (len(ln.split()) > 4 and ln.split()[3] == "DNSKEY" and ln.split()[4] == "256")]
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")
    return out


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
            self.ldns_files = {z: write_ldns_zone(self.dir, z, s, self.now) for z, s in LDNS_ZONES.items()}
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
