"""runner -- what every live suite's script shares: the common arguments (suite_args), the
SIGTERM-as-interrupt handler, the tally of case results and the last line
`N passed, M failed[, K skipped]`."""

import argparse
import shutil
import signal


def suite_args(doc, filtered, argv=None):
    """(parser, args) of a suite script whose docstring is doc: --binary (the nsprobe binary),
    --keep (the temporary directory) and -k FILTER (run only the `filtered` that contain it, e.g.
    "cases whose id")."""
    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument("--binary", required=True, help="the nsprobe binary")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    ap.add_argument("-k", dest="filter", help="run only %s contains this" % filtered)
    return ap, ap.parse_args(argv)


def summary(passed, failed, skipped=0):
    """The last line every suite prints, alone: `N passed, M failed[, K skipped]`."""
    line = "%d passed, %d failed" % (passed, failed)
    if skipped:
        line += ", %d skipped" % skipped
    return line


def summary_of(statuses):
    """summary() of a list of "PASS" / "FAIL" / "SKIP"."""
    return summary(*(statuses.count(s) for s in ("PASS", "FAIL", "SKIP")))


def clean_up(workdir, keep, *daemons):
    """The end of a run: stops each daemon started (None for those that were not), in order, then
    keeps the work directory (saying where) or removes it."""
    for d in daemons:
        if d is not None:
            d.stop()
    if keep:
        print("# kept %s" % workdir)
    else:
        shutil.rmtree(workdir, ignore_errors=True)


def term_as_interrupt():
    """SIGTERM (e.g. a ctest timeout) unwinds like Ctrl-C, so a suite's finally blocks clean up;
    a second signal must not cut that cleanup short."""
    def on_term(_sig, _frame):
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)


class Tally:
    """Checks counted as they are made, one `ok   name` / `FAIL name detail` line each."""

    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, name, cond, detail=""):
        if cond:
            self.passed += 1
            print("ok   %s" % name, flush=True)
        else:
            self.failed += 1
            print("FAIL %s %s" % (name, detail), flush=True)
        return bool(cond)

    def stopped(self, daemon, name, exit_case="%s: exit 0 on SIGTERM", tail=30):
        """Stops daemon and checks it ended cleanly: exit status 0, then no sanitizer report."""
        rc, report = daemon.stop_checked()
        self.check(exit_case % name, rc == 0, "exit %r\n%s" % (rc, daemon.log_tail(tail)))
        self.check("%s: no sanitizer report" % name, report is None, report or "")

    def summary(self):
        return summary(self.passed, self.failed)

    def exit_status(self):
        """0 when something passed and nothing failed."""
        return 0 if self.failed == 0 and self.passed > 0 else 1
