"""exporter -- HTTP servers under test (nsprobe, blackbox_exporter, monitoring servers): started on
a free loopback port and polled on a health path until it answers 200."""

import http.client
import os
import subprocess

from .ports import free_port
from .procs import Daemon

LOOP4 = "127.0.0.1"


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


def healthy(host, port, path="/-/healthy"):
    """True if GET path answers 200 within a second."""
    try:
        status, _h, _b = http_request(host, port, path, timeout=1.0)
        return status == 200
    except OSError:
        return False


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


class HttpDaemon(Daemon):
    """A server on HOST:<free port>, ready when GET health_path answers 200."""

    HOST = LOOP4
    health_path = "/-/healthy"

    def __init__(self, out_path, log_path=None):
        super().__init__(out_path, log_path)
        self.port = None

    def _argv_on(self, port):
        raise NotImplementedError

    def _argv(self):
        self.port = free_port([self.HOST], kinds=("tcp",))
        return self._argv_on(self.port)

    def _ready(self):
        return healthy(self.HOST, self.port, self.health_path)

    def request(self, path, headers=None, method="GET", timeout=30.0, body=None):
        return http_request(self.HOST, self.port, path, headers=headers, method=method,
                            body=body, timeout=timeout)


class Exporter(HttpDaemon):
    """The exporter under test: `binary --config.file=F --web.listen-address=127.0.0.1:P [extra]`.
    Its output goes to workdir/log_name; prefix wraps the command (a namespace, rlimits)."""

    what = "exporter"

    def __init__(self, workdir, binary, config_path, extra_args=(), prefix=(), log_name="exporter.log"):
        super().__init__(os.path.join(workdir, log_name))
        self.dir = workdir
        self.prefix = list(prefix)  # e.g. a namespace wrapper that ends in `exec "$@"`
        self.binary = binary
        self.config_path = config_path
        self.extra_args = list(extra_args)
        self.args = None

    def log_tail(self, n=40):
        return super().log_tail(n)

    def _waiting_for(self):
        return "exporter /-/healthy on port %d" % self.port

    def run_to_exit(self, timeout=60):
        """Runs it in the foreground until it exits by itself (a config it must refuse):
        returns (exit status, log text). The log is written afresh."""
        argv = self._argv()
        with open(self.out_path, "w") as out:
            rc = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                cwd=self.cwd, timeout=timeout).returncode
        return rc, self.log_text()

    def _argv_on(self, port):
        self.args = [self.binary, "--config.file=" + self.config_path,
                     "--web.listen-address=%s:%d" % (self.HOST, port)] + self.extra_args
        return self.prefix + self.args
