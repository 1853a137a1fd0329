#!/usr/bin/env python3
"""The exporter around the probe (issue 4): every endpoint but /probe's own metrics.

A Knot fixture (zones bb.test, ...) and a silent fake DNS server on loopback, then nsprobe (the
sanitizer build in CI) on a port proven free. Checked here:
  * /-/healthy, /metrics (self-metrics, process_*), the landing page on / and on any other path
    (probe form, recent probes, "Run again"), /config
  * SIGHUP with a good config (a new module appears) and a bad one (the old config keeps serving,
    the reload gauge drops to 0, the timestamp stays) while ~20 probes run
  * a probe in flight across a reload that removes its module: answered on the config it began with
  * POST /-/reload (good, bad) and any other method (405)
  * /logs by id, by target, by target and module, and its 404/400 answers
  * --history.limit: recent results plus preserved failures (reference section 4.6)
  * gzip on /metrics and /probe when the scraper asks for it (promhttp's rule), and only then
  * SIGTERM with 5 probes in flight: they are all answered, new connections are refused, exit 0,
    no sanitizer report
Readiness and progress are polled against deadlines; the only timing checks are "about the
probe's timeout". Prints one line per check and "N passed, M failed" last.
"""
import argparse
import gzip
import html
import html.parser
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))  # test/: the harness and fakes packages

import harness  # noqa: E402
from fakes.fakedns import FakeDNS  # noqa: E402

HOST = "127.0.0.1"

MODULES_BASE = """modules:
  dns_soa:
    prober: dns
    dns:
      query_name: bb.test
      query_type: SOA
  dns_nx:
    prober: dns
    dns:
      query_name: nope.bb.test
      query_type: A
  slow:
    prober: dns
    timeout: 2s
    dns:
      query_name: bb.test
      query_type: SOA
  slow5:
    prober: dns
    timeout: 5s
    dns:
      query_name: bb.test
      query_type: SOA
  http_2xx:
    prober: http
"""
MODULE_MX = """  dns_mx:
    prober: dns
    dns:
      query_name: bb.test
      query_type: MX
"""
CONFIG_GOOD = MODULES_BASE + MODULE_MX
CONFIG_BAD = MODULES_BASE + "  bogus:\n    prober: dns\n    bogus_key: 1\n"
CONFIG_NO_SLOW = re.sub(r"  slow5?:\n(    .*\n)+", "", CONFIG_GOOD)
assert "slow" not in CONFIG_NO_SLOW

SELF_METRICS = {
    "blackbox_exporter_config_last_reload_successful":
        ("gauge", "Blackbox exporter config loaded successfully."),
    "blackbox_exporter_config_last_reload_success_timestamp_seconds":
        ("gauge", "Timestamp of the last successful configuration reload."),
    "blackbox_module_unknown_total":
        ("counter", "Count of unknown modules requested by probes"),
    "blackbox_exporter_build_info":
        ("gauge", "A metric with a constant '1' value labeled by version, revision, branch, goversion "
                  "from which blackbox_exporter was built, and the goos and goarch for the build."),
}
PROCESS_METRICS = ("process_cpu_seconds_total", "process_open_fds", "process_max_fds",
                   "process_resident_memory_bytes", "process_virtual_memory_bytes",
                   "process_start_time_seconds")


class Failure(Exception):
    pass


# ---- HTTP ----

