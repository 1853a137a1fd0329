"""checks_files -- the shipped files, each checked by the tool that will read it."""

import json
import os
import re
import shlex
import shutil

import harness
import stack
from stack import CONFIG, REPO, Skip, StackError, read, run, tool, write


def must(rc_out, what):
    rc, out = rc_out
    if rc != 0:
        raise AssertionError("%s failed (%d):\n%s" % (what, rc, out[-3000:]))
    return out


def check_example_config(world):
    """nsprobe --config.check accepts config/blackbox-two-servers.yml."""
    must(run([world.binary, "--config.check",
              "--config.file=" + os.path.join(CONFIG, "blackbox-two-servers.yml")]), "--config.check")


def check_promtool_metrics(world):
    """promtool check metrics accepts nsprobe's /probe output (SOA and DNSKEY modules) and its
    /metrics output."""
    promtool = tool("promtool", "prometheus")
    outs = world.probe_outputs()
    for name, body in outs.items():
        p = stack.subprocess.run([promtool, "check", "metrics"], input=body.encode(),
                                 stdout=stack.subprocess.PIPE, stderr=stack.subprocess.STDOUT,
                                 timeout=30)
        if p.returncode != 0 or p.stdout.strip():
            raise AssertionError("promtool check metrics on %s:\n%s" % (name, p.stdout.decode()))
    return ", ".join(sorted(outs))


def check_promtool_rules(world):
    """promtool check rules accepts config/alerts/nsprobe.rules.yml."""
    promtool = tool("promtool", "prometheus")
    out = must(run([promtool, "check", "rules", os.path.join(CONFIG, "alerts", "nsprobe.rules.yml")]),
               "promtool check rules")
    return out.strip().splitlines()[-1].strip()


def check_promtool_test_rules(world):
    """promtool test rules: the `for:` logic of every alert on synthetic series
    (config/alerts/tests/*.yml): down 5 minutes fires, flapping does not, and so on."""
    promtool = tool("promtool", "prometheus")
    d = os.path.join(CONFIG, "alerts", "tests")
    tests = sorted(os.path.join(d, f) for f in os.listdir(d) if f.endswith(".yml"))
    must(run([promtool, "test", "rules"] + tests), "promtool test rules")
    return "%d file(s)" % len(tests)


def check_promtool_config(world):
    """promtool check config accepts config/scrape/prometheus.yml and prometheus-shard.yml
    (their rule_files included)."""
    promtool = tool("promtool", "prometheus")
    for name in ("prometheus.yml", "prometheus-shard.yml"):
        must(run([promtool, "check", "config", os.path.join(CONFIG, "scrape", name)]),
             "promtool check config " + name)


def check_vm_dryrun(world):
    """VictoriaMetrics' strict parser accepts the vmagent/VictoriaMetrics scrape configs."""
    vm = tool("victoria-metrics", "victoria-metrics")
    for name in ("victoriametrics.yml", "spread-over-nsprobes.yml"):
        must(run([vm, "-promscrape.config=" + os.path.join(CONFIG, "scrape", name),
                  "-promscrape.config.dryRun", "-promscrape.config.strictParse",
                  "-loggerLevel=ERROR"], cwd=world.dir), "-promscrape.config.dryRun " + name)


def check_vmalert_dryrun(world):
    """vmalert -dryRun loads the rules file (expressions and templates validated)."""
    vmalert = tool("vmalert", "victoria-metrics")
    must(run([vmalert, "-dryRun", "-rule=" + os.path.join(CONFIG, "alerts", "nsprobe.rules.yml"),
              "-rule.validateExpressions", "-rule.validateTemplates", "-loggerLevel=ERROR"],
             cwd=world.dir), "vmalert -dryRun")


PROMQL_WORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and",
                "or", "unless", "offset", "inf", "nan"}


def metric_names(expr):
    """The metric names a PromQL expression reads (Grafana variables and strings removed)."""
    e = re.sub(r'"(?:[^"\\]|\\.)*"', "", expr)
    e = re.sub(r"\{[^}]*\}", "", e)                        # label matchers
    e = re.sub(r"\b(by|without|on|ignoring)\s*\([^)]*\)", "", e)
    e = re.sub(r"\[[^\]]*\]", "", e)                       # ranges
    e = re.sub(r"\$\{?\w+\}?", "", e)                      # $__rate_interval, ${zone}
    names = set()
    for m in re.finditer(r"[A-Za-z_:][A-Za-z0-9_:]*", e):
        word = m.group(0)
        rest = e[m.end():].lstrip()
        if rest.startswith("(") or word.lower() in PROMQL_WORDS:
            continue
        if e[max(0, m.start() - 1)].isdigit():  # 3d, 5m, 1e3
            continue
        names.add(word)
    return names


