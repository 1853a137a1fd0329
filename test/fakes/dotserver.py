#!/usr/bin/env python3
"""dotserver -- DNS-over-TLS servers on loopback for the tests, one behaviour per port.

Each behaviour listens on its own kernel-chosen TCP port of one loopback address (IPv4 or ::1):
  forward   TLS handshake, then each framed query is forwarded to the upstream over TCP (the
            fixture's Knot) and its answer returned; without an upstream, a canned A answer
  silent    TLS handshake, reads the query, never answers (holds the connection)
  notls     accepts the TCP connection and never speaks TLS (the client's handshake hangs)
  mtls      like forward, but requires a client certificate signed by client_ca
  tls12     like forward, but offers TLS 1.2 only

make_pki(dir, ips, names) writes a test PKI with certtool (gnutls-bin): ca.pem/ca.key, a server
certificate server.pem/server.key signed by it with the given IP and DNS SANs, a client certificate
client.pem/client.key, and an unrelated other-ca.pem.

As a library:
    pki = make_pki(tmp, ["127.0.0.5", "::1"], ["dot.test"])
    srv = DotServer("127.0.0.5", pki["server.pem"], pki["server.key"], upstream=("127.0.0.9", 5300),
                    client_ca=pki["ca.pem"])
    ports = srv.start()          # {"forward": 40123, "silent": 40124, ...}
    srv.stop()
As a script: dotserver.py --host 127.0.0.5 --dir /tmp/x [--upstream 127.0.0.9:5300]
prints {"host", "ports", "pki"} as one JSON line, then serves until SIGTERM/SIGINT.

Python 3 standard library only (plus the certtool program). Only loopback addresses are accepted.
"""

import argparse
import os
import socket
import ssl
import struct
import subprocess
import sys
import threading

if __name__ == "__main__":  # as a script: test/ on the path, for the harness package
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from harness.fakes import FakeServer, serve_main  # noqa: E402

BEHAVIOURS = ("forward", "silent", "notls", "mtls", "tls12")


# --- certificates --------------------------------------------------------------------------------

