"""stack -- the world the stack checks run in: two knotd, nsprobe instances, and the monitoring
servers (VictoriaMetrics, vmagent, vmalert, Prometheus), all on loopback, on ports proven free.

Builds on test/integration/harness.py (free ports, knotd start-up, the exporter process) without
changing it: the two Knot servers here write their own zones and config through a subclass.
Started lazily: a check asks for what it needs (world.knots(), world.nsprobe(i), ...).
"""

import json
import os
import shutil
import subprocess
import threading
import time
import urllib.parse
import http.server

import harness
import harness.knot

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
CONFIG = os.path.join(REPO, "config")
LOOP4 = "127.0.0.1"


class StackError(RuntimeError):
    pass


class Skip(Exception):
    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def tool(name, package):
    """The path of a tool, or Skip naming the Debian package that has it."""
    for d in ("", "/usr/sbin/", "/sbin/", "/usr/bin/"):
        p = shutil.which(d + name) if d else shutil.which(name)
        if p:
            return p
    raise Skip("%s not installed (Debian package %s)" % (name, package))


def run(argv, timeout=60, cwd=None, env=None):
    """Runs a tool to completion: (returncode, stdout + stderr)."""
    p = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=timeout, cwd=cwd, env=env)
    return p.returncode, p.stdout.decode("utf-8", "replace")


def read(path):
    with open(path) as f:
        return f.read()


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    return path


def substitute(text, pairs, what):
    """Replaces each (old, new) in text; every old must occur (the shipped file changed?)."""
    for old, new in pairs:
        if old not in text:
            raise StackError("%s: expected %r in the shipped file" % (what, old))
        text = text.replace(old, new)
    return text


def get_json(port, path, timeout=5.0):
    status, _h, body = harness.http_request(LOOP4, port, path, timeout=timeout)
    if status != 200:
        raise StackError("GET %s -> %d: %s" % (path, status, body[:300]))
    return json.loads(body)


def poll(pred, deadline_s, what):
    """pred() -> (done, detail). Polls until done or the deadline; the last detail explains a
    timeout. Back-off between polls, never a fixed sleep for correctness."""
    end = time.monotonic() + deadline_s
    delay = 0.05
    detail = None
    while True:
        try:
            done, detail = pred()
        except (OSError, StackError, ValueError) as e:
            done, detail = False, "%s: %s" % (type(e).__name__, e)
        if done:
            return detail
        if time.monotonic() > end:
            raise StackError("timed out after %gs waiting for %s; last: %s" % (deadline_s, what, detail))
        time.sleep(delay)
        delay = min(delay * 2, 0.5)


# --- Knot: ns1 signs the zones, ns2 is its secondary for example.com and has its own example.net --

ZONE = """$ORIGIN @ZONE@.
$TTL 300
@       3600 IN SOA ns1.@ZONE@. hostmaster.@ZONE@. @SERIAL@ 7200 3600 1209600 300
@       3600 IN NS  ns1.@ZONE@.
@       3600 IN NS  ns2.@ZONE@.
ns1          IN A   @NS1@
ns2          IN A   @NS2@
@            IN A   192.0.2.80
"""

# The zones and their serials. example.com: ns1 signs, ns2 transfers it (serials agree).
# example.net: both serve their own signed copy with different serials (the divergence case).
ZONES = ("example.com", "example.net")
SERIALS = {"ns1": {"example.com": 2024010101, "example.net": 2024010105},
           "ns2": {"example.net": 2024010101}}


