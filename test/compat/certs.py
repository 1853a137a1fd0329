#!/usr/bin/env python3
"""Certificate rotation without a restart (issue 15): exporter-toolkit reads the web config on each
handshake and the cert_file/key_file on each handshake (web/tls_config.go: GetConfigForClient,
GetCertificate), so an operator rotates certificates by replacing files. nsprobe re-reads the web
config and the files it names when their inode, size, mtime or ctime change (at most a second
later) and hands each new connection the settings of the config current when it opens.

Real TLS handshakes (Python's ssl) against nsprobe on 127.0.0.1, the served certificate compared by
its SHA-256 fingerprint:
  * cert_file/key_file replaced on disk (same web config) -> the next handshake presents the new
    certificate, an RSA one after an ECDSA one; the change is logged;
  * the web config pointed at other files -> those are served;
  * a connection opened before a swap keeps working after it (its settings stay alive);
  * a broken key file -> logged, the last good certificate still served; fixed -> served again and
    the recovery logged; a web config naming a missing key -> refused, and creating that file is seen;
  * client_ca_file changed -> a client certificate from the old CA is refused, one from the new
    CA accepted; min_version raised to TLS13 -> a TLS 1.2 client fails, lowered -> it connects;
  * turning TLS off -> refused ("changes need a restart"), HTTPS keeps serving;
  * exit 0 on SIGTERM without a sanitizer report.
The last line is "N passed, M failed".
"""
import argparse
import hashlib
import os
import shutil
import socket
import ssl
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


# ---- certificates (certtool, GnuTLS) ----

def run(args):
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120)


def template(tmp, text):
    path = os.path.join(tmp, "template.cfg")
    with open(path, "w") as f:
        f.write(text)
    return path


def make_pki(tmp):
    p = lambda n: os.path.join(tmp, n)  # noqa: E731
    server_tpl = 'cn = "127.0.0.1"\nip_address = "127.0.0.1"\ntls_www_server\nsigning_key\n' \
                 'encryption_key\nexpiration_days = 2\n'
    # A (ECDSA), B (RSA: the key exchange changes with it), C (ECDSA): self-signed server certificates.
    for name, kind in (("a", "ecdsa"), ("b", "rsa"), ("c", "ecdsa")):
        run(["certtool", "--generate-privkey", "--key-type", kind, "--outfile", p(name + ".key")])
        run(["certtool", "--generate-self-signed", "--load-privkey", p(name + ".key"), "--template",
             template(tmp, server_tpl), "--outfile", p(name + ".crt")])
    # Two client CAs, each with a client certificate.
    ca_tpl = 'cn = "nsprobe test CA %s"\nca\ncert_signing_key\nexpiration_days = 2\n'
    client_tpl = 'cn = "scraper"\ntls_www_client\nsigning_key\nexpiration_days = 2\n'
    for n in ("1", "2"):
        for name in ("ca" + n, "client" + n):
            run(["certtool", "--generate-privkey", "--key-type", "ecdsa", "--outfile", p(name + ".key")])
        run(["certtool", "--generate-self-signed", "--load-privkey", p("ca%s.key" % n), "--template",
             template(tmp, ca_tpl % n), "--outfile", p("ca%s.pem" % n)])
        run(["certtool", "--generate-certificate", "--load-privkey", p("client%s.key" % n), "--load-ca-privkey",
             p("ca%s.key" % n), "--load-ca-certificate", p("ca%s.pem" % n), "--template", template(tmp, client_tpl),
             "--outfile", p("client%s.pem" % n)])


def fingerprint_of(path):
    return hashlib.sha256(ssl.PEM_cert_to_DER_cert(open(path).read())).hexdigest()


# ---- a TLS client ----

