"""signzone -- the DNSSEC test zones, written once for test/data/dnssec/gen.py (the capture
generator) and test/dnssec/world.py (the live suite): the zone text, the zones Knot signs online
(name -> policy lines), the zones ldns-signzone pre-signs (name -> algorithm, inception and
expiration offsets from now, breakage), and the function that signs and breaks one of those."""

import os
import subprocess

from .ports import FixtureError

DAY = 86400

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
"""

KNOT_ZONES = {
    "p256.test": ["algorithm: ecdsap256sha256", "single-type-signing: on"],
    "p384.test": ["algorithm: ecdsap384sha384", "single-type-signing: on"],
    "ed.test": ["algorithm: ed25519", "single-type-signing: on"],
    "ed448.test": ["algorithm: ed448", "single-type-signing: on"],
    "rsa.test": ["algorithm: rsasha256", "ksk-size: 2048", "zsk-size: 1024"],
    "rsa512.test": ["algorithm: rsasha512", "single-type-signing: on", "ksk-size: 2048"],
}

LDNS_ZONES = {
    "expired.test": ("ED25519", -30 * DAY, -DAY, None),
    "notyet.test": ("ECDSAP256SHA256", DAY, 30 * DAY, None),
    "bogus.test": ("RSASHA256", -3600, 30 * DAY, "flip"),
    "nokey.test": ("ECDSAP256SHA256", -3600, 30 * DAY, "dropzsk"),
    "short.test": ("ED25519", -3600, 2 * 3600, None),
}

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def run(cmd, check=True, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, stdin=subprocess.DEVNULL, **kw)
    if check and r.returncode != 0:
        raise FixtureError("%s failed (%d): %s%s" % (" ".join(cmd), r.returncode, r.stderr, r.stdout))
    return r


def write_ldns_zone(tmp, zone, spec, now, zone_text=ZONE, run=run):
    """Signs zone_text for zone with ldns-signzone (times relative to now) and breaks it as spec
    says; returns the file to serve, tmp/zones/<zone>.zone. run runs one command (the caller's)."""
    alg, inc, exp, breakage = spec
    d = os.path.join(tmp, "ldns", zone)
    os.makedirs(d)
    src = os.path.join(d, "zone")
    with open(src, "w") as f:
        f.write(zone_text.format(z=zone, Z=zone.upper()))
    bits = ["-b", "2048"] if alg.startswith("RSA") else []
    keys = [run(["ldns-keygen", "-a", alg, *bits, "-k", zone], cwd=d).stdout.strip()]
    if breakage == "dropzsk":
        bits = ["-b", "1024"] if alg.startswith("RSA") else []
        keys.append(run(["ldns-keygen", "-a", alg, *bits, zone], cwd=d).stdout.strip())
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
            raise FixtureError("no www RRSIG to flip in " + out)
    if breakage == "dropzsk":
        # the ZSK (flags 256) goes: the data keep RRSIGs by a key the server does not publish
        lines = [ln for ln in lines
                 if not (len(ln.split()) > 4 and ln.split()[3] == "DNSKEY" and ln.split()[4] == "256")]
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")
    return out
