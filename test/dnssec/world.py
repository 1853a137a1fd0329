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


class SignedKnot:
    """knotd serving KNOT_ZONES (signed by itself) and LDNS_ZONES (pre-signed) on addr@port."""

    def __init__(self, workdir):
        self.dir = os.path.join(workdir, "knot")
        self.addr = harness.pick_loopback(lo=2, hi=250, avoid=("127.0.0.53",))
        self.port = None
        self.proc = None
        self.now = int(time.time())
        self.ldns_files = {}

    def _write(self):
        for sub in ("run", "db", "keys", "zones"):
            os.makedirs(os.path.join(self.dir, sub), exist_ok=True)
        for zone in KNOT_ZONES:
            with open(os.path.join(self.dir, "zones", zone + ".zone"), "w") as f:
                f.write(ZONE.format(z=zone, Z=zone.upper()))
        if not self.ldns_files:
            self.ldns_files = {z: write_ldns_zone(self.dir, z, s, self.now) for z, s in LDNS_ZONES.items()}
        d = self.dir
        conf = [
            "server:", '    rundir: "%s/run"' % d, "    listen: %s@%d" % (self.addr, self.port),
            '    nsid: "%s"' % NSID, "    udp-max-payload: 4096", "    udp-workers: 1", "    tcp-workers: 1", "    background-workers: 1",
            "log:", '  - target: "%s/knot.log"' % d, "    any: info",
            "database:", '    storage: "%s/db"' % d,
            "keystore:", "  - id: default", "    backend: pem", '    config: "%s/keys"' % d,
            "acl:", "  - id: xfr", "    address: 127.0.0.0/8", "    action: transfer",
            "policy:",
        ]
        for zone, lines in KNOT_ZONES.items():
            conf.append("  - id: %s" % zone.split(".")[0])
            conf += ["    " + ln for ln in lines]
        conf += ["template:", "  - id: default", '    storage: "%s/zones"' % d, '    file: "%s.zone"',
                 "    zonefile-sync: -1", "    journal-content: none", "    acl: xfr", "zone:"]
        for zone in KNOT_ZONES:
            conf += ["  - domain: %s." % zone, "    dnssec-signing: on",
                     "    dnssec-policy: %s" % zone.split(".")[0]]
        for zone in LDNS_ZONES:
            conf += ["  - domain: %s." % zone, "    dnssec-signing: off"]
        self.conf = os.path.join(d, "knot.conf")
        with open(self.conf, "w") as f:
            f.write("\n".join(conf) + "\n")

    def log_tail(self, n=30):
        try:
            with open(os.path.join(self.dir, "knot.log")) as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return ""

    def _alive(self):
        if self.proc.poll() is not None:
            raise harness.FixtureError("knotd exited with %s:\n%s" % (self.proc.returncode, self.log_tail()))

    def _ready(self):
        # every Knot zone has its DNSKEY set (signing done), every pre-signed zone its SOA
        checks = [(z, 48) for z in KNOT_ZONES] + [(z, 6) for z in LDNS_ZONES]
        for name, qtype in checks:
            r = harness.dns_query(self.addr, self.port, name, qtype)
            if r is None or r[0] != 0 or r[1] < 1:
                return False
        return True

    def start(self, deadline_s=30.0):
        last = None
        for _attempt in range(3):
            self.port = harness.free_port([self.addr])
            self._write()
            try:
                with open(os.path.join(self.dir, "knotd.out"), "w") as out:
                    self.proc = subprocess.Popen(["knotd", "-c", self.conf], stdin=subprocess.DEVNULL,
                                                 stdout=out, stderr=subprocess.STDOUT)
                harness.wait_until(self._ready, deadline_s, "knotd on %s@%d" % (self.addr, self.port),
                                   check_alive=self._alive)
                return self
            except harness.FixtureError as e:
                last = e
                self.stop()
                if "address already in use" not in self.log_tail().lower():
                    break  # only a port taken between our check and knotd's bind is retried
            except BaseException:
                self.stop()
                raise
        raise last

    def stop(self):
        harness.stop_process(self.proc)
        self.proc = None
