"""Connections and transports: TCP (u32 length prefix) and serial (COBS + 0x00).

One Connection per TCP client or serial line: a reader decodes frames and answers PING and
CANCEL at once; a worker runs every other request one at a time in arrival order
(docs/protocol.md 3.4). Invariants: at most MAX_QUEUED requests wait (then BUSY) and at most
agent.guards.max_connections TCP connections are served at once (one more evicts the oldest
unauthenticated connection with ERROR BUSY, or is refused that way; guards.py); before AUTH a
TCP connection may send only small frames; queued frames hold budget bytes (guards.py); the
binds only to loopback or the USB-gadget address unless explicitly allowed; a failing
connection never stops the listener. Idle means: nothing valid received, nothing queued or
running, for idleTimeoutMs (a long request never ends its own session). A TCP answer waits
for a host that is slow to read for up to idleTimeoutMs, never less.
"""

import collections
import os
import select
import socket
import threading
import time

from .framing import SerialDeframer, TcpDeframer, serial_encode, tcp_encode
from .protocol import TYPES, encode_error
from .session import CloseSession, Session

MAX_QUEUED = 64
MAX_CLIENTS = 8  # the default of Guards.max_connections
SAFE_HOSTS = ("127.0.0.1", "::1", "localhost", "192.168.3.1")


class Connection:
    def __init__(self, agent, limits, transport, send_raw, nonce_source=None, on_close=None, peer=None):
        self.session = Session(agent, limits, nonce_source, closes_on_auth_failure=(transport == "tcp"), peer=peer or transport)
        self.session.cancel_hook = self._cancel
        self.tcp = transport == "tcp"
        self.guards = agent.guards
        self.limits = limits
        self.deframer = TcpDeframer(limits.max_frame, self.guards) if self.tcp else SerialDeframer(limits.max_frame)
        self.encode = tcp_encode if self.tcp else serial_encode
        self.send_raw = send_raw
        self.send_lock = threading.Lock()
        self.cond = threading.Condition()
        self.queue = collections.deque()
        self.current = None
        self.closed = False
        self.on_close = on_close
        self.last_valid = time.monotonic()
        self.worker = threading.Thread(target=self._work, daemon=True)
        self.worker.start()

    def send(self, frames):
        with self.send_lock:
            for f in frames:
                try:
                    self.send_raw(self.encode(f))
                except OSError:
                    self.close()
                    return

    def feed(self, data):
        """Processes received bytes; returns False when the connection must close."""
        if self.tcp:  # small frames only until AUTH succeeded (docs/protocol.md 6)
            self.deframer.limit = self.limits.max_frame if self.session.authed else min(self.guards.pre_auth_max_frame, self.limits.max_frame)
        for kind, value in self.deframer.feed(data):
            if kind == "close":
                self.close()
                return False
            if kind == "error":
                self.send([encode_error(value.request_id, value.code, value.message)])
                continue
            frame, err = self.session.admit(value)
            if err is not None:
                self.send([err])
                continue
            self.last_valid = time.monotonic()
            if frame.type == TYPES["HELLO"]:
                self._drop_pending("a new HELLO ended the session")
            if frame.type in (TYPES["PING"], TYPES["CANCEL"]):
                self._run(frame, None, None)
                continue
            with self.cond:
                if len(self.queue) >= MAX_QUEUED:
                    busy = encode_error(frame.request_id, "BUSY", "more than %d requests are queued" % MAX_QUEUED)
                elif frame.blob and not self.guards.reserve(len(frame.blob)):
                    busy = encode_error(frame.request_id, "BUSY", "the agent's buffer budget (%d bytes across connections) cannot "
                                        "hold this request's %d-byte blob now; retry later" % (self.guards.max_buffered_bytes, len(frame.blob)))
                else:
                    busy = None
                    self.queue.append((frame, threading.Event(), self.session.deadline_of(frame)))
                    self.cond.notify()
            if busy:
                self.send([busy])
        return not self.closed

    def _run(self, frame, cancel, deadline, finished=None):
        """Executes one request and sends its answer. `finished` runs between the two, so
        a CANCEL that arrives after the client has seen the answer never finds the request
        still current (it answers cancelled: false)."""
        try:
            out = self.session.execute(frame, cancel, deadline)
        except CloseSession:
            if finished:
                finished()
            self.send(self.session.pending_close)
            self.close()
            return
        if finished:
            finished()
        self.send(out)

    def _finish_current(self):
        with self.cond:
            self.current = None
            self.last_valid = time.monotonic()

    def _work(self):
        while True:
            with self.cond:
                while not self.queue and not self.closed:
                    self.cond.wait()
                if self.closed:
                    return
                frame, cancel, deadline = self.queue.popleft()
                self.current = (frame.request_id, cancel)
            self.guards.release(len(frame.blob))
            if deadline is not None and time.monotonic() > deadline:
                self._finish_current()
                self.send([encode_error(frame.request_id, "TIMEOUT", "timeoutMs ran out while the request was queued")])
            else:
                self._run(frame, cancel, deadline, self._finish_current)

    def _drop_pending(self, why):
        with self.cond:
            if self.current is not None:
                self.current[1].set()
            dropped = [item[0].request_id for item in self.queue]
            self.guards.release(sum(len(item[0].blob) for item in self.queue))
            self.queue.clear()
        for rid in dropped:
            self.send([encode_error(rid, "CANCELLED", "request %d cancelled: %s" % (rid, why))])

    def _cancel(self, target):
        with self.cond:
            if self.current is not None and self.current[0] == target:
                # A second CANCEL of a request already cancelled cancels nothing.
                if self.current[1].is_set():
                    return False
                self.current[1].set()
                return True
            for item in self.queue:
                if item[0].request_id == target:
                    self.queue.remove(item)
                    self.guards.release(len(item[0].blob))
                    self.send([encode_error(target, "CANCELLED", "request %d cancelled before it ran" % target)])
                    return True
        return False

    def idle_for(self):
        """Seconds since the last valid frame or the end of the last request; 0 while busy."""
        with self.cond:
            if self.current is not None or self.queue:
                return 0.0
            return time.monotonic() - self.last_valid

    def close(self):
        with self.cond:
            if self.closed:
                return
            self.closed = True
            self.guards.release(sum(len(item[0].blob) for item in self.queue))
            self.queue.clear()
            self.cond.notify_all()
        if self.tcp:
            self.deframer.release_all()
        if self.on_close:
            self.on_close()


