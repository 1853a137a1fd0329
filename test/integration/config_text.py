#!/usr/bin/env python3
"""config_text -- a config is read exactly as written (issue 12 section 1), against a live exporter.

    config_text.py --binary build/nsprobe [--exporter nsprobe|blackbox]

A real knotd on loopback (harness.Knot) and the exporter as a process. Checked here:
  * twins: a file with a UTF-8 BOM and a non-ASCII comment on its first line (and one with CRLF line
    ends and quoted non-ASCII strings, and one with a BOM alone) against its ASCII twin: two
    exporters, one per file, and /probe for EVERY module gives the same body (durations masked).
    Each variant is sized so that a loader that takes libyaml's character count for a byte length
    cuts its second pass just before the last value: the last module's query_type "A" becomes ANY,
    its valid_rcodes [NOERROR] an empty list, or the file is refused.
  * alias bombs (`&a {<<: *a}` and forty doublings of `<<: [*aN, *aN]`): --config.check refuses
    each within 1 s with blackbox_exporter's text; a running exporter given each by POST /-/reload
    and by SIGHUP answers (or logs) that text within 1 s, stays up, and keeps probing with its old
    config; a good file reloads afterwards. The same for 100,000 nested `[` and 100,000 nested `- `
    (libyaml has no nesting limit; yaml.v3's text is "exceeded max depth of 10000"). Also nsprobe's
    byte bound on what aliases copy: a 20 KB scalar behind 20,000 aliases (with and without a merge)
    and a 200 KB one behind 40,000 are refused with the aliasing text within 1 s and 200 MB peak RSS
    (--config.check, reload, SIGHUP); blackbox accepts them (a deviation). One within the bound loads.
    Wall-time bounds are four times longer for an ASan build.
Run with --exporter blackbox it checks the harness against blackbox_exporter 0.23.
Prints one line per check and "N passed, M failed" last; exit 1 if any failed.
"""
import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))  # test/: the harness and fakes packages
sys.dont_write_bytecode = True

import harness  # noqa: E402

BOM = b"\xef\xbb\xbf"
BOMB_SELF = "modules: {m: &a {<<: *a}}\n"
BOMB_SELF_TEXT = "yaml: anchor 'a' value contains itself"
BOMB_LAUGHS = "modules:\n  m0: &a0 {prober: dns}\n" + "".join(
    "  m%d: &a%d {<<: [*a%d, *a%d]}\n" % (i, i, i - 1, i - 1) for i in range(1, 41))
BOMB_LAUGHS_TEXT = "yaml: document contains excessive aliasing"
# nesting: libyaml has no limit (and its scanner is quadratic in flow depth); yaml.v3 stops past 10000
# ("yaml: line 6: exceeded max depth of 10000" from blackbox, with our file:line:col from nsprobe)
DEEP_FLOW = "modules:\n  m:\n    prober: dns\n    dns:\n      query_name: x\n      valid_rcodes: " + \
    "[" * 100000 + "\n"
DEEP_BLOCK = "- " * 100000 + "x\n"
DEEP_TEXT = "exceeded max depth of 10000"
REFUSED = (("self-merge", BOMB_SELF, BOMB_SELF_TEXT),
           ("forty doublings", BOMB_LAUGHS, BOMB_LAUGHS_TEXT),
           ("100,000 [", DEEP_FLOW, DEEP_TEXT),
           ("100,000 -", DEEP_BLOCK, DEEP_TEXT))


def bytes_bomb(scalar, aliases, merge):
    """query_response: [{send: &x "<scalar>"}, {send: *x} x aliases]: yaml.v3 counts each alias as
    one decode step whatever the scalar's size (and Go shares the string), so blackbox accepts it;
    nsprobe copies the scalar at each alias and refuses past its byte bound (yamlalias.c)."""
    return "modules:\n  base: &b\n    prober: tcp\n  t:\n" + ("    <<: *b\n" if merge else "    prober: tcp\n") + \
        "    tcp:\n      query_response: [{send: &x \"%s\"}%s]\n" % ("A" * scalar, ", {send: *x}" * aliases)


# nsprobe's deviation: blackbox_exporter accepts these (0.1-0.3 s); 3f17941 took 11 s and 800 MB
# for the first (the merge runs the resolved copy), 25 s and ~8 GB for the last.
BYTES_REFUSED = (("20 KB x 20,000 aliases with a merge", bytes_bomb(20000, 20000, True), BOMB_LAUGHS_TEXT),
                 ("20 KB x 20,000 aliases", bytes_bomb(20000, 20000, False), BOMB_LAUGHS_TEXT),
                 ("200 KB x 40,000 aliases", bytes_bomb(200000, 40000, False), BOMB_LAUGHS_TEXT))