def request(port, path, method="GET", headers=None, body=None, timeout=30.0):
    """One request on a fresh connection: (status, {lower-case header: value}, body bytes)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        data = resp.read()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data
    finally:
        conn.close()


def get_text(port, path, **kw):
    st, h, b = request(port, path, **kw)
    return st, h, b.decode("utf-8", errors="replace")


def qs(**kw):
    from urllib.parse import urlencode
    return urlencode(kw)


def probe_path(module, target, debug=False):
    p = "/probe?" + qs(module=module, target=target)
    return p + "&debug=true" if debug else p


def connect_refused(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(1.0)
    try:
        s.connect((HOST, port))
        return False
    except ConnectionRefusedError:
        return True
    except OSError:
        return False
    finally:
        s.close()


# ---- metrics text ----

SAMPLE_RE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$")


def parse_metrics(text):
    """({'name{labels}': float}, {name: help}, {name: type})"""
    samples, helps, types = {}, {}, {}
    for line in text.splitlines():
        if line.startswith("# HELP "):
            name, _, h = line[7:].partition(" ")
            helps[name] = h
        elif line.startswith("# TYPE "):
            name, _, t = line[7:].partition(" ")
            types[name] = t
        elif line and not line.startswith("#"):
            m = SAMPLE_RE.match(line)
            if m:
                samples[m.group(1) + (m.group(2) or "")] = float(m.group(3))
    return samples, helps, types


def normalise(text, volatile):
    """The exposition with the values of samples whose name matches `volatile` blanked."""
    out = []
    for line in text.splitlines():
        m = SAMPLE_RE.match(line)
        if m and re.search(volatile, m.group(1)):
            line = "%s%s X" % (m.group(1), m.group(2) or "")
        out.append(line)
    return "\n".join(out)


# ---- the landing page ----

class Page(html.parser.HTMLParser):
    """Forms, selects, inputs, buttons and table rows of an HTML page."""

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.forms, self.selects, self.inputs, self.buttons, self.rows = [], {}, [], [], []
        self._select = None
        self._option = None
        self._row = None
        self._cell = None
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append(a)
        elif tag == "select":
            self._select = a.get("name")
            self.selects[self._select] = []
        elif tag == "option" and self._select is not None:
            self._option = a.get("value")
            self.selects[self._select].append(self._option)
        elif tag == "input":
            self.inputs.append(a)
        elif tag == "button":
            self.buttons.append(a)
        elif tag == "tr":
            self._row = {"class": a.get("class", ""), "cells": [], "links": []}
            self.rows.append(self._row)
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
            self._row["cells"].append(self._cell)
        elif tag == "a" and self._row is not None and "href" in a:
            self._row["links"].append(a["href"])

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "tr":
            self._row = None
            self._cell = None
        elif tag in ("td", "th"):
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)

    def probe_rows(self):
        """The recent-probe rows: (class, [cell texts], [hrefs]) for rows with a logs link."""
        out = []
        for r in self.rows:
            cells = ["".join(c).strip() for c in r["cells"]]
            if any(h.startswith("logs?id=") for h in r["links"]):
                out.append((r["class"], cells, r["links"]))
        return out


def row_id(row):
    for h in row[2]:
        if h.startswith("logs?id="):
            return int(h[len("logs?id="):])
    return None


# ---- the suite ----

class World:
    def __init__(self, binary, tmp):
        self.binary = binary
        self.tmp = tmp
        self.knot = None
        self.fake = None
        self.exporters = []

    def start(self):
        self.knot = harness.Knot(self.tmp, want_port53=False).start()
        self.knot_target = "%s:%d" % (self.knot.addr, self.knot.port)
        fake_host = harness.pick_loopback(avoid=(self.knot.addr,))
        self.fake = FakeDNS(fake_host, ["silent"])
        ports = self.fake.start()
        self.silent_target = "%s:%d" % (fake_host, ports["silent"])

    def silent_queries(self):
        with self.fake._lock:
            return len(self.fake.queries["silent"])

    def exporter(self, name, config_text, extra=()):
        d = os.path.join(self.tmp, name)
        os.makedirs(d)
        cfg = os.path.join(d, "blackbox.yml")
        write_config(cfg, config_text)
        # Target host names resolve through the test Knot, never through the machine's resolver.
        resolver = "--target.resolver=%s:%d" % (self.knot.addr, self.knot.port)
        ex = harness.Exporter(d, self.binary, cfg, extra_args=["--workers=2", resolver] + list(extra))
        self.exporters.append(ex)
        ex.start()
        return ex

    def stop(self):
        for ex in self.exporters:
            ex.stop()
        if self.fake:
            self.fake.stop()
        if self.knot:
            self.knot.stop()


def write_config(path, text):
    """Replaces the file in one rename, so a reload never reads half of it."""
    tmp = path + ".new"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def metrics(ex):
    st, _h, body = get_text(ex.port, "/metrics")
    if st != 200:
        raise Failure("/metrics answered %d" % st)
    return parse_metrics(body)[0]


def promtool_lint(text):
    """promtool check metrics on an exposition: '' when it passes without a lint remark."""
    promtool = shutil.which("promtool")
    if promtool is None:
        return "promtool not installed (Debian package prometheus)"
    p = subprocess.run([promtool, "check", "metrics"], input=text.encode(), stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=60)
    out = p.stdout.decode().strip()
    return out or ("" if p.returncode == 0 else "exit %d" % p.returncode)


def reload_state(ex):
    m = metrics(ex)
    return (m.get("blackbox_exporter_config_last_reload_successful"),
            m.get("blackbox_exporter_config_last_reload_success_timestamp_seconds"))


def probe_ok(body):
    return parse_metrics(body)[0].get("probe_success")


def run_probes(ex, module, target, n, results, extra_headers=None):
    """n concurrent probe threads; results[i] = (status, body, seconds) or an exception text."""
    def one(i):
        t0 = time.monotonic()
        try:
            st, _h, b = get_text(ex.port, probe_path(module, target), headers=extra_headers or {},
                                 timeout=60)
            results[i] = (st, b, time.monotonic() - t0)
        except Exception as e:  # noqa: BLE001 - reported as a failed check
            results[i] = "%s: %s" % (type(e).__name__, e)
    threads = [threading.Thread(target=one, args=(i,), daemon=True) for i in range(n)]
    for t in threads:
        t.start()
    return threads


def join_all(threads, deadline_s):
    end = time.monotonic() + deadline_s
    for t in threads:
        t.join(max(0.0, end - time.monotonic()))
    return not any(t.is_alive() for t in threads)


def wait_queries(w, count, deadline_s=15.0):
    """Waits until the silent server has seen at least `count` queries in all: proof that the
    probes that sent them are in flight."""
    harness.wait_until(lambda: w.silent_queries() >= count, deadline_s,
                       "%d queries at the silent server" % count)


# ---- cases ----

def basics(s, w, ex):
    st, h, b = get_text(ex.port, "/-/healthy")
    s.check("/-/healthy: 200 Healthy, text/plain; charset=utf-8",
            st == 200 and b == "Healthy" and h.get("content-type") == "text/plain; charset=utf-8",
            "%d %r %r" % (st, h.get("content-type"), b))
    st, _h, b = get_text(ex.port, "/-/healthy", method="POST")
    s.check("/-/healthy answers any method (POST): 200", st == 200 and b == "Healthy", "%d %r" % (st, b))

    st, h, b = get_text(ex.port, "/metrics")
    samples, helps, types = parse_metrics(b)
    s.check("/metrics: 200 text/plain", st == 200 and h.get("content-type", "").startswith("text/plain"),
            "%d %r" % (st, h.get("content-type")))
    for name, (typ, hlp) in SELF_METRICS.items():
        s.check("/metrics: %s with blackbox's HELP and TYPE" % name,
                helps.get(name) == hlp and types.get(name) == typ
                and any(k == name or k.startswith(name + "{") for k in samples),
                "help=%r type=%r" % (helps.get(name), types.get(name)))
    s.check("/metrics: last reload successful 1 at start",
            samples.get("blackbox_exporter_config_last_reload_successful") == 1, repr(samples))
    ts = samples.get("blackbox_exporter_config_last_reload_success_timestamp_seconds") or 0
    s.check("/metrics: reload timestamp is a recent unix time", abs(ts - time.time()) < 600, repr(ts))
    s.check("/metrics: blackbox_module_unknown_total 0 at start",
            samples.get("blackbox_module_unknown_total") == 0, repr(samples.get("blackbox_module_unknown_total")))
    bi = [k for k in samples if k.startswith("blackbox_exporter_build_info{")]
    s.check("/metrics: blackbox_exporter_build_info labelled branch, goarch, goos, goversion, revision, version",
            len(bi) == 1 and all(('%s="' % l) in bi[0] for l in
                                 ("branch", "goarch", "goos", "goversion", "revision", "version"))
            and samples[bi[0]] == 1, repr(bi))
    s.check("/metrics: nsprobe_build_info 1",
            any(k.startswith("nsprobe_build_info") and v == 1 for k, v in samples.items()), repr(samples))
    missing = [p for p in PROCESS_METRICS if p not in samples or p not in helps]
    s.check("/metrics: process_* metrics", not missing, "missing %r" % missing)
    s.check("/metrics: process_open_fds and resident memory are positive",
            samples.get("process_open_fds", 0) > 0 and samples.get("process_resident_memory_bytes", 0) > 0,
            repr({k: v for k, v in samples.items() if k.startswith("process_")}))

    # Landing page, on / and on any other path.
    for path in ("/", "/no/such/page?x=1"):
        st, h, b = get_text(ex.port, path)
        s.check("landing page on %s: 200 text/html" % path,
                st == 200 and h.get("content-type", "").startswith("text/html"), "%d %r" % (st, h))
    page = Page(get_text(ex.port, "/")[2])
    s.check("landing page: a form that GETs probe", any(f.get("action") == "probe" and
                                                        f.get("method", "get").lower() == "get"
                                                        for f in page.forms), repr(page.forms))
    s.check("landing page: module select lists exactly the dns modules",
            page.selects.get("module") == ["dns_soa", "dns_nx", "slow", "slow5"], repr(page.selects))
    s.check("landing page: text input named target",
            any(i.get("name") == "target" and i.get("type") == "text" for i in page.inputs), repr(page.inputs))
    s.check("landing page: checkbox named debug",
            any(i.get("name") == "debug" and i.get("type") == "checkbox" for i in page.inputs), repr(page.inputs))
    s.check("landing page: a submit button",
            any(bt.get("type", "submit") == "submit" for bt in page.buttons)
            or any(i.get("type") == "submit" for i in page.inputs), repr(page.buttons))
    s.check("landing page: links to metrics and config", 'href="metrics"' in get_text(ex.port, "/")[2]
            and 'href="config"' in get_text(ex.port, "/")[2])

    # /config: the loaded config, yaml.v3 style (4-space indent), every module with its blocks.
    st, h, b = get_text(ex.port, "/config")
    want = ["modules:\n", "    dns_soa:\n        prober: dns\n", "    slow:\n        prober: dns\n        timeout: 2s\n",
            "    http_2xx:\n        prober: http\n", "            query_name: nope.bb.test\n",
            "        dns:\n", "        icmp:\n"]
    s.check("/config: 200 text/plain with every module (yaml.v3 dump)",
            st == 200 and h.get("content-type", "").startswith("text/plain") and all(x in b for x in want),
            "%d missing %r in:\n%s" % (st, [x for x in want if x not in b], b[:1500]))

    # A probe, and an unknown module.
    m0 = metrics(ex)
    st, _h, b = get_text(ex.port, probe_path("dns_soa", w.knot_target))
    s.check("probe dns_soa against Knot: 200, probe_success 1", st == 200 and probe_ok(b) == 1, "%d %s" % (st, b[:500]))
    st, h, b = get_text(ex.port, probe_path("nope", w.knot_target))
    s.check('unknown module: 400 Unknown module "nope"', st == 400 and b == 'Unknown module "nope"\n', "%d %r" % (st, b))
    s.check("blackbox_module_unknown_total counts it",
            metrics(ex).get("blackbox_module_unknown_total") == 1, repr(metrics(ex).get("blackbox_module_unknown_total")))
    self_health(s, ex, m0)


# nsprobe's own families (issue 16): name -> TYPE.
HEALTH_FAMILIES = {
    "nsprobe_probes_total": "counter",
    "nsprobe_probes_in_flight": "gauge",
    "nsprobe_probe_duration_seconds": "histogram",
    "nsprobe_http_accept_errors_total": "counter",
    "nsprobe_http_connections_rejected_total": "counter",
    "nsprobe_http_connection_limit_reached_total": "counter",
}


def self_health(s, ex, m0):
    """/metrics after one dns_soa probe (success) and one request for the unknown module "nope";
    m0: the samples before them."""
    st, _h, text = get_text(ex.port, "/metrics")
    m, helps, types = parse_metrics(text)
    wrong = {n: (types.get(n), helps.get(n)) for n, t in HEALTH_FAMILIES.items()
             if types.get(n) != t or len(helps.get(n) or "") < 40}
    s.check("/metrics: nsprobe's health families, each with its TYPE and a HELP that says what it counts",
            st == 200 and not wrong, repr(wrong))
    ok = 'nsprobe_probes_total{module="dns_soa",result="success"}'
    fail = 'nsprobe_probes_total{module="dns_soa",result="failure"}'
    s.check("nsprobe_probes_total: the dns_soa probe counted once, as a success",
            m.get(ok, -1) - m0.get(ok, 0) == 1 and m.get(fail) == m0.get(fail) == 0,
            repr({k: (m0.get(k), m.get(k)) for k in (ok, fail)}))
    mods = sorted(set(re.findall(r'^nsprobe_probes_total\{module="([^"]*)"', text, re.M)))
    s.check("nsprobe_probes_total: a series for each module of the config, none for the unknown one",
            mods == sorted(["dns_soa", "dns_nx", "slow", "slow5", "http_2xx"]), repr(mods))
    cnt = 'nsprobe_probe_duration_seconds_count{module="dns_soa"}'
    inf = 'nsprobe_probe_duration_seconds_bucket{module="dns_soa",le="+Inf"}'
    sm = 'nsprobe_probe_duration_seconds_sum{module="dns_soa"}'
    s.check("nsprobe_probe_duration_seconds: the probe in the dns_soa histogram (count = +Inf bucket, "
            "sum grew by under a second)",
            m.get(cnt, -1) - m0.get(cnt, 0) == 1 and m.get(inf) == m.get(cnt)
            and 0 < m.get(sm, 0) - m0.get(sm, 0) < 1,
            repr({k: (m0.get(k), m.get(k)) for k in (cnt, inf, sm)}))
    # no module here validates: the budget family has no series and is left out, as client_golang
    # leaves out an empty vector (test_exporter checks it with a validating module)
    s.check("nsprobe_dnssec_budget_exhausted_total: left out without a dnssec.validate module",
            "nsprobe_dnssec_budget_exhausted_total" not in text, repr(types.get("nsprobe_dnssec_budget_exhausted_total")))
    s.check("nsprobe_probes_in_flight 0 when nothing runs", m.get("nsprobe_probes_in_flight") == 0,
            repr(m.get("nsprobe_probes_in_flight")))
    lint = promtool_lint(text)
    s.check("promtool check metrics passes on /metrics (no lint remarks)", lint == "", lint[:1500])


def plain_and_gzip(ex, path):
    """GET path twice, plain and with Accept-Encoding: gzip: (status, headers, body) of the first,
    then of the second with its body decompressed (or a `<not gzip: ...>` marker)."""
    st0, h0, plain = request(ex.port, path)
    st1, h1, z = request(ex.port, path, headers={"Accept-Encoding": "gzip"})
    try:
        unz = gzip.decompress(z)
    except (OSError, EOFError) as e:
        unz = ("<not gzip: %s>" % e).encode()
    return st0, h0, plain, st1, h1, unz


def gzip_cases(s, w, ex):
    # /metrics: same text modulo the process values that move between two scrapes.
    st0, h0, plain, st1, h1, unz = plain_and_gzip(ex, "/metrics")
    s.check("/metrics without Accept-Encoding: no Content-Encoding",
            st0 == 200 and "content-encoding" not in h0, repr(h0))
    vol = r"^process_|^blackbox_module_unknown_total$"
    s.check("/metrics with Accept-Encoding: gzip: Content-Encoding gzip, decompresses to the same text",
            st1 == 200 and h1.get("content-encoding") == "gzip"
            and normalise(unz.decode(errors="replace"), vol) == normalise(plain.decode(), vol),
            "%d %r\n%r" % (st1, h1, unz[:300]))
    st, h, _b = request(ex.port, "/metrics", headers={"Accept-Encoding": "deflate, gzip;q=1.0, br"})
    s.check("/metrics, gzip among others with a q-value: gzip", st == 200 and h.get("content-encoding") == "gzip", repr(h))
    st, h, _b = request(ex.port, "/metrics", headers={"Accept-Encoding": "identity, x-gzip"})
    s.check("/metrics, Accept-Encoding without a gzip token: plain", st == 200 and "content-encoding" not in h, repr(h))

    # /probe: same text modulo durations.
    path = probe_path("dns_soa", w.knot_target)
    st0, h0, plain, st1, h1, unz = plain_and_gzip(ex, path)
    s.check("/probe without Accept-Encoding: no Content-Encoding", st0 == 200 and "content-encoding" not in h0, repr(h0))
    vol = r"duration|lookup_time"
    s.check("/probe with Accept-Encoding: gzip: Content-Encoding gzip, decompresses to the same text",
            st1 == 200 and h1.get("content-encoding") == "gzip" and b"probe_success 1" in unz
            and normalise(unz.decode(errors="replace"), vol) == normalise(plain.decode(), vol),
            "%d %r\n%r\n--- plain:\n%r" % (st1, h1, unz[:400], plain[:400]))


def logs_cases(s, w, ex):
    """/logs by id and by target on an exporter with the default history limit."""
    def landing_rows():
        return Page(get_text(ex.port, "/")[2]).probe_rows()

    before = {row_id(r) for r in landing_rows()}
    for module in ("dns_soa", "dns_nx", "dns_soa"):
        get_text(ex.port, probe_path(module, w.knot_target))
    new = [r for r in landing_rows() if row_id(r) not in before]  # newest first
    s.check("landing page: 3 new rows, newest first, with results",
            [(r[1][0], r[1][2]) for r in new] == [("dns_soa", "Success"), ("dns_nx", "Failure"), ("dns_soa", "Success")]
            and [r[0] for r in new] == ["ok", "fail", "ok"] and all(r[1][1] == w.knot_target for r in new),
            repr(new))
    if len(new) != 3:
        return
    soa_old, nx, soa_new = row_id(new[2]), row_id(new[1]), row_id(new[0])
    s.check("history ids increase", soa_old < nx < soa_new, repr((soa_old, nx, soa_new)))

    st, h, by_id = get_text(ex.port, "/logs?id=%d" % nx)
    s.check("/logs?id=N: 200 text/plain with the probe's debug output",
            st == 200 and h.get("content-type", "").startswith("text/plain") and
            "Logs for the probe:" in by_id and "module=dns_nx" in by_id and "probe_success 0" in by_id
            and "Module configuration:" in by_id, "%d %r" % (st, by_id[:400]))
    st, _h, b = get_text(ex.port, "/logs?id=%d" % soa_old)
    s.check("/logs?id=N of a success: probe_success 1", st == 200 and "probe_success 1" in b, "%d %r" % (st, b[:300]))
    soa_old_text = b
    st, _h, b = get_text(ex.port, "/logs?id=987654")
    s.check("/logs unknown id: 404 Probe id not found", st == 404 and b == "Probe id not found\n", "%d %r" % (st, b))

    # Earlier cases probed Knot too: the oldest stored match is the lowest id with that target.
    oldest = min(row_id(r) for r in landing_rows() if r[1][1] == w.knot_target)
    oldest_text = soa_old_text if oldest == soa_old else get_text(ex.port, "/logs?id=%d" % oldest)[2]
    st, _h, b = get_text(ex.port, "/logs?" + qs(target=w.knot_target))
    s.check("/logs?target=T: 200, the oldest stored match (id %d)" % oldest,
            st == 200 and b == oldest_text and "Logs for the probe:" in b, "%d %r" % (st, b[:300]))
    st, _h, b = get_text(ex.port, "/logs?" + qs(target=w.knot_target, module="dns_nx"))
    s.check("/logs?target=T&module=M: 200, that module's probe", st == 200 and b == by_id, "%d %r" % (st, b[:300]))
    st, _h, b = get_text(ex.port, "/logs?" + qs(target=w.knot_target, module="dns_mx_none"))
    s.check("/logs?target=T&module=unprobed: 404 Probe target not found",
            st == 404 and b == "Probe target not found\n", "%d %r" % (st, b))
    st, _h, b = get_text(ex.port, "/logs?" + qs(target="192.0.2.200:53"))
    s.check("/logs?target=unprobed: 404 Probe target not found",
            st == 404 and b == "Probe target not found\n", "%d %r" % (st, b))

    bad = [
        ("/logs", "Probe id or target must be defined as http query parameters"),
        ("/logs?id=", "Probe id or target must be defined as http query parameters"),
        ("/logs?id=abc", "Probe id or target must be defined as http query parameters"),
        ("/logs?" + qs(id=nx, target=w.knot_target), "Probe id and target can't be defined at the same time"),
        ("/logs?" + qs(id=nx, module="dns_nx"), "Probe module filter only works in conjunction with target parameter"),
        ("/logs?module=dns_nx", "Probe id or target must be defined as http query parameters"),
    ]
    for path, text in bad:
        st, _h, b = get_text(ex.port, path)
        s.check("%s: 400 %s" % (path, text), st == 400 and b == text + "\n", "%d %r" % (st, b))

    # A target full of HTML: escaped in the row (text, not markup), and its Run again link keeps it.
    evil = "<i>x</i>&\"q'.bb.test"
    st, _h, b = get_text(ex.port, probe_path("dns_soa", evil))
    s.check("probe with an HTML-laden target: 200, probe_success 0", st == 200 and probe_ok(b) == 0,
            "%d %r" % (st, b[:300]))
    raw = get_text(ex.port, "/")[2]
    top = Page(raw).probe_rows()[0]
    s.check("landing page: the target is escaped (shown as text, no markup injected)",
            top[1][1] == evil and "<i>x</i>" not in raw, repr(top))
    again = [hr for hr in top[2] if hr.startswith("probe?")]
    if again:
        st, _h, b = get_text(ex.port, "/" + html.unescape(again[0]).replace("&debug=true", ""))
        s.check("Run again link of that row carries the same target",
                st == 200 and probe_ok(b) == 0 and Page(get_text(ex.port, "/")[2]).probe_rows()[0][1][1] == evil,
                "%s -> %d" % (again[0], st))

    # "Run again" on a row: the same probe with debug output.
    again = [hr for hr in new[1][2] if hr.startswith("probe?")]
    if s.check("landing row: a Run again link", len(again) == 1, repr(new[1][2])):
        st, _h, b = get_text(ex.port, "/" + html.unescape(again[0]))
        s.check("Run again link: runs the probe with debug output",
                st == 200 and "Logs for the probe:" in b and "module=dns_nx" in b and "probe_success 0" in b,
                "%s -> %d %r" % (again[0], st, b[:300]))


def reload_under_load(s, w, ex):
    """SIGHUP good then bad while ~20 probes run (10 waiting on the silent server, 10 looping on Knot)."""
    slow_results = [None] * 10
    q0 = w.silent_queries()
    slow_threads = run_probes(ex, "slow5", w.silent_target, 10, slow_results)
    done = threading.Event()
    fast = [[] for _ in range(10)]

    def loop(i):
        while True:
            try:
                st, _h, b = get_text(ex.port, probe_path("dns_soa", w.knot_target), timeout=60)
                fast[i].append((st, probe_ok(b) if st == 200 else b))
            except Exception as e:  # noqa: BLE001
                fast[i].append(("%s: %s" % (type(e).__name__, e), None))
            if done.is_set():
                return
    fast_threads = [threading.Thread(target=loop, args=(i,), daemon=True) for i in range(10)]
    for t in fast_threads:
        t.start()
    try:
        wait_queries(w, q0 + 10)
        flight = metrics(ex).get("nsprobe_probes_in_flight", -1)
        s.check("nsprobe_probes_in_flight counts the 10 probes waiting on the silent server",
                10 <= flight <= 20, repr(flight))
        ok0, ts0 = reload_state(ex)

        write_config(ex.config_path, CONFIG_GOOD)
        ex.proc.send_signal(signal.SIGHUP)
        harness.wait_until(lambda: "    dns_mx:\n" in get_text(ex.port, "/config")[2], 15, "dns_mx in /config")
        ok1, ts1 = reload_state(ex)
        s.check("SIGHUP good config: gauge 1, timestamp moved on", ok1 == 1 and ts1 > ts0, repr((ok0, ts0, ok1, ts1)))
        st, _h, b = get_text(ex.port, probe_path("dns_mx", w.knot_target))
        s.check("SIGHUP good config: the new module dns_mx probes (200, success 1)",
                st == 200 and probe_ok(b) == 1, "%d %r" % (st, b[:300]))
        page = Page(get_text(ex.port, "/")[2])
        s.check("SIGHUP good config: the landing page's select lists dns_mx",
                "dns_mx" in (page.selects.get("module") or []), repr(page.selects))
        m = metrics(ex)
        s.check("SIGHUP good config: the new module dns_mx has its nsprobe_probes_total, at its one probe",
                m.get('nsprobe_probes_total{module="dns_mx",result="success"}', -1) == 1
                and m.get('nsprobe_probes_total{module="dns_mx",result="failure"}', -1) == 0,
                repr({k: v for k, v in m.items() if "dns_mx" in k and "probes_total" in k}))

        write_config(ex.config_path, CONFIG_BAD)
        ex.proc.send_signal(signal.SIGHUP)
        harness.wait_until(lambda: reload_state(ex)[0] == 0, 15, "reload gauge 0 after a bad SIGHUP")
        ok2, ts2 = reload_state(ex)
        s.check("SIGHUP bad config: gauge 0, timestamp unchanged", ok2 == 0 and ts2 == ts1, repr((ok2, ts1, ts2)))
        st, _h, b = get_text(ex.port, probe_path("dns_mx", w.knot_target))
        s.check("SIGHUP bad config: the old config keeps serving (dns_mx: 200, success 1)",
                st == 200 and probe_ok(b) == 1, "%d %r" % (st, b[:300]))
        st, _h, b = get_text(ex.port, probe_path("bogus", w.knot_target))
        s.check("SIGHUP bad config: nothing of it is served (bogus: 400)", st == 400, "%d %r" % (st, b))
        c = get_text(ex.port, "/config")[2]
        s.check("SIGHUP bad config: /config still shows the old config", "    dns_mx:\n" in c and "bogus" not in c, c[:500])
        still = sum(1 for t in slow_threads if t.is_alive())
        s.check("the 10 slow probes were still in flight after both reloads", still == 10,
                "%d still in flight (each waits 5 s on the silent server)" % still)
        log = ex.log_tail(200)
        s.check("bad SIGHUP logged as an error", "Error reloading config" in log, log[-1500:])
    finally:
        done.set()
        finished = join_all(slow_threads + fast_threads, 60)
    s.check("all probes across the reloads finished", finished)
    bad = [r for r in slow_results if not (isinstance(r, tuple) and r[0] == 200 and probe_ok(r[1]) == 0)]
    s.check("10 slow probes across the reloads: all 200 with probe_success 0", not bad, repr(bad)[:1500])
    flat = [x for f in fast for x in f]
    badf = [x for x in flat if x != (200, 1)]
    s.check("%d Knot probes across the reloads: all 200 with probe_success 1" % len(flat),
            len(flat) >= 10 and not badf, repr(badf)[:1500])


def post_reload_cases(s, w, ex):
    ok0, ts0 = reload_state(ex)
    for method in ("GET", "PUT", "DELETE"):
        st, h, b = get_text(ex.port, "/-/reload", method=method)
        s.check("%s /-/reload: 405 This endpoint requires a POST request." % method,
                st == 405 and b == "This endpoint requires a POST request.\n", "%d %r" % (st, b))
    s.check("405 on /-/reload changed nothing", reload_state(ex) == (ok0, ts0), repr((ok0, ts0, reload_state(ex))))

    write_config(ex.config_path, CONFIG_BAD)
    st, _h, b = get_text(ex.port, "/-/reload", method="POST")
    s.check("POST /-/reload bad config: 500 failed to reload config: <err>",
            st == 500 and b.startswith("failed to reload config: ") and b.endswith("\n") and "bogus_key" in b,
            "%d %r" % (st, b))
    ok1, ts1 = reload_state(ex)
    s.check("POST /-/reload bad config: gauge 0, timestamp unchanged", ok1 == 0 and ts1 == ts0, repr((ts0, ok1, ts1)))
    st, _h, b = get_text(ex.port, probe_path("dns_mx", w.knot_target))
    s.check("POST /-/reload bad config: old config keeps serving", st == 200 and probe_ok(b) == 1, "%d %r" % (st, b[:200]))

    soa = 'nsprobe_probes_total{module="dns_soa",result="success"}'
    soa0 = metrics(ex).get(soa, 0)
    write_config(ex.config_path, CONFIG_GOOD)
    st, _h, b = get_text(ex.port, "/-/reload", method="POST")
    s.check("POST /-/reload good config: 200, empty body", st == 200 and b == "", "%d %r" % (st, b))
    soa1 = metrics(ex).get(soa, 0)
    s.check("POST /-/reload keeps dns_soa: its nsprobe_probes_total goes on from where it was",
            soa0 > 1 and soa1 == soa0, repr((soa0, soa1)))
    ok2, ts2 = reload_state(ex)
    s.check("POST /-/reload good config: gauge 1, timestamp moved on", ok2 == 1 and ts2 > ts0, repr((ts0, ok2, ts2)))


def inflight_reload_case(s, w, ex):
    """A `slow` probe in flight while a reload removes `slow`: it finishes on its own config."""
    unknown0 = metrics(ex).get("blackbox_module_unknown_total")
    res = [None]
    q0 = w.silent_queries()
    th = run_probes(ex, "slow", w.silent_target, 1, res)
    wait_queries(w, q0 + 1)
    write_config(ex.config_path, CONFIG_NO_SLOW)
    st, _h, b = get_text(ex.port, "/-/reload", method="POST")
    in_flight = th[0].is_alive()
    s.check("reload without `slow`: 200", st == 200, "%d %r" % (st, b))
    s.check("the slow probe was still in flight when the reload answered", in_flight,
            "result already there: %r" % (res[0],))
    st, _h, b = get_text(ex.port, probe_path("slow", w.silent_target))
    s.check('new request for slow: 400 Unknown module "slow"', st == 400 and b == 'Unknown module "slow"\n',
            "%d %r" % (st, b))
    s.check("blackbox_module_unknown_total counted it",
            metrics(ex).get("blackbox_module_unknown_total") == unknown0 + 1, repr(unknown0))
    join_all(th, 30)
    r = res[0]
    ok = isinstance(r, tuple) and r[0] == 200 and probe_ok(r[1]) == 0
    s.check("in-flight probe across the reload: 200, probe_success 0", ok, repr(r)[:800])
    text = get_text(ex.port, "/metrics")[2]
    m = parse_metrics(text)[0]
    s.check("after the reload without `slow`: no nsprobe_* series of slow; nothing left in flight",
            'module="slow"' not in text and m.get("nsprobe_probes_in_flight") == 0,
            repr(m.get("nsprobe_probes_in_flight")))
    if ok:
        d = parse_metrics(r[1])[0].get("probe_duration_seconds", -1)
        s.check("in-flight probe: probe_duration_seconds about its 2 s timeout", 1.5 <= d <= 5.0,
                "duration %r, wall %.2f s" % (d, r[2]))
    page = Page(get_text(ex.port, "/")[2])
    s.check("landing page after the reload: select without slow",
            "slow" not in (page.selects.get("module") or ["slow"]), repr(page.selects))


def sigterm_case(s, w, ex):
    """SIGTERM with 5 probes waiting on the silent server: all answered, exit 0, sanitizer clean."""
    write_config(ex.config_path, CONFIG_GOOD)
    st, _h, _b = get_text(ex.port, "/-/reload", method="POST")
    if not s.check("reload back to a config with slow", st == 200, str(st)):
        return
    res = [None] * 5
    long_res = [None]
    q0 = w.silent_queries()
    threads = run_probes(ex, "slow", w.silent_target, 5, res)
    # dns_soa has no timeout: without the scrape header it would wait 119.5 s; the stop must not.
    long_threads = run_probes(ex, "dns_soa", w.silent_target, 1, long_res)
    wait_queries(w, q0 + 6)
    t_stop = time.monotonic()
    proc = ex.proc
    proc.send_signal(signal.SIGTERM)
    refused_in_flight = False
    end = time.monotonic() + 10
    while time.monotonic() < end and any(t.is_alive() for t in threads):
        if connect_refused(ex.port):
            refused_in_flight = any(t.is_alive() for t in threads)
            break
        time.sleep(0.02)  # poll interval
    s.check("SIGTERM: new connections refused while probes are in flight", refused_in_flight)
    finished = join_all(threads, 30)
    s.check("SIGTERM: the 5 in-flight probes were answered", finished)
    bad = [r for r in res if not (isinstance(r, tuple) and r[0] == 200 and probe_ok(r[1]) == 0)]
    s.check("SIGTERM: all 5 answered 200 with probe_success 0", not bad, repr(bad)[:1500])
    durs = [parse_metrics(r[1])[0].get("probe_duration_seconds", -1) for r in res if isinstance(r, tuple)]
    s.check("SIGTERM: the probes ran to their 2 s timeout", durs and all(1.5 <= d <= 5.0 for d in durs), repr(durs))
    long_done = join_all(long_threads, 30)
    waited = time.monotonic() - t_stop
    lr = long_res[0]
    s.check("SIGTERM: a 119.5 s probe is answered after the 5 s grace, as failed",
            long_done and isinstance(lr, tuple) and lr[0] == 200 and probe_ok(lr[1]) == 0 and waited < 20,
            "waited %.1f s: %r" % (waited, repr(lr)[:300]))
    try:
        rc = proc.wait(60)
    except subprocess.TimeoutExpired:
        proc.kill()
        rc = "hung (killed)"
        proc.wait(10)
    ex.proc = None
    s.check("SIGTERM: exit status 0", rc == 0, "rc=%s\n%s" % (rc, ex.log_tail(60)))
    s.check("SIGTERM: logged 'Received SIGTERM, exiting gracefully...'",
            "Received SIGTERM, exiting gracefully..." in ex.log_tail(400))
    rep = ex.sanitizer_report()
    s.check("SIGTERM: no sanitizer report", rep is None, (rep or "") + "\n" + ex.log_tail(60))


def history_cases(s, w):
    """--history.limit=3: recent results plus preserved failures, reference section 4.6."""
    ex = w.exporter("history", MODULES_BASE, extra=["--history.limit=3"])
    kt = w.knot_target

    def run(module):
        st, _h, b = get_text(ex.port, probe_path(module, kt))
        if st != 200:
            raise Failure("probe %s answered %d %r" % (module, st, b[:200]))

    def rows():
        return [(row_id(r), r[1][0], r[1][2], r[0]) for r in Page(get_text(ex.port, "/")[2]).probe_rows()]

    st, _h, b = get_text(ex.port, "/")
    s.check("history: empty landing page says so", st == 200 and "No probes yet." in b and not Page(b).probe_rows())
    for m in ("dns_nx", "dns_soa", "dns_nx", "dns_soa", "dns_soa"):  # ids 0..4: F S F S S
        run(m)
    got = rows()
    want = [(4, "dns_soa", "Success", "ok"), (3, "dns_soa", "Success", "ok"), (2, "dns_nx", "Failure", "fail"),
            (0, "dns_nx", "Failure", "fail")]
    s.check("history limit 3 after F S F S S: rows 4 3 2 (recent) then 0 (preserved failure)", got == want,
            "got %r" % got)
    st, _h, b = get_text(ex.port, "/logs?id=1")
    s.check("history: the pushed-out success (id 1) is gone: 404", st == 404 and b == "Probe id not found\n",
            "%d %r" % (st, b))
    st, _h, zero = get_text(ex.port, "/logs?id=0")
    s.check("history: the preserved failure (id 0) has its logs", st == 200 and "module=dns_nx" in zero
            and "probe_success 0" in zero, "%d %r" % (st, zero[:200]))
    st, _h, b = get_text(ex.port, "/logs?" + qs(target=kt))
    s.check("history: /logs?target= finds the preserved failure first", st == 200 and b == zero, "%d %r" % (st, b[:200]))
    st, _h, three = get_text(ex.port, "/logs?id=3")
    st, _h, b = get_text(ex.port, "/logs?" + qs(target=kt, module="dns_soa"))
    s.check("history: /logs?target=&module=dns_soa gives the oldest kept dns_soa (id 3)",
            st == 200 and b == three and "module=dns_soa" in b, "%d %r" % (st, b[:200]))

    for m in ("dns_nx", "dns_nx"):  # ids 5, 6 push out 2 (F, preserved) and 3 (S, dropped)
        run(m)
    got = [r[0] for r in rows()]
    s.check("history after 2 more failures: rows 6 5 4 2 0", got == [6, 5, 4, 2, 0], "got %r" % got)
    for m in ("dns_nx", "dns_nx", "dns_nx"):  # 7 8 9 push out 4 (S), 5, 6 (F): preserved capped at 3
        run(m)
    got = [r[0] for r in rows()]
    s.check("history: preserved failures capped at the limit: rows 9 8 7 6 5 2 (2 x limit)",
            got == [9, 8, 7, 6, 5, 2], "got %r" % got)
    st, _h, b = get_text(ex.port, "/logs?id=0")
    s.check("history: the oldest preserved failure (id 0) is gone: 404", st == 404, "%d %r" % (st, b))
    st, _h, b = get_text(ex.port, "/logs?" + qs(target=kt, module="dns_soa"))
    s.check("history: /logs?target=&module=dns_soa once none is kept: 404 Probe target not found",
            st == 404 and b == "Probe target not found\n", "%d %r" % (st, b))

    # SIGINT is as graceful as SIGTERM.
    proc = ex.proc
    proc.send_signal(signal.SIGINT)
    try:
        rc = proc.wait(60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)
        rc = "hung (killed)"
    ex.proc = None
    s.check("history exporter: exit 0 on SIGINT, logged as graceful",
            rc == 0 and "Received SIGINT, exiting gracefully..." in ex.log_tail(100),
            "rc=%s\n%s" % (rc, ex.log_tail(40)))
    rep = ex.sanitizer_report()
    s.check("history exporter: no sanitizer report", rep is None, (rep or "") + "\n" + ex.log_tail(60))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    args = ap.parse_args()
    binary = os.path.abspath(args.binary)
    s = harness.Tally()
    with tempfile.TemporaryDirectory(prefix="nsprobe-endpoints-") as tmp:
        w = World(binary, tmp)
        try:
            w.start()
            ex = w.exporter("main", MODULES_BASE)
            for case in (basics, gzip_cases, logs_cases, reload_under_load, post_reload_cases,
                         inflight_reload_case, sigterm_case):
                try:
                    case(s, w, ex)
                except (Failure, harness.FixtureError, OSError, http.client.HTTPException) as e:
                    s.check(case.__name__, False, "%s: %s\n%s" % (type(e).__name__, e, ex.log_tail(30)))
                if case is not sigterm_case and (ex.proc is None or ex.proc.poll() is not None):
                    s.check("exporter still running after %s" % case.__name__, False)
                    break
            try:
                history_cases(s, w)
            except (Failure, harness.FixtureError, OSError, http.client.HTTPException) as e:
                s.check("history_cases", False, "%s: %s" % (type(e).__name__, e))
        except (Failure, harness.FixtureError, OSError) as e:
            s.check("setup", False, "%s: %s" % (type(e).__name__, e))
        finally:
            w.stop()
    print(s.summary())
    return s.exit_status()


if __name__ == "__main__":
    sys.exit(main())
