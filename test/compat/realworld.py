#!/usr/bin/env python3
"""realworld -- --config.check of blackbox_exporter 0.23 and nsprobe on configs shaped like public
blackbox.yml files, and on edits of them that break each load-time rule (issue 15, "Config checking").

    realworld.py --nsprobe build/nsprobe [--blackbox /usr/bin/prometheus-blackbox-exporter]
                 [-k SUBSTRING] [-j N] [--list]

The corpus is test/compat/realworld/*.yml: each file is our own, written after one public file (its
first line names it: "# modelled on: github.com/<owner>/<repo>/<path> (<what it is>)") with the same
keys, shapes, comments and mistakes. Each file is checked as it is; then every edit of EDITS is
applied to each file blackbox loads that has the edit's section (an http:, tcp:, dns:, icmp: or
grpc: mapping of a module, or the first module), and the edited file is checked too. blackbox must
refuse every edit (else the edit breaks nothing and the case fails).

Agreement (config_checks.verdict): the same exit status and, on failure, blackbox's error text at
the end of nsprobe's (which puts file:line:col and the key in front of it). yaml.v3 wraps some texts
with the line instead ("yaml: line N: X", "yaml: unmarshal errors:\\n  line N: X\\n  line M: Y"):
there nsprobe must say X at line N, for every one of blackbox's errors.

DELIBERATE lists cases (fnmatch patterns) where nsprobe differs on purpose, each with the reason (the
README's compatibility table has them too): both must still refuse the file with the same message,
only where they place it may differ. KNOWN_DISAGREEMENTS lists cases where nsprobe differs by
mistake, so the suite stays green until nsprobe is fixed; a listed case that agrees fails ("remove
it"). Both are empty or short on purpose.
Output: one line per case, then "N passed, M failed". Exit 1 on any failure.
"""

import argparse
import concurrent.futures
import fnmatch
import glob
import os
import re
import shutil
import sys
import tempfile

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
TEST = os.path.dirname(HERE)
sys.path[:0] = [HERE, TEST]

import harness  # noqa: E402
import config_checks  # noqa: E402

BLACKBOX = "/usr/bin/prometheus-blackbox-exporter"
CORPUS = os.path.join(HERE, "realworld")
MODEL = re.compile(r"^# modelled on: github\.com/[^/\s]+/[^/\s]+/\S+ \(.+\)$")

# yaml.v3 3.0.1's parser.fail() numbers a syntax error by the CONTEXT mark when it has one (the
# mapping or simple key being parsed; 0-based, +1 only for scanner errors), so a mis-indented key
# reads "yaml: line 6: did not find expected key" with 6 the line above the mapping's first key,
# and the vim "~" line "line 10: could not find expected ':'" with 10 the "~" line itself; nsprobe
# names libyaml's PROBLEM mark (where parsing stopped: the bad key's line, or 11:1 after the "~").
YAML_SYNTAX_LINE = ("the line of a YAML syntax error: blackbox numbers it by yaml.v3's context mark "
                    "(a line of the mapping being parsed), nsprobe by libyaml's problem mark (where "
                    "parsing stopped, with its column), which is where the edit has to be made")

# case name (fnmatch pattern) -> why nsprobe differs on purpose
DELIBERATE = {
    "realworld/*/key_indented_after_flow_list": YAML_SYNTAX_LINE,
    "realworld/vim-tilde": YAML_SYNTAX_LINE,
}

# case name (fnmatch pattern) -> why nsprobe differs by mistake. Fix nsprobe and drop the entry.
KNOWN_DISAGREEMENTS = {
}


# ---- a line-level view of a blackbox.yml: enough to find a module's section and edit it in place,
# keeping every other line (comments, quoting, indentation) as the model wrote it

CONTENT = re.compile(r"^(\s*)(\S.*)$")


def _indent(line):
    m = CONTENT.match(line)
    if not m or m.group(2).startswith("#"):
        return None  # blank or comment: belongs to no block
    return len(m.group(1))