# within the bound (8 MB copied): loads on both
BYTES_ALLOWED = bytes_bomb(20000, 300, True)
MAX_RSS_KB = 200 * 1024


def asan_scale(binary):
    """Time bounds are the issue's (1 s) for a normal build, four times that under ASan, whose Debug
    build runs several times slower; the behaviour checks stay. The bound is on the exporter's CPU
    time, not the wall clock: on a loaded two-core box (the suites run two at a time) the wall clock
    measures the neighbours too, while the CPU time measures the work the file made nsprobe do. The
    wall clock only bounds liveness (the timeouts)."""
    return 4.0 if harness.sanitized(binary) else 1.0


def run_check(binary, path, timeout=60):
    """--config.check on path: (exit code or None on timeout, output, CPU seconds, peak RSS in KB)."""
    out = tempfile.TemporaryFile()
    t0 = time.monotonic()
    p = subprocess.Popen([binary, "--config.check", "--config.file=" + path], stdout=out,
                         stderr=subprocess.STDOUT)
    rc, ru = None, None
    while time.monotonic() - t0 < timeout:
        pid, status, ru = os.wait4(p.pid, os.WNOHANG)
        if pid:
            rc = os.waitstatus_to_exitcode(status)
            p.returncode = rc
            break
        time.sleep(0.01)
    if rc is None:
        p.kill()
        _pid, _st, ru = os.wait4(p.pid, 0)
        p.returncode = -9
    dt = ru.ru_utime + ru.ru_stime
    out.seek(0)
    text = out.read().decode(errors="replace") + ("" if rc is not None else "(timed out after %d s)" % timeout)
    return rc, text, dt, ru.ru_maxrss

HEAD = """modules:
  soa:
    prober: dns
    dns:
      query_name: bb.test
      query_type: SOA
  mx_tcp:
    prober: dns
    timeout: 3s
    dns:
      query_name: bb.test
      query_type: MX
      transport_protocol: tcp
      valid_rcodes: [NOERROR]
  nx:
    prober: dns
    dns:
      query_name: nope.bb.test
      query_type: A
      valid_rcodes: [NXDOMAIN]
"""
# Knot answers ANY over UDP with one RRset (not the AAAA one at bb.test): the validator tells them apart
LAST_QTYPE = """  last:
    prober: dns
    dns:
      query_name: bb.test
      validate_answer_rrs:
        fail_if_none_matches_regexp: ['IN\\s+AAAA\\s']
      query_type: "AAAA"
"""
LAST_RCODES = """  last:
    prober: dns
    dns:
      query_name: bb.test
      query_type: TXT
      valid_rcodes: [NOERROR]
"""
# quoted non-ASCII strings, and the same strings as \\u escapes in the ASCII twin
REGEX_NA = '"caf\u00e9":\n    prober: dns\n    dns:\n      query_name: bb.test\n      query_type: A\n' \
           '      validate_answer_rrs:\n        fail_if_matches_regexp: ["\u2014 \u00fcml\u00e4ut", \'\u65e5\u672c\']\n'
REGEX_TWIN = '"caf\\u00e9":\n    prober: dns\n    dns:\n      query_name: bb.test\n      query_type: A\n' \
             '      validate_answer_rrs:\n        fail_if_matches_regexp: ["\\u2014 \\u00fcml\\u00e4ut", "\\u65e5\\u672c"]\n'


def shortfall(b):
    """bytes - characters as libyaml counts them (a leading BOM is dropped uncounted)."""
    body = b[3:] if b.startswith(BOM) else b
    return len(b) - len(body.decode("utf-8"))


def pair(body, twin_body, cut):
    """(variant bytes, twin bytes): a BOM and a non-ASCII first-line comment before body, sized so
    that bytes - characters == cut; the twin has the comment in ASCII and no BOM."""
    have = 3 + 1 + shortfall(body.encode())
    assert cut >= have, (cut, have)
    v, t = "# caf\u00e9", "# cafe"
    if cut - have >= 2:
        v, t, have = v + " \u2014", t + " -", have + 2
    v += "\u00fc" * (cut - have) + " first line\n"
    t += "u" * (cut - have) + " first line\n"
    vb = BOM + (v + body).encode()
    assert shortfall(vb) == cut
    return vb, (t + twin_body).encode()


def tail_len(text, key):
    """Bytes after `key: ` in the last line holding it: what a cut of that many drops."""
    return len(text.encode()) - (text.rindex(key + ": ") + len(key) + 2)


def crlf(s):
    return s.replace("\n", "\r\n")


