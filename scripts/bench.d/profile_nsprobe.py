"""profile_nsprobe -- `scripts/bench --profile`: where nsprobe's time goes under the bench's load.

With the bench's Knot, config and black hole still up, a fresh nsprobe gets:
  * perf record (DWARF call graphs) for --duration s of the wrk load, UDP then TCP module;
  * strace -c -f for --duration s of the wrk UDP and TCP load: syscalls per probe = calls / requests wrk
    completed (strace slows nsprobe a lot; the counts per probe stay right);
  * perf record while 5,000 probes wait on the black hole and time out together;
  * callgrind (exact instruction counts, no sampling skew) over a short wrk run with 10 connections:
    counters are zeroed after start-up, so Ir / probes is the cost of one probe.
Raw reports go to OUTDIR (perf.data files and perf report / strace text); docs/benchmarks.md
"Where the time goes" is written by hand from them."""
import os
import signal
import subprocess
import time

import bench as B
import harness as fixture  # bench put test/ on sys.path


def _wrk(bench, ex, module, seconds):
    return subprocess.Popen(bench.wrk_argv(ex.port, module, seconds), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, stdin=subprocess.DEVNULL)


def _stop(p):
    if p and p.poll() is None:
        p.send_signal(signal.SIGINT)
        try:
            p.wait(30)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def _perf_reports(data, out, tag):
    rep = ["perf", "report", "-i", data, "--stdio", "--percent-limit", "0.5"]
    jobs = {"self": rep + ["--no-children", "--sort", "dso,sym", "-g", "none"],
            "dso": rep + ["--no-children", "--sort", "dso", "-g", "none"],
            "children": rep + ["--children", "--sort", "sym", "-g", "none"],
            "callers": rep + ["--no-children", "--sort", "sym", "-g", "caller,0.5,callee,function,percent",
                              "--percent-limit", "2"]}
    for name, argv in jobs.items():
        with open(os.path.join(out, "%s-%s.txt" % (tag, name)), "w") as f:
            subprocess.run(argv, stdout=f, stderr=subprocess.DEVNULL, timeout=300)


