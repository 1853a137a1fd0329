#!/usr/bin/env python3
"""run -- the Debian package, built, installed, run as its unit says, and purged.

    run.py [--source DIR] [--keep] [--nocheck]

1. copies the source tree (the files git knows, committed or not, as a clean clone would have
   them) to a temporary directory and runs `dpkg-buildpackage -b -us -uc` there;
2. `dpkg -i` the nsprobe .deb: the files, conffiles and system user are where they should be;
3. `nsprobe --config.check` passes on the installed /etc/nsprobe/blackbox.yml;
4. starts /usr/bin/nsprobe exactly as the installed unit's ExecStart says, with the ARGS of the
   installed /etc/default/nsprobe, as the unit's user and from its working directory (/), only on
   a free port instead of 9115; probes every DNS module of the installed config against a Knot
   fixture serving example.com (the name those modules ask), reloads it as ExecReload does
   (SIGHUP), and stops it as systemd would (SIGTERM);
5. `systemd-analyze verify` the installed units (the service, and the socket unit, which is
   installed but not enabled);
6. `dpkg -i` again (the upgrade path), `dpkg -r` (the conffiles stay), `dpkg --purge nsprobe`:
   every file dpkg -L listed is gone, /etc/nsprobe and /etc/default/nsprobe too. The system user
   stays, as prometheus-blackbox-exporter's does (postrm does not remove it); this test removes it
   itself if it created it.

Needs root (dpkg -i) and dpkg-buildpackage, debhelper, git, knotd, systemd-analyze; exits 77
(ctest: skipped) saying what is missing, or when an nsprobe package is already installed (this
test will not replace it). The last line is `N passed, M failed`.
"""

import argparse
import os
import pwd
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))  # test/: the harness package

import harness  # noqa: E402
from harness import knot as knotmod  # noqa: E402

SKIP = 77
UNIT = "/lib/systemd/system/nsprobe.service"
SOCKET = "/lib/systemd/system/nsprobe.socket"
SOCKET_WANTS = "/etc/systemd/system/sockets.target.wants/nsprobe.socket"
DEFAULTS = "/etc/default/nsprobe"
CONFIG = "/etc/nsprobe/blackbox.yml"
USER = "nsprobe"

EXAMPLE_ZONE = """$ORIGIN example.com.
$TTL 300
@       3600 IN SOA ns1.example.com. hostmaster.example.com. 1 7200 3600 1209600 300
@       3600 IN NS  ns1.example.com.
@            IN A   192.0.2.80
ns1          IN A   @KNOT@
"""


class ExampleKnot(harness.Knot):
    """knotd serving example.com, signed (the installed config's dns_dnskey wants a KSK)."""

    ZONES = {"example.com": EXAMPLE_ZONE}
    ZONE_OPTIONS = {"example.com": knotmod.SIGNED}

    def _ready(self):
        return harness.answers([(self.addr, self.port, "example.com", 6),
                                (self.addr, self.port, "example.com", 48)])


def run(argv, **kw):
    """(exit status, stdout+stderr) of a command."""
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw)
    return p.returncode, p.stdout


def skip(why):
    print("SKIP package: " + why, flush=True)
    sys.exit(SKIP)


def missing_tools():
    if os.geteuid() != 0:
        return "not root (dpkg -i)"
    for tool, pkg in (("dpkg-buildpackage", "dpkg-dev"), ("dh", "debhelper"), ("git", "git"),
                      ("systemd-analyze", "systemd"), ("setpriv", "util-linux")):
        if not shutil.which(tool):
            return "%s missing (apt-get install %s)" % (tool, pkg)
    if not (shutil.which("knotd") or os.path.exists("/usr/sbin/knotd")):
        return "knotd missing (apt-get install knot)"
    return None


def installed(pkg="nsprobe"):
    rc, out = run(["dpkg-query", "-W", "-f=${Status}", pkg])
    return rc == 0 and "installed" in out and "not-installed" not in out


def copy_tree(source, dest):
    """The files git knows (tracked and new, not ignored, not deleted) copied to dest."""
    rc, out = run(["git", "-C", source, "ls-files", "-z", "--cached", "--others",
                   "--exclude-standard"])
    if rc != 0:
        raise RuntimeError("git ls-files: " + out)
    os.makedirs(dest)
    for rel in sorted(set(out.split("\0")) - {""}):
        src = os.path.join(source, rel)
        if not os.path.lexists(src):
            continue
        os.makedirs(os.path.dirname(os.path.join(dest, rel)), exist_ok=True)
        if os.path.islink(src):
            os.symlink(os.readlink(src), os.path.join(dest, rel))
        else:
            shutil.copy2(src, os.path.join(dest, rel))


def unit_exec_start(text):
    m = re.search(r"^ExecStart=(.*)$", text, re.M)
    if not m:
        raise AssertionError("no ExecStart= in " + UNIT)
    return m.group(1).strip()


def environment_file(text):
    """KEY=value lines as systemd's EnvironmentFile= reads them (quotes removed)."""
    env = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")) or "=" not in line:
            continue
        k, v = line.split("=", 1)
        if len(v) >= 2 and v[0] == v[-1] and v[0] in "\"'":
            v = v[1:-1]
        env[k.strip()] = v
    return env


