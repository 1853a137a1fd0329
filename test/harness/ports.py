"""ports -- loopback addresses and ports proven free by binding them."""

import random
import socket

LOOPBACK6 = "::1"


class FixtureError(RuntimeError):
    """The world a suite needs could not be set up (a port, a process, a tool)."""


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def pick_loopback(lo=100, hi=199, avoid=()):
    """A random 127.0.0.x with lo <= x <= hi, not in avoid."""
    choices = ["127.0.0.%d" % x for x in range(lo, hi + 1)]
    choices = [c for c in choices if c not in avoid]
    return random.choice(choices)


def port_is_free(port, addrs, kinds=("udp", "tcp")):
    """True if port can be bound on every address for every kind right now."""
    socks = []
    try:
        for a in addrs:
            for k in kinds:
                s = socket.socket(family(a), socket.SOCK_DGRAM if k == "udp" else socket.SOCK_STREAM)
                socks.append(s)
                if k == "tcp":
                    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.bind((a, port))
        return True
    except OSError:
        return False
    finally:
        for s in socks:
            s.close()


def free_port(addrs, kinds=("udp", "tcp"), tries=200):
    """A port that is free on all addrs for all kinds (the kernel proposes, we verify)."""
    for _ in range(tries):
        first = addrs[0]
        s = socket.socket(family(first), socket.SOCK_DGRAM if "udp" in kinds else socket.SOCK_STREAM)
        try:
            s.bind((first, 0))
            port = s.getsockname()[1]
        finally:
            s.close()
        if port_is_free(port, addrs, kinds):
            return port
    raise FixtureError("no free port on %s" % (addrs,))


def bind_pair(host, backlog=64, tries=50):
    """(port, udp socket, listening tcp socket) bound to the same free port of host."""
    fam = family(host)
    for _ in range(tries):
        u = socket.socket(fam, socket.SOCK_DGRAM)
        try:
            u.bind((host, 0))
            port = u.getsockname()[1]
        except OSError:
            u.close()
            continue
        t = socket.socket(fam, socket.SOCK_STREAM)
        try:
            t.bind((host, port))
            t.listen(backlog)
            return port, u, t
        except OSError:
            t.close()
            u.close()
    raise FixtureError("no free UDP+TCP port pair on %s" % host)