def _key(line):
    """the mapping key a content line starts with (quotes removed), or None"""
    m = re.match(r'^\s*(?:- )?("([^"]*)"|\'([^\']*)\'|[A-Za-z0-9_.-]+)\s*:(\s|$)', line)
    if not m:
        return None
    return m.group(2) if m.group(2) is not None else m.group(3) if m.group(3) is not None else m.group(1)


def _has_value(line):
    """True when a key line carries its value on the same line (not a block header)"""
    rest = re.sub(r'^\s*(?:- )?("[^"]*"|\'[^\']*\'|[A-Za-z0-9_.-]+)\s*:', "", line, count=1)
    rest = re.sub(r"\s+#.*$", "", rest).strip()
    return rest != ""


def _block_end(lines, i):
    """index after the block that the line i opens (lines more indented than it)"""
    ind = _indent(lines[i])
    j = i + 1
    while j < len(lines):
        k = _indent(lines[j])
        if k is not None and k <= ind:
            break
        j += 1
    while j > i + 1 and _indent(lines[j - 1]) is None:
        j -= 1  # trailing blanks and comments stay with what follows
    return j


def _value_end(lines, i):
    """index after the value of the key line i: its block, and list items written at the key's own
    indent ("valid_status_codes:\n- 200")"""
    ind, j = _indent(lines[i]), _block_end(lines, i)
    x = j
    while x < len(lines):
        k = _indent(lines[x])
        if k is None:
            x += 1
            continue
        if k == ind and lines[x].lstrip().startswith("- ") and not lines[i].lstrip().startswith("- "):
            x += 1
            j = x
            continue
        break
    return j


def _children(lines, i):
    """[(index, indent)] of the direct children of the block line i opens"""
    end, out, child = _block_end(lines, i), [], None
    for j in range(i + 1, end):
        k = _indent(lines[j])
        if k is None:
            continue
        if child is None:
            child = k
        if k == child:
            out.append(j)
    return out, child


def modules(lines):
    """[index of each module's name line] under the top-level `modules:`"""
    for i, line in enumerate(lines):
        if _indent(line) == 0 and _key(line) == "modules" and not _has_value(line):
            return _children(lines, i)[0]
    return []


def sections(lines, name):
    """[index of each `name:` block header directly under a module] ("module": the module lines)"""
    if name == "module":
        return modules(lines)
    out = []
    for m in modules(lines):
        for j in _children(lines, m)[0]:
            if _key(lines[j]) == name and not _has_value(lines[j]):
                out.append(j)
    return out


