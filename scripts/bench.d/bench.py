#!/usr/bin/env python3
"""bench.py -- blackbox_exporter 0.23 and nsprobe, side by side, against one Knot on loopback.

Run through scripts/bench (which installs the tools and builds). What it measures, in this order:

  1. dnsperf against Knot alone: the raw DNS ceiling, for reference.
  2. Load: wrk with 50 keep-alive connections on /probe?module=soa_udp and soa_tcp. Both exporters run
     at once (the idle one costs nothing) and take turns, ABBA, for --rounds rounds of --duration
     seconds each; the table keeps each exporter's best round, because a machine shared with other
     work only ever makes a round slower. Before the rounds, a short wrk run with a Lua checker counts
     the answers that carry `probe_success 1` (it also warms both up). CPU per probe is the exporter's
     utime+stime from /proc/PID/stat over the round divided by wrk's completed requests. RSS (VmRSS
     from /proc/PID/status) is sampled every 50 ms.
  3. Waiting probes: a fresh exporter gets N concurrent probes (build/slowclient) aimed at a UDP socket
     on loopback that is bound and never read; every probe must come back with `probe_success 0`, and
     the latest one's lateness after the module timeout is recorded, with the peak RSS (sampled every
     10 ms).

Every process started here is stopped again (also on an exception, Ctrl-C or SIGTERM). Only
127.0.0.0/8 and ::1 are used; ports are proven free by test/harness (the live suites' harness)."""
import argparse
import datetime
import os
import re
import resource
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "test"))
import harness as fixture  # noqa: E402  (knotd, free ports, the exporter process: the tests' harness)

CLK = os.sysconf("SC_CLK_TCK")
BLACKBOX = "prometheus-blackbox-exporter"
T0 = time.monotonic()


def say(msg):
    print("[%6.1fs] %s" % (time.monotonic() - T0, msg), file=sys.stderr, flush=True)


# --- /proc -----------------------------------------------------------------------------------------

def proc_cpu(pid):
    """utime+stime of every thread of pid, in seconds (0.0 once it is gone)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            rest = f.read().rsplit(")", 1)[1].split()
        return (int(rest[11]) + int(rest[12])) / CLK   # fields 14 and 15 of proc(5)
    except (OSError, IndexError, ValueError):
        return 0.0


def proc_status_kb(pid, key="VmRSS"):
    return proc_status_file_kb("/proc/%d/status" % pid, key)


def proc_status_file_kb(path, key):
    try:
        with open(path) as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def proc_threads(pid):
    return proc_status_kb(pid, "Threads")


def system_jiffies():
    """(busy, total) jiffies over all CPUs from /proc/stat."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    total = sum(v[:8])            # guest time is already inside user
    idle = v[3] + v[4]            # idle + iowait
    return total - idle, total


def tcp_drops():
    """System-wide TcpExt counters: SYNs dropped on a full listen backlog, SYN retransmissions."""
    with open("/proc/net/netstat") as f:
        lines = [line.split() for line in f if line.startswith("TcpExt:")]
    v = dict(zip(lines[0][1:], (int(x) for x in lines[1][1:])))
    return v.get("ListenOverflows", 0), v.get("TCPSynRetrans", 0)


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


class RssSampler:
    """Samples VmRSS of pid every `every` seconds in a thread; .peak and .mean in kB."""

    def __init__(self, pid, every):
        self.pid, self.every = pid, every
        self.peak, self.samples = proc_status_kb(pid), []
        self._stop = threading.Event()
        self._th = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            v = proc_status_kb(self.pid)
            self.samples.append(v)
            self.peak = max(self.peak, v)
            self._stop.wait(self.every)

    def __enter__(self):
        self._th.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._th.join()
        self.peak = max(self.peak, proc_status_kb(self.pid))

    @property
    def mean(self):
        return sum(self.samples) / len(self.samples) if self.samples else 0


# --- the tools -------------------------------------------------------------------------------------

