"""procs -- processes started by a suite: polled readiness, stopped by pid, sanitizer reports."""

import mmap
import os
import signal
import subprocess
import time

from .ports import FixtureError


def wait_until(pred, deadline_s, what, check_alive=None):
    """Poll pred() until it returns a true value or deadline_s seconds pass."""
    end = time.monotonic() + deadline_s
    delay = 0.01
    while True:
        if check_alive is not None:
            check_alive()
        v = pred()
        if v:
            return v
        if time.monotonic() > end:
            raise FixtureError("timed out waiting for " + what)
        # Back-off between polls (not a correctness sleep: the loop ends on the condition).
        time.sleep(delay)
        delay = min(delay * 2, 0.2)


def stop_process(proc, grace=5.0):
    """SIGTERM the one process we started, then SIGKILL it if it lingers."""
    if proc is None or proc.poll() is not None:
        return
    try:
        proc.send_signal(signal.SIGTERM)
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(grace)
    except ProcessLookupError:
        pass


def tail(path, n):
    """The last n lines of a file, or "" if it cannot be read."""
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-n:])
    except OSError:
        return ""


def sanitized(binary):
    """Whether the binary was built with AddressSanitizer: its runtime's entry point is named in it
    (dynamically linked from libasan with gcc, linked in with clang). Such a build runs the same work
    several times slower, so suites scale their time bounds by it."""
    try:
        with open(binary, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as m:
            return m.find(b"__asan_init") >= 0
    except (OSError, ValueError):
        return False


def sanitizer_report(path):
    """The first AddressSanitizer/LeakSanitizer/UBSan line in a log, or None."""
    try:
        with open(path, errors="replace") as f:
            for line in f:
                if ("Sanitizer" in line and "ERROR" in line) or "runtime error:" in line:
                    return line.strip()
    except OSError:
        pass
    return None


class Daemon:
    """A server process on ports picked per attempt; started until _ready() holds, retried when
    it lost a port race ("address already in use" in its log), stopped by its pid.
    Subclasses give _argv() (picks the ports), _ready(), and set out_path / log_path."""

    what = "process"        # names it in "... exited with" errors
    out_mode = "a"          # stdout+stderr go to out_path, opened with this mode
    cwd = None
    grace = 5.0
    attempts = 3

    def __init__(self, out_path, log_path=None):
        self.out_path = out_path
        self.log_path = log_path or out_path
        self.proc = None

    def log_tail(self, n=30):
        return tail(self.log_path, n)

    def log_text(self):
        """The whole log, or "" if it cannot be read."""
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def _alive(self):
        if self.proc.poll() is not None:
            raise FixtureError("%s exited with %s:\n%s" % (self.what, self.proc.returncode,
                                                           self.log_tail()))

    def _argv(self):
        raise NotImplementedError

    def _ready(self):
        raise NotImplementedError

    def _waiting_for(self):
        return self.what

    def start(self, deadline_s=20.0):
        last = None
        for _attempt in range(self.attempts):
            argv = self._argv()
            try:
                with open(self.out_path, self.out_mode) as out:
                    self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out,
                                                 stderr=subprocess.STDOUT, cwd=self.cwd)
                wait_until(self._ready, deadline_s, self._waiting_for(), check_alive=self._alive)
                return self
            except FixtureError as e:
                last = e
                self.stop()
                if "address already in use" not in self.log_tail().lower():
                    break  # only a port taken between our check and the bind is retried
            except BaseException:  # interrupted: never leave the process behind
                self.stop()
                raise
        raise last

    def stop(self):
        """Stops the process; returns its exit status (None if it was not running)."""
        proc = self.proc
        stop_process(proc, self.grace)
        self.proc = None
        return None if proc is None else proc.returncode

    def sanitizer_report(self):
        return sanitizer_report(self.log_path)

    def stop_checked(self):
        """Stops the process the way every suite ends: (exit status, first sanitizer line or None).
        A clean stop is (0, None)."""
        rc = self.stop()
        return rc, self.sanitizer_report()

    def stop_verdict(self):
        """stop_checked() as one check: (clean?, "exit status N[; sanitizer line]")."""
        rc, report = self.stop_checked()
        return rc == 0 and report is None, "exit status %s%s" % (rc, "; " + report if report else "")


def makedirs(base, *subs):
    for sub in subs:
        os.makedirs(os.path.join(base, sub), exist_ok=True)