# The DNSSEC families only modules with dnssec.ds, dnssec.ds_from or dnssec.key_info emit (issue
# 14); the stack's example modules set none of these, so they cannot be seen in its probes.
DNSSEC_OPT_IN = {"probe_dnssec_ds_match", "probe_dnssec_cds_pending", "probe_dnssec_key_info"}


def emitted(world):
    """The series names nsprobe's outputs carry (a histogram's _bucket, _sum and _count)."""
    names = set()
    for body in world.probe_outputs().values():
        for name, typ in re.findall(r"^# TYPE (\S+) (\S+)", body, re.M):
            names.add(name)
            if typ == "histogram":
                names |= {name + "_bucket", name + "_sum", name + "_count"}
    return names


# The dashboard's row of nsprobe's own health (issue 16) and its panels.
HEALTH_ROW = "Exporter health (nsprobe itself)"
HEALTH_PANELS = ("Probes per second by module and result", "Probes in flight",
                 "Probe duration p50 / p99 by module", "Rejected connections and accept errors",
                 "DNSSEC budgets exhausted")


def row_panels(dash, title):
    """The panels under the row called title (up to the next row), in order."""
    out, inside = [], False
    for p in dash["panels"]:
        if p.get("type") == "row":
            inside = p.get("title") == title
        elif inside:
            out.append(p)
    return out


def check_dashboard(world):
    """config/grafana/nsprobe-dns.json parses, has the row "DNS probes (outside-in)", and every
    metric its queries read is one nsprobe emits (or one of DNSSEC_OPT_IN), and it has the
    DNSSEC panels of issue 14 and the exporter health row of issue 16 (each of its panels reads
    nsprobe's own families from job nsprobe)."""
    path = os.path.join(CONFIG, "grafana", "nsprobe-dns.json")
    with open(path) as f:
        dash = json.load(f)
    panels = dash["panels"]
    rows = [p for p in panels if p.get("type") == "row"]
    if not any(r.get("title") == "DNS probes (outside-in)" for r in rows):
        raise AssertionError("no row titled 'DNS probes (outside-in)'")
    exprs = [t["expr"] for p in panels for t in p.get("targets", [])]
    exprs += [v["query"]["query"] if isinstance(v.get("query"), dict) else v.get("query", "")
              for v in dash["templating"]["list"] if v.get("type") == "query"]
    have = emitted(world)
    used, unknown = set(), set()
    for e in exprs:
        for n in metric_names(re.sub(r"label_values\((.*),\s*\w+\)", r"\1", e)):
            used.add(n)
            if n not in have and n not in DNSSEC_OPT_IN:
                unknown.add(n)
    for want in ("Status per zone and server", "Probe success", "Probe latency", "Parent DS matches a key",
                 "CDS/CDNSKEY pending", "DNSSEC keys"):
        if not any(p.get("title") == want for p in panels):
            raise AssertionError("no panel %r" % want)
    health = row_panels(dash, HEALTH_ROW)
    if [p.get("title") for p in health] != list(HEALTH_PANELS):
        raise AssertionError("row %r has panels %s, want %s" % (HEALTH_ROW, [p.get("title") for p in health],
                                                                 list(HEALTH_PANELS)))
    for p in health:
        for t in p["targets"]:
            if 'job="nsprobe"' not in t["expr"] or not any(n.startswith("nsprobe_") for n in metric_names(t["expr"])):
                raise AssertionError("panel %r: %r does not read nsprobe_* of job nsprobe" % (p["title"], t["expr"]))
    ids = [p["id"] for p in panels]
    if len(ids) != len(set(ids)):
        raise AssertionError("panel ids repeat: %s" % ids)
    if unknown:
        raise AssertionError("metrics nsprobe does not emit: %s (it emits %s)" % (sorted(unknown), sorted(have)))
    return "%d queries, metrics %s" % (len(exprs), ", ".join(sorted(used)))


