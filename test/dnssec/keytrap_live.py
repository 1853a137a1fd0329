#!/usr/bin/env python3
"""keytrap_live -- a KeyTrap zone (CVE-2023-50387) cannot hold a worker (issue 12, section 2).

    keytrap_live.py --binary build/nsprobe [--keep]

Starts test/fakes/keytrap.py's server on a random 127.0.0.x and nsprobe with two workers, then
sends PROBES validating probes at once (SO_REUSEPORT spreads them over both workers) and, while
they run, opens a fresh connection for /-/healthy every HEALTH_EVERY_S seconds (again spread over
both workers by the kernel). It checks that:
  - every probe answers by the module's timeout (plus slack for a loaded machine) with
    probe_success 0 and a debug log line naming the work limit that stopped it;
  - the probes did fetch the DNSKEY set from the fake (the keys were really looked at);
  - every /-/healthy answers 200 within HEALTH_TIMEOUT_S.
Before the work limits, each probe tried 20 RRSIGs x 4 keys with 80,000-bit RSA exponents: the
worker's loop spent minutes in modular exponentiation, so the probes and every /-/healthy that
landed on a busy worker timed out. Exits 0 on success, 1 on failure.
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
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
sys.path.insert(0, os.path.join(HERE, "..", "fakes"))

import fixture  # noqa: E402
import keytrap  # noqa: E402

MODULE_TIMEOUT_S = 3.0
PROBES = 6
SLACK_S = 2.0              # a probe must answer by MODULE_TIMEOUT_S + SLACK_S
HEALTH_TIMEOUT_S = 1.0
HEALTH_EVERY_S = 0.1
MIN_HEALTH_CHECKS = 20

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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()

    work = tempfile.mkdtemp(prefix="nsprobe-keytrap-")
    host = fixture.pick_loopback(lo=100, hi=199)
    srv = keytrap.KeyTrapServer(host)
    exporter = None
    failures = []
    try:
        port = srv.start()
        cfg = os.path.join(work, "blackbox.yml")
        with open(cfg, "w") as f:
            f.write(CONFIG % (MODULE_TIMEOUT_S, keytrap.QNAME))
        exporter = fixture.Exporter(work, args.binary, cfg, extra_args=["--workers=2"]).start()

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
        while (any(th.is_alive() for th in threads) or len(health) < MIN_HEALTH_CHECKS):
            t0 = time.monotonic()
            try:
                status, _h, _b = fixture.http_request(exporter.HOST, exporter.port, "/-/healthy",
                                                      timeout=HEALTH_TIMEOUT_S)
            except OSError as e:
                status = "no answer (%s)" % e
            took = time.monotonic() - t0
            health.append((status, took))
            if status != 200:
                failures.append("/-/healthy check %d: %s after %.2fs" % (len(health), status, took))
                break
            time.sleep(HEALTH_EVERY_S)
        if failures:
            exporter.stop()   # the stuck probes end with the process
        for th in threads:
            th.join(MODULE_TIMEOUT_S + 65)
        print("%d /-/healthy checks, slowest %.3fs" % (len(health), max(t for _s, t in health)))

        for i, r in enumerate(results):
            if r is None:
                failures.append("probe %d: no result" % i)
                continue
            took, status, body = r
            print("probe %d: %.2fs status %s" % (i, took, status))
            if status != 200:
                failures.append("probe %d: status %s (%s)" % (i, status, body[:200]))
                continue
            if took > MODULE_TIMEOUT_S + SLACK_S:
                failures.append("probe %d took %.2fs, more than the module's %.1fs timeout"
                                % (i, took, MODULE_TIMEOUT_S))
            if "\nprobe_success 0\n" not in body:
                failures.append("probe %d: probe_success is not 0:\n%s" % (i, body))
            if "work limit reached" not in body:
                failures.append("probe %d: no log line names the work limit:\n%s" % (i, body))
        fetched = [q for q in srv.queries if q[1] == keytrap.ZONE and q[2] == 48 and q[0] == "tcp"]
        if not fetched:
            failures.append("the fake never saw a DNSKEY query over TCP: %s" % srv.queries)
        if exporter.proc is not None:
            report = exporter.sanitizer_report()
            if report:
                failures.append("sanitizer: " + report)
    except fixture.FixtureError as e:
        failures.append("fixture: %s" % e)
    finally:
        if exporter is not None:
            exporter.stop()
            report = exporter.sanitizer_report()
            if report and ("sanitizer: " + report) not in failures:
                failures.append("sanitizer: " + report)
        srv.stop()
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
