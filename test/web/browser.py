#!/usr/bin/env python3
"""The landing page in a real browser: headless Chromium driven through chromedriver's WebDriver
HTTP API (plain urllib + JSON, no Selenium).

A Knot fixture serves bb.test on loopback; nsprobe (the sanitizer build in CI) serves the page. The
browser picks a module in the form's select, types the Knot target, submits, and must land on the
debug output with probe_success 1; back on the landing page the new row must be there with a Logs
link that opens that probe's logs. Then what an operator reads at a glance (issue 16): a probe
that fails (a closed port) shows as a failing row with when it ran, how long it took and its reason
line under it; the per-module summary counts it; a broken config file and POST /-/reload bring the
banner (when, why, the running config stale), which goes again after a good reload. The page is
looked at 1280 and 390 pixels wide: at phone width it must not scroll sideways, the probe rows
stack and the reason wraps inside the screen. Screenshots of the landing page (before, after, with
the failure and the banner at both widths) and of the result page go to test-artifacts/ at the top
of the source tree (git-ignored); each must be a PNG of the window's size with some weight to it.

Chromium gets flags that keep it off the network (the machine has only loopback) and a fresh
profile in a temporary directory. If chromium/chromedriver are missing they are installed with
apt-get (scripts/deps does the same); only if that fails is the test skipped:
"0 passed, 0 failed, 1 skipped". Otherwise the last line is "N passed, M failed".
"""
import argparse
import base64
import json
import os
import re
import shutil
import struct
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.dirname(HERE))  # test/: the harness and fakes packages

import harness  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
ELEMENT = "element-6066-11e4-a52e-4f735466cecf"  # the W3C web element key
CONFIG = """modules:
  dns_soa:
    prober: dns
    timeout: 5s
    dns:
      query_name: bb.test
      query_type: SOA
  dns_mx:
    prober: dns
    timeout: 5s
    dns:
      query_name: bb.test
      query_type: MX
      validate_answer_rrs:
        fail_if_not_matches_regexp:
          - "MX\\\\s+10\\\\s+mail\\\\.bb\\\\.test\\\\.$"
  http_2xx:
    prober: http
"""


class Failure(Exception):
    pass


def have_browser():
    return os.access(CHROMIUM, os.X_OK) and os.access(CHROMEDRIVER, os.X_OK)


def ensure_browser():
    """True when chromium and chromedriver are there, installing them with apt-get if need be."""
    if have_browser():
        return True
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return False
    print("chromium/chromedriver missing: apt-get install -y chromium chromium-driver", flush=True)
    try:
        subprocess.run(["apt-get", "install", "-y", "chromium", "chromium-driver"], stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=900,
                       env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
    except (OSError, subprocess.SubprocessError):
        return False
    return have_browser()


# ---- WebDriver over HTTP ----

class WebDriver:
    def __init__(self, port):
        self.base = "http://127.0.0.1:%d" % port
        self.sid = None

    def call(self, method, path, body=None, timeout=60):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers={"Content-Type": "application/json; charset=utf-8"})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                out = json.loads(r.read().decode() or "{}")
        except urllib.error.HTTPError as e:
            try:
                out = json.loads(e.read().decode())
            except ValueError:
                out = {"value": {"error": "http %d" % e.code, "message": ""}}
            v = out.get("value") or {}
            raise Failure("webdriver %s %s: %s: %s" % (method, path, v.get("error"),
                                                       (v.get("message") or "")[:500]))
        return out.get("value")

    def s(self, method, path, body=None, timeout=60):
        return self.call(method, "/session/%s%s" % (self.sid, path), body, timeout)

    def new_session(self, profile_dir):
        args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile_dir, "--window-size=1280,900"]
        caps = {"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": CHROMIUM, "args": args},
        }}}
        v = self.call("POST", "/session", caps, timeout=120)
        self.sid = v["sessionId"]

    def quit(self):
        if self.sid:
            try:
                self.call("DELETE", "/session/" + self.sid, timeout=30)
            finally:
                self.sid = None

    def get(self, url):
        self.s("POST", "/url", {"url": url})

    def url(self):
        return self.s("GET", "/url")

    def find(self, css):
        return self.s("POST", "/element", {"using": "css selector", "value": css})[ELEMENT]

    def find_all(self, css):
        return [e[ELEMENT] for e in self.s("POST", "/elements", {"using": "css selector", "value": css})]

    def click(self, el):
        self.s("POST", "/element/%s/click" % el, {})

    def type(self, el, text):
        self.s("POST", "/element/%s/value" % el, {"text": text})

    def text(self, el):
        return self.s("GET", "/element/%s/text" % el)

    def attr(self, el, name):
        return self.s("GET", "/element/%s/property/%s" % (el, name))

    def selected(self, el):
        return self.s("GET", "/element/%s/selected" % el)

    def script(self, js, *args):
        """The value of js run in the page (WebDriver's execute; the page itself has no script)."""
        return self.s("POST", "/execute/sync", {"script": js, "args": list(args)})

    def window(self, width, height):
        self.s("POST", "/window/rect", {"width": width, "height": height})

    def screenshot(self, path):
        png = base64.b64decode(self.s("GET", "/screenshot"))
        with open(path, "wb") as f:
            f.write(png)
        return len(png)

    def wait(self, pred, deadline_s, what):
        """Polls pred() (WebDriver errors count as not yet) until it is true or the deadline passes."""
        end = time.monotonic() + deadline_s
        last = None
        while time.monotonic() < end:
            try:
                v = pred()
                if v:
                    return v
            except Failure as e:
                last = e
            time.sleep(0.1)  # poll interval
        raise Failure("timed out waiting for %s (%s)" % (what, last))