def check_rules_metrics(world):
    """Every metric the alert rules read is one nsprobe emits, `up` (the scraper's), or one of
    DNSSEC_OPT_IN."""
    text = read(os.path.join(CONFIG, "alerts", "nsprobe.rules.yml"))
    exprs = re.findall(r"expr: \|\n((?:\s{10,}.*\n)+)|expr: (.*)\n", text)
    have = emitted(world) | {"up", "time"}
    unknown = set()
    for block, line in exprs:
        for n in metric_names(block or line):
            if n not in have and n not in DNSSEC_OPT_IN:
                unknown.add(n)
    if unknown:
        raise AssertionError("rules read metrics nsprobe does not emit: %s" % sorted(unknown))


def help_flags(binary):
    out = must(run([binary, "--help"]), "nsprobe --help")
    return set(re.findall(r"(?<![\w-])(--[a-z][a-z.-]*|-h)\b", out)), out


def check_manpage(world):
    """docs/nsprobe.1 documents exactly the flags of `nsprobe --help`, and groff renders it
    without warnings."""
    flags, _ = help_flags(world.binary)
    page = read(os.path.join(REPO, "docs", "nsprobe.1"))
    options = page.split(".SH OPTIONS", 1)[1].split(".SH ", 1)[0]
    documented = set(re.findall(r"(--[a-z][a-z.-]*|(?<![\w-])-h)\b", options.replace("\\-", "-")))
    if flags != documented:
        raise AssertionError("--help has %s, the man page %s" % (sorted(flags - documented),
                                                                 sorted(documented - flags)))
    groff = shutil.which("groff")
    if groff is None:
        return "%d flags (groff not installed: rendering not checked)" % len(flags)
    out = must(run([groff, "-man", "-ww", "-z", os.path.join(REPO, "docs", "nsprobe.1")]), "groff")
    if out.strip():
        raise AssertionError("groff warnings:\n" + out)
    return "%d flags" % len(flags)


def start_with_args(world, name, argv):
    """Starts the built nsprobe with a command line taken from a shipped service file; healthy?"""
    e = harness.Exporter(os.path.join(world.dir, name), world.binary, "", extra_args=[])
    os.makedirs(e.dir, exist_ok=True)
    port = harness.free_port(["127.0.0.1"], kinds=("tcp",))
    args = [a.replace("/etc/nsprobe/blackbox.yml", os.path.join(CONFIG, "blackbox-two-servers.yml"))
             .replace("127.0.0.1:9115", "127.0.0.1:%d" % port).replace("[::1]:9115", "127.0.0.1:%d" % port)
            for a in argv]
    log = open(os.path.join(e.dir, "out.log"), "w")
    proc = stack.subprocess.Popen([world.binary] + args, stdin=stack.subprocess.DEVNULL,
                                  stdout=log, stderr=stack.subprocess.STDOUT)
    try:
        def healthy():
            if proc.poll() is not None:
                raise StackError("nsprobe %s exited %s: %s" % (args, proc.returncode,
                                                               read(log.name)[-800:]))
            try:
                return harness.http_request("127.0.0.1", port, "/-/healthy", timeout=1)[0] == 200, args
            except OSError as ex:
                return False, str(ex)
        return stack.poll(healthy, 20, "nsprobe started with %s" % args)
    finally:
        harness.stop_process(proc)
        log.close()


def check_systemd(world):
    """systemd-analyze verify accepts config/systemd/nsprobe.service (ExecStart pointed at the
    built binary, the man page on MANPATH for Documentation=), and nsprobe starts with the
    ARGS of config/systemd/nsprobe.default."""
    sa = tool("systemd-analyze", "systemd")
    d = os.path.join(world.dir, "systemd")
    unit = read(os.path.join(CONFIG, "systemd", "nsprobe.service"))
    unit = stack.substitute(unit, [("/usr/bin/nsprobe", world.binary)], "nsprobe.service")
    path = write(os.path.join(d, "nsprobe.service"), unit)
    man1 = os.path.join(d, "man", "man1")
    os.makedirs(man1, exist_ok=True)
    shutil.copy(os.path.join(REPO, "docs", "nsprobe.1"), man1)
    env = dict(os.environ, MANPATH=os.path.join(d, "man"), SYSTEMD_LOG_LEVEL="notice")
    out = must(run([sa, "verify", path], env=env), "systemd-analyze verify")
    if out.strip():
        raise AssertionError("systemd-analyze verify:\n" + out)
    args = re.search(r'^ARGS="(.*)"$', read(os.path.join(CONFIG, "systemd", "nsprobe.default")), re.M)
    if not args:
        raise AssertionError("no ARGS= in nsprobe.default")
    start_with_args(world, "default-args", shlex.split(args.group(1)))
    sec = run([sa, "security", "--offline=yes", path], env=env)[1]
    m = re.search(r"Overall exposure level for \S+: ([0-9.]+ \w+)", sec)
    return "verify clean; exposure %s" % (m.group(1) if m else "?")


