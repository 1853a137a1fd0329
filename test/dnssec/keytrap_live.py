#!/usr/bin/env python3
"""keytrap_live -- a KeyTrap zone (CVE-2023-50387) cannot hold a worker (issue 12, section 2).

    keytrap_live.py --binary build/nsprobe [--mode M]... [--keep]

Starts nsprobe with two workers and, for each mode of test/fakes/keytrap.py (all by default), that
fake on a random 127.0.0.x; then sends PROBES validating probes at once (SO_REUSEPORT spreads them
over both workers) and, while they run, opens a fresh connection for /-/healthy every
HEALTH_EVERY_S seconds (again spread over both workers by the kernel). It checks that:
  - every probe answers by the module's timeout (plus slack for a loaded machine) with
    probe_success 0 and the debug log line of the mode's truthful outcome (EXPECT);
  - the RRSIGs' times are exported (probe_dnssec_earliest_rrsig_expiry and _latest_inception), also
    when a work limit stopped the check;
  - the probes did fetch the DNSKEY set from the fake (the keys were really looked at);
  - every /-/healthy answers 200 within HEALTH_TIMEOUT_S (three times that for a sanitizer build).
The modes:
  - keytrap: 20 RRSIGs x 4 keys of one tag with 80,000-bit RSA exponents. Before the work limits
    the worker's loop spent minutes in modular exponentiation; now the collision limit stops it.
  - verify: 40 RRSIGs, each with one valid-sized key (RSA-2048) and a signature that must really be
    computed: the 32-verification cap stops it.
  - nametrap: ~1,300 RRSIGs and ~3,500 keys of their tag owned by a 254-octet name that is not the
    signer: no key is a candidate, so no limit is charged. Before, each check took ~3.7 s of a
    worker's loop (each key's owner decompressed per RRSIG), so /-/healthy on that worker timed
    out; now it fails at once as "no matching key".
Exits 0 on success, 1 on failure.
"""

import argparse
import os
import shutil
import sys
import tempfile
import threading
import time
import urllib.parse

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))  # test/: the harness and fakes packages

import harness  # noqa: E402
from fakes import keytrap  # noqa: E402

MODULE_TIMEOUT_S = 3.0
PROBES = 6
SLACK_S = 2.0              # a probe must answer by MODULE_TIMEOUT_S + SLACK_S
HEALTH_TIMEOUT_S = 1.0     # x SANITIZER_SLOWDOWN for a sanitizer build
SANITIZER_SLOWDOWN = 3
HEALTH_EVERY_S = 0.1
MIN_HEALTH_CHECKS = 20

# What each mode's probes must log (the truthful outcome), as in the debug output.
EXPECT = {
    "keytrap": ["work limit reached", "more than 4 key-tag collisions"],
    "verify": ["work limit reached", "more than 32 signature verifications"],
    "nametrap": ["www.keytrap.test. IN A: no matching key"],
}

CONFIG = """modules:
  keytrap:
    prober: dns
    timeout: %ss
    dns:
      query_name: %s
      query_type: A
      transport_protocol: tcp
      dnssec: {validate: true}
"""