class Edit:
    """One change inside one section of a file."""

    def __init__(self, lines, header):
        self.lines, self.header = lines, header
        kids, self.child = _children(lines, header)
        if self.child is None:  # `http:` with nothing under it (YAML null): start the mapping
            self.child = _indent(lines[header]) + 2
        self.kids = kids

    def _pad(self, extra=0):
        return " " * (self.child + extra)

    def find(self, key):
        for j in self.kids:
            if _key(self.lines[j]) == key and not self.lines[j].lstrip().startswith("- "):
                return j
        return None

    def _put(self, at, new):
        self.lines[at:at] = new
        self.kids = _children(self.lines, self.header)[0]

    def set(self, key, value=None, block=()):
        """key: value, or key: with block lines under it; replaces the key where it is"""
        new = [self._pad() + key + ":" + (" " + value if value is not None else "")]
        new += [self._pad(2) + b for b in block]
        j = self.find(key)
        if j is None:
            self._put(self.header + 1, new)
        else:
            self.lines[j:_value_end(self.lines, j)] = new
            self.kids = _children(self.lines, self.header)[0]

    def insert_first(self, text):
        """a line at the top of the section (so a key already there becomes the duplicate)"""
        self._put(self.header + 1, [self._pad() + text])

    def add_item(self, key, item):
        """a list item (item: its lines, the first without "- ") before the key's first item"""
        j = self.find(key)
        if j is None or _has_value(self.lines[j]):
            return self.set(key, None, ["- " + item[0]] + ["  " + x for x in item[1:]])
        # items may sit at the key's own indent ("query_response:\n- expect: ..."): they still follow it
        ind_key, first, x = _indent(self.lines[j]), None, j + 1
        while x < len(self.lines) and first is None:
            k = _indent(self.lines[x])
            if k is not None and self.lines[x].lstrip().startswith("- ") and k >= ind_key:
                first = x
            elif k is not None and k <= ind_key:
                break
            x += 1
        ind = (len(self.lines[first]) - len(self.lines[first].lstrip())) if first is not None else \
            len(self._pad(2))
        new = [" " * ind + "- " + item[0]] + [" " * ind + "  " + x for x in item[1:]]
        at = first if first is not None else j + 1
        self.lines[at:at] = new
        self.kids = _children(self.lines, self.header)[0]

    def add_entry(self, key, entry):
        """an entry of the mapping under key (headers:), made if absent"""
        j = self.find(key)
        if j is None or _has_value(self.lines[j]):
            return self.set(key, None, [entry])
        kids, child = _children(self.lines, j)
        self.lines[j + 1:j + 1] = [" " * (child if child is not None else self.child + 2) + entry]
        self.kids = _children(self.lines, self.header)[0]


def _first_scalar_key(e):
    for j in e.kids:
        if _has_value(e.lines[j]) and not e.lines[j].lstrip().startswith("- "):
            return e.lines[j].strip()
    return None


def _dup_first(e):
    line = _first_scalar_key(e)
    e.insert_first(line if line else "method: GET")
    if not line:
        e.insert_first("method: GET")


def _misindent(after):
    """a key pasted one space deeper than the line above it, as hand edits do. After a plain scalar
    the scanner takes it for the scalar's continuation ("mapping values are not allowed in this
    context"); after a flow list the parser finds no key ("did not find expected key")."""
    def f(e):
        e.insert_first(after)
        e.lines[e.header + 2:e.header + 2] = [" " + e._pad() + "timeout: 5s"]
    return f


def _timeout(value):
    def f(e):
        e.set("timeout", value)
    return f


def _compression(e):
    e.set("compression", "gzip")
    e.add_entry("headers", "Accept-Encoding: br")


def _dup_module(lines):
    """a second module under the first one's name (an edit of the whole file)"""
    first = modules(lines)[0]
    ind = " " * _indent(lines[first])
    name = lines[first].strip().split(":")[0]
    lines += [ind + name + ":", ind + "  prober: icmp"]


def _two_typos(lines):
    """a misspelt key in each of the first two modules: blackbox lists both"""
    for m in modules(lines)[:2][::-1]:
        e = Edit(lines, m)
        e.insert_first("tiemout: 5s")


LOADS = "loads"  # an EDITS entry's 4th element: blackbox 0.23 accepts the edit