def twin_cases():
    qtype = HEAD + LAST_QTYPE
    rcodes = HEAD + LAST_RCODES
    mixed = crlf("modules:\n  " + REGEX_NA + HEAD[len("modules:\n"):] + LAST_QTYPE)
    mixed_twin = crlf("modules:\n  " + REGEX_TWIN + HEAD[len("modules:\n"):] + LAST_QTYPE)
    return [
        ("BOM + non-ASCII comment (last query_type \"AAAA\")", pair(qtype, qtype, tail_len(qtype, "query_type"))),
        ("BOM + non-ASCII comment (last valid_rcodes)", pair(rcodes, rcodes, tail_len(rcodes, "valid_rcodes"))),
        ("CRLF + quoted non-ASCII strings + BOM comment",
         pair(mixed, mixed_twin, tail_len(mixed, "query_type"))),
        ("BOM alone", (BOM + qtype.encode(), qtype.encode())),
    ]


MODULES = ["soa", "mx_tcp", "nx", "last"]
TIMING = re.compile(r"^(probe_\w*(?:duration|time)_seconds(?:\{[^}]*\})?) \S+$", re.M)


def masked(body):
    return TIMING.sub(r"\1 <t>", body)


class Suite:
    def __init__(self):
        self.passed = self.failed = 0

    def check(self, what, ok, detail=""):
        if ok:
            self.passed += 1
            print("PASS", what)
        else:
            self.failed += 1
            print("FAIL", what, "--", detail)
        sys.stdout.flush()
        return ok


def probe_all(ex, knot, modules):
    out = {}
    for m in modules:
        try:
            st, _h, body = ex.request("/probe?module=%s&target=%s:%d"
                                      % (urllib.parse.quote(m), knot.addr, knot.port))
        except OSError as e:          # an exporter that crashed: a failed check, not a traceback
            st, body = None, repr(e)
        out[m] = (st, masked(body))
    return out


def start(workdir, binary, name, data):
    d = os.path.join(workdir, name)
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, "blackbox.yml")
    with open(path, "wb") as f:
        f.write(data)
    ex = harness.Exporter(d, binary, path, extra_args=["--log.level=debug"])
    try:
        ex.start()
    except harness.FixtureError as e:
        return None, str(e)
    return ex, ""


def check_twins(s, workdir, binary, knot):
    for i, (name, (variant, twin)) in enumerate(twin_cases()):
        exv, why = start(workdir, binary, "v%d" % i, variant)
        if not s.check("%s: the exporter starts" % name, exv is not None, why[-400:]):
            continue
        ext, why = start(workdir, binary, "t%d" % i, twin)
        try:
            if not s.check("%s: its ASCII twin starts" % name, ext is not None, why[-400:]):
                continue
            got, want = probe_all(exv, knot, MODULES + (["café"] if "CRLF" in name else [])), \
                probe_all(ext, knot, MODULES + (["café"] if "CRLF" in name else []))
            for m in want:
                s.check("%s: /probe module %s as its twin's" % (name, m), got[m] == want[m],
                        "\n--- variant\n%s\n--- twin\n%s" % (got[m][1], want[m][1]))
            # the twin itself is right: the last module succeeded with its own settings
            s.check("%s: twin's last module succeeds" % name,
                    "probe_success 1" in want["last"][1], want["last"][1])
        finally:
            exv.stop()
            if ext:
                ext.stop()