def run_mode(exporter, mode, health_timeout, failures):
    """PROBES probes at a fresh fake of `mode` while /-/healthy is asked; appends to failures."""
    host = harness.pick_loopback(lo=100, hi=199)
    srv = keytrap.KeyTrapServer(host, mode)
    try:
        port = srv.start()
        results = [None] * PROBES
        target = urllib.parse.quote("%s:%d" % (host, port))

        def probe(i):
            t0 = time.monotonic()
            try:
                status, _h, body = exporter.request(
                    "/probe?module=keytrap&debug=true&target=" + target,
                    timeout=MODULE_TIMEOUT_S + 60)
                results[i] = (time.monotonic() - t0, status, body)
            except OSError as e:
                results[i] = (time.monotonic() - t0, None, "client error: %s" % e)

        threads = [threading.Thread(target=probe, args=(i,)) for i in range(PROBES)]
        for th in threads:
            th.start()

        # /-/healthy on fresh connections until every probe is done, and at least
        # MIN_HEALTH_CHECKS times; stop early once one has failed (the workers may be stuck).
        health = []
        stuck = False
        while (any(th.is_alive() for th in threads) or len(health) < MIN_HEALTH_CHECKS):
            t0 = time.monotonic()
            try:
                status, _h, _b = harness.http_request(exporter.HOST, exporter.port, "/-/healthy",
                                                      timeout=health_timeout)
            except OSError as e:
                status = "no answer (%s)" % e
            took = time.monotonic() - t0
            health.append((status, took))
            if status != 200:
                failures.append("%s: /-/healthy check %d: %s after %.2fs"
                                % (mode, len(health), status, took))
                stuck = True
                break
            time.sleep(HEALTH_EVERY_S)
        if stuck:
            exporter.stop()   # the stuck probes end with the process
        for th in threads:
            th.join(MODULE_TIMEOUT_S + 65)
        print("%s: %d /-/healthy checks, slowest %.3fs"
              % (mode, len(health), max(t for _s, t in health)))

        for i, r in enumerate(results):
            if r is None:
                failures.append("%s: probe %d: no result" % (mode, i))
                continue
            took, status, body = r
            print("%s: probe %d: %.2fs status %s" % (mode, i, took, status))
            if status != 200:
                failures.append("%s: probe %d: status %s (%s)" % (mode, i, status, body[:200]))
                continue
            if took > MODULE_TIMEOUT_S + SLACK_S:
                failures.append("%s: probe %d took %.2fs, more than the module's %.1fs timeout"
                                % (mode, i, took, MODULE_TIMEOUT_S))
            if "\nprobe_success 0\n" not in body:
                failures.append("%s: probe %d: probe_success is not 0:\n%s" % (mode, i, body))
            # the RRSIGs' times are facts whatever stopped the check (they were missing when a
            # work limit stopped it)
            for want in EXPECT[mode] + ["\nprobe_dnssec_earliest_rrsig_expiry 2e+09\n",
                                        "\nprobe_dnssec_latest_rrsig_inception 1.7e+09\n"]:
                if want not in body:
                    failures.append("%s: probe %d: the output lacks %r:\n%s"
                                    % (mode, i, want, body))
        fetched = [q for q in srv.queries if q[1] == keytrap.ZONE and q[2] == 48 and q[0] == "tcp"]
        if not fetched:
            failures.append("%s: the fake never saw a DNSKEY query over TCP: %s" % (mode, srv.queries))
        return not stuck
    finally:
        srv.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--mode", action="append", choices=keytrap.MODES,
                    help="a mode of test/fakes/keytrap.py to run (repeatable; default: all)")
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()

    health_timeout = HEALTH_TIMEOUT_S * (SANITIZER_SLOWDOWN if harness.sanitized(args.binary) else 1)
    print("/-/healthy timeout %.1fs" % health_timeout)
    work = tempfile.mkdtemp(prefix="nsprobe-keytrap-")
    exporter = None
    failures = []
    try:
        cfg = os.path.join(work, "blackbox.yml")
        with open(cfg, "w") as f:
            f.write(CONFIG % (MODULE_TIMEOUT_S, keytrap.QNAME))
        exporter = harness.Exporter(work, args.binary, cfg, extra_args=["--workers=2"]).start()
        for mode in args.mode or keytrap.MODES:
            if not run_mode(exporter, mode, health_timeout, failures):
                break   # the exporter was stopped
        if exporter.proc is not None:
            report = exporter.sanitizer_report()
            if report:
                failures.append("sanitizer: " + report)
    except harness.FixtureError as e:
        failures.append("fixture: %s" % e)
    finally:
        if exporter is not None:
            exporter.stop()
            report = exporter.sanitizer_report()
            if report and ("sanitizer: " + report) not in failures:
                failures.append("sanitizer: " + report)
        if failures and exporter is not None:
            print("--- exporter log tail ---\n" + exporter.log_tail())
        if args.keep:
            print("kept " + work)
        else:
            shutil.rmtree(work, ignore_errors=True)

    for f in failures:
        print("FAIL: " + f)
    print("keytrap: %s" % ("FAILED" if failures else "ok"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
