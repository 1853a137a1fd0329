#!/usr/bin/env python3
"""Flags of newer blackbox_exporter versions (issue 15), against their documented behaviour:

  * --web.systemd-socket (exporter-toolkit, blackbox 0.25+): a socket bound here is passed as fd 3
    with LISTEN_FDS=1 and LISTEN_PID set by `sh -c 'LISTEN_PID=$$ exec nsprobe ...'`; nsprobe
    serves it (probes included) with --web.listen-address ignored, refuses to start without
    --web.external-url or without a passed socket, and config/systemd/nsprobe.socket passes
    `systemd-analyze verify` when that is installed.

Every nsprobe must exit 0 on SIGTERM with no sanitizer report. Prints one line per check and
"N passed, M failed" last.
"""
import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.dirname(HERE))  # test/: the harness and fakes packages

import harness  # noqa: E402
from fakes.fakedns import FakeDNS  # noqa: E402

HOST = harness.LOOP4
CONFIG = """modules:
  dns_a:
    prober: dns
    timeout: 2s
    dns:
      query_name: example.test
      query_type: A
"""
EXTERNAL = "http://prober.example:9115/"


class Checks:
    def __init__(self):
        self.passed = self.failed = 0

    def check(self, ok, what, detail=""):
        print("%s %s%s" % ("PASS" if ok else "FAIL", what, "" if ok or not detail else " (%s)" % detail),
              flush=True)
        if ok:
            self.passed += 1
        else:
            self.failed += 1
        return ok


def metric(body, name):
    for line in body.splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            return float(line.rsplit(" ", 1)[1])
    return None


