"""One protocol session (docs/protocol.md section 3) and the message handlers (section 4).

Transport-free: `handle(raw)` takes one frame's bytes and returns the response frames. The
connection layer (server.py) splits this into `admit` (decode + replay check, in arrival
order, on the reader thread) and `execute` (auth check + handler, one at a time, on the
worker thread). Invariants: every input gives documented ERROR frames, never an escaping
exception (anything unexpected becomes INTERNAL); a request id is executed at most once;
before a successful AUTH only HELLO, AUTH and PING run.
"""

import hashlib
import hmac
import os
import time

from . import AGENT_NAME
from . import contract as R
from .cache import KINDS, check_hash
from .guards import Guards
from .protocol import (MAX_U32, TYPES, ProtocolError, decode_frame, encode_error, encode_response)

T = TYPES
PRE_AUTH = frozenset([T["HELLO"], T["AUTH"], T["PING"]])
MAX_PING_BLOB = 1024


class Limits:
    def __init__(self, max_frame=1048576, max_upload=536870912, chunk_size=65536, window=8,
                 keepalive_ms=5000, idle_timeout_ms=60000):
        self.max_frame = max_frame
        self.max_upload = max_upload
        self.chunk_size = chunk_size
        self.window = window
        self.keepalive_ms = keepalive_ms
        self.idle_timeout_ms = idle_timeout_ms

    def to_json(self):
        return {"maxFrame": self.max_frame, "maxUpload": self.max_upload, "chunkSize": self.chunk_size,
                "window": self.window, "keepaliveMs": self.keepalive_ms, "idleTimeoutMs": self.idle_timeout_ms}


class CloseSession(Exception):
    """Raised after the response is queued when the transport must end the session."""


def _int(body, key, rid, lo=None, hi=MAX_U32 * MAX_U32):
    v = body.get(key)
    if not isinstance(v, int) or isinstance(v, bool):
        raise ProtocolError("BAD_REQUEST", "field %s must be an integer" % key, rid)
    if (lo is not None and v < lo) or v > hi:
        raise ProtocolError("BAD_REQUEST", "field %s = %d is out of range" % (key, v), rid)
    return v


def _str(body, key, rid, max_len=256):
    v = body.get(key)
    if not isinstance(v, str) or len(v) > max_len:
        raise ProtocolError("BAD_REQUEST", "field %s must be a string of at most %d characters" % (key, max_len), rid)
    return v


def _hex(body, key, rid, nbytes):
    v = body.get(key)
    if not isinstance(v, str) or len(v) != 2 * nbytes or any(c not in "0123456789abcdef" for c in v):
        raise ProtocolError("BAD_REQUEST", "field %s must be %d lowercase hex characters" % (key, 2 * nbytes), rid)
    return bytes.fromhex(v)


def auth_mac(token, nonce, client_nonce):
    return hmac.new(token, b"cnna-auth-v1" + nonce + client_nonce, hashlib.sha256).hexdigest()


def agent_mac(token, nonce, client_nonce):
    return hmac.new(token, b"cnna-auth-v1-agent" + client_nonce + nonce, hashlib.sha256).hexdigest()