def check_bind_host(host, allow_any):
    if host in SAFE_HOSTS or allow_any:
        return host
    raise ValueError("refusing to listen on %s: the agent listens only on loopback or the USB-gadget address "
                     "192.168.3.1 (pass --allow-any-interface to override)" % host)


class TcpServer:
    def __init__(self, agent, limits, host="127.0.0.1", port=7878, allow_any=False, nonce_source=None, log=None):
        check_bind_host(host, allow_any)
        self.agent = agent
        self.limits = limits
        self.nonce_source = nonce_source
        self.log = log or (lambda m: None)
        fam = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.sock = socket.socket(fam, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, port))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.stopping = False
        self.thread = None
        self.live = []  # (Connection, socket), oldest first
        self.clients_lock = threading.Lock()

    @property
    def clients(self):
        with self.clients_lock:
            return sum(1 for c, _ in self.live if not c.closed)

    def start(self):
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()
        return self

    def serve(self):
        while not self.stopping:
            try:
                conn, addr = self.sock.accept()
            except OSError:
                if self.stopping:
                    return
                continue
            limit = self.agent.guards.max_connections
            victim = None
            with self.clients_lock:
                self.live = [x for x in self.live if not x[0].closed]
                if len(self.live) >= limit:
                    victim = next((x for x in self.live if not x[0].session.authed), None)
                    if victim is not None:
                        self.live.remove(victim)
                full = len(self.live) >= limit
            if victim is not None:
                vc, vsock = victim
                vc.send([encode_error(0, "BUSY", "the board holds its limit of %d connections; this one had not authenticated "
                                                 "and was the oldest such, so it is closed to make room" % limit)])
                vc.close()
                try:
                    vsock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
            if full:
                try:
                    conn.settimeout(1.0)
                    conn.sendall(tcp_encode(encode_error(0, "BUSY", "the board holds its limit of %d connections, all "
                                                                    "authenticated; retry later" % limit)))
                    conn.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
                conn.close()
                continue
            conn.settimeout(max(self.limits.idle_timeout_ms / 1000.0, 1.0))
            c = Connection(self.agent, self.limits, "tcp", conn.sendall, self.nonce_source, peer=addr[0])
            with self.clients_lock:
                self.live.append((c, conn))
            threading.Thread(target=self._client, args=(conn, addr, c), daemon=True).start()

    def _client(self, conn, addr, c):
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        # The socket timeout bounds sends only (sendall: the whole answer), and generously: a
        # host may be too busy to read for a while. Reads poll once a second for the idle timeout.
        poller = select.poll()
        poller.register(conn, select.POLLIN)
        try:
            while not c.closed:
                if not poller.poll(1000):
                    if c.idle_for() * 1000 > self.limits.idle_timeout_ms:
                        break
                    continue
                data = conn.recv(262144)
                if not data or not c.feed(data):
                    break
        except OSError:
            pass
        finally:
            c.close()
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            conn.close()
            with self.clients_lock:
                self.live = [x for x in self.live if x[0] is not c]

    def stop(self):
        self.stopping = True
        try:
            self.sock.close()
        except OSError:
            pass


def open_serial(path, baud):
    """A raw serial line: pyserial when installed (the board), else termios on the fd (tests, ptys)."""
    try:
        import serial  # pyserial, lazily: the protocol layer and the tests never need it
        port = serial.Serial(path, baud, timeout=0.5)
        return port.read, port.write, port.close
    except ImportError:
        pass
    import termios
    import tty
    fd = os.open(path, os.O_RDWR | os.O_NOCTTY)
    try:
        tty.setraw(fd, termios.TCSANOW)  # TCSAFLUSH would drop bytes already received
        attrs = termios.tcgetattr(fd)
        speed = getattr(termios, "B%d" % baud, None)
        if speed is not None:
            attrs[4] = attrs[5] = speed
            termios.tcsetattr(fd, termios.TCSANOW, attrs)
    except termios.error:
        pass

    def read(n):
        import select
        r, _, _ = select.select([fd], [], [], 0.5)
        return os.read(fd, n) if r else b""

    def write(data):
        view = memoryview(data)
        while view:
            k = os.write(fd, view)
            view = view[k:]

    return read, write, lambda: os.close(fd)


def serve_serial(agent, limits, path, baud=3000000, nonce_source=None, stop=None):
    read, write, close = open_serial(path, baud)
    c = Connection(agent, limits, "serial", write, nonce_source, peer="serial:" + path)
    try:
        while stop is None or not stop.is_set():
            try:
                data = read(1 << 16)
            except OSError:
                break
            if data:
                c.feed(data)
            elif c.idle_for() * 1000 > limits.idle_timeout_ms and c.session.nonce is not None:
                c.session.reset()
    finally:
        c.close()
        close()