class Conn:
    """One TLS connection: the certificate the server presented, and GET requests over it."""

    def __init__(self, port, client=None, max_tls12=False):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        if client:
            ctx.load_cert_chain(*client)
        if max_tls12:
            ctx.maximum_version = ssl.TLSVersion.TLSv1_2
        raw = socket.create_connection((HOST, port), timeout=5)
        try:
            self.s = ctx.wrap_socket(raw)
        except BaseException:
            raw.close()
            raise
        self.fingerprint = hashlib.sha256(self.s.getpeercert(binary_form=True)).hexdigest()

    def get(self, path="/-/healthy"):
        """The status code, or 0 when the server closed the connection instead."""
        try:
            self.s.sendall(("GET %s HTTP/1.1\r\nHost: %s\r\n\r\n" % (path, HOST)).encode())
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = self.s.recv(4096)
                if not chunk:
                    return 0
                data += chunk
            head, _, body = data.partition(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n")[1:]:
                k, _, v = line.partition(b":")
                if k.strip().lower() == b"content-length":
                    length = int(v.strip())
            while len(body) < length:
                chunk = self.s.recv(4096)
                if not chunk:
                    break
                body += chunk
            return int(head.split(b" ")[1])
        except (OSError, ValueError, IndexError):
            return 0

    def close(self):
        self.s.close()


def probe(port, **kw):
    """(fingerprint, status of GET /-/healthy) on a fresh connection; (None, error) when it fails."""
    try:
        c = Conn(port, **kw)
    except (OSError, ssl.SSLError) as e:
        return None, str(e)
    try:
        return c.fingerprint, c.get()
    finally:
        c.close()


class Nsprobe(harness.Exporter):
    """nsprobe over HTTPS; ready when a handshake and GET /-/healthy succeed."""

    def _ready(self):
        return probe(self.port)[1] == 200


def replace(path, text):
    """Writes a file the way certificate tools do: a new file renamed over the old one."""
    with open(path + ".tmp", "w") as f:
        f.write(text)
    os.replace(path + ".tmp", path)


def read(path):
    with open(path) as f:
        return f.read()


def rotation_checks(c, tmp, binary):
    p = lambda n: os.path.join(tmp, n)  # noqa: E731
    fa, fb, fc = (fingerprint_of(p(n + ".crt")) for n in ("a", "b", "c"))
    web = p("web.yml")
    tls = "tls_server_config:\n  cert_file: %s\n  key_file: %s\n"
    shutil.copy(p("a.crt"), p("s.crt"))
    shutil.copy(p("a.key"), p("s.key"))
    replace(web, tls % ("s.crt", "s.key"))
    cfg = p("blackbox.yml")
    with open(cfg, "w") as f:
        f.write(BLACKBOX_YML)
    ex = Nsprobe(tmp, binary, cfg, extra_args=["--web.config.file=" + web, "--workers=2"], log_name="certs.log")
    ex.start(30)

    def within(pred, what, seconds=6):
        try:
            harness.wait_until(pred, seconds, what)
            return True
        except harness.FixtureError:
            return False

    def served():
        return probe(ex.port)[0]

    def log_count(text):
        return ex.log_text().count(text)

    try:
        c.check("certs: certificate A served at start", served() == fa, repr(probe(ex.port)))
        early = Conn(ex.port)
        c.check("certs: a kept-alive connection answers before the swap", early.get() == 200)

        # cert_file and key_file replaced on disk, the web config untouched
        replace(p("s.key"), read(p("b.key")))
        replace(p("s.crt"), read(p("b.crt")))
        ok = within(lambda: served() == fb, "certificate B served")
        c.check("certs: files replaced on disk -> the next handshake presents B (RSA after ECDSA), no restart", ok,
                repr(probe(ex.port)) + ex.log_text()[-600:])
        c.check("certs: the new certificate is logged with its fingerprint",
                within(lambda: log_count("serving a new TLS certificate") >= 1 and fb in ex.log_text(), "logged"), ex.log_text()[-600:])
        c.check("certs: a connection opened before the swap keeps working on A",
                early.get() == 200 and early.fingerprint == fa)
        early.close()
        c.check("certs: every worker serves B (8 fresh handshakes)",
                all(probe(ex.port)[0] == fb for _ in range(8)))

        # the web config pointed at other files
        replace(web, tls % ("c.crt", "c.key"))
        ok = within(lambda: served() == fc, "certificate C served")
        c.check("certs: the web config pointed at C -> the next handshake presents C", ok, repr(probe(ex.port)))

        # a broken key file named by the (unchanged) web config
        broken_before = log_count("Unable to parse configuration")
        with open(p("c.key"), "r+") as f:  # in place: same inode, mtime tells
            f.seek(0)
            f.write("-----BEGIN PRIVATE KEY-----\nbroken\n-----END PRIVATE KEY-----\n")
            f.truncate()
        ok = within(lambda: log_count("Unable to parse configuration") > broken_before, "the broken key logged")
        line = [ln for ln in ex.log_text().splitlines() if "Unable to parse configuration" in ln][-1:]
        c.check("certs: a broken key file is logged (X509KeyPair) and the last good config kept",
                ok and "failed to load X509KeyPair" in line[0] and "keeping the last good web config" in line[0], repr(line))
        c.check("certs: with the key broken, C is still served", served() == fc and probe(ex.port)[1] == 200,
                repr(probe(ex.port)))

        # fixed with the pair B: served, and the recovery logged
        reloaded_before = log_count("Reloaded web config file")
        replace(p("c.crt"), read(p("b.crt")))
        replace(p("c.key"), read(p("b.key")))
        ok = within(lambda: served() == fb, "the fixed files served")
        c.check("certs: the key file fixed -> its certificate served and the recovery logged",
                ok and log_count("Reloaded web config file") > reloaded_before,
                repr(probe(ex.port)) + ex.log_text()[-600:])

        # a refused web config whose key file is missing: fixing that file (not the web config) is seen
        shutil.copy(p("a.crt"), p("d.crt"))
        broken_before = log_count("Unable to parse configuration")
        replace(web, tls % ("d.crt", "d.key"))
        ok = within(lambda: log_count("Unable to parse configuration") > broken_before, "the missing key logged")
        c.check("certs: a web config naming a missing key is refused, B still served", ok and served() == fb,
                repr(probe(ex.port)))
        shutil.copy(p("a.key"), p("d.key"))
        ok = within(lambda: served() == fa, "the refused config's key file created")
        c.check("certs: creating the key file the refused config names -> it loads, A served", ok,
                repr(probe(ex.port)) + ex.log_text()[-400:])

        # client_ca_file: the trust and the certificate request follow the file
        c1 = (p("client1.pem"), p("client1.key"))
        c2 = (p("client2.pem"), p("client2.key"))
        auth = tls % ("a.crt", "a.key") + "  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: %s\n"
        replace(web, auth % "ca1.pem")
        ok = within(lambda: probe(ex.port)[1] != 200, "client auth on")
        c.check("certs: client auth turned on in the file -> CA 1's client served, no certificate refused",
                ok and probe(ex.port, client=c1) == (fa, 200) and probe(ex.port)[1] != 200,
                repr((probe(ex.port, client=c1), probe(ex.port))))
        replace(web, auth % "ca2.pem")
        ok = within(lambda: probe(ex.port, client=c1)[1] != 200, "CA 1 no longer trusted")
        c.check("certs: client_ca_file changed -> CA 2's client served, CA 1's refused",
                ok and probe(ex.port, client=c2) == (fa, 200),
                repr((probe(ex.port, client=c1), probe(ex.port, client=c2))))

        # priorities: min_version
        replace(web, tls % ("a.crt", "a.key") + "  min_version: TLS13\n")
        ok = within(lambda: probe(ex.port, max_tls12=True)[0] is None, "TLS 1.2 refused")
        c.check("certs: min_version TLS13 -> a TLS 1.2 client fails, 1.3 serves", ok and probe(ex.port) == (fa, 200),
                repr(probe(ex.port, max_tls12=True)))
        replace(web, tls % ("a.crt", "a.key"))
        ok = within(lambda: probe(ex.port, max_tls12=True) == (fa, 200), "TLS 1.2 again")
        c.check("certs: min_version removed -> the TLS 1.2 client connects again", ok)

        # turning TLS off needs a restart
        replace(web, "http_server_config:\n  headers:\n    X-Frame-Options: deny\n")
        ok = within(lambda: "changes need a restart" in ex.log_text(), "TLS off refused")
        c.check("certs: turning TLS off is refused (restart), HTTPS serves on", ok and probe(ex.port) == (fa, 200),
                ex.log_text()[-400:])
    finally:
        clean, detail = ex.stop_verdict()
        c.check("certs: exits 0 on SIGTERM without a sanitizer report", clean, detail)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    args = ap.parse_args()
    binary = os.path.abspath(args.binary)
    c = harness.Tally()
    with tempfile.TemporaryDirectory(prefix="nsprobe-certs-") as tmp:
        if os.environ.get("CERTS_KEEP"):  # a directory to keep the certificates and the log in
            tmp = os.environ["CERTS_KEEP"]
            os.makedirs(tmp, exist_ok=True)
        make_pki(tmp)
        rotation_checks(c, tmp, binary)
    print(c.summary())
    return c.exit_status()


if __name__ == "__main__":
    sys.exit(main())