class Session:
    def __init__(self, agent, limits, nonce_source=None, closes_on_auth_failure=True, peer="local"):
        self.agent = agent
        self.peer = peer
        self.locked_out = False
        self.limits = limits
        self.nonce_source = nonce_source or (lambda: os.urandom(16))
        self.closes_on_auth_failure = closes_on_auth_failure
        self.nonce = None
        self.authed = False
        self.auth_used = False
        self.failures = 0
        self.locked_out = False
        self.highest = 0
        self.closed = False
        self.pending_close = []

    # -- admission (arrival order) ------------------------------------------------------
    def admit(self, raw, to_agent=True):
        """Decodes and replay-checks one frame. Returns (frame, None) or (None, error_bytes)."""
        try:
            frame = decode_frame(raw, self.limits.max_frame, to_agent)
        except ProtocolError as e:
            return None, encode_error(e.request_id, e.code, e.message, e.detail)
        rid = frame.request_id
        if frame.type == T["HELLO"]:
            self.highest = rid
        elif rid <= self.highest:
            return None, encode_error(rid, "REPLAYED", "request id %d is not above the highest seen (%d)" % (rid, self.highest))
        else:
            self.highest = rid
        return frame, None

    # -- execution (one at a time) ------------------------------------------------------
    def execute(self, frame, cancel=None, deadline=None):
        """Runs one admitted request. Returns a list of response frames; may raise CloseSession
        (after which the caller sends `self.pending_close` and ends the session)."""
        rid = frame.request_id
        try:
            if not self.authed and frame.type not in PRE_AUTH:
                raise ProtocolError("AUTH_REQUIRED", "authenticate (HELLO, AUTH) before %s" % frame.type_name, rid)
            handler = HANDLERS[frame.type]
            out = handler(self, frame, cancel, deadline)
            body, blob = out if isinstance(out, tuple) else (out, b"")
            return [encode_response(frame.type, rid, body, blob)]
        except ProtocolError as e:
            err = encode_error(e.request_id or rid, e.code, e.message, e.detail)
            if e.code == "AUTH_FAILED" and self.locked_out:
                self.reset()
                if self.closes_on_auth_failure:
                    self.pending_close = [err]
                    raise CloseSession() from None
            return [err]
        except CloseSession:
            raise
        except Exception as e:  # a bug: report it, keep serving
            return [encode_error(rid, "INTERNAL", "agent error: %s: %s" % (type(e).__name__, str(e)[:200]))]

    def handle(self, raw, to_agent=True):
        """admit + execute, synchronously (serial links, tests)."""
        frame, err = self.admit(raw, to_agent)
        if err is not None:
            return [err]
        try:
            return self.execute(frame, None, self.deadline_of(frame))
        except CloseSession:
            self.closed = True
            return self.pending_close

    def deadline_of(self, frame):
        t = frame.body.get("timeoutMs")
        if isinstance(t, int) and not isinstance(t, bool) and t > 0:
            return time.monotonic() + t / 1000.0
        return None

    def reset(self):
        self.nonce = None
        self.authed = False
        self.auth_used = False
        self.failures = 0
        self.locked_out = False

    # -- handlers -----------------------------------------------------------------------
    def on_hello(self, f, cancel, deadline):
        rid = f.request_id
        _str(f.body, "client", rid)
        proto = _int(f.body, "protocol", rid)
        if proto != 1:
            raise ProtocolError("UNSUPPORTED_VERSION", "protocol %d is not spoken; this agent speaks 1" % proto, rid)
        self.reset()
        self.nonce = self.nonce_source()
        body = self.agent.identity()
        body.update({"nonce": self.nonce.hex(), "auth": "hmac-sha256", "limits": self.limits.to_json()})
        return body

    def on_auth(self, f, cancel, deadline):
        rid = f.request_id
        client_nonce = _hex(f.body, "clientNonce", rid, 16)
        mac = f.body.get("mac")
        if not isinstance(mac, str) or len(mac) != 64 or any(c not in "0123456789abcdef" for c in mac):
            raise ProtocolError("BAD_REQUEST", "field mac must be 64 lowercase hex characters", rid)
        if self.nonce is None or self.auth_used:
            raise ProtocolError("AUTH_FAILED", "send HELLO first: this session has no fresh nonce", rid)
        guards = self.agent.guards
        locked = guards.locked_for(self.peer)
        if locked > 0:
            # not checked at all while locked: a right guess is refused too
            self.locked_out = True
            raise ProtocolError("AUTH_FAILED", "too many wrong pairing MACs from %s; pairing from it is locked for another %d ms"
                                % (self.peer, locked), rid, {"lockedForMs": locked})
        want = auth_mac(self.agent.token, self.nonce, client_nonce)
        if not hmac.compare_digest(want, mac):
            self.failures += 1
            ms = guards.auth_failed(self.peer)
            if ms:
                self.locked_out = True
                raise ProtocolError("AUTH_FAILED", "wrong MAC: the pairing token does not match; after %d wrong MACs pairing "
                                    "from %s is locked for %d ms" % (guards.max_auth_failures, self.peer, ms), rid, {"lockedForMs": ms})
            raise ProtocolError("AUTH_FAILED", "wrong MAC: the pairing token does not match", rid)
        guards.auth_succeeded(self.peer)
        self.authed = True
        self.auth_used = True
        return {"mac": agent_mac(self.agent.token, self.nonce, client_nonce)}

    def on_ping(self, f, cancel, deadline):
        if len(f.blob) > MAX_PING_BLOB:
            raise ProtocolError("BAD_REQUEST", "PING blob of %d bytes is above %d" % (len(f.blob), MAX_PING_BLOB), f.request_id)
        return {}, f.blob

    def on_info(self, f, cancel, deadline):
        body = self.agent.info()
        body["limits"] = self.limits.to_json()
        return body

    def on_upload_begin(self, f, cancel, deadline):
        rid = f.request_id
        kind = f.body.get("kind")
        if kind not in KINDS:
            raise ProtocolError("BAD_REQUEST", "kind must be one of %s" % ", ".join(KINDS), rid)
        size = _int(f.body, "size", rid, 1)
        h = check_hash(f.body.get("sha256"), "sha256", rid)
        if size > self.limits.max_upload:
            raise ProtocolError("UPLOAD_TOO_LARGE", "upload of %d bytes is above maxUpload %d" % (size, self.limits.max_upload), rid)
        r = self.agent.cache.begin(kind, size, h, rid)
        r["chunkSize"] = self.limits.chunk_size
        return r

    def on_upload_chunk(self, f, cancel, deadline):
        rid = f.request_id
        h = check_hash(f.body.get("uploadId"), "uploadId", rid)
        offset = _int(f.body, "offset", rid, 0)
        return self.agent.cache.chunk(h, offset, f.blob, self.limits.chunk_size, rid)

    def on_upload_end(self, f, cancel, deadline):
        rid = f.request_id
        return self.agent.cache.end(check_hash(f.body.get("uploadId"), "uploadId", rid), rid)

    def on_upload_status(self, f, cancel, deadline):
        rid = f.request_id
        return self.agent.cache.status(check_hash(f.body.get("uploadId"), "uploadId", rid), rid)

    def on_deploy(self, f, cancel, deadline):
        rid = f.request_id
        hashes = {k: check_hash(f.body.get(k), k, rid) for k in ("bitstream", "hwh", "bundle")}
        return self.agent.deployer.deploy(hashes["bitstream"], hashes["hwh"], hashes["bundle"], rid)

    def on_activate(self, f, cancel, deadline):
        rid = f.request_id
        return self.agent.deployer.activate(_str(f.body, "deployId", rid, 64), rid)

    def on_infer(self, f, cancel, deadline):
        rid = f.request_id
        inputs = f.body.get("inputs")
        if not isinstance(inputs, list):
            raise ProtocolError("BAD_REQUEST", "field inputs must be a list", rid)
        t = None
        if "exitThresholdPpm" in f.body:  # an exit threshold T as T * EXIT_THRESHOLD_SCALE
            t = _int(f.body, "exitThresholdPpm", rid, 0, R.EXIT_THRESHOLD_SCALE) / R.EXIT_THRESHOLD_SCALE
        images = _int(f.body, "images", rid, 1, R.MAX_BUNDLE_BATCH) if "images" in f.body else 1  # a batch of images, image-major
        return self.agent.deployer.infer(inputs, f.blob, rid, cancel, deadline, t, images)

    def on_mmio_read(self, f, cancel, deadline):
        rid = f.request_id
        address = _int(f.body, "address", rid, 0)
        count = _int(f.body, "count", rid, 1, 1024)
        return self.agent.deployer.mmio_read(address, count, rid)

    def on_mmio_write(self, f, cancel, deadline):
        rid = f.request_id
        address = _int(f.body, "address", rid, 0)
        values = f.body.get("values")
        if (not isinstance(values, list) or not 1 <= len(values) <= 1024
                or any(not isinstance(v, int) or isinstance(v, bool) or not 0 <= v <= MAX_U32 for v in values)):
            raise ProtocolError("BAD_REQUEST", "field values must be a list of 1..1024 u32 integers", rid)
        return self.agent.deployer.mmio_write(address, values, rid)

    def on_buffer_read(self, f, cancel, deadline):
        rid = f.request_id
        name = _str(f.body, "name", rid, 64)
        offset = _int(f.body, "offset", rid, 0)
        length = _int(f.body, "length", rid, 1, self.limits.max_frame - 1024)
        data = self.agent.deployer.buffer_read(name, offset, length, rid)
        return {"name": name, "offset": offset, "length": len(data)}, data

    def on_buffer_write(self, f, cancel, deadline):
        rid = f.request_id
        name = _str(f.body, "name", rid, 64)
        offset = _int(f.body, "offset", rid, 0)
        if not f.blob:
            raise ProtocolError("BAD_REQUEST", "BUFFER_WRITE needs the bytes as the blob", rid)
        self.agent.deployer.buffer_write(name, offset, f.blob, rid)
        return {"name": name, "offset": offset, "length": len(f.blob)}

    def on_cancel(self, f, cancel, deadline):
        rid = f.request_id
        target = _int(f.body, "requestId", rid, 0, MAX_U32)
        hook = getattr(self, "cancel_hook", None)
        return {"requestId": target, "cancelled": bool(hook(target)) if hook else False}


