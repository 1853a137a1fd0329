#!/usr/bin/env python3
"""Writes the seed corpora of test/fuzz/corpus/<target>/ from the repository's test data.

Every file it writes is named seed-*; it never touches other files, so regression seeds added by hand
(named after what they reproduce) stay. Run it again after the test data changes, then commit.
    test/fuzz/make-seeds.py
Sources: test/data/rr/rr-wire.txt (captured RRs and messages), test/data/dnssec/cases.txt (signed
answers and their DNSKEY answers), the shipped and test configs, test/unit/check/test_regex.c's patterns,
and the hand-written web configs and query strings below."""
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


def main():
    for t in ["wire", "dnssec", "config", "webconfig", "urlquery", "regex"]:
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
    for t in sorted(os.listdir(CORPUS)):
        files = os.listdir(os.path.join(CORPUS, t))
        size = sum(os.path.getsize(os.path.join(CORPUS, t, f)) for f in files)
        print("%-10s %4d files %7d bytes" % (t, len(files), size), file=sys.stderr)


if __name__ == "__main__":
    main()
