#!/usr/bin/env python3
"""Writes the seed corpora of test/fuzz/corpus/<target>/ from the repository's test data.

Every file it writes is named seed-*; it never touches other files, so regression seeds added by hand
(named after what they reproduce) stay. Run it again after the test data changes, then commit.
    test/fuzz/make-seeds.py
Sources: test/data/rr/rr-wire.txt (captured RRs and messages), test/data/dnssec/cases.txt (signed
answers and their DNSKEY answers), the shipped and test configs, test/unit/check/test_regex.c's patterns,
the hand-written web configs and query strings below, and for denial and secure (with dnspython and
cryptography) the responses of RFC 5155's and RFC 4035's Appendix B, two small zones signed here with a
fixed Ed25519 key, and cases.txt's signed answers."""
import ast
import os
import re
import shutil
import sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
CORPUS = os.path.join(ROOT, "test", "fuzz", "corpus")


WRITTEN = set()


def write(target, name, data):
    """Writes one seed; a repeat of an earlier seed's bytes is left out."""
    data = data if isinstance(data, bytes) else data.encode()
    if (target, data) in WRITTEN:
        return
    WRITTEN.add((target, data))
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    name = "seed-" + re.sub(r"[^A-Za-z0-9_.-]+", "_", name)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def wire():
    """One message per RR type (the first capture of each) and every whole-message capture."""
    seen = set()
    with open(os.path.join(ROOT, "test/data/rr/rr-wire.txt")) as f:
        for i, line in enumerate(f):
            if line.startswith("#"):
                continue
            kind, hexmsg, text = line.rstrip("\n").split("\t", 2)
            if kind == "RR":
                fields = ast.literal_eval(text).split("\t")
                rrtype = fields[3] if len(fields) > 3 else "x"
                if rrtype in seen:
                    continue
                seen.add(rrtype)
                write("wire", "rr-" + rrtype, bytes.fromhex(hexmsg))
            else:
                write("wire", "msg-%03d" % i, bytes.fromhex(hexmsg))


def dnssec():
    """Every captured case as L (2 bytes, big-endian), the answer, the DNSKEY answer; the answers
    alone go to the wire corpus too (RRSIG, DNSKEY, NSEC rdata)."""
    case = None
    with open(os.path.join(ROOT, "test/data/dnssec/cases.txt")) as f:
        for line in f:
            w = line.split()
            if not w or w[0].startswith("#"):
                continue
            if w[0] == "case":
                case = {"id": w[1]}
            elif w[0] in ("msg", "keys"):
                case[w[0]] = bytes.fromhex(w[1])
            elif w[0] == "end":
                m, k = case["msg"], case["keys"]
                write("dnssec", case["id"], len(m).to_bytes(2, "big") + m + k)
                if case["id"].startswith("p256-") or case["id"].startswith("rsa-"):
                    write("wire", "dnssec-" + case["id"], m)


def config():
    for path in ["config/blackbox.yml", "config/blackbox-two-servers.yml",
                 "test/data/blackbox-0.23/test-modules.yml"]:
        shutil.copyfile(os.path.join(ROOT, path), os.path.join(CORPUS, "config", "seed-" + os.path.basename(path)))
    d = os.path.join(ROOT, "test/data/config")
    for name in sorted(os.listdir(d)):
        if name.endswith(".yml"):
            shutil.copyfile(os.path.join(d, name), os.path.join(CORPUS, "config", "seed-data-" + name))