def expand(exec_start, env):
    """systemd's ExecStart expansion: $VAR splits into words, ${VAR} stays one word."""
    argv = []
    for word in shlex.split(exec_start):
        m = re.fullmatch(r"\$([A-Za-z_][A-Za-z0-9_]*)", word)
        if m:
            argv += env.get(m.group(1), "").split()
        else:
            argv.append(re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}",
                               lambda x: env.get(x.group(1), ""), word))
    return argv


def metric(body, name):
    m = re.search(r"^%s(?:\{[^}]*\})? (\S+)$" % re.escape(name), body, re.M)
    return float(m.group(1)) if m else None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--source", default=os.path.dirname(os.path.dirname(HERE)),
                    help="the source tree (default: this checkout)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    ap.add_argument("--nocheck", action="store_true",
                    help="DEB_BUILD_OPTIONS=nocheck (no unit tests)")
    args = ap.parse_args()
    why = missing_tools()
    if why:
        skip(why)
    if installed():
        skip("an nsprobe package is installed already; this test installs and purges its own")
    harness.term_as_interrupt()

    t = harness.Tally()
    workdir = tempfile.mkdtemp(prefix="nsprobe-package-")
    user_before = True
    try:
        pwd.getpwnam(USER)
    except KeyError:
        user_before = False
    knot = daemon = None
    did_install = False
    t0 = time.monotonic()
    try:
        # 1. build -----------------------------------------------------------------------------
        src = os.path.join(workdir, "src")
        copy_tree(os.path.abspath(args.source), src)
        opts = "parallel=%d" % min(os.cpu_count() or 1, 2) + (" nocheck" if args.nocheck else "")
        env = dict(os.environ, DEB_BUILD_OPTIONS=opts)
        env.pop("MAKEFLAGS", None)
        rc, out = run(["dpkg-buildpackage", "-b", "-us", "-uc"], cwd=src, env=env)
        with open(os.path.join(workdir, "build.log"), "w") as f:
            f.write(out)
        debs = [f for f in os.listdir(workdir) if re.fullmatch(r"nsprobe_[^_]+_[^_]+\.deb", f)]
        if not t.check("dpkg-buildpackage -b -us -uc builds nsprobe_<version>_<arch>.deb",
                       rc == 0 and len(debs) == 1, "exit %d, %s\n%s" % (rc, debs, out[-3000:])):
            return 1
        print("# built %s in %.0f s" % (debs[0], time.monotonic() - t0), flush=True)
        deb = os.path.join(workdir, debs[0])

        # 2. install ---------------------------------------------------------------------------
        rc, out = run(["dpkg", "-i", deb], env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
        did_install = True
        if not t.check("dpkg -i", rc == 0 and installed(), out):
            return 1
        rc, listing = run(["dpkg", "-L", "nsprobe"])
        files = [p for p in listing.splitlines() if p.startswith("/") and not os.path.isdir(p)]
        for want in ("/usr/bin/nsprobe", "/usr/share/man/man1/nsprobe.1.gz", CONFIG, DEFAULTS, UNIT, SOCKET,
                     "/usr/share/doc/nsprobe/copyright",
                     "/usr/share/doc/nsprobe/examples/blackbox.yml"):
            t.check("installs " + want, want in files and os.path.exists(want))
        conffiles = open("/var/lib/dpkg/info/nsprobe.conffiles").read().split()
        t.check("conffiles: %s and %s" % (CONFIG, DEFAULTS),
                CONFIG in conffiles and DEFAULTS in conffiles, " ".join(conffiles))
        try:
            pw = pwd.getpwnam(USER)
            t.check("postinst: system user %s (no login, no home)" % USER,
                    pw.pw_uid < 1000 and pw.pw_dir == "/nonexistent"
                    and not os.path.exists(pw.pw_dir),
                    str(pw))
        except KeyError:
            t.check("postinst: system user %s" % USER, False, "no such user")
        t.check("enabled for multi-user.target (deb-systemd-helper)",
                os.path.islink("/etc/systemd/system/multi-user.target.wants/nsprobe.service"))
        # the service binds the port itself: an enabled socket would want it too
        t.check("the socket unit is installed but not enabled", not os.path.lexists(SOCKET_WANTS))

        # 3. config.check ----------------------------------------------------------------------
        rc, out = run(["/usr/bin/nsprobe", "--config.check", "--config.file=" + CONFIG])
        t.check("nsprobe --config.check --config.file=%s" % CONFIG, rc == 0, out)

        # 4. run as the unit says --------------------------------------------------------------
        unit = open(UNIT).read()
        exec_start = unit_exec_start(unit)
        argv = expand(exec_start, environment_file(open(DEFAULTS).read()))
        t.check("ExecStart runs /usr/bin/nsprobe with the defaults' ARGS",
                argv[:1] == ["/usr/bin/nsprobe"] and "--config.file=" + CONFIG in argv,
                "%s -> %s" % (exec_start, argv))
        port = harness.free_port([harness.LOOP4], kinds=("tcp",))
        listen = [a for a in argv if a.startswith("--web.listen-address=")]
        t.check("the defaults listen on 127.0.0.1:9115",
                listen == ["--web.listen-address=127.0.0.1:9115"], str(listen))
        here = "--web.listen-address=%s:%d" % (harness.LOOP4, port)
        argv = [here if a in listen else a for a in argv]
        print("# ExecStart=%s -> %s" % (exec_start, " ".join(argv)), flush=True)

        knot = ExampleKnot(workdir, want_port53=False).start(deadline_s=60)
        log = os.path.join(workdir, "nsprobe.log")
        with open(log, "w") as out:
            proc = subprocess.Popen(
                ["setpriv", "--reuid=" + USER, "--regid=" + USER, "--clear-groups", "--"] + argv,
                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, cwd="/")
        daemon = proc

        def alive():
            if proc.poll() is not None:
                raise harness.FixtureError("nsprobe exited %s:\n%s"
                                           % (proc.returncode, harness.tail(log, 20)))
        harness.wait_until(lambda: harness.healthy(harness.LOOP4, port), 20, "installed nsprobe",
                           check_alive=alive)
        target = "%s:%d" % (knot.addr, knot.port)
        for module in ("dns_soa", "dns_soa_tcp", "dns_a", "dns_dnskey", "dns_nxdomain"):
            st, _h, body = harness.http_request(harness.LOOP4, port,
                                                "/probe?module=%s&target=%s" % (module, target))
            t.check("probe %s of Knot through the installed nsprobe: probe_success 1" % module,
                    st == 200 and metric(body, "probe_success") == 1.0,
                    "HTTP %d\n%s" % (st, body[-1500:]))
        proc.send_signal(signal.SIGHUP)  # ExecReload=/bin/kill -HUP $MAINPID
        harness.wait_until(lambda: "Reloaded config file" in harness.tail(log, 50), 10,
                           '"Reloaded config file" in the log')
        st, _h, body = harness.http_request(harness.LOOP4, port, "/metrics")
        t.check("SIGHUP (ExecReload): the installed config reloads",
                metric(body, "blackbox_exporter_config_last_reload_successful") == 1.0, body[-800:])
        proc.send_signal(signal.SIGTERM)
        try:
            rc = proc.wait(30)  # TimeoutStopSec=30s
        except subprocess.TimeoutExpired:
            rc = None
        daemon = None
        t.check("SIGTERM (systemctl stop): exit 0", rc == 0,
                "exit %r\n%s" % (rc, harness.tail(log, 20)))
        knot.stop()
        knot = None

        # 5. systemd-analyze verify ------------------------------------------------------------
        rc, out = run(["systemd-analyze", "verify", UNIT],
                      env=dict(os.environ, SYSTEMD_LOG_LEVEL="notice"))
        t.check("systemd-analyze verify %s" % UNIT, rc == 0 and not out.strip(), out)
        rc, out = run(["systemd-analyze", "verify", SOCKET],
                      env=dict(os.environ, SYSTEMD_LOG_LEVEL="warning"))
        t.check("systemd-analyze verify %s" % SOCKET, rc == 0 and not out.strip(), out)

        # 6. upgrade, remove, purge --------------------------------------------------------------
        rc, out = run(["dpkg", "-i", deb], env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
        t.check("dpkg -i again (the upgrade path: user exists, conffiles unchanged)",
                rc == 0 and installed(), out)
        rc, out = run(["dpkg", "-r", "nsprobe"])
        t.check("dpkg -r keeps the conffiles, removes the rest",
                rc == 0 and all(os.path.exists(p) for p in (CONFIG, DEFAULTS))
                and not os.path.exists("/usr/bin/nsprobe") and not os.path.exists(UNIT), out)
        rc, out = run(["dpkg", "--purge", "nsprobe"])
        did_install = rc != 0
        t.check("dpkg --purge nsprobe", rc == 0 and not installed(), out)
        left = [p for p in files + ["/etc/nsprobe", "/usr/share/doc/nsprobe",
                                    "/etc/systemd/system/multi-user.target.wants/nsprobe.service",
                                    SOCKET_WANTS]
                if os.path.lexists(p)]
        t.check("purge leaves nothing behind", not left, " ".join(left))
        try:
            pwd.getpwnam(USER)
            kept = True
        except KeyError:
            kept = False
        t.check("purge keeps the system user (as prometheus-blackbox-exporter)", kept)
        print("# build, install, run and purge took %.0f s" % (time.monotonic() - t0), flush=True)
    except (harness.FixtureError, AssertionError, RuntimeError, OSError) as e:
        t.check("package test ran to its end", False, repr(e))
    finally:
        if daemon is not None:
            harness.stop_process(daemon)
        if knot is not None:
            knot.stop()
        if did_install and installed():
            run(["dpkg", "--purge", "nsprobe"])
        if not user_before:
            try:
                pwd.getpwnam(USER)
                run(["deluser", "--system", "--quiet", USER])
            except KeyError:
                pass
        harness.clean_up(workdir, args.keep)
    print(t.summary(), flush=True)
    return t.exit_status()


if __name__ == "__main__":
    sys.exit(main())
