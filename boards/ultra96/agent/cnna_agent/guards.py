"""Limits across connections (docs/protocol.md section 6), shared by every session of one agent.

- max_connections: TCP connections at once; one more evicts the oldest connection that has not
  authenticated (ERROR BUSY, requestId 0, then close), or is itself refused that way when all
  are authenticated (server.py);
- pre_auth_max_frame: the largest frame a TCP connection may send before AUTH succeeds
  (FRAME_TOO_LARGE, then close); serial keeps maxFrame;
- max_buffered_bytes: one budget for every incomplete frame longer than pre_auth_max_frame (at
  its declared length) and every queued request's frame, across connections (BUSY);
- max_auth_failures per peer (TCP: the remote address; serial: the line), across HELLOs and
  connections; reaching it locks pairing from that peer for auth_lockout_ms, doubling with each
  lock-out in a row up to max_auth_lockout_ms; a successful AUTH clears the record.
Invariants: `buffered` is the sum of what was reserved and not yet released, never above
max_buffered_bytes; every method is thread-safe (one lock).
"""

import collections
import threading
import time


class Guards:
    def __init__(self, max_connections=8, max_buffered_bytes=64 << 20, pre_auth_max_frame=4096,
                 max_auth_failures=3, auth_lockout_ms=1000, max_auth_lockout_ms=60000):
        self.max_connections = max_connections
        self.max_buffered_bytes = max_buffered_bytes
        self.pre_auth_max_frame = pre_auth_max_frame
        self.max_auth_failures = max_auth_failures
        self.auth_lockout_ms = auth_lockout_ms
        self.max_auth_lockout_ms = max_auth_lockout_ms
        self.lock = threading.Lock()
        self.buffered = 0
        # peer -> [failures since the last lock-out or success, lock-outs in a row, locked until, last failure]
        self.peers = collections.OrderedDict()

    def reserve(self, n):
        """Takes n bytes from the budget; False (nothing taken) when that would exceed it."""
        with self.lock:
            if self.buffered + n > self.max_buffered_bytes:
                return False
            self.buffered += n
            return True

    def release(self, n):
        with self.lock:
            self.buffered = max(0, self.buffered - n)

    def locked_for(self, peer, now=None):
        """Milliseconds the peer must still wait before its next AUTH is checked (0: not locked)."""
        now = time.monotonic() if now is None else now
        with self.lock:
            r = self.peers.get(peer)
            return int((r[2] - now) * 1000) + 1 if r and r[2] > now else 0

    def auth_failed(self, peer, now=None):
        """Records a wrong MAC; returns the lock-out it started (ms), or 0."""
        now = time.monotonic() if now is None else now
        with self.lock:
            r = self.peers.pop(peer, None)
            if r is not None and now - r[3] > 10 * self.max_auth_lockout_ms / 1000.0:
                r = None  # a long quiet: forgotten
            if r is None:
                if len(self.peers) >= 4096:
                    self.peers.popitem(last=False)  # the oldest record
                r = [0, 0, 0.0, now]
            self.peers[peer] = r
            r[3] = now
            r[0] += 1
            if r[0] < self.max_auth_failures:
                return 0
            ms = min(self.max_auth_lockout_ms, self.auth_lockout_ms * 2 ** r[1])
            r[0] = 0
            r[1] += 1
            r[2] = now + ms / 1000.0
            return ms

    def auth_succeeded(self, peer):
        with self.lock:
            self.peers.pop(peer, None)