WEBCONFIGS = {
    "empty": "",
    "http": "http_server_config:\n  http2: false\n  headers:\n    X-Frame-Options: deny\n"
            "    X-Content-Type-Options: nosniff\n    Strict-Transport-Security: max-age=31536000\n",
    "users": "basic_auth_users:\n"
             "  alice: $2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi\n"
             "  bob: $argon2id$v=19$m=8,t=1,p=1$Gy5LSUnzUZIJ47z7ayxtww$bMXCGI2Q+zkjOo9uu9HffOZl3oGrhBpt9x8Iz5Sk+BE\n"
             "  \"caf\\u00e9\": $2b$04$20bRt.KSDEbdC/CB0ID5gOFytf7hHmwPhnqdRjTez3wBV11JoZWTa\n",
    "tls": "tls_server_config:\n  cert_file: server.pem\n  key_file: server.key\n"
           "  min_version: TLS12\n  max_version: TLS13\n  prefer_server_cipher_suites: yes\n"
           "  cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, TLS_AES_128_GCM_SHA256]\n"
           "  curve_preferences: [X25519, CurveP256]\n",
    "mtls": "tls_server_config:\n  cert_file: server.pem\n  key_file: server.key\n"
            "  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: server.pem\n",
    "ask": "tls_server_config:\n  cert_file: server.pem\n  key_file: server.key\n"
           "  client_auth_type: RequestClientCert\n",
    "errors": "tls_server_config:\n  cert_file: [a]\n  min_version: TLS14\nbogus: 1\n",
    "nulls": "tls_server_config:\n  cert_file: ~\n  key_file: null\nhttp_server_config:\n"
             "  headers:\n    X-XSS-Protection: ~\n",
    "anchors": "tls_server_config: &t\n  cert_file: &c server.pem\n  key_file: server.key\n"
               "http_server_config:\n  headers:\n    Content-Security-Policy: &v \"default-src 'self'\"\n"
               "    X-XSS-Protection: *v\n",
}

QUERIES = [
    "module=dns&target=127.0.0.1",
    "target=127.0.0.1:5353&module=dns_soa&debug=true",
    "target=%5B%3A%3A1%5D%3A53&module=m",
    "target=[::1]:domain",
    "target=::ffff:192.0.2.1",
    "target=ns1.example.org.:853",
    "target=a+b&module=%zz&module=x",
    "module=a;b&target=x&target=y",
    "target=1.2.3.4:99999",
    "target=_dns.example-1.org",
    "target=%00127.0.0.1",
    "target=fe80::1%25eth0",
    "target=0127.0.0.1",
    "target=[1.2.3.4]:53",
]


def regex():
    """test_regex.c's patterns; a subject after a NUL where the test gives one."""
    src = open(os.path.join(ROOT, "test/unit/check/test_regex.c")).read()
    n = 0
    for m in re.finditer(r'\{ ("(?:[^"\\]|\\.)*")(?:, ("(?:[^"\\]|\\.)*"))?', src):
        pat = c_string(m.group(1))
        subj = c_string(m.group(2)) if m.group(2) else None
        data = pat if subj is None or subj.startswith(b"error parsing") else pat + b"\0" + subj
        write("regex", "%03d" % n, data)
        n += 1


def c_string(lit):
    """The bytes of a C string literal (the escapes test_regex.c uses)."""
    return ast.literal_eval("b" + lit)


# ---- denial and secure: NSEC/NSEC3 proofs and a probe's DNSSEC exchanges (dnspython) ----

NOW = 1795780198   # the fuzz targets' clock (test/data/dnssec/cases.txt's capture)

