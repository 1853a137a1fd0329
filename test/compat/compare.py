"""compare -- what "the same answer" means between blackbox_exporter and nsprobe.

compare(bb, ns, timeout) takes two responses (status, headers, body) and returns the list of
differences, each a one-line string ([] = they match):
  * the HTTP status and the Content-Type;
  * an error (non-200) body: byte for byte;
  * a metrics body: families in order, HELP and TYPE lines, label sets in order, and values as
    text; durations (DURATIONS) only as zero / non-zero, and as roughly equal when either side is
    long enough for a timeout to have decided it (SLOW seconds or more);
  * a debug=true body: the three section headers, the metrics part as above, the module
    configuration byte for byte, and the log lines after normalisation (compare_logs); with
    same_err=True the err= texts of the log lines as well.
"""

import re

DURATIONS = {"probe_duration_seconds", "probe_dns_duration_seconds", "probe_dns_lookup_time_seconds"}
SLOW = 0.5  # seconds: no probe against loopback takes this long unless a timeout decides it

DEBUG_HEAD = "Logs for the probe:\n"
DEBUG_METRICS = "\n\n\nMetrics that would have been returned:\n"
DEBUG_MODULE = "\n\n\nModule configuration:\n"

_SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$')
_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(?:,|$)')


def parse_exposition(text):
    """Prometheus text 0.0.4 -> [(name, help, type, [(labels, value text)])]; ValueError if bad."""
    if text and not text.endswith("\n"):
        raise ValueError("exposition does not end with a newline")
    fams = []
    for line in text[:-1].split("\n") if text else []:
        if line.startswith("# HELP "):
            name, _, helptext = line[7:].partition(" ")
            fams.append([name, helptext, None, []])
        elif line.startswith("# TYPE "):
            name, _, typ = line[7:].partition(" ")
            if not fams or fams[-1][0] != name or fams[-1][2] is not None or fams[-1][3]:
                raise ValueError("misplaced TYPE line %r" % line)
            fams[-1][2] = typ
        else:
            m = _SAMPLE.match(line)
            if not m or not fams or fams[-1][0] != m.group(1):
                raise ValueError("unparsable or misplaced line %r" % line)
            labels, pos, inner = [], 0, m.group(2) or ""
            while pos < len(inner):
                lm = _LABEL.match(inner, pos)
                if not lm:
                    raise ValueError("bad labels in %r" % line)
                labels.append((lm.group(1), lm.group(2)))
                pos = lm.end()
            float(m.group(3).replace("Inf", "inf"))
            fams[-1][3].append((tuple(labels), m.group(3)))
    return fams


def _num(text):
    return float(text.replace("Inf", "inf"))


def durations_differ(a, b, zero_either=False):
    """None if two durations agree (zero / non-zero unless zero_either; roughly equal when slow),
    else why not."""
    va, vb = _num(a), _num(b)
    if (va == 0) != (vb == 0) and not zero_either:
        return "zero vs non-zero"
    if max(va, vb) >= SLOW and abs(va - vb) > 0.5 + 0.2 * max(va, vb):
        return "not roughly equal (a timeout decided at least one)"
    return None


def compare_metrics(bb_text, ns_text, zero_either=()):
    errs = []
    try:
        fb = parse_exposition(bb_text)
    except ValueError as e:
        return ["blackbox exposition unparsable: %s" % e]
    try:
        fn = parse_exposition(ns_text)
    except ValueError as e:
        return ["nsprobe exposition unparsable: %s" % e]
    nb, nn = [f[0] for f in fb], [f[0] for f in fn]
    if nb != nn:
        errs.append("families: blackbox %s, nsprobe %s" % (nb, nn))
    by_name = {f[0]: f for f in fn}
    for name, helptext, typ, samples in fb:
        other = by_name.get(name)
        if other is None:
            continue
        if other[1] != helptext:
            errs.append("HELP %s: blackbox %r, nsprobe %r" % (name, helptext, other[1]))
        if other[2] != typ:
            errs.append("TYPE %s: blackbox %r, nsprobe %r" % (name, typ, other[2]))
        lb, ln = [s[0] for s in samples], [s[0] for s in other[3]]
        if lb != ln:
            errs.append("series of %s: blackbox %s, nsprobe %s" % (name, lb, ln))
            continue
        for (labels, vb), (_l, vn) in zip(samples, other[3]):
            where = name + ("{%s}" % ",".join('%s="%s"' % kv for kv in labels) if labels else "")
            if name in DURATIONS:
                why = durations_differ(vb, vn, where in zero_either)
                if why:
                    errs.append("%s: blackbox %s, nsprobe %s (%s)" % (where, vb, vn, why))
            elif vb != vn:
                errs.append("%s: blackbox %s, nsprobe %s" % (where, vb, vn))
    return errs