# (name, section, change[, LOADS]): each rule of the "Config checking" and of config/config.go's
# loader (config_checks.py has the broken/fixed pair of each in a bare module; here they land in
# real files). section "file" edits the whole file.
EDITS = [
    # config.Regexp: Go RE2 refuses lookarounds, repeats over 1000, unbalanced ( and [
    ("body_matches_lookahead", "http",
     lambda e: e.add_item("fail_if_body_matches_regexp", ['"(?=maintenance)"'])),
    ("body_not_matches_repeat_1001", "http",
     lambda e: e.add_item("fail_if_body_not_matches_regexp", ['"o{1001}k"'])),
    ("body_not_matches_lookbehind", "http",
     lambda e: e.add_item("fail_if_body_not_matches_regexp", ['"(?<!un)healthy"'])),
    ("header_matches_unbalanced_bracket", "http",
     lambda e: e.add_item("fail_if_header_matches",
                          ["header: Set-Cookie", "allow_missing: true", 'regexp: "session=[a-z"'])),
    ("header_not_matches_unbalanced_paren", "http",
     lambda e: e.add_item("fail_if_header_not_matches", ["header: Server", 'regexp: "(nginx|apache"'])),
    ("tcp_expect_lookbehind", "tcp",
     lambda e: e.add_item("query_response", ['expect: "(?<=SSH-)2.0"'])),
    ("tcp_expect_unbalanced_paren", "tcp",
     lambda e: e.add_item("query_response", ['expect: "^220 ([^ ]+ ESMTP"'])),
    # HTTPProbe: compression must be acceptable by the Accept-Encoding header
    ("compression_gzip_accept_br", "http", _compression),
    # common's URL: url.Parse
    ("proxy_url_unbalanced_bracket", "http", lambda e: e.set("proxy_url", '"http://[::1:3128"')),
    ("proxy_url_without_scheme", "http", lambda e: e.set("proxy_url", "10.0.0.1:3128")),
    # HTTPProbe.body_size_limit (units.Base2Bytes)
    ("body_size_limit_unit", "http", lambda e: e.set("body_size_limit", "10mb")),
    # common's HTTPClientConfig.Validate
    ("bearer_token_and_file", "http",
     lambda e: (e.set("bearer_token", "abc"), e.set("bearer_token_file", "/etc/prober/token"))),
    ("basic_auth_password_and_file", "http",
     lambda e: e.set("basic_auth", None, ["username: prober", "password: s3cret",
                                          "password_file: /etc/prober/password"])),
    ("oauth2_without_token_url", "http",
     lambda e: e.set("oauth2", None, ["client_id: prober", "client_secret: s3cret"])),
    ("authorization_type_basic", "http",
     lambda e: e.set("authorization", None, ["type: Basic", "credentials: cHJvYmVyOnMzY3JldA=="])),
    ("proxy_connect_header_without_proxy_url", "http",
     lambda e: e.set("proxy_connect_header", None, ["Proxy-Authorization: [Basic cHJvYmVy]"])),
    # decoding: types, unknown and duplicate fields
    ("status_code_as_text", "http", lambda e: e.set("valid_status_codes", '["2xx"]')),
    ("http_unknown_field", "http", lambda e: e.insert_first("follow_redirect: true")),
    ("http_duplicate_key", "http", _dup_first),
    ("module_duplicate_key", "module", _dup_first),
    ("key_indented_after_scalar", "http", _misindent("method: GET")),
    ("key_indented_after_flow_list", "http", _misindent("valid_status_codes: [200, 301]")),
    ("tcp_unknown_field", "tcp", lambda e: e.insert_first("tls_skip_verify: true")),
    ("icmp_ttl_over_255", "icmp", lambda e: e.set("ttl", "256")),
    ("icmp_unknown_field", "icmp", lambda e: e.insert_first("packet_size: 56")),
    ("grpc_unknown_field", "grpc", lambda e: e.insert_first("service_name: health")),
    # DNSProbe
    ("dns_query_type_lowercase", "dns", lambda e: e.set("query_type", "aaaa")),
    ("dns_query_class_chaos", "dns", lambda e: e.set("query_class", "CHAOS")),
    ("dns_query_name_empty", "dns", lambda e: e.set("query_name", '""')),
    ("dns_valid_rcodes_scalar", "dns", lambda e: e.set("valid_rcodes", "NOERROR")),
    ("dns_old_protocol_key", "dns", lambda e: e.insert_first('protocol: "tcp"')),
    ("dns_duplicate_key", "dns", _dup_first),
    # 0.23 keeps the DNS validators as strings and compiles them per probe: the file loads (and
    # each probe fails), so nsprobe must load it too
    ("dns_validator_lookahead", "dns",
     lambda e: e.set("validate_answer_rrs", None, ["fail_if_not_matches_regexp:",
                                                   '  - "IN\\\\tA\\\\t(?!10\\\\.)"']), LOADS),
    # module: durations, duplicate names, several errors at once
    ("timeout_without_unit", "module", _timeout("5")),
    ("timeout_in_days", "module", _timeout("1d")),
    ("duplicate_module", "file", _dup_module),
    ("two_unknown_fields", "file", _two_typos),
]


