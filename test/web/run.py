#!/usr/bin/env python3
"""nsprobe with --web.config.file: TLS, client certificates and basic auth, checked with curl.

Certificates come from certtool (GnuTLS) in a temporary directory: a CA, a server certificate for
IP 127.0.0.1, a client certificate from the same CA and one from a CA the server does not trust.
Password hashes are made at test time through libxcrypt (bcrypt) and libsodium (argon2id) at their
lowest costs. Every nsprobe runs on 127.0.0.1 on a port proven free first (harness.Exporter), and must exit 0 on
SIGTERM with no sanitizer report. The last line is "N passed, M failed".
"""
import argparse
import base64
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))  # test/: the harness package

import harness  # noqa: E402

HOST = harness.LOOP4
BLACKBOX_YML = """modules:
  dns_soa:
    prober: dns
    dns:
      query_name: bb.test
      query_type: SOA
"""


class Failure(Exception):
    pass


# ---- hashes, through the same libraries nsprobe uses ----

bcrypt_hash = harness.bcrypt_hash
argon2id_hash = harness.argon2id_hash


# ---- certificates ----

def certtool(args, template, tmp):
    tpl = os.path.join(tmp, "template.cfg")
    with open(tpl, "w") as f:
        f.write(template)
    subprocess.run(["certtool"] + args + ["--template", tpl], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)