# ---- the suite ----

def start_chromedriver(tmp):
    for _ in range(3):
        port = harness.free_port(["127.0.0.1"], kinds=("tcp",))
        log = open(os.path.join(tmp, "chromedriver.log"), "w")
        # Its own process group: the browser it starts can be stopped with it, by that group's id.
        proc = subprocess.Popen([CHROMEDRIVER, "--port=%d" % port, "--allowed-ips=127.0.0.1"],
                                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
        log.close()
        wd = WebDriver(port)

        def ready():
            if proc.poll() is not None:
                raise harness.FixtureError("chromedriver exited with %s" % proc.returncode)
            try:
                return (wd.call("GET", "/status", timeout=2) or {}).get("ready")
            except (Failure, OSError):
                return False
        try:
            harness.wait_until(ready, 30, "chromedriver /status on port %d" % port)
            return proc, wd
        except harness.FixtureError:
            stop_group(proc)
            with open(os.path.join(tmp, "chromedriver.log"), errors="replace") as f:
                if "address already in use" not in f.read().lower():
                    raise
    raise Failure("chromedriver did not start")


def stop_group(proc):
    """Stops chromedriver and whatever it started (its process group, which we created)."""
    if proc is None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(10)
    # The browser's processes may outlive chromedriver by a moment: wait for the group to empty.
    end = time.monotonic() + 10
    while time.monotonic() < end:
        try:
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)  # poll interval
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def browse(s, wd, ex, knot, artifacts):
    base = "http://%s:%d/" % (ex.HOST, ex.port)
    target = "%s:%d" % (knot.addr, knot.port)
    wd.get(base)
    title = wd.s("GET", "/title")
    s.check("landing page opens (title nsprobe)", title == "nsprobe", repr(title))
    options = [wd.attr(o, "value") for o in wd.find_all("select[name=module] option")]
    s.check("module select lists the dns modules only", options == ["dns_soa", "dns_mx"], repr(options))
    rows0 = wd.find_all("a[href^='logs?id=']")
    s.check("no probes yet: no Logs links", rows0 == [], repr(rows0))
    n = wd.screenshot(os.path.join(artifacts, "browser-landing.png"))
    s.check("screenshot of the landing page saved", n > 1000, "%d bytes" % n)

    # Fill in the form like a person: pick dns_mx, type the target, keep "Show logs" ticked, submit.
    wd.click(wd.find("select[name=module] option[value='dns_mx']"))
    sel = wd.find("select[name=module]")
    s.check("select shows the picked module", wd.attr(sel, "value") == "dns_mx", repr(wd.attr(sel, "value")))
    tgt = wd.find("input[name=target]")
    wd.click(tgt)
    wd.type(tgt, target)
    s.check("target typed into the text input", wd.attr(tgt, "value") == target, repr(wd.attr(tgt, "value")))
    dbg = wd.find("input[name=debug]")
    if not wd.selected(dbg):
        wd.click(dbg)
    s.check("debug checkbox ticked", wd.selected(dbg) is True)
    wd.click(wd.find("form button[type=submit], form input[type=submit]"))

    wd.wait(lambda: "/probe?" in wd.url(), 30, "the result page")
    q = urllib.parse.parse_qs(urllib.parse.urlsplit(wd.url()).query)
    s.check("form submitted as GET probe?module=dns_mx&target=T&debug=true",
            q.get("module") == ["dns_mx"] and q.get("target") == [target] and q.get("debug") == ["true"],
            repr(wd.url()))
    body = wd.wait(lambda: (lambda t: t if "probe_success" in t else None)(wd.text(wd.find("body"))),
                   30, "probe output")
    s.check("result page shows the debug output with probe_success 1",
            "Logs for the probe:" in body and "\nprobe_success 1" in body and "Module configuration:" in body
            and "module=dns_mx" in body, body[:1500])
    n = wd.screenshot(os.path.join(artifacts, "browser-result.png"))
    s.check("screenshot of the result page saved", n > 1000, "%d bytes" % n)

    # Back to the landing page: the new row, newest first, with a Logs link that works.
    wd.s("POST", "/back", {})
    wd.wait(lambda: urllib.parse.urlsplit(wd.url()).path == "/", 30, "the landing page again")
    wd.s("POST", "/refresh", {})  # the history row is rendered by the server: fetch the page afresh
    links = wd.wait(lambda: wd.find_all("tbody tr a[href^='logs?id=']"), 30, "a Logs link")
    row = wd.find("table.probes tbody tr")
    cells = [wd.text(c[ELEMENT]) for c in wd.s("POST", "/element/%s/elements" % row,
                                               {"using": "css selector", "value": "td"})]
    s.check("landing page: new row dns_mx / target / Success",
            len(cells) >= 4 and cells[0] == "dns_mx" and cells[1] == target and cells[2] == "Success"
            and len(links) == 1, repr(cells))
    n = wd.screenshot(os.path.join(artifacts, "browser-landing-after.png"))
    s.check("screenshot of the landing page with the row saved", n > 1000, "%d bytes" % n)
    href = wd.attr(links[0], "href")
    wd.click(links[0])
    wd.wait(lambda: "/logs?id=" in wd.url(), 30, "the logs page")
    logs = wd.wait(lambda: (lambda t: t if "probe_success" in t else None)(wd.text(wd.find("body"))),
                   30, "logs text")
    s.check("Logs link opens that probe's logs",
            "Logs for the probe:" in logs and "module=dns_mx" in logs and "\nprobe_success 1" in logs,
            "%s\n%s" % (href, logs[:800]))

    at_a_glance(s, wd, ex, base, artifacts)


