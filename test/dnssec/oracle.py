"""oracle -- what tools other than nsprobe say about an answer: kdig's view, delv's and ldns-verify-zone's.

  kdig(...)            the answer as kdig prints it: flags, rcode, size, NSID and the records of each
                       section, RRSIG times turned from YYYYMMDDHHMMSS (UTC) into unix seconds
  delv(...)            BIND's validator against the server on loopback, the zone's KSK as trust anchor
  ldns_errors(...)     ldns-verify-zone on a zone file at a given time: the errors, one per RRset
Every verdict is computed here, in the test run, from the live server; nothing is captured.
"""

import base64
import calendar
import os
import re
import struct
import subprocess
import time

SECTIONS = {";; ANSWER SECTION:": "answer", ";; AUTHORITY SECTION:": "authority",
            ";; ADDITIONAL SECTION:": "additional"}


def _run(cmd, timeout=20):
    return subprocess.run(cmd, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=timeout)


def rrsig_time(s):
    """An RRSIG time as kdig prints it, YYYYMMDDHHMMSS in UTC (RFC 4034 3.2), in unix seconds."""
    return calendar.timegm(time.strptime(s, "%Y%m%d%H%M%S"))


class Answer:
    """kdig's presentation of one answer (the last one it printed: the TCP one after a TC retry)."""

    def __init__(self, text):
        self.text = text
        self._reset()
        section = None
        for line in text.splitlines():
            if line.startswith(";; ->>HEADER<<-"):          # a new message: start over
                self._reset()
                m = re.search(r"status: (\S+?);", line)
                self.rcode = m.group(1) if m else None
                section = None
                continue
            if line.startswith(";; Flags:"):
                self.flags = set(line.split(";")[2].replace("Flags:", "").split())
                continue
            m = re.match(r";; Received (\d+) B", line)
            if m:
                self.size = int(m.group(1))
                continue
            m = re.match(r';; NSID: \S+ "(.*)"$', line)
            if m:
                self.nsid = m.group(1)
                continue
            if line.startswith(";; From ") and "(TCP)" in line:
                self.tcp = True
            if line.strip() in SECTIONS:
                section = SECTIONS[line.strip()]
                continue
            if not line.strip():
                section = None
                continue
            if section and not line.startswith(";"):
                self.sections[section].append(line.split())

    def _reset(self):
        self.flags = set()
        self.rcode = None
        self.size = None
        self.nsid = None
        self.tcp = False
        self.sections = {"answer": [], "authority": [], "additional": []}

    def count(self, section):
        return len(self.sections[section])

    def rrsigs(self, section):
        """[{owner, covered, alg, labels, exp, inc, tag, signer}] of the section, in order."""
        out = []
        for f in self.sections[section]:
            if len(f) >= 12 and f[3] == "RRSIG":
                out.append(dict(owner=f[0].lower(), covered=f[4], alg=int(f[5]), labels=int(f[6]),
                                exp=rrsig_time(f[8]), inc=rrsig_time(f[9]), tag=int(f[10]),
                                signer=f[11].lower()))
        return out

    def rrsets(self, section):
        """[(owner, type)] of the section's non-RRSIG, non-OPT records, first appearance order."""
        seen = []
        for f in self.sections[section]:
            if len(f) >= 4 and f[3] not in ("RRSIG", "OPT") and (f[0].lower(), f[3]) not in seen:
                seen.append((f[0].lower(), f[3]))
        return seen

    def checked_section(self):
        """The section nsprobe's DNSSEC check reads: the answer, or the authority of a negative one."""
        return "answer" if self.sections["answer"] else "authority"


def kdig(addr, port, name, qtype, *opts):
    """kdig @addr -p port name qtype with opts (e.g. "+dnssec", "+bufsize=1232"); retries over TCP
    on TC unless "+ignore" is given, as kdig does by default."""
    r = _run(["kdig", "+norec", "@%s" % addr, "-p", str(port), *opts, name, qtype])
    if r.returncode != 0:
        raise RuntimeError("kdig %s %s failed: %s%s" % (name, qtype, r.stderr, r.stdout))
    return Answer(r.stdout)