def apply_edit(text, section, change):
    """-> the edited text, or None when the file has no such section"""
    lines = text.split("\n")
    final_newline = text.endswith("\n")
    if final_newline:
        lines.pop()
    if section == "file":
        if not modules(lines) or (change is _two_typos and len(modules(lines)) < 2):
            return None
        change(lines)
    else:
        found = sections(lines, section)
        if not found:
            return None
        change(Edit(lines, found[0]))
    return "\n".join(lines) + ("\n" if final_newline else "")


# ---- comparing the two answers

def _unescape(s):
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), s)


def agree(bb, ns, deliberate=False):
    """-> (ok, detail) for blackbox's and nsprobe's (exit status, err text): config_checks.verdict,
    which also holds yaml.v3's "line N:" forms. deliberate: a listed deviation, where the message of
    a syntax error must match but not its line"""
    ok, detail = config_checks.verdict(bb, ns)
    if ok or not deliberate or bb[0] == 0 or ns[0] == 0:
        return ok, detail
    want = _unescape(bb[1][len(config_checks.PREFIX):] if bb[1].startswith(config_checks.PREFIX) else bb[1])
    m = re.match(r"yaml: line \d+: (.*)$", want, re.S)
    same = m is not None and re.search(r":\d+:\d+: (?:[^\n]*?: )?%s" % re.escape(m.group(1)),
                                       _unescape(ns[1])) is not None
    return same, ("both refuse with the same message%s: blackbox: %s; nsprobe: %s" % (
        "" if same else " NOT", bb[1], ns[1]))


# ---- the run

def corpus():
    return sorted(glob.glob(os.path.join(CORPUS, "*.yml")) + glob.glob(os.path.join(CORPUS, "*.yaml")))


def cases(files):
    """-> [(name, text, expected)]: expected is None for a corpus file as written, else what
    blackbox is expected to do with the edit ("refuse" or "load")"""
    out = []
    for path in files:
        with open(path) as f:
            text = f.read()
        base = os.path.splitext(os.path.basename(path))[0]
        out.append(("realworld/" + base, text, None))
        for name, section, change, *loads in EDITS:
            edited = apply_edit(text, section, change)
            if edited is not None:
                out.append(("realworld/%s/%s" % (base, name), edited, "load" if loads else "refuse"))
    return out


def listed(name, table):
    for pat, reason in table.items():
        if fnmatch.fnmatchcase(name, pat):
            return reason
    return None


def run_case(args, tmp, case):
    name, text, expected = case
    path = os.path.join(tmp, name.replace("/", "__") + ".yml")
    with open(path, "w") as f:
        f.write(text)
    bb, ns = config_checks.check(args.blackbox, path), config_checks.check(args.nsprobe, path)
    why = listed(name, DELIBERATE)
    ok, detail = agree(bb, ns, why is not None)
    note = "deliberate" if why is not None else ""
    if why is not None:
        detail = "deliberate deviation: %s | %s" % (why, detail)
    if ok and expected == "refuse" and bb[0] == 0:
        ok, detail = False, "blackbox loads the edited file: the edit breaks nothing (%s)" % path
    if ok and expected == "load" and bb[0] != 0:
        ok, detail = False, "blackbox refuses the edited file, expected to load it: %s" % bb[1]
    reason = listed(name, KNOWN_DISAGREEMENTS)
    if reason is not None:
        if ok:
            return "FAIL", name, "listed in KNOWN_DISAGREEMENTS but both agree: remove it (%s)" % detail, \
                "", bb[0]
        return "PASS", name, "known disagreement: %s | %s" % (reason, detail), "listed", bb[0]
    return ("PASS" if ok else "FAIL"), name, detail, note, bb[0]


