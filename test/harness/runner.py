"""runner -- what every live suite's script shares: the SIGTERM-as-interrupt handler, the tally of
case results and the last line `N passed, M failed[, K skipped]`."""

import signal


def summary(passed, failed, skipped=0):
    """The last line every suite prints, alone: `N passed, M failed[, K skipped]`."""
    line = "%d passed, %d failed" % (passed, failed)
    if skipped:
        line += ", %d skipped" % skipped
    return line


def summary_of(statuses):
    """summary() of a list of "PASS" / "FAIL" / "SKIP"."""
    return summary(*(statuses.count(s) for s in ("PASS", "FAIL", "SKIP")))


def term_as_interrupt():
    """SIGTERM (e.g. a ctest timeout) unwinds like Ctrl-C, so a suite's finally blocks clean up;
    a second signal must not cut that cleanup short."""
    def on_term(_sig, _frame):
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
