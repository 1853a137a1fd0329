"""fakes -- the base of the fake servers (test/fakes): loopback only, every socket on one selector
served by one daemon thread, woken and joined on stop; and the `serve until SIGTERM` script main."""

import ipaddress
import json
import selectors
import signal
import socket
import threading

from .ports import bind_pair


def name_wire(name):
    """A domain name in DNS wire form, uncompressed: length-prefixed labels and the root's zero."""
    out = b""
    for label in name.strip(".").split("."):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b"\x00"


def key_tag(rdata):
    """The key tag of DNSKEY rdata (RFC 4034 Appendix B)."""
    ac = 0
    for i, b in enumerate(rdata):
        ac += b if i & 1 else b << 8
    ac += (ac >> 16) & 0xFFFF
    return ac & 0xFFFF


class FakeServer:
    """Subclasses bind their sockets in _bind() (self.listen / self.bind_pair) and serve events in
    _on(kind, data, sock). start() -> {behaviour: port}; stop() closes everything."""

    name = "fake"

    def __init__(self, host):
        ip = ipaddress.ip_address(host)
        if not ip.is_loopback:
            raise ValueError("%s binds loopback addresses only, not %s" % (self.name, host))
        self.host = host
        self.family = socket.AF_INET6 if ip.version == 6 else socket.AF_INET
        self.ports = {}
        self._socks = []
        self._sel = None
        self._wake_r = self._wake_w = None
        self._thread = None
        self._stop = threading.Event()

    # for _bind() ---------------------------------------------------------------------------
    def watch(self, sock, kind, data=None, blocking=False):
        """Serve sock's readable events as _on(kind, data, sock); closed by close_all()."""
        sock.setblocking(blocking)
        self._socks.append(sock)
        self._sel.register(sock, selectors.EVENT_READ, (kind, data))

    def bind_pair(self, behaviour, backlog=64, blocking=False):
        """A UDP ("udp") and a listening TCP ("listen") socket on one free port for behaviour."""
        port, u, t = bind_pair(self.host, backlog)
        self.watch(u, "udp", behaviour, blocking)
        self.watch(t, "listen", behaviour, blocking)
        self.ports[behaviour] = port
        return port

    # lifecycle -----------------------------------------------------------------------------
    def _bind(self):
        raise NotImplementedError

    def _on(self, kind, data, sock):
        raise NotImplementedError

    def start(self):
        """Bind everything and serve in a daemon thread; return {behaviour: port}."""
        self._stop.clear()
        self._sel = selectors.DefaultSelector()
        self._wake_r, self._wake_w = socket.socketpair()
        self._sel.register(self._wake_r, selectors.EVENT_READ, ("wake", None))
        try:
            self._bind()
        except BaseException:
            self.close_all()
            raise
        self._thread = threading.Thread(target=self._run, name="%s-%s" % (self.name, self.host),
                                        daemon=True)
        self._thread.start()
        return dict(self.ports)

    def stop(self):
        if self._thread is None:
            return
        self._stop.set()
        try:
            self._wake_w.send(b"x")
        except OSError:
            pass
        self._thread.join(5)
        self._thread = None
        self.close_all()

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def _close_extra(self):
        """Subclasses close what they keep besides the watched sockets (open connections)."""

    def close_all(self):
        self._close_extra()
        for s in self._socks + [self._wake_r, self._wake_w]:
            if s is not None:
                try:
                    s.close()
                except OSError:
                    pass
        self._socks = []
        self._wake_r = self._wake_w = None
        if self._sel is not None:
            self._sel.close()
            self._sel = None

    def unwatch(self, sock):
        self._sel.unregister(sock)

    def _run(self):
        while not self._stop.is_set():
            for key, _ev in self._sel.select(timeout=None):
                kind, data = key.data
                if kind == "wake":
                    return
                try:
                    self._on(kind, data, key.fileobj)
                except OSError:
                    pass


def read_framed(sock, buf=b""):
    """One TCP-framed DNS message (2-byte length) from sock -> (message, rest) or (None, buf) when
    the peer closes first."""
    while len(buf) < 2 or len(buf) < 2 + int.from_bytes(buf[:2], "big"):
        chunk = sock.recv(65535)
        if not chunk:
            return None, buf
        buf += chunk
    n = int.from_bytes(buf[:2], "big")
    return buf[2:2 + n], buf[2 + n:]


def serve_main(server, describe):
    """Script mode: start server, print json describe(start()'s result), serve until SIGTERM/SIGINT."""
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    print(json.dumps(describe(server.start())), flush=True)
    try:
        done.wait()
    finally:
        server.stop()
    return 0