def nix_instantiate(world):
    """nix-instantiate without a Nix daemon or store of this machine's: (argv, env)."""
    ni = tool("nix-instantiate", "nix-bin")
    env = dict(os.environ, NIX_STATE_DIR=os.path.join(world.dir, "nix", "state"),
               NIX_LOG_DIR=os.path.join(world.dir, "nix", "log"), HOME=os.path.join(world.dir, "nix"))
    return [ni, "--option", "build-users-group", ""], env


def check_nixos(world):
    """config/nixos/nsprobe.nix parses (nix-instantiate --parse), evaluates against a stub lib
    (test/stack/nix/eval.nix) with the options of services.prometheus.exporters.blackbox, and
    the ExecStart it generates starts the built nsprobe."""
    module = os.path.join(CONFIG, "nixos", "nsprobe.nix")
    base, env = nix_instantiate(world)
    must(run(base + ["--parse", module], env=env), "nix-instantiate --parse")
    out = must(run(base + ["--eval", "--strict", "--json",
                           os.path.join(os.path.dirname(__file__), "nix", "eval.nix"),
                           "--arg", "module", module, "--argstr", "listenAddress", "127.0.0.1"],
                   env=env), "nix-instantiate --eval")
    data = json.loads(out.strip().splitlines()[-1])
    want = {"enable", "package", "port", "listenAddress", "configFile", "extraFlags",
            "openFirewall", "enableConfigCheck"}
    if set(data["options"]) != want:
        raise AssertionError("options %s, want %s" % (sorted(data["options"]), sorted(want)))
    if data["firewall"] != [9115]:
        raise AssertionError("openFirewall: %s" % data["firewall"])
    sc = data["service"]["serviceConfig"]
    for k, v in (("DynamicUser", True), ("ProtectSystem", "strict"), ("NoNewPrivileges", True)):
        if sc.get(k) != v:
            raise AssertionError("serviceConfig.%s = %r" % (k, sc.get(k)))
    argv = shlex.split(sc["ExecStart"])
    start_with_args(world, "nixos-execstart", argv[1:])
    return "ExecStart: " + sc["ExecStart"].split("/bin/", 1)[-1]


def cmake_version():
    m = re.search(r"^project\(nsprobe VERSION ([0-9.]+)", read(os.path.join(REPO, "CMakeLists.txt")), re.M)
    if not m:
        raise AssertionError("no project(nsprobe VERSION ...) in CMakeLists.txt")
    return m.group(1)