# --- logs ----------------------------------------------------------------------------------------

_PAIR = re.compile(r'([^\s=]+)=("(?:[^"\\]|\\.)*"|\S*)')
_MSG_ID = re.compile(r"(status: [A-Z0-9]*, id: )\d+")
_ERR_ADDR = re.compile(r"\d+\.\d+\.\d+\.\d+:\d+->|\[[0-9a-f:]+\]:\d+->")


# Keys nsprobe adds to a blackbox log line, after blackbox's own pairs (DEVIATIONS.md, "keys of
# ours"): removed from nsprobe's line before the comparison, which must then match as before.
NS_ONLY_KEYS = ("valid_rcodes_list",)


def parse_log_line(line):
    """logfmt -> [(key, value as written)]; the pairs ts= and caller= are dropped."""
    return [(k, v) for k, v in _PAIR.findall(line) if k not in ("ts", "caller")]


def compare_logs(bb_text, ns_text, same_err=False):
    """Log lines side by side. Keys and values must match except: ts and caller (dropped),
    duration_seconds (compared as a duration), the DNS message id inside response=, and err= whose
    text is compared only as "present in both" (Go's net errors name the ephemeral source port
    and the Go call that failed; nsprobe cannot reproduce them) unless same_err."""
    lb = [l for l in bb_text.split("\n") if l]
    ln = [l for l in ns_text.split("\n") if l]
    errs = []
    if len(lb) != len(ln):
        errs.append("log: %d lines from blackbox, %d from nsprobe" % (len(lb), len(ln)))
    for i, (a, b) in enumerate(zip(lb, ln)):
        pa, pb = parse_log_line(a), [kv for kv in parse_log_line(b) if kv[0] not in NS_ONLY_KEYS]
        if [k for k, _ in pa] != [k for k, _ in pb]:
            errs.append("log line %d keys: blackbox %r, nsprobe %r" % (i + 1, a, b))
            continue
        for (k, va), (_k, vb) in zip(pa, pb):
            if k == "duration_seconds":
                why = durations_differ(va, vb)
            elif k == "err" and not same_err:
                why = None
            elif k == "response":
                why = None if _MSG_ID.sub(r"\1N", va) == _MSG_ID.sub(r"\1N", vb) else "differs"
            else:
                why = None if va == vb else "differs"
            if why:
                errs.append("log line %d %s: blackbox %s, nsprobe %s" % (i + 1, k, va, vb))
    return errs


def split_debug(body):
    """debug=true body -> (logs, metrics, module) or None if the sections are not all there."""
    if not body.startswith(DEBUG_HEAD):
        return None
    i, j = body.find(DEBUG_METRICS), body.find(DEBUG_MODULE)
    if i < 0 or j < i or body.count(DEBUG_METRICS) != 1 or body.count(DEBUG_MODULE) != 1:
        return None
    return body[len(DEBUG_HEAD):i], body[i + len(DEBUG_METRICS):j], body[j + len(DEBUG_MODULE):]


def compare(bb, ns, debug=False, same_err=False, zero_either=()):
    """bb, ns: (status, {lower-case header: value}, body). Returns a list of differences.
    zero_either: duration series (as 'name{label="value"}') that may be zero on one side only:
    where the server decides by a race which step of the client fails."""
    errs = []
    (sb, hb, bb_body), (sn, hn, ns_body) = bb, ns
    if sb != sn:
        errs.append("status: blackbox %d, nsprobe %d" % (sb, sn))
    cb, cn = hb.get("content-type"), hn.get("content-type")
    if cb != cn:
        errs.append("Content-Type: blackbox %r, nsprobe %r" % (cb, cn))
    if sb != 200 or sn != 200:
        if bb_body != ns_body:
            errs.append("body: blackbox %r, nsprobe %r" % (bb_body[:300], ns_body[:300]))
        return errs
    if not debug:
        return errs + compare_metrics(bb_body, ns_body, zero_either)
    db, dn = split_debug(bb_body), split_debug(ns_body)
    if db is None or dn is None:
        errs.append("debug sections missing or out of order in %s" %
                    " and ".join(n for n, d in (("blackbox", db), ("nsprobe", dn)) if d is None))
        return errs
    errs += ["metrics section: " + e for e in compare_metrics(db[1], dn[1], zero_either)]
    if db[2] != dn[2]:
        errs.append("module configuration: blackbox %r, nsprobe %r" % (db[2], dn[2]))
    errs += compare_logs(db[0], dn[0], same_err)
    return errs