def check_config_check(s, workdir, binary, exporter):
    limit = asan_scale(binary)
    path = os.path.join(workdir, "bomb-check.yml")
    for name, text, want in REFUSED:
        with open(path, "w") as f:
            f.write(text)
        rc, out, dt, _rss = run_check(binary, path, 30)
        s.check("--config.check %s: refused (exit 1)" % name, rc == 1, "exit %s: %s" % (rc, out[-300:]))
        s.check("--config.check %s: says \"%s\"" % (name, want), want in out, out[-300:])
        s.check("--config.check %s: within %g s of CPU" % (name, limit), dt < limit, "%.2f s" % dt)
    # Bytes copied through aliases: nsprobe refuses (a deviation), blackbox accepts
    for name, text, want in BYTES_REFUSED:
        with open(path, "w") as f:
            f.write(text)
        rc, out, dt, rss = run_check(binary, path, 60)
        if exporter == "blackbox":
            s.check("--config.check %s: blackbox accepts it (nsprobe's deviation)" % name, rc == 0,
                    "exit %s: %s" % (rc, out[-300:]))
            continue
        s.check("--config.check %s: refused (exit 1)" % name, rc == 1, "exit %s: %s" % (rc, out[-300:]))
        s.check("--config.check %s: says \"%s\"" % (name, want), want in out, out[-300:])
        s.check("--config.check %s: within %g s of CPU" % (name, limit), dt < limit, "%.2f s" % dt)
        s.check("--config.check %s: peak RSS under %d MB" % (name, MAX_RSS_KB // 1024), rss < MAX_RSS_KB,
                "%d KB" % rss)
    with open(path, "w") as f:
        f.write(BYTES_ALLOWED)
    rc, out, dt, rss = run_check(binary, path, 60)
    s.check("--config.check 20 KB x 300 aliases (within the bound): accepted", rc == 0,
            "exit %s: %s" % (rc, out[-300:]))
    s.check("--config.check 20 KB x 300 aliases: peak RSS under %d MB" % (MAX_RSS_KB // 1024),
            rss < MAX_RSS_KB, "%d KB" % rss)


def cpu_seconds(pid):
    """User + system CPU seconds of a running process (/proc/PID/stat fields 14 and 15)."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def log_has(ex, text):
    try:
        with open(ex.log_path, errors="replace") as f:
            return text in f.read()
    except OSError:
        return False


def check_reloads(s, workdir, binary, knot, exporter):
    limit = asan_scale(binary)
    good = (HEAD + LAST_QTYPE).encode()
    ex, why = start(workdir, binary, "reload", good)
    if not s.check("reload: exporter starts on a good config", ex is not None, why[-400:]):
        return

    def survived(what, answered, dt):
        """After a refused reload: it took under limit s of CPU, the exporter still runs and the old
        config still probes. False when the exporter is gone."""
        s.check("%s: %s %g s of CPU" % (what, answered, limit), dt is not None and dt < limit, repr(dt))
        s.check("%s: still running" % what, ex.proc.poll() is None, ex.log_tail())
        if ex.proc.poll() is not None:
            return False
        after = probe_all(ex, knot, ["soa", "last"])
        s.check("%s: old config still probes" % what,
                all("probe_success 1" in after[m][1] for m in after), repr(after))
        return True

    try:
        before = probe_all(ex, knot, ["soa"])["soa"]
        s.check("reload: soa probes before", "probe_success 1" in before[1], before[1])
        for name, text, want in REFUSED + (BYTES_REFUSED if exporter == "nsprobe" else ()):
            with open(ex.config_path, "w") as f:
                f.write(text)
            c0 = cpu_seconds(ex.proc.pid)
            try:
                st, _h, body = ex.request("/-/reload", method="POST", timeout=10)
            except OSError as e:
                st, body = None, repr(e)
            dt = cpu_seconds(ex.proc.pid) - c0 if ex.proc.poll() is None else None
            s.check("POST /-/reload %s: 500 with \"%s\"" % (name, want), st == 500 and want in body,
                    "%s %s" % (st, body[-300:]))
            if not survived("POST /-/reload %s" % name, "answered within", dt):
                return

            # SIGHUP: the log is the only answer; poll it against a deadline
            marker = "%s-%d" % (name, time.monotonic_ns())
            with open(ex.log_path, "a") as f:
                f.write("--- %s\n" % marker)
            pos = os.path.getsize(ex.log_path)
            c0 = cpu_seconds(ex.proc.pid)
            ex.proc.send_signal(signal.SIGHUP)

            def logged():
                with open(ex.log_path, errors="replace") as f:
                    f.seek(pos)
                    return want in f.read()
            try:
                harness.wait_until(logged, 10, "the reload error in the log")
                dt = cpu_seconds(ex.proc.pid) - c0
            except harness.FixtureError:
                dt = None
            s.check("SIGHUP %s: logs \"%s\"" % (name, want), dt is not None, ex.log_tail())
            if not survived("SIGHUP %s" % name, "within", dt):
                return
        with open(ex.config_path, "wb") as f:
            f.write(good)
        st, _h, body = ex.request("/-/reload", method="POST", timeout=10)
        s.check("reload: a good config reloads afterwards", st == 200, "%s %s" % (st, body))
    finally:
        ex.stop()
        rep = ex.sanitizer_report()
        s.check("reload: no sanitizer report", rep is None, rep or "")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--exporter", default="nsprobe", choices=("nsprobe", "blackbox"))
    ap.add_argument("--keep", action="store_true")
    a = ap.parse_args()
    s = Suite()
    workdir = tempfile.mkdtemp(prefix="nsprobe-config-text-")
    knot = harness.Knot(workdir, want_port53=False)
    try:
        knot.start()
        check_config_check(s, workdir, a.binary, a.exporter)
        check_twins(s, workdir, a.binary, knot)
        check_reloads(s, workdir, a.binary, knot, a.exporter)
    finally:
        knot.stop()
        if not a.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    print("%d passed, %d failed" % (s.passed, s.failed))
    return 1 if s.failed else 0


if __name__ == "__main__":
    sys.exit(main())