def log_of(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except OSError:
        return ""


class Activated:
    """nsprobe started as systemd would start it for a socket unit: the listening socket on fd 3,
    LISTEN_FDS=1, LISTEN_PID the pid that execs nsprobe."""

    def __init__(self, workdir, binary, sock, args, listen_fds="1"):
        self.log = os.path.join(workdir, "activated.log")
        self.sock = sock
        env = dict(os.environ, LISTEN_FDS=listen_fds)
        env.pop("LISTEN_PID", None)
        fd = sock.fileno() if sock else None

        def to_fd3():
            if fd is not None:
                if fd != 3:
                    os.dup2(fd, 3)
                os.set_inheritable(3, True)

        with open(self.log, "w") as out:
            # close_fds=False: only inheritable descriptors (fd 3 after to_fd3) reach nsprobe.
            self.proc = subprocess.Popen(["sh", "-c", 'LISTEN_PID=$$ exec "$@"', "sh", binary] + args,
                                         stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                         env=env, close_fds=False, preexec_fn=to_fd3)

    def wait_exit(self, timeout=20):
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.stop()
            return None

    def stop(self):
        harness.stop_process(self.proc)
        return self.proc.returncode

    def text(self):
        return log_of(self.log)


def systemd_socket_checks(c, tmp, binary, config, dns_port):
    work = os.path.join(tmp, "systemd")
    os.makedirs(work)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind((HOST, 0))
    sock.listen(64)
    port = sock.getsockname()[1]
    # --web.listen-address names a port nobody listens on: it must be ignored.
    unused = harness.free_port([HOST], kinds=("tcp",))
    args = ["--config.file=" + config, "--web.systemd-socket", "--web.external-url=" + EXTERNAL,
            "--web.listen-address=%s:%d" % (HOST, unused), "--workers=2"]
    a = Activated(work, binary, sock, args)
    sock.close()  # nsprobe holds it now, as systemd would keep holding its own
    try:
        up = False
        try:
            harness.wait_until(lambda: harness.healthy(HOST, port), 15, "nsprobe on the passed socket",
                               check_alive=lambda: a.proc.poll() is None or (_ for _ in ()).throw(
                                   harness.FixtureError("exited: " + a.text()[-2000:])))
            up = True
        except harness.FixtureError as e:
            c.check(False, "systemd socket: /-/healthy answers on the passed socket", str(e)[-400:])
        if up:
            c.check(True, "systemd socket: /-/healthy answers on the passed socket")
            for i in range(4):  # both workers serve the one socket: several fresh connections
                st, _h, body = harness.http_request(HOST, port, "/probe?module=dns_a&target=%s:%d"
                                                    % (HOST, dns_port), timeout=10)
                if st != 200 or metric(body, "probe_success") != 1:
                    break
            c.check(st == 200 and metric(body, "probe_success") == 1,
                    "systemd socket: four probes through the passed socket succeed",
                    "status %s, probe_success %s" % (st, metric(body, "probe_success")))
            c.check(not harness.healthy(HOST, unused),
                    "systemd socket: --web.listen-address is ignored (nothing on port %d)" % unused)
            text = a.text()
            c.check("Listening on systemd activated listeners instead of port listeners." in text
                    and "address=%s:%d" % (HOST, port) in text,
                    "systemd socket: exporter-toolkit's log lines, with the socket's address",
                    text[-600:])
    finally:
        rc = a.stop()
        c.check(rc == 0 and harness.sanitizer_report(a.log) is None,
                "systemd socket: exits 0 on SIGTERM without a sanitizer report", "exit %s" % rc)

    # Without --web.external-url: blackbox 0.25+ refuses (it cannot infer the URL).
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind((HOST, 0))
    sock.listen(8)
    a = Activated(work, binary, sock, ["--config.file=" + config, "--web.systemd-socket"])
    sock.close()
    rc = a.wait_exit()
    c.check(rc == 1 and "Cannot automatically infer external URL with systemd socket listener" in a.text(),
            "systemd socket: refused without --web.external-url, as blackbox 0.25+",
            "exit %s: %s" % (rc, a.text()[-300:]))

    # No socket passed (LISTEN_FDS=0): exporter-toolkit's error.
    a = Activated(work, binary, None, args, listen_fds="0")
    rc = a.wait_exit()
    c.check(rc == 1 and "no socket activation file descriptors found" in a.text(),
            "systemd socket: refused when systemd passed no socket", "exit %s: %s" % (rc, a.text()[-300:]))

    # LISTEN_PID of another process: the sockets are not ours (sd_listen_fds(3)).
    env = dict(os.environ, LISTEN_FDS="1", LISTEN_PID="1")
    out = subprocess.run([binary] + args, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                         timeout=20)
    c.check(out.returncode == 1 and "no socket activation file descriptors found" in out.stderr + out.stdout,
            "systemd socket: LISTEN_PID of another process is not ours", out.stderr[-300:])

    # A passed descriptor that is no listening socket.
    a_sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    a_sock.bind((HOST, 0))
    a = Activated(work, binary, a_sock, args)
    a_sock.close()
    rc = a.wait_exit()
    c.check(rc == 1 and "is not a listening stream socket" in a.text(),
            "systemd socket: a UDP socket is refused", "exit %s: %s" % (rc, a.text()[-300:]))

    unit = os.path.join(ROOT, "config", "systemd", "nsprobe.socket")
    if shutil.which("systemd-analyze"):
        v = subprocess.run(["systemd-analyze", "verify", "--man=no", unit], capture_output=True, text=True,
                           timeout=60, cwd=os.path.dirname(unit))
        # The service's ExecStart=/usr/bin/nsprobe need not be installed here.
        errs = [l for l in (v.stdout + v.stderr).splitlines() if l.strip() and "is not executable" not in l]
        c.check(not errs, "systemd socket: systemd-analyze verify nsprobe.socket", "; ".join(errs)[:400])
    else:
        print("SKIP systemd-analyze not installed: nsprobe.socket not verified")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    args = ap.parse_args()
    binary = os.path.abspath(args.binary)
    c = Checks()
    fake = FakeDNS(HOST, ["opt_ok"])
    ports = fake.start()
    try:
        with tempfile.TemporaryDirectory(prefix="nsprobe-flags-") as tmp:
            config = os.path.join(tmp, "blackbox.yml")
            with open(config, "w") as f:
                f.write(CONFIG)
            systemd_socket_checks(c, tmp, binary, config, ports["opt_ok"])
    finally:
        fake.stop()
    print("%d passed, %d failed" % (c.passed, c.failed))
    return 1 if c.failed else 0


if __name__ == "__main__":
    sys.exit(main())
