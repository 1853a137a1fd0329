"""fixture -- the world the integration cases probe: knotd, free addresses and ports, the exporter.

Everything lives in one temporary directory and on loopback only:
  * pick_loopback()      a random 127.0.0.x
  * free_port(...)       a port proven free by binding it (UDP and/or TCP, on several addresses)
  * Knot                 knotd with a generated config: zones bb.test (the reference zone),
                         signed.test (signed online by Knot, ECDSA P-256) and targets.test
                         (names to probe *as targets*), on <addr>@<port> and [::1]@<port>,
                         plus <addr>@53 when that port can be had
  * Exporter             blackbox_exporter or nsprobe, started on 127.0.0.1:<free port> and
                         polled on /-/healthy until it answers
  * http_request(...)    a tiny HTTP client returning (status, headers, body)
Nothing here sleeps for correctness: readiness is polled against a deadline.
"""

import http.client
import os
import random
import signal
import socket
import struct
import subprocess
import time

LOOPBACK6 = "::1"


class FixtureError(RuntimeError):
    pass


# --- addresses and ports ---------------------------------------------------------------------

def pick_loopback(lo=100, hi=199, avoid=()):
    """A random 127.0.0.x with lo <= x <= hi, not in avoid."""
    choices = ["127.0.0.%d" % x for x in range(lo, hi + 1)]
    choices = [c for c in choices if c not in avoid]
    return random.choice(choices)


def _family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def port_is_free(port, addrs, kinds=("udp", "tcp")):
    """True if port can be bound on every address for every kind right now."""
    socks = []
    try:
        for a in addrs:
            for k in kinds:
                s = socket.socket(_family(a), socket.SOCK_DGRAM if k == "udp" else socket.SOCK_STREAM)
                socks.append(s)
                if k == "tcp":
                    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.bind((a, port))
        return True
    except OSError:
        return False
    finally:
        for s in socks:
            s.close()


def free_port(addrs, kinds=("udp", "tcp"), tries=200):
    """A port that is free on all addrs for all kinds (the kernel proposes, we verify)."""
    for _ in range(tries):
        first = addrs[0]
        s = socket.socket(_family(first), socket.SOCK_DGRAM if "udp" in kinds else socket.SOCK_STREAM)
        try:
            s.bind((first, 0))
            port = s.getsockname()[1]
        finally:
            s.close()
        if port_is_free(port, addrs, kinds):
            return port
    raise FixtureError("no free port on %s" % (addrs,))


# --- a minimal DNS client, used only to wait for Knot ----------------------------------------

def dns_query(addr, port, qname, qtype, timeout=0.5):
    """One UDP query; returns (rcode, ancount) or None on timeout/garbage."""
    qid = random.randrange(65536)
    q = struct.pack(">HHHHHH", qid, 0, 1, 0, 0, 0)
    for label in qname.strip(".").split("."):
        q += bytes([len(label)]) + label.encode()
    q += b"\x00" + struct.pack(">HH", qtype, 1)
    s = socket.socket(_family(addr), socket.SOCK_DGRAM)
    try:
        s.settimeout(timeout)
        s.connect((addr, port))
        s.send(q)
        data = s.recv(4096)
    except OSError:
        return None
    finally:
        s.close()
    if len(data) < 12:
        return None
    rid, flags, _qd, an = struct.unpack(">HHHH", data[:8])
    if rid != qid:
        return None
    return flags & 0xF, an


def wait_until(pred, deadline_s, what, check_alive=None):
    """Poll pred() until it returns a true value or deadline_s seconds pass."""
    end = time.monotonic() + deadline_s
    delay = 0.01
    while True:
        if check_alive is not None:
            check_alive()
        v = pred()
        if v:
            return v
        if time.monotonic() > end:
            raise FixtureError("timed out waiting for " + what)
        # Back-off between polls (not a correctness sleep: the loop ends on the condition).
        time.sleep(delay)
        delay = min(delay * 2, 0.2)


def stop_process(proc, grace=5.0):
    """SIGTERM the one process we started, then SIGKILL it if it lingers."""
    if proc is None or proc.poll() is not None:
        return
    try:
        proc.send_signal(signal.SIGTERM)
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(grace)
    except ProcessLookupError:
        pass


# --- Knot --------------------------------------------------------------------------------------

