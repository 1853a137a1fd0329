"""world -- what the differential suite adds to the integration fixture.

  * CompatKnot   test/integration's Knot with three more zones: rr.test (one owner per RR type
                 Knot can serve, CNAME/DNAME chains, a wildcard, mixed-case owners, escapes in
                 names and TXT, a delegation with glue), prometheus.io (what upstream's
                 example.yml asks for) and Mixed.Case.test.
  * Relay        a fake server of ours, one behaviour per port (UDP and TCP, several queries per
                 connection like Knot): it forwards the query
                 to Knot over TCP and moves the records of the reply into another section by
                 rewriting the header counts (the RRs stay in wire order, so compression pointers
                 stay valid), or answers FORMERR without OPT.
  * DotWorld     DNS-over-TLS servers of test/fakes/dotserver.py forwarding to Knot over TCP, on a
                 test PKI made with certtool (the layout of test/integration/test_dot.py).
Loopback only; ports come from the kernel and are bound before they are announced.
"""

import os
import socket
import struct
import subprocess

import harness
import harness.relay

RR_ZONE = r"""$ORIGIN rr.test.
$TTL 300
@        3600 IN SOA  ns1.rr.test. hostmaster.rr.test. 7 7200 3600 1209600 300
@        3600 IN NS   ns1.rr.test.
@             IN ZONEMD 7 1 1 febe3d4ce2ec2ffa4ba99d46cd69d6d29711e55217057bee7eb1a7b641a47ba7fed2dd5b97ae499fafa4f22c6bd647de
ns1           IN A    @KNOT@
a             IN A    192.0.2.1
aaaa          IN AAAA 2001:db8::1
aaaa          IN AAAA ::ffff:192.0.2.1
cname         IN CNAME chain1.rr.test.
chain1        IN CNAME a.rr.test.
ptr           IN PTR  host.rr.test.
hinfo         IN HINFO "PC-Intel-700mhz" "Linux 6.1"
minfo         IN MINFO rmail.rr.test. email.rr.test.
mx            IN MX   10 mail.rr.test.
mx            IN MX   20 mail6.rr.test.
mail          IN A    192.0.2.25
mail6         IN AAAA 2001:db8::25
txt           IN TXT  "plain" "two words" "quote\" back\\slash semi; tab\009 nonascii\200 end"
txt           IN TXT  ""
rp            IN RP   admin.rr.test. txt.rr.test.
afsdb         IN AFSDB 1 afs.rr.test.
rt            IN RT   10 relay.rr.test.
key           IN KEY  256 3 13 mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+KkxLbxILfDLUT0rAK9iUzy1L53eKGQ==
loc           IN LOC  52 22 23.000 N 4 53 32.000 E -2.00m 0.00m 10000m 10m
srv           IN SRV  10 60 5060 mail.rr.test.
naptr         IN NAPTR 100 10 "U" "E2U+sip" "!^.*$!sip:info@rr.test!" .
kx            IN KX   10 mail.rr.test.
cert          IN CERT PGP 0 0 FFFEFDFC
dname         IN DNAME rr.test.
apl           IN APL  1:192.0.2.0/24 !2:2001:db8::/32
sub           IN NS   ns.sub.rr.test.
ns.sub        IN A    192.0.2.53
ns.sub        IN AAAA 2001:db8::53
sub           IN DS   12345 13 2 49FD46E6C4B45C55D4AC69CBD3CD34AC1AFE51DE49FD46E6C4B45C55D4AC69CB
sshfp         IN SSHFP 1 1 DD465C09CFA51FB45020CC83316FFF21B9EC74AC
ipseckey      IN IPSECKEY 10 1 2 192.0.2.38 AQNRU3mG7TVTO2BkR47usntb102uFJtugbo6BSGvgqt4AQ==
dhcid         IN DHCID AAIBY2/AuCccgoJbsaxcQc9TUapptP69lOjxfNuVAA2kjEA=
tlsa          IN TLSA 3 1 1 0c72ac70b745ac19998811b131d662c9ac69dbdbe7cb23e5b514b56664c5d3d6
smimea        IN SMIMEA 3 1 1 0c72ac70b745ac19998811b131d662c9ac69dbdbe7cb23e5b514b56664c5d3d6
cds           IN CDS  12345 13 2 49FD46E6C4B45C55D4AC69CBD3CD34AC1AFE51DE49FD46E6C4B45C55D4AC69CB
cdnskey       IN CDNSKEY 257 3 13 mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+KkxLbxILfDLUT0rAK9iUzy1L53eKGQ==
openpgpkey    IN OPENPGPKEY mQENBFVHm5sBCADGmV4zI2cUTSHQOvSB3sMZUM7pc0sOq0qcpnP5I+KZrUXV
csync         IN CSYNC 66 3 A NS AAAA
spf           IN SPF  "v=spf1 -all"
nid           IN NID  10 0014:4fff:ff20:ee64
l32           IN L32  10 10.1.2.0
l64           IN L64  10 2001:0db8:1140:1000
lp            IN LP   10 l64.rr.test.
eui48         IN EUI48 00-00-5e-00-53-2a
eui64         IN EUI64 00-00-5e-ef-10-00-00-2a
uri           IN URI  10 1 "https://rr.test/"
caa           IN CAA  0 issue "letsencrypt.org"
caa           IN CAA  128 iodef "mailto:security@rr.test"
svcb          IN SVCB 1 svc.rr.test. alpn="h2,h3" port=8443 ipv4hint=192.0.2.1 ipv6hint=2001:db8::1
https         IN HTTPS 1 . alpn="h2" no-default-alpn ech=AEX+DQ== mandatory=alpn
https0        IN HTTPS 0 svc.rr.test.
unk           IN TYPE65280 \# 4 0A000001
unk0          IN TYPE65281 \# 0
*.wild        IN A    192.0.2.77
*.wild        IN TXT  "wildcard"
MiXeD         IN A    192.0.2.88
UPPER.Case    IN AAAA 2001:db8::88
space\032name IN A    192.0.2.99
dot\.in\.label IN A   192.0.2.98
semi\;colon   IN TXT  "a;b"
utf8          IN TXT  "caf\195\169 \"q\" \\"
"""