def check_nix_package(world):
    """package.nix and flake.nix parse and evaluate without nixpkgs (test/stack/nix/package-eval.nix:
    stub lib, stdenv and inputs): version from CMakeLists.txt, NSPROBE_WERROR off, unit tests only in
    checkPhase, a source filter without build trees, the flake's outputs for both systems, the
    module's package default. The NixOS module's example names only files that exist. (Building needs
    nixpkgs, which this machine has not.)"""
    base, env = nix_instantiate(world)
    for f in ("package.nix", "flake.nix"):
        must(run(base + ["--parse", os.path.join(REPO, f)], env=env), "nix-instantiate --parse " + f)
    out = must(run(base + ["--eval", "--strict", "--json",
                           os.path.join(os.path.dirname(__file__), "nix", "package-eval.nix"),
                           "--arg", "repo", REPO], env=env), "nix-instantiate --eval package-eval.nix")
    d = json.loads(out.strip().splitlines()[-1])
    version = cmake_version()
    want = {
        "pname": "nsprobe", "version": version, "name": "nsprobe-" + version, "doCheck": True,
        "nativeBuildInputs": ["cmake", "pkg-config"], "checkInputs": ["cmocka"],
        "srcIsRepo": True, "moduleDefault": "package.nix",
    }
    for k, v in want.items():
        if d[k] != v:
            raise AssertionError("package.nix %s = %r, want %r" % (k, d[k], v))
    if "-DNSPROBE_WERROR=OFF" not in d["cmakeFlags"] or "-DNSPROBE_TESTS=ON" not in d["cmakeFlags"]:
        raise AssertionError("cmakeFlags: %s" % d["cmakeFlags"])
    libs = {"libcares": "c-ares", "libmicrohttpd": "libmicrohttpd", "yaml-0.1": "libyaml",
            "libsodium": "libsodium", "libpcre2-8": "pcre2", "gnutls": "gnutls", "nettle": "nettle",
            "zlib": "zlib", "libxcrypt": "libxcrypt"}
    needed = set(re.findall(r"pkg_check_modules\(\w+ REQUIRED IMPORTED_TARGET ([^\s)]+)",
                            read(os.path.join(REPO, "CMakeLists.txt"))))
    missing = [m for m in needed if m != "cmocka" and libs.get(m) not in d["buildInputs"]]
    if missing:
        raise AssertionError("CMakeLists.txt needs %s; buildInputs %s" % (missing, d["buildInputs"]))
    if not re.search(r"ctest .*-R '\^unit/'", d["checkPhase"]):
        raise AssertionError("checkPhase does not run just the unit tests:\n" + d["checkPhase"])
    kept = sorted(p for p, k in d["filter"].items() if k)
    want_kept = sorted(["CMakeLists.txt", "prober", "prober/main.c", "test/unit/testlib.c",
                        "docs/nsprobe.1", "config/blackbox.yml"])
    if kept != want_kept:
        raise AssertionError("source filter keeps %s, want %s" % (kept, want_kept))
    meta = d["meta"]
    if meta.get("mainProgram") != "nsprobe" or "x86_64-linux" not in meta.get("platforms", []):
        raise AssertionError("meta: %s" % meta)
    fl = d["flake"]
    systems = ["aarch64-linux", "x86_64-linux"]
    for k in ("packageSystems", "checkSystems"):
        if fl[k] != systems:
            raise AssertionError("flake %s = %s" % (k, fl[k]))
    for k in ("packages", "checkDefault"):
        if set(fl[k].values()) != {"nsprobe-" + version}:
            raise AssertionError("flake %s = %s" % (k, fl[k]))
    if fl["inputs"] != ["nixpkgs"] or not {"packages", "nixosModules", "checks"} <= set(fl["outputs"]):
        raise AssertionError("flake inputs %s, outputs %s" % (fl["inputs"], fl["outputs"]))
    if fl["moduleImports"] != ["config/nixos/nsprobe.nix"] or fl["modulePackage"]["name"] != "nsprobe-" + version:
        raise AssertionError("nixosModules.default: %s, package %s" % (fl["moduleImports"], fl["modulePackage"]))
    # The module's example: every ./path it names exists, relative to the repository's root.
    header = read(os.path.join(CONFIG, "nixos", "nsprobe.nix")).split("\n{", 1)[0]
    paths = re.findall(r"(?<![\w.])\./[\w./-]+", header)
    gone = [p for p in paths if not os.path.exists(os.path.join(REPO, p))]
    if not paths or gone:
        raise AssertionError("module example names %s; missing: %s" % (paths, gone))
    return "nsprobe-%s; flake %s; example names %s" % (version, "/".join(fl["checks"]["x86_64-linux"]),
                                                      " ".join(sorted(set(paths))))


def checks(group):
    return [
        ("files/example-config", check_example_config),
        ("files/promtool-check-metrics", check_promtool_metrics),
        ("files/promtool-check-rules", check_promtool_rules),
        ("files/promtool-test-rules", check_promtool_test_rules),
        ("files/promtool-check-config", check_promtool_config),
        ("files/victoriametrics-config-dryrun", check_vm_dryrun),
        ("files/vmalert-dryrun", check_vmalert_dryrun),
        ("files/rules-metric-names", check_rules_metrics),
        ("files/dashboard", check_dashboard),
        ("files/manpage", check_manpage),
        ("files/systemd", check_systemd),
        ("files/nixos", check_nixos),
        ("files/nix-package", check_nix_package),
    ]
