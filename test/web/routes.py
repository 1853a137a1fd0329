#!/usr/bin/env python3
"""--web.external-url / --web.route-prefix, and ServeMux's clean-path redirects: nsprobe and
blackbox_exporter 0.23 side by side.

Both start with the same config and the same external URL (a path under a made-up host); every path
below must give the same status, Location header and body. Without blackbox_exporter installed, the
expected answers written here are checked against nsprobe alone. Ends with "N passed, M failed"."""
import argparse
import http.client
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
CONFIG = os.path.join(HERE, "..", "..", "config", "blackbox.yml")
BLACKBOX = "/usr/bin/prometheus-blackbox-exporter"
EXTERNAL = "http://prober.example:9115/nsprobe/"

# path -> (status, Location or None, body prefix)
EXPECTED = {
    "/": (302, "http://prober.example:9115/nsprobe", '<a href="http://prober.example:9115/nsprobe">Found</a>.'),
    "/nsprobe": (301, "/nsprobe/", '<a href="/nsprobe/">Moved Permanently</a>.'),
    "/nsprobe?module=x": (301, "/nsprobe/?module=x", '<a href="/nsprobe/?module=x">Moved Permanently</a>.'),
    "/nsprobe/-/healthy": (200, None, "Healthy"),
    "/other": (404, None, "404 page not found\n"),
    "/nsprobex/-/healthy": (404, None, "404 page not found\n"),
    "/-/healthy": (404, None, "404 page not found\n"),
    "/nsprobe/probe?module=nope&target=x": (400, None, 'Unknown module "nope"\n'),
    # ServeMux cleans paths first and redirects to the clean form
    "//nsprobe/-/healthy": (301, "/nsprobe/-/healthy", '<a href="/nsprobe/-/healthy">Moved Permanently</a>.'),
    "/nsprobe/a/../-/healthy?x=1": (301, "/nsprobe/-/healthy?x=1",
                                    '<a href="/nsprobe/-/healthy?x=1">Moved Permanently</a>.'),
    "/nsprobe/./metrics": (301, "/nsprobe/metrics", '<a href="/nsprobe/metrics">Moved Permanently</a>.'),
    "/..": (301, "/", '<a href="/">Moved Permanently</a>.'),
}


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def start(argv, port):
    proc = subprocess.Popen(argv + ["--config.file=" + CONFIG, "--web.listen-address=127.0.0.1:%d" % port,
                                    "--web.external-url=" + EXTERNAL],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return proc
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError("exporter exited: %s" % proc.stderr.read().decode(errors="replace"))
            time.sleep(0.05)  # readiness poll
    proc.kill()
    raise RuntimeError("exporter did not start")


def get(port, path):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        c.request("GET", path)
        r = c.getresponse()
        return r.status, r.getheader("Location"), r.read().decode(errors="replace")
    finally:
        c.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    args = ap.parse_args()
    procs = []
    passed = failed = 0
    try:
        ns_port = free_port()
        procs.append(start([args.binary], ns_port))
        bb_port = None
        if os.path.exists(BLACKBOX):
            bb_port = free_port()
            procs.append(start([BLACKBOX], bb_port))
        for path, (status, location, body) in EXPECTED.items():
            got = get(ns_port, path)
            ok = got[0] == status and got[1] == location and got[2].startswith(body)
            detail = ""
            if bb_port:
                ref = get(bb_port, path)
                same = ref[0] == got[0] and ref[1] == got[1] and ref[2] == got[2]
                ok = ok and same
                if not same:
                    detail = " blackbox %r" % (ref,)
            print("%s %s%s" % ("PASS" if ok else "FAIL", path, "" if ok else " nsprobe %r%s" % (got, detail)))
            passed += ok
            failed += not ok
    finally:
        for p in procs:
            p.terminate()
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
        if procs:
            err = procs[0].stderr.read().decode(errors="replace")
            clean = procs[0].returncode == 0 and "Sanitizer" not in err and "runtime error:" not in err
            print("%s nsprobe exits 0 without a sanitizer report" % ("PASS" if clean else "FAIL"))
            passed += clean
            failed += not clean
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