def _perf_load(bench, ex, module, out, seconds):
    data = os.path.join(out, "perf-%s.data" % module)
    B.say("profile: perf record nsprobe, wrk %s, %d s" % (module, seconds))
    w = _wrk(bench, ex, module, seconds + 2)
    perf = None
    try:
        time.sleep(1)   # past wrk's connection set-up (a measurement window, not a correctness wait)
        perf = subprocess.Popen(["perf", "record", "-q", "-F", "499", "--call-graph", "dwarf,16384",
                                 "-p", str(ex.proc.pid), "-o", data, "--", "sleep", str(seconds)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        perf.wait(seconds + 60)
        wout = w.communicate(timeout=seconds + 60)[0]
    finally:
        _stop(perf)
        _stop(w)
    with open(os.path.join(out, "wrk-%s.txt" % module), "w") as f:
        f.write(wout)
    _perf_reports(data, out, module)


def _strace_load(bench, ex, module, out, seconds):
    path = os.path.join(out, "strace-%s.txt" % module)
    B.say("profile: strace -c -f nsprobe, wrk %s, %d s" % (module, seconds))
    st = subprocess.Popen(["strace", "-c", "-f", "-p", str(ex.proc.pid), "-o", path],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    w = None
    try:
        time.sleep(1)   # strace attaches to every thread first
        w = _wrk(bench, ex, module, seconds)
        wout = w.communicate(timeout=seconds + 60)[0]
    finally:
        _stop(w)
        _stop(st)       # SIGINT: strace detaches and writes its summary
    n = B.parse_wrk(wout)["requests"]
    with open(path) as f:
        text = f.read()
    lines = ["# %d probes completed under strace (wrk %s, %d s); calls per probe:" % (n, module, seconds)]
    for line in text.splitlines():
        f = line.split()
        if len(f) >= 5 and f[0][0].isdigit() and f[-1] != "total":
            calls = int(f[3])
            lines.append("%-20s %8.2f per probe  (%s%% of syscall time)" % (f[-1], calls / max(1, n), f[0]))
        elif f and f[-1] == "total":
            lines.append("%-20s %8.2f per probe" % ("total", int(f[2]) / max(1, n)))
    with open(os.path.join(out, "strace-%s-per-probe.txt" % module), "w") as f:
        f.write("\n".join(lines) + "\n")


def _perf_waiting(bench, out, n):
    ex = bench.start_exporter("nsprobe")
    data = os.path.join(out, "perf-waiting.data")
    B.say("profile: perf record nsprobe while %d probes wait and time out" % n)
    perf = subprocess.Popen(["perf", "record", "-q", "-F", "999", "--call-graph", "dwarf,16384",
                             "-p", str(ex.proc.pid), "-o", data],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(0.5)
        path = "/probe?module=blackhole&target=%s" % bench.hole_target
        r = B.run([os.path.join(bench.a.build, "slowclient"), str(ex.port), str(n), path, "\nprobe_success 0\n"],
                  bench.a.wait_timeout + 120)
        with open(os.path.join(out, "slowclient-waiting.txt"), "w") as f:
            f.write(r.stdout)
    finally:
        _stop(perf)
        bench.stop(ex)
    _perf_reports(data, out, "waiting")


def _callgrind(bench, out, module, seconds):
    cg = os.path.join(out, "callgrind-%s.out" % module)
    d = os.path.join(bench.tmp, "callgrind-%s" % module)
    os.makedirs(d)
    ex = fixture.Exporter(d, os.path.join(bench.a.build, "nsprobe"), bench.config,
                          extra_args=["--target.resolver=%s:%d" % (bench.knot.addr, bench.knot.port)],
                          prefix=["valgrind", "--tool=callgrind", "--callgrind-out-file=" + cg])
    bench.procs.append(ex)
    B.say("profile: callgrind nsprobe, wrk %s -c10, %d s" % (module, seconds))
    try:
        ex.start(deadline_s=60)
        for _ in range(5):   # warm: first probes fill caches and pools
            ex.request("/probe?module=%s&target=%s" % (module, bench.target))
        subprocess.run(["callgrind_control", "--zero", str(ex.proc.pid)], capture_output=True, timeout=60)
        argv = bench.wrk_argv(ex.port, module, seconds)
        argv[1:3] = ["-t1", "-c10"]
        n = B.parse_wrk(B.run(argv, seconds + 60).stdout)["requests"]
    finally:
        bench.stop(ex)
    with open(os.path.join(out, "callgrind-%s.txt" % module), "w") as f:
        f.write("# %d probes (wrk %s, 10 connections, %d s under callgrind); counters zeroed after start-up\n"
                % (n, module, seconds))
        f.flush()
        subprocess.run(["callgrind_annotate", "--inclusive=yes", "--threshold=99", cg], stdout=f,
                       stderr=subprocess.DEVNULL, timeout=300)
        f.write("\n# exclusive\n")
        f.flush()
        subprocess.run(["callgrind_annotate", "--threshold=95", cg], stdout=f, stderr=subprocess.DEVNULL,
                       timeout=300)


def run(bench, out):
    os.makedirs(out, exist_ok=True)
    seconds = bench.a.duration
    ex = bench.start_exporter("nsprobe")
    try:
        for module in ("soa_udp", "soa_tcp"):
            _perf_load(bench, ex, module, out, seconds)
        for module in ("soa_udp", "soa_tcp"):
            _strace_load(bench, ex, module, out, seconds)
    finally:
        bench.stop(ex)
    _perf_waiting(bench, out, max(bench.a.waiting))
    for module in ("soa_udp", "soa_tcp"):
        _callgrind(bench, out, module, seconds)
    B.say("profile: reports in %s" % out)