def dnskeys(addr, port, zone):
    """[(flags, protocol, algorithm, key tag, base64 key)] of the zone's DNSKEY set, per kdig."""
    a = kdig(addr, port, zone, "DNSKEY", "+dnssec", "+bufsize=4096")
    out = []
    for f in a.sections["answer"]:
        if len(f) >= 8 and f[3] == "DNSKEY":
            out.append((int(f[4]), int(f[5]), int(f[6]), None, "".join(f[7:])))
    tags = _key_tags(out)
    return [(fl, pr, al, tags[i], k) for i, (fl, pr, al, _t, k) in enumerate(out)]


def _key_tags(keys):
    """RFC 4034 Appendix B key tags, computed here from each key's rdata (no algorithm 1 here)."""
    tags = []
    for flags, proto, alg, _t, key in keys:
        rdata = struct.pack(">HBB", flags, proto, alg) + base64.b64decode(key)
        acc = 0
        for i, b in enumerate(rdata):
            acc += b if i & 1 else b << 8
        acc += (acc >> 16) & 0xFFFF
        tags.append(acc & 0xFFFF)
    return tags


def delv(addr, port, workdir, zone, name, qtype, tcp=False):
    """(ok, summary): BIND's delv validates name/qtype against addr:port with the zone's KSKs as
    static trust anchors (+root=zone: no DS above it). ok is True for "fully validated" answers,
    positive or negative."""
    anchors = [k for k in dnskeys(addr, port, zone) if k[0] & 1]   # SEP bit: the KSKs
    conf = os.path.join(workdir, "anchor-%s.conf" % zone)
    with open(conf, "w") as f:
        f.write("trust-anchors {\n")
        for flags, proto, alg, _tag, key in anchors:
            f.write('  %s. static-key %d %d %d "%s";\n' % (zone, flags, proto, alg, key))
        f.write("};\n")
    cmd = ["delv", "@%s" % addr, "-p", str(port), "-a", conf, "+root=%s" % zone, "+nortrace"]
    if tcp:
        cmd.append("+tcp")
    r = _run(cmd + [name, qtype])
    ok = bool(re.search(r"^; (negative response, )?fully validated$", r.stdout, re.M))
    text = " ".join((r.stderr + r.stdout).split())
    why = re.findall(r"; (?:negative response, )?fully validated|resolution failed: [^;]*|"
                     r"verify failed[^;]*|no valid signature found[^;]*", text)
    return ok, (why[0].strip("; ") if why else text[:160])


def ldns_errors(path, now, min_validity=0):
    """(exit status, [(reason, owner, type)]) of `ldns-verify-zone -V 2 -t <now> [-e PT<n>S] path`."""
    cmd = ["ldns-verify-zone", "-V", "2", "-t", time.strftime("%Y%m%d%H%M%S", time.gmtime(now))]
    if min_validity:
        cmd += ["-e", "PT%dS" % min_validity]
    r = _run(cmd + [path])
    errs = []
    for line in (r.stdout + r.stderr).splitlines():
        m = re.match(r"Error: (.*) for (\S+)\s+(\S+)\s*$", line)
        if m:
            errs.append((m.group(1), m.group(2).lower(), m.group(3)))
    return r.returncode, errs


# ldns-verify-zone's words for each of nsprobe's dnssec_reason_name() texts
LDNS_REASON = {
    "expired": "DNSSEC signature has expired",
    "not yet valid": "DNSSEC signature not incepted yet",
    "bad signature": "Bogus DNSSEC signature",
    "no matching key": "No keys with the keytag and algorithm from the RRSIG found",
    "expiring": "DNSSEC signature will expire too soon",
}


def axfr(addr, port, zone, path):
    """The zone as served, for ldns-verify-zone (Knot signs its zones online)."""
    r = _run(["kdig", "@%s" % addr, "-p", str(port), zone, "AXFR", "+nocomments"])
    if r.returncode != 0 or "SOA" not in r.stdout:
        raise RuntimeError("AXFR of %s failed: %s%s" % (zone, r.stderr, r.stdout))
    with open(path, "w") as f:
        f.write(r.stdout)
    return path