# RFC 5155 Appendix A's NSEC3 chain (as test/unit/dns/test_denial.c builds it): hash, next, types.
ZONE5155 = [
    ("0p9mhaveqvm6t7vbl5lop2u3t2rp3tom", "2t7b4g4vsa5smi47k61mv5bv1a22bojr", "MX DNSKEY NS SOA NSEC3PARAM RRSIG"),
    ("2t7b4g4vsa5smi47k61mv5bv1a22bojr", "2vptu5timamqttgl4luu9kg21e0aor3s", "A RRSIG"),
    ("2vptu5timamqttgl4luu9kg21e0aor3s", "35mthgpgcu1qg68fab165klnsnk3dpvl", "MX RRSIG"),
    ("35mthgpgcu1qg68fab165klnsnk3dpvl", "b4um86eghhds6nea196smvmlo4ors995", "NS DS RRSIG"),
    ("b4um86eghhds6nea196smvmlo4ors995", "gjeqe526plbf1g8mklp59enfd789njgi", "MX RRSIG"),
    ("gjeqe526plbf1g8mklp59enfd789njgi", "ji6neoaepv8b5o6k4ev33abha8ht9fgc", "A HINFO AAAA RRSIG"),
    ("ji6neoaepv8b5o6k4ev33abha8ht9fgc", "k8udemvp1j2f7eg6jebps17vp3n8i58h", ""),
    ("k8udemvp1j2f7eg6jebps17vp3n8i58h", "kohar7mbb8dc2ce8a9qvl8hon4k53uhi", ""),
    ("kohar7mbb8dc2ce8a9qvl8hon4k53uhi", "q04jkcevqvmu85r014c7dkba38o0ji5r", "A RRSIG"),
    ("q04jkcevqvmu85r014c7dkba38o0ji5r", "r53bq7cc2uvmubfu5ocmm6pers9tk9en", "A RRSIG"),
    ("r53bq7cc2uvmubfu5ocmm6pers9tk9en", "t644ebqk9bibcna874givr6joj62mlhv", "MX RRSIG"),
    ("t644ebqk9bibcna874givr6joj62mlhv", "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom", "A HINFO AAAA RRSIG"),
]
SOA = "ns1.example. bugs.x.w.example. 1 3600 300 3600000 3600"

# RFC 4035 Appendix A's NSEC records the responses of its Appendix B use: owner, next, types.
NSEC4035 = {
    "b": ("b.example.", "ns1.example.", "NS RRSIG NSEC"),
    "apex": ("example.", "a.example.", "NS SOA MX RRSIG NSEC DNSKEY"),
    "ns1": ("ns1.example.", "ns2.example.", "A RRSIG NSEC"),
    "xyw": ("x.y.w.example.", "xx.example.", "MX RRSIG NSEC"),
    "wild": ("*.w.example.", "x.w.example.", "MX RRSIG NSEC"),
}

# (name, qname, qtype, rcode, claim, labels, NSEC3 indexes or NSEC keys, answer RRs)
DENIAL_CASES = [
    ("5155-B1-nxdomain", "a.c.x.w.example.", "A", 3, 0, 0, [0, 4, 3], []),
    ("5155-B2-nodata", "ns1.example.", "MX", 0, 1, 0, [1], []),
    ("5155-B2.1-nodata-ent", "y.w.example.", "A", 0, 1, 0, [6], []),
    ("5155-B3-ds-optout", "b.example.", "DS", 0, 1, 0, [0, 5], []),
    ("5155-B4-wildcard", "a.z.w.example.", "MX", 0, 2, 2, [9], ["a.z.w.example. 3600 IN MX 1 ai.example."]),
    ("5155-B5-wildcard-nodata", "a.z.w.example.", "AAAA", 0, 1, 0, [7, 9, 10], []),
    ("4035-B2-nxdomain", "ml.example.", "A", 3, 0, 0, ["b", "apex"], []),
    ("4035-B3-nodata", "ns1.example.", "MX", 0, 1, 0, ["ns1"], []),
    ("4035-B6-wildcard", "a.z.w.example.", "MX", 0, 2, 2, ["xyw"], ["a.z.w.example. 3600 IN MX 1 ai.example."]),
    ("4035-B7-wildcard-nodata", "a.z.w.example.", "AAAA", 0, 1, 0, ["xyw", "wild"], []),
]


def rfc_answer(qname, qtype, rcode, proof, answer):
    """A response of RFC 5155's or RFC 4035's Appendix B: the proof's records in the authority section
    (unsigned: dns/denial reads only the proof logic)."""
    import dns.message
    import dns.rrset
    q = dns.message.make_query(qname, qtype, want_dnssec=True)
    r = dns.message.make_response(q)
    r.set_rcode(rcode)
    for rr in answer:
        r.answer.append(dns.rrset.from_text(*rr.split(" ", 3)[:3], *rr.split(" ", 4)[3:]))
    r.authority.append(dns.rrset.from_text("example.", 3600, "IN", "SOA", SOA))
    for p in proof:
        if isinstance(p, int):
            h, nxt, types = ZONE5155[p]
            r.authority.append(dns.rrset.from_text(h + ".example.", 3600, "IN", "NSEC3",
                                                   "1 1 12 aabbccdd %s %s" % (nxt, types)))
        else:
            owner, nxt, types = NSEC4035[p]
            r.authority.append(dns.rrset.from_text(owner, 3600, "IN", "NSEC", "%s %s" % (nxt, types)))
    return r.to_wire()