def selftest():
    """The comparison must see each kind of difference it claims to see; [] if it does."""
    m = ("# HELP probe_a A\n# TYPE probe_a gauge\nprobe_a 1\n"
         "# HELP probe_duration_seconds D\n# TYPE probe_duration_seconds gauge\n"
         "probe_duration_seconds 0.001\n"
         '# HELP probe_dns_duration_seconds P\n# TYPE probe_dns_duration_seconds gauge\n'
         'probe_dns_duration_seconds{phase="connect"} 0\n')
    log = ('ts=1 caller=x module=m level=info msg="Validating RR" rr="a.\\t300\\tIN\\tA\\t192.0.2.1"\n'
           'ts=2 caller=y module=m level=error msg="Probe failed" duration_seconds=0.001\n')
    dbg = DEBUG_HEAD + log + DEBUG_METRICS + m + DEBUG_MODULE + "prober: dns\n"
    ok = (200, {"content-type": "t"}, m)
    mutants = [
        ("status", (500, {"content-type": "t"}, m)),
        ("content type", (200, {"content-type": "u"}, m)),
        ("value", (200, {"content-type": "t"}, m.replace("probe_a 1", "probe_a 0"))),
        ("help", (200, {"content-type": "t"}, m.replace("HELP probe_a A", "HELP probe_a B"))),
        ("type", (200, {"content-type": "t"}, m.replace("TYPE probe_a gauge", "TYPE probe_a counter"))),
        ("label", (200, {"content-type": "t"}, m.replace('"connect"', '"request"'))),
        ("zero duration", (200, {"content-type": "t"}, m.replace("seconds 0.001", "seconds 0"))),
        ("timeout-long duration", (200, {"content-type": "t"}, m.replace("seconds 0.001", "seconds 1.2"))),
        ("family missing", (200, {"content-type": "t"}, m.split("# HELP probe_dns")[0])),
    ]
    errs = []
    if compare(ok, ok):
        errs.append("identical metrics differ")
    if compare(ok, (200, {"content-type": "t"}, m.replace("0.001", "0.004"))):
        errs.append("short durations must only be compared as zero / non-zero")
    for what, bad in mutants:
        if not compare(ok, bad):
            errs.append("a different %s is not seen" % what)
    z = m.replace('{phase="connect"} 0', '{phase="connect"} 0.002')
    if compare(ok, (200, {"content-type": "t"}, z),
               zero_either=('probe_dns_duration_seconds{phase="connect"}',)):
        errs.append("zero_either does not let a duration be zero on one side only")
    if not compare(ok, (200, {"content-type": "t"}, z.replace("seconds 0.001", "seconds 0")),
                   zero_either=('probe_dns_duration_seconds{phase="connect"}',)):
        errs.append("zero_either lets other durations be zero on one side only")
    if not compare((400, {}, "a\n"), (400, {}, "b\n")):
        errs.append("a different error body is not seen")
    d_ok = (200, {}, dbg)
    if compare(d_ok, (200, {}, dbg.replace("ts=1 caller=x ", "ts=9 ")), debug=True):
        errs.append("ts and caller must be ignored in logs")
    for what, text in [("RR text in the logs", dbg.replace("192.0.2.1", "192.0.2.2")),
                       ("module configuration", dbg.replace("prober: dns", "prober: tcp")),
                       ("debug section", dbg.replace(DEBUG_MODULE, "\n")),
                       ("metrics section", dbg.replace("probe_a 1", "probe_a 2"))]:
        if not compare(d_ok, (200, {}, text), debug=True):
            errs.append("a different %s is not seen" % what)
    e1 = dbg.replace('msg="Probe failed"', 'msg="Probe failed" err="x: y"')
    e2 = dbg.replace('msg="Probe failed"', 'msg="Probe failed" err="x: z"')
    if compare((200, {}, e1), (200, {}, e2), debug=True):
        errs.append("err texts must only be compared as present")
    if not compare((200, {}, e1), (200, {}, e2), debug=True, same_err=True):
        errs.append("a different err text is not seen with same_err")
    return errs