# --- validation.py's two oracles: a verdict of secure / insecure / bogus per answer ------------------

def delv_verdict(addr, port, workdir, zone, anchors, name, qtype):
    """(verdict, summary): delv against addr:port with `anchors` (["zone DNSKEY flags proto alg key"])
    as static trust anchors for zone (+root=zone). verdict: secure, insecure or bogus."""
    conf = os.path.join(workdir, "delv-%s.conf" % zone)
    with open(conf, "w") as f:
        f.write("trust-anchors {\n")
        for a in anchors:
            owner, _t, flags, proto, alg, *key = a.split()
            f.write('  %s static-key %s %s %s "%s";\n' % (owner, flags, proto, alg, "".join(key)))
        f.write("};\n")
    r = _run(["delv", "@%s" % addr, "-p", str(port), "-a", conf, "+root=%s" % zone, "+nortrace",
              "+nomtrace", "+novtrace", name, qtype])
    text = " ".join((r.stderr + r.stdout).split())
    if re.search(r"^; (negative response, )?fully validated$", r.stdout, re.M):
        return "secure", re.search(r"; (negative response, )?fully validated", text).group(0).strip("; ")
    if re.search(r"^; (negative response, )?unsigned answer$", r.stdout, re.M):
        return "insecure", re.search(r"; (negative response, )?unsigned answer", text).group(0).strip("; ")
    why = re.findall(r"resolution failed: [^;]*|broken trust chain|insecurity proof failed|"
                     r"no valid signature found|verify failed[^;]*", text)
    return "bogus", (why[0] if why else text[:160])


def unbound_verdict(addr, port, workdir, zone, anchors, name, qtype):
    """(verdict, summary): unbound-host -v with a config whose only servers are addr@port (a stub
    for zone, and for the root so nothing leaves loopback) and `anchors` as trust anchors."""
    return unbound_stubs_verdict(workdir, zone, {zone: (addr, port)}, anchors, name, qtype)


def unbound_stubs_verdict(workdir, tag, stubs, anchors, name, qtype):
    """(verdict, summary): unbound-host -v with one stub-zone per zone of stubs ({zone: (addr, port)},
    the first also for the root, so nothing leaves loopback) and `anchors` as trust anchors: the
    chain from a parent's anchor through its DS to a child served elsewhere (validation.py's
    parent cases). tag names the files written."""
    conf = os.path.join(workdir, "unbound-%s.conf" % tag)
    keys = os.path.join(workdir, "unbound-%s.keys" % tag)
    with open(keys, "w") as f:
        f.write("".join(a + "\n" for a in anchors))
    text = ('server:\n  do-not-query-localhost: no\n  use-syslog: no\n  chroot: ""\n'
            '  username: ""\n  directory: "%s"\n  trust-anchor-file: "%s"\n  val-log-level: 2\n'
            '  verbosity: 0\n  qname-minimisation: no\n  local-zone: "test." nodefault\n' % (workdir, keys))
    first = None
    for zone, (addr, port) in stubs.items():
        text += 'stub-zone:\n  name: "%s."\n  stub-addr: %s@%d\n' % (zone, addr, port)
        first = first or (addr, port)
    text += 'stub-zone:\n  name: "."\n  stub-addr: %s@%d\n' % first
    with open(conf, "w") as f:
        f.write(text)
    r = _run(["unbound-host", "-C", conf, "-v", "-t", qtype, name])
    out = r.stdout + r.stderr
    flat = " ".join(out.split())
    if "(BOGUS" in out:
        m = re.search(r"validation failure <[^>]*>:? ([^\n]*)", out)
        return "bogus", (m.group(1).strip() if m else flat[:160])
    for v in ("secure", "insecure"):
        if "(%s)" % v in out:
            return v, flat[:160]
    return "bogus", flat[:160]
