#!/usr/bin/env python3
"""--web.external-url / --web.route-prefix, and ServeMux's clean-path redirects: nsprobe and
blackbox_exporter 0.23 side by side.

Both start with the same config and the same external URL (a path under a made-up host); every path
below must give the same status, Location header and body. Without blackbox_exporter installed, the
expected answers written here are checked against nsprobe alone. Ends with "N passed, M failed"."""
import argparse
import http.client
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))  # test/: the harness package

import harness  # noqa: E402

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


class Routed(harness.Exporter):
    """An exporter (nsprobe or blackbox_exporter) under EXTERNAL, ready when its health path under
    the route prefix answers 200."""

    health_path = "/nsprobe/-/healthy"

    def __init__(self, workdir, binary, what):
        os.makedirs(workdir)
        super().__init__(workdir, binary, CONFIG, extra_args=["--web.external-url=" + EXTERNAL])
        self.what = what


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
    passed = failed = 0
    ns = bb = None
    with tempfile.TemporaryDirectory(prefix="nsprobe-routes-") as tmp:
        try:
            ns = Routed(os.path.join(tmp, "nsprobe"), os.path.abspath(args.binary), "nsprobe").start(15)
            if os.path.exists(BLACKBOX):
                bb = Routed(os.path.join(tmp, "blackbox"), BLACKBOX, "blackbox_exporter").start(15)
            for path, (status, location, body) in EXPECTED.items():
                got = get(ns.port, path)
                ok = got[0] == status and got[1] == location and got[2].startswith(body)
                detail = ""
                if bb:
                    ref = get(bb.port, path)
                    same = ref[0] == got[0] and ref[1] == got[1] and ref[2] == got[2]
                    ok = ok and same
                    if not same:
                        detail = " blackbox %r" % (ref,)
                print("%s %s%s" % ("PASS" if ok else "FAIL", path, "" if ok else " nsprobe %r%s" % (got, detail)))
                passed += ok
                failed += not ok
        finally:
            if bb:
                bb.stop()
            if ns:
                clean, detail = ns.stop_verdict()
                print("%s nsprobe exits 0 without a sanitizer report%s"
                      % ("PASS" if clean else "FAIL", "" if clean else " (%s)" % detail))
                passed += clean
                failed += not clean
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