def _certtool(args, template_text, tmpl_path):
    with open(tmpl_path, "w") as f:
        f.write(template_text)
    subprocess.run(["certtool"] + args + ["--template", tmpl_path], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _key(path):
    subprocess.run(["certtool", "--generate-privkey", "--key-type=ecdsa", "--curve=secp256r1",
                    "--outfile", path], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.PIPE)


def make_pki(directory, ips, names):
    """Writes the test PKI into directory; returns {file name: path}."""
    os.makedirs(directory, exist_ok=True)
    p = {n: os.path.join(directory, n) for n in (
        "ca.key", "ca.pem", "other-ca.key", "other-ca.pem", "server.key", "server.pem",
        "client.key", "client.pem")}
    tmpl = os.path.join(directory, "template.cfg")
    for ca in ("ca", "other-ca"):
        _key(p[ca + ".key"])
        _certtool(["--generate-self-signed", "--load-privkey", p[ca + ".key"],
                   "--outfile", p[ca + ".pem"]],
                  'cn = "nsprobe test %s"\nca\ncert_signing_key\nexpiration_days = 2\n' % ca, tmpl)
    sans = "".join('ip_address = "%s"\n' % ip for ip in ips)
    sans += "".join('dns_name = "%s"\n' % n for n in names)
    _key(p["server.key"])
    _certtool(["--generate-certificate", "--load-privkey", p["server.key"],
               "--load-ca-certificate", p["ca.pem"], "--load-ca-privkey", p["ca.key"],
               "--outfile", p["server.pem"]],
              'cn = "%s"\n%stls_www_server\nsigning_key\nencryption_key\nexpiration_days = 2\n'
              % (names[0] if names else "server", sans), tmpl)
    _key(p["client.key"])
    _certtool(["--generate-certificate", "--load-privkey", p["client.key"],
               "--load-ca-certificate", p["ca.pem"], "--load-ca-privkey", p["ca.key"],
               "--outfile", p["client.pem"]],
              'cn = "nsprobe test client"\ntls_www_client\nsigning_key\nexpiration_days = 2\n', tmpl)
    os.unlink(tmpl)
    return p


# --- DNS helpers ---------------------------------------------------------------------------------

def _recv_exact(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def _read_framed(sock):
    hdr = _recv_exact(sock, 2)
    if hdr is None:
        return None
    return _recv_exact(sock, struct.unpack(">H", hdr)[0])


def canned_answer(q):
    """An A answer 192.0.2.53 for the query's question (as the reference's dot.py)."""
    off = 12
    while q[off] != 0:
        off += 1 + q[off]
    qsec = q[12:off + 5]
    flags = struct.unpack(">H", q[2:4])[0]
    a = b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 60, 4) + socket.inet_aton("192.0.2.53")
    return q[:2] + struct.pack(">HHHHH", 0x8400 | (flags & 0x0100), 1, 1, 0, 0) + qsec + a


# --- the server ----------------------------------------------------------------------------------

class DotServer(FakeServer):
    name = "dot"

    def __init__(self, host, certfile, keyfile, upstream=None, client_ca=None, behaviours=None):
        super().__init__(host)
        self.upstream = upstream
        self.behaviours = list(behaviours or BEHAVIOURS)
        if "mtls" in self.behaviours and not client_ca:
            self.behaviours.remove("mtls")
        self.ctx = {}
        for b in self.behaviours:
            if b == "notls":
                continue
            c = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            c.load_cert_chain(certfile, keyfile)
            if b == "mtls":
                c.verify_mode = ssl.CERT_REQUIRED
                c.load_verify_locations(client_ca)
            if b == "tls12":
                c.maximum_version = ssl.TLSVersion.TLSv1_2
            self.ctx[b] = c
        self.peers = []  # (behaviour, client address) of every accepted connection
        self.errors = []
        self._conns = set()
        self._lock = threading.Lock()

    def _bind(self):
        for b in self.behaviours:
            s = socket.socket(self.family, socket.SOCK_STREAM)
            self.watch(s, "listen", b)  # closed by close_all() even if the bind fails
            s.bind((self.host, 0))
            s.listen(64)
            self.ports[b] = s.getsockname()[1]

    def _close_extra(self):
        with self._lock:
            conns, self._conns = list(self._conns), set()
        for c in conns:
            try:
                c.close()
            except OSError:
                pass

    def _on(self, kind, behaviour, lsock):
        conn, peer = lsock.accept()
        self.peers.append((behaviour, peer[0]))
        conn.setblocking(True)
        with self._lock:
            self._conns.add(conn)
        threading.Thread(target=self._serve, args=(conn, behaviour), daemon=True).start()

    def _hold(self, sock):
        """Keep the connection open until the client closes it or the server stops."""
        sock.settimeout(None)
        try:
            while not self._stop.is_set() and sock.recv(4096):
                pass
        except OSError:
            pass

    def _serve(self, conn, behaviour):
        sock = conn
        try:
            if behaviour == "notls":
                self._hold(conn)
                return
            conn.settimeout(10)
            try:
                sock = self.ctx[behaviour].wrap_socket(conn, server_side=True)
            except (ssl.SSLError, OSError) as e:
                self.errors.append("%s handshake: %s" % (behaviour, e))
                return
            with self._lock:
                self._conns.add(sock)
            while True:
                q = _read_framed(sock)
                if q is None or len(q) < 12:
                    return
                if behaviour == "silent":
                    self._hold(sock)
                    return
                a = self._answer(q)
                sock.sendall(struct.pack(">H", len(a)) + a)
        except (ssl.SSLError, OSError) as e:
            if not self._stop.is_set():
                self.errors.append("%s: %s" % (behaviour, e))
        finally:
            with self._lock:
                self._conns.discard(sock)
                self._conns.discard(conn)
            try:
                sock.close()
            except OSError:
                pass

    def _answer(self, q):
        if self.upstream is None:
            return canned_answer(q)
        host, port = self.upstream
        fam = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.socket(fam, socket.SOCK_STREAM) as u:
            u.settimeout(5)
            u.connect((host, port))
            u.sendall(struct.pack(">H", len(q)) + q)
            a = _read_framed(u)
        if a is None:
            raise OSError("upstream closed the connection")
        return a


def main(argv=None):
    ap = argparse.ArgumentParser(description="DNS-over-TLS test servers on a loopback address")
    ap.add_argument("--host", required=True, help="loopback address to bind, e.g. 127.0.0.5 or ::1")
    ap.add_argument("--dir", required=True, help="directory for the generated certificates")
    ap.add_argument("--upstream", help="host:port of a DNS server to forward to over TCP")
    args = ap.parse_args(argv)
    upstream = None
    if args.upstream:
        h, _, p = args.upstream.rpartition(":")
        upstream = (h.strip("[]"), int(p))
    pki = make_pki(args.dir, [args.host], ["dot.test"])
    srv = DotServer(args.host, pki["server.pem"], pki["server.key"], upstream, pki["ca.pem"])
    return serve_main(srv, lambda ports: {"host": args.host, "ports": ports, "pki": pki})

if __name__ == "__main__":
    sys.exit(main())
