"""relay -- a DNS relay on loopback: each behaviour on its own port, UDP (and TCP unless udp_only),
every query kept (taken(), clear()) and answered on a thread of its own by reply(behaviour, pkt,
tcp): by default the upstream's answer, asked over the transport the query came on. The compat
suite rewrites the answer in a subclass; the DNSSEC suite reads the OPT record nsprobe sends."""

import socket
import struct
import threading

from .fakes import FakeServer, read_framed
from .ports import family


def exchange_tcp(addr, port, query, timeout=2.0):
    """One framed query over a fresh TCP connection -> the answer or None."""
    s = socket.socket(family(addr), socket.SOCK_STREAM)
    try:
        s.settimeout(timeout)
        s.connect((addr, port))
        s.sendall(struct.pack(">H", len(query)) + query)
        return read_framed(s)[0]
    except OSError:
        return None
    finally:
        s.close()


def exchange_udp(addr, port, query, timeout=3.0):
    """One UDP query -> the answer or None (no answer: the client times out and says so)."""
    s = socket.socket(family(addr), socket.SOCK_DGRAM)
    try:
        s.settimeout(timeout)
        s.sendto(query, (addr, port))
        return s.recvfrom(65535)[0]
    except OSError:
        return None
    finally:
        s.close()


class Relay(FakeServer):
    name = "relay"

    def __init__(self, host, upstream, behaviours=("forward",), udp_only=False, backlog=256):
        super().__init__(host)
        self.upstream = upstream  # (addr, port)
        self.behaviours = list(behaviours)
        self.udp_only = udp_only
        self.backlog = backlog
        self.queries = []
        self._lock = threading.Lock()

    @property
    def addr(self):
        return self.host

    @property
    def port(self):
        """The first behaviour's port."""
        return self.ports.get(self.behaviours[0])

    def clear(self):
        with self._lock:
            self.queries = []

    def taken(self):
        with self._lock:
            return list(self.queries)

    def reply(self, behaviour, pkt, tcp):
        if tcp:
            return exchange_tcp(self.upstream[0], self.upstream[1], pkt)
        return exchange_udp(self.upstream[0], self.upstream[1], pkt)

    def _bind(self):
        for b in self.behaviours:
            if self.udp_only:
                u = socket.socket(self.family, socket.SOCK_DGRAM)
                self.watch(u, "udp", b, blocking=True)
                u.bind((self.host, 0))
                self.ports[b] = u.getsockname()[1]
            else:
                self.bind_pair(b, self.backlog, blocking=True)

    def _on(self, kind, b, sock):
        if kind == "udp":
            pkt, peer = sock.recvfrom(65535)
            with self._lock:
                self.queries.append(pkt)
            threading.Thread(target=self._udp, args=(sock, b, pkt, peer), daemon=True).start()
        else:
            conn, _ = sock.accept()
            threading.Thread(target=self._tcp, args=(conn, b), daemon=True).start()

    def _udp(self, sock, b, pkt, peer):
        r = self.reply(b, pkt, False)
        if r is not None:
            try:
                sock.sendto(r, peer)
            except OSError:
                pass

    def _tcp(self, conn, b):
        """Serves queries on one connection until the client closes it (as Knot does)."""
        try:
            conn.settimeout(5)
            buf = b""
            while True:
                pkt, buf = read_framed(conn, buf)
                if pkt is None:
                    return
                with self._lock:
                    self.queries.append(pkt)
                r = self.reply(b, pkt, True)
                if r is None:
                    return
                conn.sendall(struct.pack(">H", len(r)) + r)
        except OSError:
            pass
        finally:
            conn.close()