class SignedZone:
    """A small zone signed with a fixed Ed25519 key (so the seeds are the same every run), valid at
    NOW: NSEC (sec.test.) or NSEC3 with no salt and no extra iterations (sec3.test.)."""

    def __init__(self, origin, seed):
        import dns.dnssec
        import dns.name
        from cryptography.hazmat.primitives.asymmetric import ed25519
        self.origin = dns.name.from_text(origin)
        self.key = ed25519.Ed25519PrivateKey.from_private_bytes(bytes([seed]) * 32)
        self.dnskey = dns.dnssec.make_dnskey(self.key.public_key(), 15, flags=257)

    def rrset(self, owner, rtype, text):
        import dns.rrset
        return dns.rrset.from_text(owner, 300, "IN", rtype, *text) if isinstance(text, list) else \
            dns.rrset.from_text(owner, 300, "IN", rtype, text)

    def sig(self, rrset):
        import dns.dnssec
        import dns.rrset
        s = dns.dnssec.sign(rrset, self.key, self.origin, self.dnskey, inception=NOW - 86400,
                            expiration=NOW + 30 * 86400)
        if rrset.name.is_wild() and s.labels == len(rrset.name) - 1:
            # dnspython 2.3 counts the "*" label (RFC 4034 3.1.3 says not to): sign the right one
            s = s.replace(labels=s.labels - 1)
            s = s.replace(signature=self.key.sign(dns.dnssec._make_rrsig_signature_data(rrset, s)))
        return dns.rrset.from_rdata(rrset.name, rrset.ttl, s)

    def signed(self, owner, rtype, text, as_name=None):
        rs = self.rrset(owner, rtype, text)
        sig = self.sig(rs)
        if as_name:   # a wildcard expansion: the RRset and its RRSIG renamed to the qname
            import dns.name
            rs.name = sig.name = dns.name.from_text(as_name)
        return [rs, sig]

    def reply(self, qname, qtype, rcode=0, answer=(), authority=()):
        import dns.message
        q = dns.message.make_query(qname, qtype, want_dnssec=True)
        r = dns.message.make_response(q)
        r.flags |= 0x0400   # AA
        r.set_rcode(rcode)
        for rs in answer:
            r.answer.append(rs)
        for rs in authority:
            r.authority.append(rs)
        return r.to_wire()

    def soa(self):
        return self.signed(self.origin.to_text(), "SOA", "ns1.%s hostmaster.%s 1 3600 300 86400 300"
                           % (self.origin, self.origin))

    def keys(self):
        import dns.rrset
        rs = dns.rrset.from_rdata(self.origin, 300, self.dnskey)
        return [rs, self.sig(rs)]

    def ds(self, digest="SHA256"):
        import dns.dnssec
        import dns.rrset
        return dns.rrset.from_rdata(self.origin, 300, dns.dnssec.make_ds(self.origin, self.dnskey, digest))


def secure_seed(flags, msgs, ds=None):
    """fuzz_secure's input: the flag byte, the DS (flags 6), then the six length-prefixed messages."""
    out = bytes([flags])
    if ds is not None:
        out += ds
    for m in msgs:
        m = m or b""
        out += len(m).to_bytes(2, "big") + m
    return out


def denial_prefix(claim, apex_labels, labels, qtype):
    import dns.rdatatype
    return bytes([claim | apex_labels << 2, labels]) + dns.rdatatype.from_text(qtype).to_bytes(2, "big")


