#!/usr/bin/env python3
"""The landing page in a real browser: headless Chromium driven through chromedriver's WebDriver
HTTP API (plain urllib + JSON, no Selenium).

A Knot fixture serves bb.test on loopback; nsprobe (the sanitizer build in CI) serves the page. The
browser picks a module in the form's select, types the Knot target, submits, and must land on the
debug output with probe_success 1; back on the landing page the new row must be there with a Logs
link that opens that probe's logs. Screenshots of the landing page (before and after) and of the
result page go to test-artifacts/ at the top of the source tree (git-ignored).

Chromium gets flags that keep it off the network (the machine has only loopback) and a fresh
profile in a temporary directory. If chromium/chromedriver are missing they are installed with
apt-get (scripts/deps does the same); only if that fails is the test skipped:
"0 passed, 0 failed, 1 skipped". Otherwise the last line is "N passed, M failed".
"""
import argparse
import base64
import json
import os
import shutil
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
    row = wd.find("tbody tr")
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