class ZoneKnot(harness.Knot):
    """A knotd playing ns1 or ns2, on addr@port and [::1]@port."""

    def __init__(self, workdir, role, addr, primary=None):
        super().__init__(os.path.join(workdir, role), addr=addr, want_port53=False)
        self.role = role
        self.primary = primary  # ns1's ZoneKnot, for ns2
        self.other_addr = None

    def _zones(self):
        out = {}
        for z in ZONES:
            serial = SERIALS[self.role].get(z)
            if serial is None:  # ns2's example.com: a secondary of ns1
                continue
            out[z] = (ZONE.replace("@ZONE@", z).replace("@SERIAL@", str(serial))
                      .replace("@NS1@", self.addr if self.role == "ns1" else self.other_addr)
                      .replace("@NS2@", self.addr if self.role == "ns2" else self.other_addr))
        return out

    def _config(self, listen):
        zones, remotes = [], []
        for z in ZONES:
            if SERIALS[self.role].get(z) is None:
                zones.append((z, ["master: ns1"]))
                remotes = [("ns1", "%s@%d" % (self.primary.addr, self.primary.port))]
            else:
                zones.append((z, ["dnssec-signing: on", "dnssec-policy: ecdsa", "acl: xfr"]))
        return harness.knot_config(self.dir, listen, zones, workers=1, policies=harness.knot.ECDSA_POLICY,
                                   remotes=remotes, acl=[("xfr", "[ 127.0.0.0/8, ::1 ]", "transfer")],
                                   generator="test/stack/stack.py")

    def _ready(self):
        for a in (self.addr, self.addr6):
            for z in ZONES:
                for qtype in (6, 48):  # SOA, and DNSKEY: signing (or the transfer) is done
                    r = harness.dns_query(a, self.port, z, qtype)
                    if r is None or r[0] != 0 or r[1] < 1:
                        return False
        return True


# --- long-running servers: VictoriaMetrics, vmagent, vmalert, Prometheus ------------------------

class Server(harness.HttpDaemon):
    """One server process on 127.0.0.1:<free port>; argv may contain {port}; ready when
    GET health_path answers 200."""

    grace = 10.0

    def __init__(self, workdir, name, argv, health_path):
        self.name = self.what = name
        self.argv = argv
        self.health_path = health_path
        self.dir = self.cwd = os.path.join(workdir, name)
        os.makedirs(self.dir, exist_ok=True)
        super().__init__(os.path.join(self.dir, "out.log"))

    def log_tail(self, n=25):
        return super().log_tail(n)

    def _argv_on(self, port):
        return [a.replace("{port}", str(port)).replace("{dir}", self.dir) for a in self.argv]

    def _waiting_for(self):
        return "%s on port %d" % (self.name, self.port)

    def start(self, deadline_s=30.0):
        try:
            return super().start(deadline_s)
        except harness.FixtureError as e:
            raise StackError(str(e))