def run(argv, timeout):
    """Runs a tool to completion; on Ctrl-C subprocess.run kills it before re-raising."""
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)


def ms(text):
    m = re.match(r"([\d.]+)(us|ms|s|m)$", text)
    if not m:
        return None
    return float(m.group(1)) * {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}[m.group(2)]


def parse_wrk(out):
    r = {"requests": 0, "rps": 0.0, "p50": None, "p99": None, "errors": 0, "non2xx": 0, "ok": None, "bad": None}
    for line in out.splitlines():
        f = line.split()
        if len(f) == 2 and f[0] in ("50%", "99%"):
            r["p" + f[0][:-1]] = ms(f[1])
        elif "requests in" in line:
            r["requests"] = int(f[0])
        elif line.startswith("Requests/sec:"):
            r["rps"] = float(f[1])
        elif line.strip().startswith("Socket errors:"):
            r["errors"] = sum(int(x.strip(",")) for x in f[3::2])
        elif line.strip().startswith("Non-2xx"):
            r["non2xx"] = int(f[-1])
        elif f and f[0] == "probe_success_1":
            r["ok"], r["bad"] = int(f[1]), int(f[3])
    return r


class Bench:
    def __init__(self, args, tmp):
        self.a = args
        self.tmp = tmp
        self.procs = []           # fixture objects to stop at the end, whatever happens
        self.commands = {}        # what ran, for the doc
        self.knot = None
        self.hole = None
        self.started = 0

    # -- processes --
    def start_knot(self):
        say("starting knotd")
        self.knot = fixture.Knot(self.tmp, want_port53=False)
        self.procs.append(self.knot)
        self.knot.start()
        say("knotd on %s@%d (pid %d)" % (self.knot.addr, self.knot.port, self.knot.proc.pid))

    def start_exporter(self, kind):
        self.started += 1
        d = os.path.join(self.tmp, "%s-%d" % (kind, self.started))
        os.makedirs(d)
        if kind == "nsprobe":
            binary = os.path.join(self.a.build, "nsprobe")
            extra = ["--target.resolver=%s:%d" % (self.knot.addr, self.knot.port)]  # never the system's
            if self.a.workers:
                extra.append("--workers=%d" % self.a.workers)
        else:
            binary, extra = BLACKBOX, []
        ex = fixture.Exporter(d, binary, self.config, extra_args=extra)
        self.procs.append(ex)
        ex.start()
        self.commands.setdefault(kind, " ".join(shlex.quote(x) for x in ex.args))
        return ex

    def stop(self, obj):
        obj.stop()
        if obj in self.procs:
            self.procs.remove(obj)

    def stop_all(self):
        for obj in reversed(self.procs):
            try:
                obj.stop()
            except Exception as e:  # keep stopping the others
                print("bench: stopping %r: %s" % (obj, e), file=sys.stderr)
        self.procs = []
        if self.hole:
            self.hole.close()

    def write_config(self):
        self.hole = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)   # bound, never read: a black hole
        hole_addr = fixture.pick_loopback(avoid=(self.knot.addr,))
        self.hole.bind((hole_addr, 0))
        self.hole_target = "%s:%d" % (hole_addr, self.hole.getsockname()[1])
        self.target = "%s:%d" % (self.knot.addr, self.knot.port)
        self.config = os.path.join(self.tmp, "blackbox.yml")
        with open(self.config, "w") as f:
            f.write("""modules:
  soa_udp:
    prober: dns
    timeout: 3s
    dns:
      query_name: bb.test
      query_type: SOA
      transport_protocol: udp
      preferred_ip_protocol: ip4
  soa_tcp:
    prober: dns
    timeout: 3s
    dns:
      query_name: bb.test
      query_type: SOA
      transport_protocol: tcp
      preferred_ip_protocol: ip4
  blackhole:
    prober: dns
    timeout: %ds
    dns:
      query_name: example.test
      query_type: A
      transport_protocol: udp
      preferred_ip_protocol: ip4
""" % self.a.wait_timeout)
        with open(self.config) as f:
            self.config_text = f.read()

    # -- 1. dnsperf --
    def dnsperf(self):
        qfile = os.path.join(self.tmp, "queries.txt")
        with open(qfile, "w") as f:
            f.write("bb.test SOA\n")
        argv = ["dnsperf", "-s", self.knot.addr, "-p", str(self.knot.port), "-d", qfile,
                "-l", str(self.a.dnsperf_seconds), "-c", "4", "-T", "2", "-q", "200", "-t", "1"]
        self.commands["dnsperf"] = " ".join(argv)
        say("dnsperf %ds against knotd" % self.a.dnsperf_seconds)
        out = run(argv, self.a.dnsperf_seconds + 30)
        m = re.search(r"Queries per second:\s+([\d.]+)", out.stdout)
        lost = re.search(r"Queries lost:\s+(\d+)", out.stdout)
        if not m:
            say("dnsperf failed: %s" % (out.stdout + out.stderr)[-400:])
            return None
        return {"qps": float(m.group(1)), "lost": int(lost.group(1)) if lost else None}

    # -- 2. load --
    def wrk_argv(self, port, module, seconds, lua=False):
        url = "http://127.0.0.1:%d/probe?module=%s&target=%s" % (port, module, self.target)
        argv = ["wrk", "-t%d" % self.a.wrk_threads, "-c%d" % self.a.connections, "-d%ds" % seconds,
                "--timeout", "10s", "--latency"]
        if lua:
            argv += ["-s", os.path.join(HERE, "count.lua")]
        return argv + [url]

    def wrk_round(self, ex, module, seconds):
        argv = self.wrk_argv(ex.port, module, seconds)
        pid, kpid = ex.proc.pid, self.knot.proc.pid
        c0, k0, w0, (b0, t0), (o0, s0) = proc_cpu(pid), proc_cpu(kpid), children_cpu(), system_jiffies(), tcp_drops()
        wall0 = time.monotonic()
        with RssSampler(pid, 0.05) as rss:
            out = run(argv, seconds + 60)
        wall = time.monotonic() - wall0
        c1, k1, w1, (b1, t1), (o1, s1) = proc_cpu(pid), proc_cpu(kpid), children_cpu(), system_jiffies(), tcp_drops()
        r = parse_wrk(out.stdout)
        if out.returncode != 0 or r["requests"] == 0:
            raise RuntimeError("wrk failed: %s" % (out.stdout + out.stderr)[-600:])
        ncpu = os.cpu_count() or 1
        busy = (b1 - b0) / max(1, t1 - t0) * ncpu          # cores busy, whole machine
        r.update(cpu=c1 - c0, cpu_per_probe_us=(c1 - c0) / r["requests"] * 1e6, rss_peak=rss.peak,
                 split={"exporter": (c1 - c0) / wall, "wrk": (w1 - w0) / wall, "knotd": (k1 - k0) / wall,
                        "rest": max(0.0, busy - (c1 - c0 + w1 - w0 + k1 - k0) / wall), "busy": busy},
                 threads=proc_threads(pid), overflows=o1 - o0, synretrans=s1 - s0)
        return r

    def check_run(self, ex, module):
        """A short wrk run with a Lua checker: how many answers carry probe_success 1 (and a warm-up)."""
        out = run(self.wrk_argv(ex.port, module, self.a.check_seconds, lua=True), self.a.check_seconds + 60)
        r = parse_wrk(out.stdout)
        if r["ok"] is None:
            raise RuntimeError("wrk check failed: %s" % (out.stdout + out.stderr)[-600:])
        return r

    def load(self, exps):
        res = {}
        for module in ("soa_udp", "soa_tcp"):
            for kind, ex in exps.items():
                st, _h, body = ex.request("/probe?module=%s&target=%s" % (module, self.target))
                if st != 200 or "\nprobe_success 1\n" not in body:
                    raise RuntimeError("%s: one %s probe failed:\n%s" % (kind, module, body[-800:]))
                say("%s %s: checking answers under load (%ds, Lua counter)" % (kind, module, self.a.check_seconds))
                res[(kind, module, "check")] = self.check_run(ex, module)
            order = list(exps)
            for rnd in range(self.a.rounds):
                for kind in (order if rnd % 2 == 0 else order[::-1]):     # ABBA: drift hits both alike
                    r = self.wrk_round(exps[kind], module, self.a.duration)
                    s = r["split"]
                    say("%s %s round %d: %.0f probes/s p50 %.2f ms p99 %.2f ms, %.1f us CPU/probe; cores: "
                        "exporter %.2f wrk %.2f knotd %.2f rest %.2f" % (
                            kind, module, rnd + 1, r["rps"], r["p50"], r["p99"], r["cpu_per_probe_us"],
                            s["exporter"], s["wrk"], s["knotd"], s["rest"]))
                    res.setdefault((kind, module), []).append(r)
        return res

    # -- 3. waiting probes --
    def waiting(self, kind, n):
        ex = self.start_exporter(kind)
        try:
            path = "/probe?module=blackhole&target=%s" % self.hole_target
            argv = [os.path.join(self.a.build, "slowclient"), str(ex.port), str(n), path, "\nprobe_success 0\n"]
            self.commands["slowclient"] = " ".join(
                [shlex.quote(argv[0]), "PORT", "N", shlex.quote(path), "$'\\nprobe_success 0\\n'"])
            say("%s: %d probes waiting on %s (timeout %ds)" % (kind, n, self.hole_target, self.a.wait_timeout))
            with RssSampler(ex.proc.pid, 0.01) as rss:
                out = run(argv, self.a.wait_timeout + 120)
            lat = []
            bad = 0
            for line in out.stdout.splitlines():
                f = line.split()
                if f and f[0] == "latency":
                    lat.append(float(f[1]))
                    bad += f[2] != "1"
            r = {"n": n, "answered": len(lat), "success0": len(lat) - bad, "rss_peak": rss.peak,
                 "late_ms": (max(lat) - self.a.wait_timeout) * 1e3 if lat else None,
                 "err": out.stderr.strip()[-300:]}
            if lat:
                lat.sort()
                r["first_ms"] = (lat[0] - self.a.wait_timeout) * 1e3
                r["median_ms"] = (lat[len(lat) // 2] - self.a.wait_timeout) * 1e3
            say("%s: %d/%d answered with probe_success 0, after the timeout: earliest %+.1f ms, median %+.1f ms, "
                "latest %+.1f ms; peak RSS %.1f MB" % (kind, r["success0"], n, r.get("first_ms", float("nan")),
                                                       r.get("median_ms", float("nan")),
                                                       r["late_ms"] if lat else float("nan"), rss.peak / 1024))
            return r
        finally:
            self.stop(ex)

    # -- the whole run --
    def main(self):
        res = {"started": datetime.datetime.now().astimezone(), "loadavg": open("/proc/loadavg").read().split()[:3]}
        self.start_knot()
        self.write_config()
        res["dnsperf"] = self.dnsperf()

        exps = {"blackbox": self.start_exporter("blackbox"), "nsprobe": self.start_exporter("nsprobe")}
        time.sleep(0.5)   # let both settle after start-up before reading "idle" (not a correctness wait)
        for kind, ex in exps.items():
            res[(kind, "idle")] = proc_status_kb(ex.proc.pid)
            res[(kind, "idle_anon")] = proc_status_kb(ex.proc.pid, "RssAnon")
            res[(kind, "threads")] = proc_threads(ex.proc.pid)
        res["load"] = self.load(exps)
        for ex in exps.values():
            self.stop(ex)

        for n in self.a.waiting:
            for kind in ("blackbox", "nsprobe"):
                res[(kind, "wait", n)] = self.waiting(kind, n)
        res["elapsed"] = time.monotonic() - T0
        return res


# --- the report -------------------------------------------------------------------------------------

def best(rounds):
    return max(rounds, key=lambda r: r["rps"])


def fmt(v, spec="%.0f"):
    return "n/a" if v is None else spec % v


def mb(kb):
    return "n/a" if kb is None else "%.1f MB" % (kb / 1024)


def ratio_more(ns, bb):
    return "n/a" if not ns or not bb else "%.1f×" % (ns / bb)


def ratio_less(ns, bb):
    return "n/a" if not ns or not bb else "1/%.1f" % (bb / ns)


def machine():
    model = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    mem = "%.1f GB" % (proc_status_file_kb("/proc/meminfo", "MemTotal") / 1024 / 1024)
    return {"nproc": os.cpu_count(), "cpu": model, "kernel": os.uname().release, "mem": mem}


def versions():
    def pkg(name):
        p = subprocess.run(["dpkg-query", "-W", "-f=${Version}", name], capture_output=True, text=True)
        return "%s %s" % (name, p.stdout.strip() or "?")

    def git(*argv):
        p = subprocess.run(["git", "-C", ROOT] + list(argv), capture_output=True, text=True)  # read-only
        return p.stdout.strip() if p.returncode == 0 else None

    head = git("rev-parse", "--short", "HEAD") or "?"
    dirty = bool(git("status", "--porcelain", "--untracked-files=all", "--", "prober", "CMakeLists.txt"))
    return {"nsprobe": "%s%s" % (head, " + uncommitted changes in prober/" if dirty else ""),
            "tools": ", ".join(pkg(n) for n in (BLACKBOX, "knot", "wrk", "dnsperf"))}


def report(res, args):
    L = res["load"]
    rows, goals = [], []

    def row(name, bb, ns, ratio):
        rows.append("| %s | %s | %s | %s |" % (name, bb, ns, ratio))

    for module, label in (("soa_udp", "UDP"), ("soa_tcp", "TCP")):
        b, n = best(L[("blackbox", module)]), best(L[("nsprobe", module)])
        row("probes/s, %s, %d keep-alive connections" % (label, args.connections),
            fmt(b["rps"]), fmt(n["rps"]), ratio_more(n["rps"], b["rps"]))
        row("latency p50 / p99, %s" % label, "%.2f / %.2f ms" % (b["p50"], b["p99"]),
            "%.2f / %.2f ms" % (n["p50"], n["p99"]), ratio_less(n["p50"], b["p50"]) + " / " + ratio_less(n["p99"], b["p99"]))
        row("CPU per probe, %s (user+sys)" % label, "%.0f µs" % b["cpu_per_probe_us"],
            "%.1f µs" % n["cpu_per_probe_us"], ratio_less(n["cpu_per_probe_us"], b["cpu_per_probe_us"]))
        cb, cn = L[("blackbox", module, "check")], L[("nsprobe", module, "check")]
        row("answers without `probe_success 1` under load, %s" % label,
            "%d of %d" % (cb["bad"], cb["requests"]), "%d of %d" % (cn["bad"], cn["requests"]), "")
        goals.append(("probes/s ≥ 10× blackbox's (%s)" % label, n["rps"] >= 10 * b["rps"],
                      ratio_more(n["rps"], b["rps"])))
        goals.append(("CPU per probe ≤ 1/15 of blackbox's (%s)" % label,
                      n["cpu_per_probe_us"] * 15 <= b["cpu_per_probe_us"],
                      ratio_less(n["cpu_per_probe_us"], b["cpu_per_probe_us"])))
    row("RSS idle (after start-up)", mb(res[("blackbox", "idle")]), mb(res[("nsprobe", "idle")]),
        ratio_less(res[("nsprobe", "idle")], res[("blackbox", "idle")]))
    row("… of which anonymous (RssAnon)", mb(res[("blackbox", "idle_anon")]), mb(res[("nsprobe", "idle_anon")]), "")
    pb = max(r["rss_peak"] for k in ("soa_udp", "soa_tcp") for r in L[("blackbox", k)])
    pn = max(r["rss_peak"] for k in ("soa_udp", "soa_tcp") for r in L[("nsprobe", k)])
    row("RSS under load (peak)", mb(pb), mb(pn), ratio_less(pn, pb))
    for n in args.waiting:
        b, s = res[("blackbox", "wait", n)], res[("nsprobe", "wait", n)]
        row("RSS with %s probes waiting (peak)" % format(n, ","), mb(b["rss_peak"]), mb(s["rss_peak"]),
            ratio_less(s["rss_peak"], b["rss_peak"]))
        row("… answers after the %d s timeout: median / latest" % args.wait_timeout,
            "%s / %s" % (fmt(b.get("median_ms"), "%+.0f ms"), fmt(b["late_ms"], "%+.0f ms")),
            "%s / %s" % (fmt(s.get("median_ms"), "%+.1f ms"), fmt(s["late_ms"], "%+.1f ms")), "")
        row("… answered with `probe_success 0`", "%d of %d" % (b["success0"], n), "%d of %d" % (s["success0"], n), "")
    n2 = min(args.waiting, key=lambda n: abs(n - 2000))
    b, s = res[("blackbox", "wait", n2)], res[("nsprobe", "wait", n2)]
    goals.append(("RSS with %s waiting probes ≤ 1/10 of blackbox's" % format(n2, ","),
                  s["rss_peak"] * 10 <= b["rss_peak"], ratio_less(s["rss_peak"], b["rss_peak"])))
    goals.append(("idle RSS < 5 MB", res[("nsprobe", "idle")] < 5 * 1024, mb(res[("nsprobe", "idle")])))
    nmax = max(args.waiting)
    s = res[("nsprobe", "wait", nmax)]
    goals.append(("%s waiting probes all answered ≤ 50 ms after their timeout" % format(nmax, ","),
                  s["success0"] == nmax and s["late_ms"] is not None and s["late_ms"] <= 50,
                  "%d of %d, latest %s" % (s["success0"], nmax, fmt(s["late_ms"], "%+.1f ms"))))

    dp = res["dnsperf"]
    table = ["| | blackbox_exporter 0.23 | nsprobe | nsprobe vs blackbox |", "| --- | ---: | ---: | ---: |"] + rows
    gl = ["| goal | measured | |", "| --- | ---: | --- |"] + [
        "| %s | %s | %s |" % (g, m, "**met**" if ok else "**not met**") for g, ok, m in goals]

    noise = []
    for module in ("soa_udp", "soa_tcp"):
        for kind in ("blackbox", "nsprobe"):
            rs = L[(kind, module)]
            b = best(rs)
            sp = b["split"]
            noise.append("| %s | %s | %s | %.2f | %.2f | %.2f | %.2f | %d | %d / %d |" % (
                kind, module, " / ".join("%.0f" % r["rps"] for r in rs), sp["exporter"], sp["wrk"], sp["knotd"],
                sp["rest"], b["threads"], b["overflows"], b["synretrans"]))
    nl = ["| exporter | module | probes/s, each round | exporter | wrk | knotd | rest of the machine | threads "
          "| SYNs dropped (listen overflow) / SYN retransmits |",
          "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"] + noise
    return table, gl, nl, goals, dp


def render_doc(res, args, table, gl, nl, dp):
    m, v = machine(), versions()
    c = res["commands"]
    d = res["started"].strftime("%Y-%m-%d %H:%M %Z")
    rsp = [max(r["rps"] for r in res["load"][(k, mod)]) / max(1.0, min(r["rps"] for r in res["load"][(k, mod)]))
           for k in ("blackbox", "nsprobe") for mod in ("soa_udp", "soa_tcp")]
    out = ["<!-- bench:begin (written by scripts/bench; edit outside these markers) -->",
           "## Latest run", "",
           "%s, `scripts/bench` in %.0f s of measuring. Machine: %d CPUs (`nproc`), %s, %s RAM, Linux %s; "
           "load average at the start %s." % (d, res["elapsed"], m["nproc"], m["cpu"], m["mem"], m["kernel"],
                                             " ".join(res["loadavg"])),
           "Versions: nsprobe %s (`%s`, RelWithDebInfo, %s); Debian packages %s." % (
               v["nsprobe"], os.path.relpath(args.build, ROOT),
               "--workers=%d" % args.workers if args.workers else "--workers default: one per CPU", v["tools"]), "",
           ] + table + ["",
           "Knot alone (dnsperf, %d s, UDP): **%s queries/s**%s — the ceiling a prober on this machine cannot pass."
           % (args.dnsperf_seconds, fmt(dp["qps"] if dp else None), "" if not dp else " (%s lost)" % dp["lost"]), "",
           "### Goals (ratios from this one run)", ""] + gl + ["",
           "### Noise and the CPU split", "",
           "Both exporters ran at once and took turns (ABBA…), %d rounds of %d s per module; the table keeps each "
           "one's best round. Cores busy during that best round (2.00 = the whole machine of 2 CPUs): "
           "the exporter (/proc/PID/stat), wrk (its rusage), knotd, and the rest of the machine (softirq for "
           "loopback traffic plus whatever else runs: this machine is shared). The last column counts, machine-wide, "
           "SYNs dropped because a listen backlog was full and SYN retransmissions (each costs the probe 1 s: "
           "knotd listens with a TCP backlog of 10). Best/worst round ratio across the "
           "four series: %s." % (args.rounds, args.duration, ", ".join("%.2f" % x for x in rsp)), ""] + nl + ["",
           "### Commands", "",
           "```sh",
           "scripts/bench   # = the following, with Knot on a random 127.0.0.x and proven-free ports",
           "knotd -c knot.conf   # test/harness/knot.py's zones; bb.test SOA is probed",
           c.get("blackbox", ""), c.get("nsprobe", ""),
           c.get("dnsperf", ""),
           " ".join(res["wrk_example"]).replace("soa_udp", "soa_udp|soa_tcp") +
           "   # per exporter, %d rounds, ABBA; plus %d s with -s scripts/bench.d/count.lua first" % (args.rounds, args.check_seconds),
           c.get("slowclient", "") + "   # N = %s, a fresh exporter each; the target is a bound UDP socket never read"
           % ", ".join(str(n) for n in args.waiting),
           "```", "", "blackbox.yml used by both:", "", "```yaml", res["config_text"].rstrip(), "```",
           "", "CPU per probe = Δ(utime+stime) of the exporter over a round / requests wrk completed in it. "
           "RSS = VmRSS from /proc/PID/status, sampled every 50 ms under load and every 10 ms while probes wait; "
           "idle = 0.5 s after `/-/healthy` first answered, before any probe.",
           "<!-- bench:end -->"]
    return "\n".join(out).replace(res["tmp"], "$TMP").replace(ROOT + "/", "") + "\n"


DOC_HEAD = """# Benchmarks

nsprobe against blackbox_exporter 0.23, side by side on one machine (issue #5). `scripts/bench` regenerates
the part between the markers below; the rest of this file is written by hand.

"""


def write_doc(path, section):
    try:
        with open(path) as f:
            old = f.read()
    except FileNotFoundError:
        old = DOC_HEAD + "<!-- bench:begin -->\n<!-- bench:end -->\n"
    b = old.find("<!-- bench:begin")
    e = old.find("<!-- bench:end -->")
    if b < 0 or e < 0:
        new = old.rstrip() + "\n\n" + section
    else:
        new = old[:b] + section + old[e + len("<!-- bench:end -->\n"):]
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(new)


def on_sigterm(_sig, _frame):
    raise KeyboardInterrupt   # the same clean-up path as Ctrl-C


def main():
    ap = argparse.ArgumentParser(description="blackbox_exporter vs nsprobe, side by side (run via scripts/bench)")
    ap.add_argument("--build", default=os.path.join(ROOT, "build-bench"), help="where nsprobe and slowclient are")
    ap.add_argument("--duration", type=int, default=6, help="seconds per wrk round (default 6)")
    ap.add_argument("--rounds", type=int, default=4, help="wrk rounds per exporter and module (default 4)")
    ap.add_argument("--check-seconds", type=int, default=2, help="seconds of the Lua-checked warm-up run")
    ap.add_argument("--connections", type=int, default=50, help="wrk keep-alive connections (default 50)")
    ap.add_argument("--wrk-threads", type=int, default=2, help="wrk threads (default 2)")
    ap.add_argument("--workers", type=int, default=0, help="nsprobe --workers (default: its own, one per CPU)")
    ap.add_argument("--waiting", type=lambda s: [int(x) for x in s.split(",")], default=[2000, 5000],
                    help="waiting-probe counts (default 2000,5000)")
    ap.add_argument("--wait-timeout", type=int, default=3, help="blackhole module timeout, s (default 3)")
    ap.add_argument("--dnsperf-seconds", type=int, default=5)
    ap.add_argument("--doc", default=os.path.join(ROOT, "docs", "benchmarks.md"))
    ap.add_argument("--no-doc", action="store_true", help="print the table, leave docs/benchmarks.md alone")
    ap.add_argument("--no-build", action="store_true", help="(handled by scripts/bench)")
    ap.add_argument("--profile", action="store_true",
                    help="then profile nsprobe (perf, strace) into BUILD/profile/: see scripts/bench.d/profile_nsprobe.py")
    ap.add_argument("--profile-only", action="store_true", help="only start Knot and profile nsprobe")
    args = ap.parse_args()
    args.build = os.path.abspath(args.build)

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)   # both exporters and slowclient inherit it
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if hard < max(args.waiting) * 2 + 100:
        print("bench: RLIMIT_NOFILE hard limit %d is too low for %d waiting probes" % (hard, max(args.waiting)),
              file=sys.stderr)
        return 1
    signal.signal(signal.SIGTERM, on_sigterm)
    signal.signal(signal.SIGINT, signal.default_int_handler)   # also when started in the background

    with tempfile.TemporaryDirectory(prefix="nsprobe-bench-") as tmp:
        b = Bench(args, tmp)
        try:
            if args.profile_only:
                b.start_knot()
                b.write_config()
                sys.modules.setdefault("bench", sys.modules[__name__])
                import profile_nsprobe
                profile_nsprobe.run(b, os.path.join(args.build, "profile"))
                return 0
            res = b.main()
            res["commands"] = b.commands
            res["tmp"] = tmp
            res["config_text"] = b.config_text
            res["wrk_example"] = b.wrk_argv(0, "soa_udp", args.duration)
            res["wrk_example"][-1] = "'http://127.0.0.1:PORT/probe?module=soa_udp&target=%s'" % b.target
            if args.profile:
                sys.path.insert(0, HERE)
                sys.modules.setdefault("bench", sys.modules[__name__])
                import profile_nsprobe
                profile_nsprobe.run(b, os.path.join(args.build, "profile"))
        except KeyboardInterrupt:
            print("bench: interrupted; stopping everything", file=sys.stderr)
            return 130
        finally:
            b.stop_all()

    table, gl, nl, goals, dp = report(res, args)
    print()
    print("\n".join(table))
    print()
    print("Knot alone (dnsperf): %s queries/s" % fmt(dp["qps"] if dp else None))
    print()
    print("\n".join(gl))
    print()
    print("\n".join(nl))
    print("\nbench: %.0f s in all" % (time.monotonic() - T0))
    if not args.no_doc:
        write_doc(args.doc, render_doc(res, args, table, gl, nl, dp))
        print("bench: wrote %s" % os.path.relpath(args.doc, os.getcwd()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