BB_ZONE = r"""$ORIGIN bb.test.
$TTL 300
@       3600 IN SOA ns1.bb.test. hostmaster.bb.test. 2024010101 7200 3600 1209600 300
@       3600 IN NS  ns1.bb.test.
ns1          IN A   @KNOT@
@            IN A   192.0.2.1
@            IN AAAA 2001:db8::1
@            IN MX  10 mail.bb.test.
mail         IN A   192.0.2.25
@            IN TXT "v=spf1 -all"
@            IN TXT "hello world" "second string"
www          IN CNAME bb.test.
@            IN CAA 0 issue "letsencrypt.org"
_sip._tcp    IN SRV 10 60 5060 sipserver.bb.test.
ptr          IN PTR host.bb.test.
unk          IN TYPE65280 \# 4 0A000001
multi        IN A 192.0.2.10
multi        IN A 192.0.2.11
multi        IN A 192.0.2.12
mapped       IN AAAA ::ffff:192.0.2.1
space\032name IN A 192.0.2.99
""" + "".join(
    'big IN TXT "padding-record-number-%d-%s"\n' % (i, "a" * 43) for i in range(1, 21))

SIGNED_ZONE = """$ORIGIN signed.test.
$TTL 300
@       3600 IN SOA ns1.signed.test. hostmaster.signed.test. 1 7200 3600 1209600 300
@       3600 IN NS  ns1.signed.test.
@            IN A   192.0.2.50
ns1          IN A   @KNOT@
"""

TARGETS_ZONE = """$ORIGIN targets.test.
$TTL 300
@       3600 IN SOA ns1.targets.test. hostmaster.targets.test. 1 7200 3600 1209600 300
@       3600 IN NS  ns1.targets.test.
ns1          IN A    @KNOT@
v4           IN A    @KNOT@
v6           IN AAAA ::1
dual         IN A    @KNOT@
dual         IN AAAA ::1
mapped       IN AAAA ::ffff:@KNOT@
"""

KNOT_CONF = """# generated by test/integration/fixture.py
server:
    rundir: "@DIR@/run"
    listen: [ @LISTEN@ ]
    udp-workers: 2
    tcp-workers: 2
    background-workers: 1
log:
  - target: "@DIR@/knot.log"
    any: info
database:
    storage: "@DIR@/db"
keystore:
  - id: default
    backend: pem
    config: "@DIR@/keys"
policy:
  - id: ecdsa
    algorithm: ecdsap256sha256
    nsec3: off
template:
  - id: default
    storage: "@DIR@/zones"
    file: "%s.zone"
    zonefile-sync: -1
    journal-content: none
zone:
  - domain: bb.test
  - domain: targets.test
  - domain: signed.test
    dnssec-signing: on
    dnssec-policy: ecdsa
"""


class Knot:
    """knotd on addr@port and [::1]@port (same port), and addr@53 if free and we are root."""

    def __init__(self, workdir, addr=None, want_port53=True):
        self.dir = os.path.join(workdir, "knot")
        self.addr = addr or pick_loopback()
        self.addr6 = LOOPBACK6
        self.port = None
        self.port53 = False
        self.want_port53 = want_port53
        self.proc = None

    def _write(self, listen):
        for sub in ("run", "db", "keys", "zones"):
            os.makedirs(os.path.join(self.dir, sub), exist_ok=True)
        zones = {"bb.test": BB_ZONE, "signed.test": SIGNED_ZONE, "targets.test": TARGETS_ZONE}
        for name, text in zones.items():
            with open(os.path.join(self.dir, "zones", name + ".zone"), "w") as f:
                f.write(text.replace("@KNOT@", self.addr))
        conf = KNOT_CONF.replace("@DIR@", self.dir).replace("@LISTEN@", ", ".join(listen))
        self.conf = os.path.join(self.dir, "knot.conf")
        with open(self.conf, "w") as f:
            f.write(conf)

    def log_tail(self, n=30):
        try:
            with open(os.path.join(self.dir, "knot.log")) as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return ""

    def _alive(self):
        if self.proc.poll() is not None:
            raise FixtureError("knotd exited with %s:\n%s" % (self.proc.returncode, self.log_tail()))

    def _ready(self):
        checks = [(self.addr, self.port, "bb.test", 6), (self.addr6, self.port, "bb.test", 6),
                  (self.addr, self.port, "targets.test", 6),
                  (self.addr, self.port, "signed.test", 48)]  # DNSKEY: signing is done
        if self.port53:
            checks.append((self.addr, 53, "bb.test", 6))
        for a, p, name, qtype in checks:
            r = dns_query(a, p, name, qtype)
            if r is None or r[0] != 0 or r[1] < 1:
                return False
        return True

    def start(self, deadline_s=20.0):
        last = None
        for _attempt in range(3):
            self.port = free_port([self.addr, self.addr6])
            self.port53 = (self.want_port53 and os.geteuid() == 0
                           and port_is_free(53, [self.addr]))
            listen = ["%s@%d" % (self.addr, self.port), "%s@%d" % (self.addr6, self.port)]
            if self.port53:
                listen.append("%s@53" % self.addr)
            self._write(listen)
            try:
                with open(os.path.join(self.dir, "knotd.out"), "w") as out:
                    self.proc = subprocess.Popen(["knotd", "-c", self.conf],
                                                 stdin=subprocess.DEVNULL,
                                                 stdout=out, stderr=subprocess.STDOUT)
                wait_until(self._ready, deadline_s, "knotd on %s@%d" % (self.addr, self.port),
                           check_alive=self._alive)
                return self
            except FixtureError as e:
                last = e
                self.stop()
                if "address already in use" not in self.log_tail().lower():
                    break  # only a port taken between our check and knotd's bind is retried
            except BaseException:  # interrupted: never leave knotd behind
                self.stop()
                raise
        raise last

    def stop(self):
        stop_process(self.proc)
        self.proc = None


