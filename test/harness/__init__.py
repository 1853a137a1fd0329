"""harness -- one package for the live suites (integration, compat, dnssec, stack, web):
free loopback addresses and ports, processes started and stopped by pid with their sanitizer
reports, the exporter under test, knotd from one knot.conf template, the fake servers' base class,
one relay and one runner summary. A suite puts test/ on sys.path and imports `harness`."""

import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree

from .ports import (LOOPBACK6, FixtureError, bind_pair, family, free_port,  # noqa: E402,F401
                    pick_loopback, port_is_free)
from .procs import (Daemon, sanitized, sanitizer_report, stop_process, tail, wait_until)  # noqa: E402,F401
from .exporter import (LOOP4, Exporter, HttpDaemon, healthy, http_request,  # noqa: E402,F401
                       resolv_namespace_prefix)
from .knot import Knot, answers, dns_query, knot_config  # noqa: E402,F401
from .hashes import argon2id_hash, bcrypt_hash  # noqa: E402,F401
from .runner import (Tally, clean_up, suite_args, summary, summary_of,  # noqa: E402,F401
                     term_as_interrupt)