class Receiver:
    """A stand-in Alertmanager on loopback: records the alerts POSTed to /api/v2/alerts."""

    def __init__(self):
        self.alerts = []
        self.lock = threading.Lock()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n)
                try:
                    got = json.loads(body)
                except ValueError:
                    got = []
                with outer.lock:
                    outer.alerts.extend(got if isinstance(got, list) else [])
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_a):
                pass

        self.httpd = http.server.ThreadingHTTPServer((LOOP4, 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def names(self):
        with self.lock:
            return [(a.get("labels") or {}) for a in self.alerts]

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


# --- the world -----------------------------------------------------------------------------------

class World:
    def __init__(self, workdir, binary):
        self.dir = workdir
        self.binary = binary
        self._ns = None
        self._nsprobes = {}
        self.servers = []
        self.receivers = []
        self._probe_outputs = None

    # knotd ns1 and ns2 on two different 127.0.0.x (and both on ::1, each on its own port)
    def knots(self):
        if self._ns is None:
            tool("knotd", "knot")
            a1 = harness.pick_loopback(lo=60, hi=99)
            a2 = harness.pick_loopback(lo=60, hi=99, avoid=(a1,))
            ns1 = ZoneKnot(self.dir, "ns1", a1)
            ns2 = ZoneKnot(self.dir, "ns2", a2, primary=ns1)
            ns1.other_addr, ns2.other_addr = a2, a1
            self._ns = {"ns1": ns1, "ns2": ns2}
            ns1.start()
            ns2.start()
        return self._ns

    def nsprobe(self, i=0):
        """nsprobe instance i with config/blackbox-two-servers.yml."""
        if i not in self._nsprobes:
            ns1 = self.knots()["ns1"]
            d = os.path.join(self.dir, "nsprobe%d" % i)
            os.makedirs(d, exist_ok=True)
            # Targets are IP literals; the resolver flag keeps nsprobe off the machine's resolver.
            e = harness.Exporter(d, self.binary, os.path.join(CONFIG, "blackbox-two-servers.yml"),
                                 extra_args=["--target.resolver=%s:%d" % (ns1.addr, ns1.port),
                                             "--workers=1"])
            e.start()
            self._nsprobes[i] = e
        return self._nsprobes[i]

    def targets_file(self, dest_dir):
        """config/scrape/dns-targets.yml with the documentation addresses replaced by ns1/ns2."""
        ns = self.knots()
        text = substitute(read(os.path.join(CONFIG, "scrape", "dns-targets.yml")), [
            ('"192.0.2.1"', '"%s:%d"' % (ns["ns1"].addr, ns["ns1"].port)),
            ('"[2001:db8::1]"', '"[::1]:%d"' % ns["ns1"].port),
            ('"192.0.2.2"', '"%s:%d"' % (ns["ns2"].addr, ns["ns2"].port)),
            ('"[2001:db8::2]"', '"[::1]:%d"' % ns["ns2"].port),
        ], "dns-targets.yml")
        return write(os.path.join(dest_dir, "dns-targets.yml"), text)

    def scrape_config(self, name, dest_dir, pairs=()):
        """A shipped scrape config, with 1 s intervals and the test's nsprobe addresses (pairs),
        next to a templated dns-targets.yml (and ../alerts/ for Prometheus' rule_files)."""
        text = read(os.path.join(CONFIG, "scrape", name))
        text = substitute(text, [("scrape_interval: 30s", "scrape_interval: 1s"),
                                 ("scrape_timeout: 10s", "scrape_timeout: 1s")] + list(pairs), name)
        text = text.replace("evaluation_interval: 30s", "evaluation_interval: 1s")
        self.targets_file(dest_dir)
        return write(os.path.join(dest_dir, name), text)

    def fast_rules(self, path):
        """config/alerts/nsprobe.rules.yml with every `for:` cut to 2s (the 5m/10m logic is
        proven by promtool test rules on synthetic series)."""
        text = read(os.path.join(CONFIG, "alerts", "nsprobe.rules.yml"))
        import re
        text, n = re.subn(r"(\n\s+for: )\d+m\n", r"\g<1>2s\n", text)
        if n < 6:
            raise StackError("expected a `for:` in every rule, found %d" % n)
        return write(path, text)

    def server(self, name, argv, health_path):
        s = Server(self.dir, name, argv, health_path)
        self.servers.append(s)
        s.start()
        return s

    def receiver(self):
        r = Receiver()
        self.receivers.append(r)
        return r

    def probe_outputs(self):
        """{'probe soa': body, 'probe dnskey': body, 'metrics': body} from nsprobe 0."""
        if self._probe_outputs is None:
            e = self.nsprobe(0)
            ns1 = self.knots()["ns1"]
            out = {}
            for mod in ("soa_example.com", "dnskey_example.com"):
                t = urllib.parse.quote("%s:%d" % (ns1.addr, ns1.port))
                status, _h, body = e.request("/probe?module=%s&target=%s" % (mod, t))
                if status != 200 or "probe_success 1" not in body:
                    raise StackError("probe %s -> %d:\n%s" % (mod, status, body))
                out["probe " + mod] = body
            status, _h, body = e.request("/metrics")
            if status != 200:
                raise StackError("/metrics -> %d" % status)
            out["metrics"] = body
            self._probe_outputs = out
        return self._probe_outputs

    def stop_knot(self, role):
        self.knots()[role].stop()

    def logs_hint(self):
        parts = []
        for s in self.servers:
            if s.proc is not None and s.proc.poll() is not None:
                parts.append("\n--- %s exited:\n%s" % (s.name, s.log_tail()))
        return "".join(parts)

    def stop_all(self):
        for s in reversed(self.servers):
            s.stop()
        for r in self.receivers:
            r.stop()
        for e in self._nsprobes.values():
            e.stop()
        if self._ns:
            for k in self._ns.values():
                k.stop()