PROMETHEUS_ZONE = """$ORIGIN prometheus.io.
$TTL 300
@        3600 IN SOA  ns1.prometheus.io. hostmaster.prometheus.io. 2023040901 7200 3600 1209600 300
@        3600 IN NS   ns1.prometheus.io.
ns1           IN A    @KNOT@
@             IN A    192.0.2.80
www           IN A    192.0.2.80
"""

MIXED_ZONE = """$ORIGIN Mixed.Case.test.
$TTL 300
@        3600 IN SOA  NS1.Mixed.Case.test. Host.Master.Mixed.Case.test. 3 7200 3600 1209600 300
@        3600 IN NS   NS1.Mixed.Case.test.
NS1           IN A    @KNOT@
Www           IN CNAME @
@             IN A    192.0.2.66
@             IN MX   5 NS1.Mixed.Case.test.
"""

EXTRA_ZONES = {"rr.test": RR_ZONE, "prometheus.io": PROMETHEUS_ZONE, "mixed.case.test": MIXED_ZONE}


class CompatKnot(harness.Knot):
    """harness.Knot plus EXTRA_ZONES (written next to its zones, appended to its config)."""

    def _write(self, listen):
        super()._write(listen)
        for name, text in EXTRA_ZONES.items():
            with open(os.path.join(self.dir, "zones", name + ".zone"), "w") as f:
                f.write(text.replace("@KNOT@", self.addr))
        with open(self.conf, "a") as f:
            for name in EXTRA_ZONES:
                f.write("  - domain: %s\n" % name)

    def _ready(self):
        if not super()._ready():
            return False
        for name in EXTRA_ZONES:
            r = harness.dns_query(self.addr, self.port, name, 6)
            if r is None or r[0] != 0 or r[1] < 1:
                return False
        return True


# --- DNS over TLS --------------------------------------------------------------------------------