# --- the exporter ------------------------------------------------------------------------------

def http_request(host, port, path, headers=None, method="GET", body=None, timeout=30.0):
    """One request on a fresh connection; returns (status, {lower-case header: value}, body str)."""
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        data = resp.read()
        hdrs = {k.lower(): v for k, v in resp.getheaders()}
        return resp.status, hdrs, data.decode("utf-8", errors="replace")
    finally:
        conn.close()


def resolv_namespace_prefix(workdir, nameserver):
    """argv prefix running a command in a private mount namespace whose /etc/resolv.conf names
    only `nameserver` (port 53): lets blackbox_exporter resolve target names through the fixture's
    Knot without touching the machine's resolver. Needs root and util-linux unshare; the command
    keeps the pid of the prefix (sh execs it), so it is stopped by that pid."""
    path = os.path.join(workdir, "resolv.conf")
    with open(path, "w") as f:
        f.write("nameserver %s\noptions timeout:1 attempts:1\n" % nameserver)
    return ["unshare", "--mount", "--propagation", "private", "sh", "-c",
            'mount --bind "$0" /etc/resolv.conf && exec "$@"', path]


class Exporter:
    """The exporter under test: `binary --config.file=F --web.listen-address=127.0.0.1:P [extra]`."""

    HOST = "127.0.0.1"

    def __init__(self, workdir, binary, config_path, extra_args=(), prefix=()):
        self.dir = workdir
        self.prefix = list(prefix)  # e.g. a namespace wrapper that ends in `exec "$@"`
        self.binary = binary
        self.config_path = config_path
        self.extra_args = list(extra_args)
        self.port = None
        self.proc = None
        self.args = None
        self.log_path = os.path.join(workdir, "exporter.log")

    def log_tail(self, n=40):
        try:
            with open(self.log_path, errors="replace") as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return ""

    def _alive(self):
        if self.proc.poll() is not None:
            raise FixtureError("exporter exited with %s:\n%s" % (self.proc.returncode, self.log_tail()))

    def _healthy(self):
        try:
            status, _h, _b = http_request(self.HOST, self.port, "/-/healthy", timeout=1.0)
            return status == 200
        except OSError:
            return False

    def start(self, deadline_s=20.0):
        last = None
        for _attempt in range(3):
            self.port = free_port([self.HOST], kinds=("tcp",))
            self.args = [self.binary, "--config.file=" + self.config_path,
                         "--web.listen-address=%s:%d" % (self.HOST, self.port)] + self.extra_args
            argv = self.prefix + self.args
            try:
                with open(self.log_path, "a") as out:
                    self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                                 stdout=out, stderr=subprocess.STDOUT)
                wait_until(self._healthy, deadline_s, "exporter /-/healthy on port %d" % self.port,
                           check_alive=self._alive)
                return self
            except FixtureError as e:
                last = e
                self.stop()
                if "address already in use" not in self.log_tail().lower():
                    break  # only a lost port race is worth another try
            except BaseException:  # interrupted: never leave the exporter behind
                self.stop()
                raise
        raise last

    def request(self, path, headers=None, method="GET", timeout=30.0):
        return http_request(self.HOST, self.port, path, headers=headers, method=method,
                            timeout=timeout)

    def stop(self):
        """Stops the exporter; returns its exit status (None if it was not running)."""
        proc = self.proc
        stop_process(proc)
        self.proc = None
        return None if proc is None else proc.returncode

    def sanitizer_report(self):
        """The first AddressSanitizer/LeakSanitizer/UBSan line in the exporter's log, or None."""
        try:
            with open(self.log_path, errors="replace") as f:
                for line in f:
                    if ("Sanitizer" in line and "ERROR" in line) or "runtime error:" in line:
                        return line.strip()
        except OSError:
            pass
        return None