HANDLERS = {
    T["HELLO"]: Session.on_hello, T["AUTH"]: Session.on_auth, T["PING"]: Session.on_ping, T["INFO"]: Session.on_info,
    T["UPLOAD_BEGIN"]: Session.on_upload_begin, T["UPLOAD_CHUNK"]: Session.on_upload_chunk,
    T["UPLOAD_END"]: Session.on_upload_end, T["UPLOAD_STATUS"]: Session.on_upload_status,
    T["DEPLOY"]: Session.on_deploy, T["ACTIVATE"]: Session.on_activate, T["INFER"]: Session.on_infer,
    T["MMIO_READ"]: Session.on_mmio_read, T["MMIO_WRITE"]: Session.on_mmio_write,
    T["BUFFER_READ"]: Session.on_buffer_read, T["BUFFER_WRITE"]: Session.on_buffer_write,
    T["CANCEL"]: Session.on_cancel,
}


class Agent:
    """State shared by every session: token, cache, deployer, hardware."""

    def __init__(self, hw, cache, deployer, token):
        if isinstance(token, str):
            token = token.encode("utf-8")
        if not token:
            raise ValueError("a pairing token is required")
        self.hw = hw
        self.cache = cache
        self.deployer = deployer
        self.token = token
        self.started = time.monotonic()
        self.guards = Guards()

    def identity(self):
        a = self.deployer.active_record()
        return {"protocol": 1, "board": self.hw.board, "part": self.hw.part, "agent": AGENT_NAME,
                "backend": self.hw.name, "overlay": a["bitstream"] if a else None, "hwh": a["hwh"] if a else None,
                "bundle": a["bundle"] if a else None, "deployId": a["deployId"] if a else None}

    def info(self):
        body = self.identity()
        objs = self.cache.objects()
        body.update({"clockHz": self.deployer.clock_hz(), "uptimeMs": int((time.monotonic() - self.started) * 1000),
                     "buffers": self.deployer.buffers(),
                     "cache": {"objects": objs, "bytes": sum(o["size"] for o in objs)}})
        body.update(self.deployer.io_info())
        return body