def check_corpus(files):
    """every corpus file names its model on its first line"""
    bad = []
    for path in files:
        with open(path) as f:
            first = f.readline().rstrip("\n")
        if not MODEL.match(first):
            bad.append("%s: first line is not '# modelled on: github.com/<owner>/<repo>/<path> (...)'"
                       % os.path.basename(path))
    return bad


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nsprobe", required=True, help="the nsprobe binary")
    ap.add_argument("--blackbox", default=BLACKBOX, help="default: %s" % BLACKBOX)
    ap.add_argument("-k", dest="filter", help="run only cases whose name contains this")
    ap.add_argument("-j", dest="jobs", type=int, default=2, help="cases run in parallel")
    ap.add_argument("--list", action="store_true", help="list the cases and exit")
    args = ap.parse_args(argv)

    files = corpus()
    all_cases = cases(files)
    selected = [c for c in all_cases if not args.filter or args.filter in c[0]]
    if args.list:
        for c in selected:
            print(c[0])
        return 0
    for b in (args.nsprobe, args.blackbox):
        if not os.access(b, os.X_OK):
            ap.error("not executable: %s" % b)
    args.nsprobe, args.blackbox = os.path.abspath(args.nsprobe), os.path.abspath(args.blackbox)

    results = [("FAIL", "corpus/model_line", bad, "") for bad in check_corpus(files)]
    if len(files) < 40:
        results.append(("FAIL", "corpus/size", "%d files, the issue asks for at least 40" % len(files), ""))
    for st, name, detail, _ in results:
        print("%-4s %s (%s)" % (st, name, detail))
    for name, *_ in EDITS:
        if not any(c[0].endswith("/" + name) for c in all_cases):
            results.append(("FAIL", "edit/" + name, "applies to no corpus file", ""))
            print("FAIL edit/%s (applies to no corpus file)" % name)
    unknown = [p for p in list(KNOWN_DISAGREEMENTS) + list(DELIBERATE)
               if not any(fnmatch.fnmatchcase(c[0], p) for c in all_cases)]
    for p in unknown:
        results.append(("FAIL", "known_disagreements/" + p, "the pattern names no case", ""))
        print("FAIL known_disagreements/%s (the pattern names no case)" % p)

    tmp = tempfile.mkdtemp(prefix="nsprobe-realworld-")
    try:
        # an edit is a case only when blackbox loads the file it edits: otherwise the file's own
        # mistake would be what both report
        loads = {}
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            originals = [c for c in all_cases if c[2] is None]
            for c, (st, name, detail, note, bb_rc) in zip(originals, pool.map(
                    lambda c: run_case(args, tmp, c), originals)):
                loads[c[0]] = bb_rc == 0
                if c in selected:
                    results.append((st, name, detail, note))
                    print("%-4s %s (%s)%s" % (st, name, detail, " [%s]" % note if note else ""))
            todo = [c for c in selected if c[2] is not None and loads.get(c[0].rsplit("/", 1)[0])]
            for st, name, detail, note, _ in pool.map(lambda c: run_case(args, tmp, c), todo):
                results.append((st, name, detail, note))
                print("%-4s %s (%s)%s" % (st, name, detail, " [%s]" % note if note else ""))
                sys.stdout.flush()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    passed = sum(1 for r in results if r[0] == "PASS")
    failed = sum(1 for r in results if r[0] == "FAIL")
    print("# %d files, %d edits; %d deliberate deviations, %d known disagreements" % (
        len(files), sum(1 for r in results if "/" in r[1][len("realworld/"):]),
        sum(1 for r in results if r[3] == "deliberate"), sum(1 for r in results if r[3] == "listed")))
    print(harness.summary(passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