def denial_and_secure():
    """RFC 5155 and RFC 4035 Appendix B responses, a signed NSEC and NSEC3 zone's denials, wildcard and
    key answers, and cases.txt's signed answers with their keys, SOA, DS, CDS and CDNSKEY."""
    import dns.dnssec
    import dns.rrset
    for name, qname, qtype, rcode, claim, labels, proof, answer in DENIAL_CASES:
        m = rfc_answer(qname, qtype, rcode, proof, answer)
        write("denial", name, denial_prefix(claim, 1, labels, qtype) + m)
        write("secure", name, secure_seed(0, [m]))
    # more than DNSSEC_MAX_NSEC3_ITERATIONS: the work limit
    import dns.message
    m = dns.message.from_wire(rfc_answer("a.c.x.w.example.", "A", 3, [0, 4, 3], []))
    for rs in m.authority:
        for rd in list(rs):
            if rd.rdtype == 50:
                rs.discard(rd)
                rs.add(rd.replace(iterations=2500))
    write("denial", "5155-B1-iterations-2500", denial_prefix(0, 1, 0, "A") + m.to_wire())

    # sec.test.: NSEC chain sec.test. -> *.w.sec.test. -> www.sec.test. -> sec.test.
    z = SignedZone("sec.test.", 7)
    o = "sec.test."
    nsec = {
        "apex": z.signed(o, "NSEC", "*.w.sec.test. NS SOA RRSIG NSEC DNSKEY CDS CDNSKEY"),
        "wild": z.signed("*.w.sec.test.", "NSEC", "www.sec.test. TXT RRSIG NSEC"),
        "www": z.signed("www.sec.test.", "NSEC", "sec.test. A RRSIG NSEC"),
    }
    ns = z.signed(o, "NS", "ns1.sec.test.")
    soa = z.soa()
    keys = z.reply(o, "DNSKEY", answer=z.keys())
    soa_answer = z.reply(o, "SOA", answer=soa)
    ds_answer = z.reply(o, "DS", answer=[z.ds()])
    cds = dns.dnssec.make_ds(z.origin, z.dnskey, "SHA256")
    cds_answer = z.reply(o, "CDS", answer=z.signed(o, "CDS", cds.to_text()))
    cdnskey_answer = z.reply(o, "CDNSKEY", answer=z.signed(o, "CDNSKEY", z.dnskey.to_text()))
    ds_in = z.ds()[0]
    ds_bytes = ds_in.key_tag.to_bytes(2, "big") + bytes([ds_in.algorithm, ds_in.digest_type,
                                                         len(ds_in.digest)]) + ds_in.digest
    answers = {
        "nsec-nxdomain": (z.reply("nx.sec.test.", "A", 3, authority=soa + nsec["apex"]), 0, "A", 0),
        "nsec-nodata": (z.reply("www.sec.test.", "MX", 0, authority=soa + nsec["www"]), 1, "MX", 0),
        "nsec-wildcard": (z.reply("a.w.sec.test.", "TXT", 0,
                                  answer=z.signed("*.w.sec.test.", "TXT", '"wild"', as_name="a.w.sec.test."),
                                  authority=ns + nsec["wild"]), 2, "TXT", 3),
        "nsec-wildcard-nodata": (z.reply("a.w.sec.test.", "A", 0, authority=soa + nsec["wild"]), 1, "A", 0),
        "www-A": (z.reply("www.sec.test.", "A", answer=z.signed("www.sec.test.", "A", "192.0.2.1")), 1, "A", 0),
    }
    for name, (m, claim, qtype, labels) in answers.items():
        write("denial", "sec-" + name, denial_prefix(claim, 2, labels, qtype) + m)
        write("secure", "sec-" + name, secure_seed(0, [m, keys]))
        write("secure", "sec-" + name + "-ds-from", secure_seed(0x08, [m, keys, soa_answer, ds_answer]))
    m = answers["www-A"][0]
    write("secure", "sec-www-A-all", secure_seed(0x09, [m, keys, soa_answer, ds_answer, cds_answer, cdnskey_answer]))
    write("secure", "sec-www-A-listed-ds", secure_seed(0x07, [m, keys, soa_answer, None, cds_answer,
                                                                cdnskey_answer], ds=ds_bytes))
    write("secure", "sec-DNSKEY-key-info", secure_seed(0x01, [keys, None, soa_answer]))
    write("secure", "sec-DNSKEY-fixed-ds", secure_seed(0x13, [keys, None, soa_answer]))

    # sec3.test.: NSEC3 (no salt, no extra iterations) over the apex and www
    z3 = SignedZone("sec3.test.", 9)
    o3 = "sec3.test."
    names = {o3: "NS SOA RRSIG DNSKEY NSEC3PARAM", "www." + o3: "A RRSIG"}
    hashes = sorted((dns.dnssec.nsec3_hash(n, None, 0, 1).lower(), t) for n, t in names.items())
    n3 = []
    for i, (h, t) in enumerate(hashes):
        nxt = hashes[(i + 1) % len(hashes)][0]
        n3 += z3.signed(h + "." + o3, "NSEC3", "1 0 0 - %s %s" % (nxt, t))
    soa3 = z3.soa()
    keys3 = z3.reply(o3, "DNSKEY", answer=z3.keys())
    for name, qname, qtype, rcode, claim in [("nxdomain", "nx.sec3.test.", "A", 3, 0),
                                             ("nodata", "www.sec3.test.", "MX", 0, 1)]:
        m = z3.reply(qname, qtype, rcode, authority=soa3 + n3)
        write("denial", "sec3-" + name, denial_prefix(claim, 2, 0, qtype) + m)
        write("secure", "sec3-" + name, secure_seed(0, [m, keys3]))

    # cases.txt: signed answers of knotd, their DNSKEY answer, and the zone's SOA answer
    cases, order = {}, []
    with open(os.path.join(ROOT, "test/data/dnssec/cases.txt")) as f:
        for line in f:
            w = line.split()
            if w and w[0] == "case":
                cid = w[1]
                order.append(cid)
                cases[cid] = {}
            elif w and w[0] in ("msg", "keys"):
                cases[cid][w[0]] = bytes.fromhex(w[1])
    for cid in order:
        zone, kind = cid.split("-", 1)
        if zone not in ("p256", "ed", "rsa") or kind not in ("www-A", "DNSKEY", "wildcard", "cname", "NS"):
            continue
        c = cases[cid]
        soa_c = cases.get(zone + "-SOA", {}).get("msg")
        flags = 0x02 if zone == "p256" else 0x01 if kind == "DNSKEY" else 0
        write("secure", "case-" + cid, secure_seed(flags, [c["msg"], c["keys"], soa_c]))
        if kind == "wildcard":
            msg = dns.message.from_wire(c["msg"])
            labels = next((rd.labels for rs in msg.answer for rd in rs if rd.rdtype == 46), 0)
            write("denial", "case-" + cid, denial_prefix(2, 2, labels, "A") + c["msg"])


def main():
    for t in ["wire", "dnssec", "config", "webconfig", "urlquery", "regex", "denial", "secure"]:
        os.makedirs(os.path.join(CORPUS, t), exist_ok=True)
        for name in os.listdir(os.path.join(CORPUS, t)):
            if name.startswith("seed-"):
                os.unlink(os.path.join(CORPUS, t, name))
    wire()
    dnssec()
    config()
    for name, text in WEBCONFIGS.items():
        write("webconfig", name, text)
    for i, q in enumerate(QUERIES):
        write("urlquery", "%02d" % i, q)
    regex()
    denial_and_secure()
    for t in sorted(os.listdir(CORPUS)):
        files = os.listdir(os.path.join(CORPUS, t))
        size = sum(os.path.getsize(os.path.join(CORPUS, t, f)) for f in files)
        print("%-10s %4d files %7d bytes" % (t, len(files), size), file=sys.stderr)


if __name__ == "__main__":
    main()