def make_pki(tmp):
    p = lambda n: os.path.join(tmp, n)  # noqa: E731
    for name in ("ca", "server", "client", "otherca", "rogue"):
        subprocess.run(["certtool", "--generate-privkey", "--key-type", "ecdsa", "--outfile", p(name + ".key")],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
    ca_tpl = 'cn = "nsprobe test CA"\nca\ncert_signing_key\nexpiration_days = 2\n'
    certtool(["--generate-self-signed", "--load-privkey", p("ca.key"), "--outfile", p("ca.pem")], ca_tpl, tmp)
    certtool(["--generate-self-signed", "--load-privkey", p("otherca.key"), "--outfile", p("otherca.pem")],
             ca_tpl.replace("test CA", "other CA"), tmp)
    certtool(["--generate-certificate", "--load-privkey", p("server.key"), "--load-ca-privkey", p("ca.key"),
              "--load-ca-certificate", p("ca.pem"), "--outfile", p("server.pem")],
             'cn = "127.0.0.1"\nip_address = "127.0.0.1"\ntls_www_server\nsigning_key\nexpiration_days = 2\n', tmp)
    client_tpl = 'cn = "scraper"\ntls_www_client\nsigning_key\nexpiration_days = 2\n'
    certtool(["--generate-certificate", "--load-privkey", p("client.key"), "--load-ca-privkey", p("ca.key"),
              "--load-ca-certificate", p("ca.pem"), "--outfile", p("client.pem")], client_tpl, tmp)
    certtool(["--generate-certificate", "--load-privkey", p("rogue.key"), "--load-ca-privkey", p("otherca.key"),
              "--load-ca-certificate", p("otherca.pem"), "--outfile", p("rogue.pem")], client_tpl, tmp)


# ---- nsprobe ----

class Nsprobe(harness.Exporter):
    """nsprobe with --web.config.file, its log in tmp/<name>.log; ready when /-/healthy answers
    anything at all over the right protocol (401 counts)."""

    what = "nsprobe"
    out_mode = "w"
    grace = 60.0

    def __init__(self, binary, tmp, name, web_config):
        self.tmp = tmp
        self.name = name
        self.web = os.path.join(tmp, name + ".web.yml")
        with open(self.web, "w") as f:
            f.write(web_config)
        cfg = os.path.join(tmp, "blackbox.yml")
        with open(cfg, "w") as f:
            f.write(BLACKBOX_YML)
        super().__init__(tmp, binary, cfg, extra_args=["--web.config.file=" + self.web, "--workers=2"],
                         log_name=name + ".log")
        self.ready_curl_args = []

    def start(self, ready_curl_args):
        self.ready_curl_args = ready_curl_args
        return super().start(deadline_s=30)

    def _ready(self):
        return curl(self, "/-/healthy", self.ready_curl_args, timeout=2).code

    def _waiting_for(self):
        return "%s /-/healthy on port %d" % (self.name, self.port)


class Reply:
    def __init__(self, rc, code, headers, body, stderr):
        self.rc, self.code, self.headers, self.body, self.stderr = rc, code, headers, body, stderr

    def header(self, name):
        return self.headers.get(name.lower())

    def __repr__(self):
        return "curl rc=%d code=%d headers=%r body=%r err=%r" % (self.rc, self.code, self.headers,
                                                                 self.body[:200], self.stderr[-300:])


def curl(ns, path, args, scheme="https", timeout=20):
    hdr = os.path.join(ns.tmp, "curl.headers")
    if os.path.exists(hdr):
        os.unlink(hdr)
    url = "%s://%s:%d%s" % (scheme, HOST, ns.port, path)
    p = subprocess.run(["curl", "-sS", "--max-time", str(timeout), "-D", hdr, "-o", "-",
                        "-w", "\n%{http_code}"] + list(args) + [url],
                       stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout + 10)
    out = p.stdout.decode(errors="replace")
    body, _, code = out.rpartition("\n")
    headers = {}
    try:
        with open(hdr, errors="replace") as f:
            for line in f:
                if ":" in line:
                    k, v = line.split(":", 1)
                    headers[k.strip().lower()] = v.strip()
    except OSError:
        pass
    try:
        code = int(code)
    except ValueError:
        code = 0
    return Reply(p.returncode, code, headers, body, p.stderr.decode(errors="replace"))


def ca_names(ns, tls="-tls1_3"):
    """The CA names of the server's certificate request, as openssl s_client prints them: a list of
    subjects, [] for "No client certificate CA names sent", None when s_client saw no request."""
    p = subprocess.run(["openssl", "s_client", "-connect", "%s:%d" % (HOST, ns.port), tls],
                       input=b"", capture_output=True, timeout=30)
    out = p.stdout.decode(errors="replace")
    if "No client certificate CA names sent" in out:
        return []
    if "Acceptable client certificate CA names" not in out:
        return None
    names = out.split("Acceptable client certificate CA names", 1)[1].splitlines()[1:]
    return [n.strip() for n in names if n.strip() and "=" in n and not n.startswith(("Requested", "Client", "Peer", "Server", "---"))]


# ---- the cases ----

def basic(user, password):
    tok = base64.b64encode(("%s:%s" % (user, password)).encode()).decode()
    return ["-H", "Authorization: Basic " + tok]


def tls_auth_cases(s, binary, tmp):
    p = lambda n: os.path.join(tmp, n)  # noqa: E731
    web = """tls_server_config:
  cert_file: server.pem
  key_file: %s
http_server_config:
  headers:
    X-Frame-Options: deny
basic_auth_users:
  alice: %s
  bob: '%s'
  carol: %s
""" % (p("server.key"), bcrypt_hash("s3cret"), argon2id_hash("hunter2"), bcrypt_hash("a:b:c"))
    ns = Nsprobe(binary, tmp, "tls-auth", web)
    ca = ["--cacert", p("ca.pem")]
    ns.start(ca)
    try:
        r = curl(ns, "/-/healthy", ca + basic("alice", "s3cret"))
        s.check("bcrypt user over TLS: 200 Healthy", r.code == 200 and r.body == "Healthy", repr(r))
        s.check("configured header on responses", r.header("X-Frame-Options") == "deny", repr(r))
        r = curl(ns, "/-/healthy", ca + basic("alice", "s3cret"))
        s.check("bcrypt user again (cached verdict): 200", r.code == 200, repr(r))
        r = curl(ns, "/-/healthy", ca + basic("bob", "hunter2"))
        s.check("argon2id user: 200", r.code == 200 and r.body == "Healthy", repr(r))
        r = curl(ns, "/-/healthy", ca + basic("carol", "a:b:c"))
        s.check("password with colons (split at the first): 200", r.code == 200, repr(r))
        tok = base64.b64encode(b"alice:s3cret").decode()
        r = curl(ns, "/metrics", ca + ["-H", "Authorization: bAsIc " + tok])
        s.check("scheme is case-insensitive (RFC 7617), /metrics: 200",
                r.code == 200 and "blackbox_exporter_config_last_reload_successful" in r.body, repr(r))

        for name, args in (("wrong password", basic("alice", "wrong")),
                           ("argon2 user, wrong password", basic("bob", "s3cret")),
                           ("unknown user", basic("mallory", "s3cret")),
                           ("no credentials", []),
                           ("garbage credentials", ["-H", "Authorization: Basic !!!"])):
            r = curl(ns, "/probe?module=dns_soa&target=127.0.0.1", ca + args)
            s.check("%s: 401 with blackbox's answer" % name,
                    r.code == 401 and r.body == "Unauthorized\n" and r.header("WWW-Authenticate") == "Basic"
                    and r.header("Content-Type") == "text/plain; charset=utf-8"
                    and r.header("X-Frame-Options") == "deny", repr(r))

        r = curl(ns, "/-/healthy", basic("alice", "s3cret"), scheme="http", timeout=10)
        s.check("plain HTTP to the TLS port: no HTTP answer", r.code == 0 and r.rc != 0, repr(r))
        r = curl(ns, "/-/healthy", ca + basic("alice", "s3cret"))
        s.check("still serving after plain HTTP", r.code == 200, repr(r))
    finally:
        s.stopped(ns, ns.name)


def client_cert_cases(s, binary, tmp):
    p = lambda n: os.path.join(tmp, n)  # noqa: E731
    web = """tls_server_config:
  cert_file: server.pem
  key_file: server.key
  client_auth_type: RequireAndVerifyClientCert
  client_ca_file: ca.pem
  min_version: TLS12
"""
    ns = Nsprobe(binary, tmp, "client-cert", web)
    ca = ["--cacert", p("ca.pem")]
    good = ca + ["--cert", p("client.pem"), "--key", p("client.key")]
    ns.start(good)
    try:
        r = curl(ns, "/-/healthy", good)
        s.check("RequireAndVerifyClientCert with a client certificate: 200", r.code == 200, repr(r))
        r = curl(ns, "/-/healthy", ca)
        # Go's handshake sends certificate_required / bad_certificate; nsprobe sends the same alerts.
        s.check("RequireAndVerifyClientCert without a certificate: refused with an alert",
                r.code == 0 and r.rc != 0 and "alert" in r.stderr.lower(), repr(r))
        r = curl(ns, "/-/healthy", ca + ["--cert", p("rogue.pem"), "--key", p("rogue.key")])
        s.check("RequireAndVerifyClientCert with an untrusted certificate: refused with an alert",
                r.code == 0 and r.rc != 0 and "alert" in r.stderr.lower(), repr(r))
        r = curl(ns, "/-/healthy", good + ["--tls-max", "1.2"])
        s.check("TLS 1.2 client with certificate: 200", r.code == 200, repr(r))
        # Go names its ClientCAs in the certificate request; a Go client (Prometheus) then sends
        # only a certificate one of them issued
        for tls in ("-tls1_3", "-tls1_2"):
            names = ca_names(ns, tls)
            s.check("the certificate request names client_ca_file's CA (%s)" % tls,
                    names is not None and len(names) == 1 and "nsprobe test CA" in names[0], repr(names))
        r = curl(ns, "/-/healthy", good + ["--tls-max", "1.1"], timeout=10)
        s.check("TLS 1.1 refused (min_version TLS12)", r.code == 0 and r.rc != 0, repr(r))
    finally:
        s.stopped(ns, ns.name)

    web = """tls_server_config:
  cert_file: server.pem
  key_file: server.key
  client_auth_type: VerifyClientCertIfGiven
  client_ca_file: ca.pem
"""
    ns = Nsprobe(binary, tmp, "verify-if-given", web)
    ns.start(ca)
    try:
        r = curl(ns, "/-/healthy", ca)
        s.check("VerifyClientCertIfGiven without a certificate: 200", r.code == 200, repr(r))
        r = curl(ns, "/-/healthy", good)
        s.check("VerifyClientCertIfGiven with a good certificate: 200", r.code == 200, repr(r))
        r = curl(ns, "/-/healthy", ca + ["--cert", p("rogue.pem"), "--key", p("rogue.key")])
        s.check("VerifyClientCertIfGiven with an untrusted certificate: refused", r.code == 0, repr(r))
    finally:
        s.stopped(ns, ns.name)


def any_client_cert_cases(s, binary, tmp):
    """RequireAnyClientCert without client_ca_file: Go asks for a certificate naming no CA, so a Go
    client sends the one it has, whoever issued it, and any is accepted."""
    p = lambda n: os.path.join(tmp, n)  # noqa: E731
    web = """tls_server_config:
  cert_file: server.pem
  key_file: server.key
  client_auth_type: RequireAnyClientCert
"""
    ns = Nsprobe(binary, tmp, "any-client-cert", web)
    ca = ["--cacert", p("ca.pem")]
    rogue = ca + ["--cert", p("rogue.pem"), "--key", p("rogue.key")]
    ns.start(rogue)
    try:
        r = curl(ns, "/-/healthy", rogue)
        s.check("RequireAnyClientCert: a certificate of an unknown CA: 200", r.code == 200, repr(r))
        r = curl(ns, "/-/healthy", ca)
        s.check("RequireAnyClientCert without a certificate: refused", r.code == 0 and r.rc != 0, repr(r))
        for tls in ("-tls1_3", "-tls1_2"):
            names = ca_names(ns, tls)
            s.check("RequireAnyClientCert: the certificate request names no CA (%s)" % tls, names == [],
                    repr(names))
    finally:
        s.stopped(ns, ns.name)


def refusal_cases(s, binary, tmp):
    cases = [
        ("unknown-key", "tls_server_config:\n  cert_file: server.pem\n  key_file: server.key\n  bogus: 1\n",
         ["unknown-key.web.yml:4", "tls_server_config.bogus", "field bogus not found in type web.TLSConfig"]),
        ("bad-hash", "basic_auth_users:\n  alice: notahash\n",
         ["bad-hash.web.yml:2", "basic_auth_users.alice", "too short"]),
        ("bad-header", "http_server_config:\n  headers:\n    X-Frame-Options: allow\n",
         ["X-Frame-Options", "Expected one of"]),
        ("missing-key", "tls_server_config:\n  cert_file: server.pem\n", ["missing key_file"]),
        ("no-such-cert", "tls_server_config:\n  cert_file: nope.pem\n  key_file: server.key\n",
         ["failed to load X509KeyPair", "nope.pem"]),
        ("bad-auth-type", "tls_server_config:\n  cert_file: server.pem\n  key_file: server.key\n"
                          "  client_auth_type: Sometimes\n", ["Invalid ClientAuth: Sometimes"]),
        ("yaml-syntax", "basic_auth_users: [\n", ["yaml-syntax.web.yml"]),
    ]
    for name, text, wants in cases:
        ns = Nsprobe(binary, tmp, name, text)
        rc, log = ns.run_to_exit()
        missing = [w for w in wants if w not in log]
        s.check("refused at start: %s" % name, rc == 1 and not missing,
                "rc=%s missing=%r log=%s" % (rc, missing, log[-1500:]))
        rep = ns.sanitizer_report()
        s.check("refused at start: %s: no sanitizer report" % name, rep is None, rep or "")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    args = ap.parse_args()
    s = harness.Tally()
    with tempfile.TemporaryDirectory(prefix="nsprobe-web-") as tmp:
        try:
            make_pki(tmp)
            for group in (tls_auth_cases, client_cert_cases, any_client_cert_cases, refusal_cases):
                try:
                    group(s, os.path.abspath(args.binary), tmp)
                except (Failure, harness.FixtureError, subprocess.SubprocessError, OSError) as e:
                    s.check(group.__name__, False, str(e))
        except (Failure, subprocess.SubprocessError, OSError) as e:
            s.check("setup", False, str(e))
    print(s.summary())
    return s.exit_status()


if __name__ == "__main__":
    sys.exit(main())