class DotWorld:
    """DoT servers (test/fakes/dotserver.py), all forwarding to Knot over TCP:
      host    every behaviour (forward, silent, notls, mtls, tls12) with a certificate whose SANs
              are host, ::1 and dot.test, signed by pki["ca.pem"]; mtls wants a client
              certificate signed by the same CA
      other   forward, the same certificate, on an address not in it
      ::1     forward, the same certificate
      cn      forward on host, a certificate of its own CA (cn_pki) with CN "server" and no SANs
      cnip    forward on host, a certificate of cn_pki's CA with CN host (the address) and no SANs
    refused: a TCP port on host proven free (connect is refused); port853_closed: whether
    host:853 refused a connection at start (then the DoT default port can be probed).
    vars(): the template variables of cases.py ({dh} {do} {dp_<behaviour>} ...) and
    config_vars(): the @...@ placeholders of cases.DOT_MODULES."""

    def __init__(self, tmp, knot, avoid=()):
        from fakes import dotserver
        self.dir = os.path.join(tmp, "dot")
        self.host = harness.pick_loopback(avoid=tuple(avoid) + (knot.addr,))
        self.other = harness.pick_loopback(avoid=tuple(avoid) + (knot.addr, self.host))
        self.pki = dotserver.make_pki(self.dir, [self.host, "::1"], ["dot.test"])
        self.cn_pki = c = dotserver.make_pki(os.path.join(self.dir, "cn"), [], [])
        self.cnip = {n: os.path.join(self.dir, "cn", n) for n in ("cnip.key", "cnip.pem")}
        tmpl = os.path.join(self.dir, "cn", "cnip.cfg")
        with open(tmpl, "w") as f:
            f.write('cn = "%s"\ntls_www_server\nsigning_key\nencryption_key\n'
                    'expiration_days = 2\n' % self.host)
        for a in (["--generate-privkey", "--key-type=ecdsa", "--curve=secp256r1",
                   "--outfile", self.cnip["cnip.key"]],
                  ["--generate-certificate", "--load-privkey", self.cnip["cnip.key"],
                   "--load-ca-certificate", c["ca.pem"], "--load-ca-privkey", c["ca.key"],
                   "--outfile", self.cnip["cnip.pem"], "--template", tmpl]):
            subprocess.run(["certtool"] + a, check=True, stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.missing = os.path.join(self.dir, "no-such-ca.pem")
        self.garbage = os.path.join(self.dir, "garbage-ca.pem")
        with open(self.garbage, "w") as f:
            f.write("this is not a certificate\n")
        up = (knot.addr, knot.port)
        p = self.pki
        self.servers = [
            dotserver.DotServer(self.host, p["server.pem"], p["server.key"], up,
                                client_ca=p["ca.pem"]),
            dotserver.DotServer(self.other, p["server.pem"], p["server.key"], up,
                                behaviours=["forward"]),
            dotserver.DotServer("::1", p["server.pem"], p["server.key"], up,
                                behaviours=["forward"]),
            dotserver.DotServer(self.host, c["server.pem"], c["server.key"], up,
                                behaviours=["forward"]),
            dotserver.DotServer(self.host, self.cnip["cnip.pem"], self.cnip["cnip.key"], up,
                                behaviours=["forward"]),
        ]
        self.ports = {}
        self.refused = None
        self.port853_closed = False

    def start(self):
        try:
            self.ports = dict(self.servers[0].start())
            self.ports["other"] = self.servers[1].start()["forward"]
            self.ports["v6"] = self.servers[2].start()["forward"]
            self.ports["cn"] = self.servers[3].start()["forward"]
            self.ports["cnip"] = self.servers[4].start()["forward"]
        except BaseException:
            self.stop()
            raise
        self.refused = harness.free_port([self.host], kinds=("tcp",))
        s = socket.socket()
        try:
            s.settimeout(2)
            s.connect((self.host, 853))
        except ConnectionRefusedError:
            self.port853_closed = True
        except OSError:
            pass
        finally:
            s.close()
        return self

    def stop(self):
        for s in self.servers:
            s.stop()

    def vars(self):
        v = {"dh": self.host, "do": self.other, "dp_refused": self.refused}
        v.update(("dp_" + b, port) for b, port in self.ports.items())
        return v

    def config_vars(self):
        p, c = self.pki, self.cn_pki
        return {"@CA@": p["ca.pem"], "@OTHER_CA@": p["other-ca.pem"], "@CN_CA@": c["ca.pem"],
                "@CLIENT_CERT@": p["client.pem"], "@CLIENT_KEY@": p["client.key"],
                "@MISSING_CA@": self.missing, "@GARBAGE_CA@": self.garbage,
                "@DOT_OTHER@": self.other}


# --- the relay fake ------------------------------------------------------------------------------

RELAY_BEHAVIOURS = {
    "to_authority": "Knot's reply with every answer and authority RR counted as authority",
    "to_additional": "Knot's reply with every RR counted as additional",
    "formerr": "FORMERR without OPT, question echoed",
}


class Relay(harness.relay.Relay):
    """Every RELAY_BEHAVIOURS entry on its own port of one loopback address, UDP and TCP; Knot's
    answer, asked over TCP, recounted as the behaviour says. Each query is handled on its own
    thread (the upstream exchange blocks)."""

    def __init__(self, host, upstream):
        super().__init__(host, upstream, behaviours=RELAY_BEHAVIOURS)  # upstream: (addr, port) of Knot

    def reply(self, behaviour, pkt, _tcp=True):
        if len(pkt) < 12:
            return None
        if behaviour == "formerr":
            q = fixture_question(pkt)
            if q is None:
                return None
            flags = 0x8000 | (struct.unpack(">H", pkt[2:4])[0] & 0x0100) | 1
            return pkt[:2] + struct.pack(">HHHHH", flags, 1, 0, 0, 0) + q
        r = harness.relay.exchange_tcp(self.upstream[0], self.upstream[1], pkt)
        if r is None or len(r) < 12:
            return None
        qd, an, ns, ar = struct.unpack(">HHHH", r[4:12])
        if behaviour == "to_authority":
            counts = (qd, 0, an + ns, ar)
        else:
            counts = (qd, 0, 0, an + ns + ar)
        return r[:4] + struct.pack(">HHHH", *counts) + r[12:]


def fixture_question(pkt):
    """The question section (name + type + class) of a query, or None."""
    off = 12
    while off < len(pkt):
        n = pkt[off]
        if n == 0:
            off += 1
            return pkt[12:off + 4] if off + 4 <= len(pkt) else None
        if n > 63:
            return None
        off += 1 + n
    return None
