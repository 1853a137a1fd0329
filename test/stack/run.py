#!/usr/bin/env python3
"""run -- the monitoring-stack suite: the files under config/ work with the real tools.

    run.py --binary build/nsprobe [-g GROUP]... [-k SUBSTRING] [--keep]

Groups (default: all):
  files            promtool check metrics/rules/config, promtool test rules, vmalert -dryRun,
                   VictoriaMetrics -promscrape.config.dryRun, the dashboard's metric names, the
                   man page against --help, systemd-analyze verify, the NixOS module
  victoriametrics  two knotd (ns1 signing, ns2 its secondary) + nsprobe + VictoriaMetrics
                   scraping through config/scrape/victoriametrics.yml + vmalert loading
                   config/alerts/nsprobe.rules.yml; then the scale-out configs (vmagent cluster
                   mode, one scraper over two nsprobes)
  prometheus       the same world scraped by Prometheus through config/scrape/prometheus.yml,
                   and the hashmod shards of config/scrape/prometheus-shard.yml

Every check prints PASS, FAIL or SKIP (with the reason: a tool missing from this machine), then
the run ends with `N passed, M failed[, K skipped]` alone on a line; exit 1 if any check failed.
Traffic stays on 127.0.0.0/8 and ::1; the servers listen on loopback only, on ports proven free,
and every process started here is stopped by its pid. Python 3 standard library only.
"""

import argparse
import os
import shutil
import sys
import tempfile
import traceback

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))  # test/: the harness and fakes packages

import harness  # noqa: E402
import stack  # noqa: E402
import checks_files  # noqa: E402
import checks_live  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("-g", "--group", action="append", choices=["files", "prometheus", "victoriametrics"])
    ap.add_argument("-k", default="", help="run only checks whose name contains this")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = ap.parse_args()
    # Canonical order whatever the flags say: the victoriametrics scenario ends by stopping ns2.
    groups = [g for g in ("files", "prometheus", "victoriametrics")
              if not args.group or g in args.group]

    workdir = tempfile.mkdtemp(prefix="nsprobe-stack-")
    results = []
    world = stack.World(workdir, os.path.abspath(args.binary))

    def record(name, status, detail=""):
        results.append(status)
        print("%-4s %s%s" % (status, name, (": " + detail) if detail else ""), flush=True)

    try:
        for group in groups:
            module = checks_files if group == "files" else checks_live
            for name, fn in module.checks(group):
                if args.k and args.k not in name:
                    continue
                try:
                    out = fn(world)
                    if isinstance(out, stack.Skip):
                        record(name, "SKIP", out.reason)
                    else:
                        record(name, "PASS", out or "")
                except stack.Skip as e:
                    record(name, "SKIP", e.reason)
                except Exception as e:  # a check failed: report it, go on with the next
                    detail = "%s: %s" % (type(e).__name__, e)
                    if not isinstance(e, (AssertionError, stack.StackError)):
                        detail += "\n" + traceback.format_exc()
                    record(name, "FAIL", detail + world.logs_hint())
    finally:
        world.stop_all()
        if args.keep:
            print("kept " + workdir)
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    failed = results.count("FAIL")
    print(harness.summary_of(results))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