def png_size(path):
    """(width, height, bytes) of a PNG file, from its IHDR chunk; None if it is not a PNG."""
    with open(path, "rb") as f:
        head = f.read(24)
    if len(head) < 24 or head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        return None
    w, h = struct.unpack(">II", head[16:24])
    return w, h, os.path.getsize(path)


def shot(s, wd, artifacts, name, width, what):
    """A screenshot of the window into artifacts/name: a PNG as wide as the window, not a blank one
    (a white 1280x900 PNG is ~5 KB; the landing page with its tables is tens of KB)."""
    path = os.path.join(artifacts, name)
    wd.screenshot(path)
    got = png_size(path)
    s.check("screenshot %s (%s) written: a PNG %d px wide, over 15 KB" % (name, what, width),
            got is not None and got[0] == width and got[2] > 15000, repr(got))


def cell_texts(wd, row):
    return [wd.text(c[ELEMENT]) for c in wd.s("POST", "/element/%s/elements" % row,
                                              {"using": "css selector", "value": "td"})]


STARTED = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\s+\d+ (s|min) ago$")
DURATION = re.compile(r"^\d+\.\d+ (ms|s)$")


def at_a_glance(s, wd, ex, base, artifacts):
    """A failing probe, the summary and the reload banner, at desktop and phone widths."""
    # Nothing listens on this UDP port: the query is refused at once, a failure with a reason.
    dead = "127.0.0.1:%d" % harness.free_port(["127.0.0.1"], kinds=("udp",))
    st, _h, b = ex.request("/probe?" + urllib.parse.urlencode({"module": "dns_soa", "target": dead}))
    s.check("a probe of a closed port fails", st == 200 and "\nprobe_success 0" in b, "%d %r" % (st, b[:300]))
    wd.get(base)
    rows = wd.find_all("table.probes tbody tr")
    top = rows[0] if rows else None
    cells = cell_texts(wd, top) if top else []
    s.check("landing page: the failure on top, in a row marked fail: dns_soa / target / Failure",
            top is not None and wd.attr(top, "className") == "fail" and cells[:3] == ["dns_soa", dead, "Failure"],
            repr(cells))
    s.check("landing page: the failing row says when it ran (UTC, N s ago) and how long it took",
            len(cells) >= 5 and STARTED.match(cells[3]) is not None and DURATION.match(cells[4]) is not None,
            repr(cells))
    why = wd.find_all("table.probes tbody tr.why code.why")
    why_text = wd.text(why[0]) if why else ""
    s.check("landing page: under the failing row, its first error line, shown without a click",
            len(why) == 1 and len(rows) >= 2 and wd.attr(rows[1], "className") == "fail why"
            and why_text.startswith("msg=\"Error while sending a DNS query\"") and "err=" in why_text,
            repr(why_text))
    ok_cells = cell_texts(wd, rows[2]) if len(rows) > 2 else []
    s.check("landing page: the earlier success keeps its row with a start time and a duration, no reason",
            ok_cells[:3] == ["dns_mx", ok_cells[1] if ok_cells else "", "Success"] and len(ok_cells) >= 5
            and STARTED.match(ok_cells[3]) is not None and DURATION.match(ok_cells[4]) is not None,
            repr(ok_cells))
    summary = [cell_texts(wd, r) for r in wd.find_all("table.summary tbody tr")]
    s.check("summary above the table: dns_soa failing first (1 probe, 1 failure, last one on the target), "
            "then dns_mx (1, 0, none)",
            len(summary) == 2 and summary[0][:3] == ["dns_soa", "1", "1"] and dead in summary[0][3]
            and " UTC" in summary[0][3] and summary[1] == ["dns_mx", "1", "0", "none"], repr(summary))
    order = wd.script("var s=document.getElementById('summary'),r=document.getElementById('recent');"
                      "return s && r ? s.getBoundingClientRect().top < r.getBoundingClientRect().top : null;")
    s.check("summary sits above the probe table", order is True, repr(order))
    s.check("no reload banner while the config loaded", wd.find_all("#reload-failed") == [])

    # Break the config file and reload: the banner says when and why, and that the config is stale.
    cfg = ex.config_path
    with open(cfg) as f:
        good = f.read()
    with open(cfg + ".new", "w") as f:
        f.write(good + "  dns_broken:\n    prober: dns\n    \"<b>bogus</b>\": 1\n")
    os.replace(cfg + ".new", cfg)
    st, _h, err = ex.request("/-/reload", method="POST")
    s.check("POST /-/reload of a broken config: 500", st == 500, "%d %r" % (st, err[:300]))
    wd.s("POST", "/refresh", {})
    banner = wd.find_all("#reload-failed")
    text = wd.text(banner[0]) if banner else ""
    s.check("banner: the last reload failed, when (UTC, N s ago), why (the loader's words, markup shown as "
            "text), and that the running config is the one loaded at start, stale",
            len(banner) == 1 and "reload failed" in text and re.search(r"UTC\s+\d+ s ago", text) is not None
            and "field <b>bogus</b> not found" in text and "stale" in text and "loaded at" in text,
            repr(text))
    top = wd.script("var b=document.getElementById('reload-failed'); return b ? b.getBoundingClientRect().top : -1;")
    s.check("banner at the top of the page (in the first screenful)", isinstance(top, (int, float)) and 0 <= top < 300,
            repr(top))
    shot(s, wd, artifacts, "browser-landing-banner.png", 1280, "desktop: banner, summary, failing row")

    # A phone: 390 px wide. No sideways page scroll, the rows stack, the reason wraps on screen.
    wd.window(390, 844)
    wd.s("POST", "/refresh", {})
    dims = wd.script("return [document.documentElement.scrollWidth, window.innerWidth];")
    s.check("phone width: the window is 390 px wide and the page does not scroll sideways "
            "(scrollWidth <= innerWidth)",
            isinstance(dims, list) and dims[1] == 390 and dims[0] <= dims[1], repr(dims))
    fits = wd.script("var out=[];"
                     "for (const id of ['reload-failed','summary']) {"
                     "  var e=document.getElementById(id); out.push(e ? e.getBoundingClientRect().right : 9999); }"
                     "var w=document.querySelector('tr.why code.why');"
                     "out.push(w ? w.getBoundingClientRect().right : 9999);"
                     "var h=document.querySelector('table.probes thead');"
                     "out.push(h ? getComputedStyle(h).display : 'missing');"
                     "return out;")
    s.check("phone width: banner, summary and the reason line end inside the screen; the probe table "
            "stacks (its header hidden)",
            isinstance(fits, list) and all(isinstance(x, (int, float)) and x <= 390 for x in fits[:3])
            and fits[3] == "none", repr(fits))
    shot(s, wd, artifacts, "browser-landing-phone.png", 390, "phone: banner, summary, stacked rows")
    wd.window(1280, 900)

    # A good config again: the banner goes.
    with open(cfg + ".new", "w") as f:
        f.write(good)
    os.replace(cfg + ".new", cfg)
    st, _h, b = ex.request("/-/reload", method="POST")
    wd.s("POST", "/refresh", {})
    s.check("a good reload: 200 and the banner is gone", st == 200 and wd.find_all("#reload-failed") == [],
            "%d %r" % (st, b[:200]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--artifacts", default=os.path.join(ROOT, "test-artifacts"))
    args = ap.parse_args()
    if not ensure_browser():
        print("chromium or chromedriver not available and could not be installed: skipped")
        print("0 passed, 0 failed, 1 skipped")
        return 0
    artifacts = os.path.abspath(args.artifacts)
    os.makedirs(artifacts, exist_ok=True)
    s = harness.Tally()
    knot = ex = driver = wd = None
    with tempfile.TemporaryDirectory(prefix="nsprobe-browser-") as tmp:
        try:
            knot = harness.Knot(tmp, want_port53=False).start()
            cfg = os.path.join(tmp, "blackbox.yml")
            with open(cfg, "w") as f:
                f.write(CONFIG)
            # Target host names resolve through the test Knot, never through the machine's resolver.
            resolver = "--target.resolver=%s:%d" % (knot.addr, knot.port)
            ex = harness.Exporter(tmp, os.path.abspath(args.binary), cfg,
                                  extra_args=["--workers=2", resolver]).start()
            driver, wd = start_chromedriver(tmp)
            profile = os.path.join(tmp, "chromium-profile")
            os.makedirs(profile)
            wd.new_session(profile)
            browse(s, wd, ex, knot, artifacts)
        except (Failure, harness.FixtureError, OSError, KeyError, TypeError) as e:
            s.check("browser session", False, "%s: %s" % (type(e).__name__, e))
            try:
                if wd and wd.sid:
                    wd.screenshot(os.path.join(artifacts, "browser-failure.png"))
            except (Failure, OSError):
                pass
        finally:
            if wd:
                try:
                    wd.quit()
                except (Failure, OSError):
                    pass
            stop_group(driver)
            if ex:
                s.stopped(ex, "nsprobe", tail=40)
            if knot:
                knot.stop()
    print("screenshots in %s" % artifacts)
    print(s.summary())
    return s.exit_status()


if __name__ == "__main__":
    sys.exit(main())
