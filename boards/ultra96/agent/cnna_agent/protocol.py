"""Frame codec of docs/protocol.md section 1: header, payload (JSON body + blob), CRC-32.

Invariants: decode_request() checks in the spec's validation order (1.2, steps 0-7) and
raises ProtocolError carrying the documented code and the request id to answer with (0 when
the frame did not pass the CRC check). It never raises anything else for any input bytes.
"""

import json
import struct
import zlib

VERSION = 1
HEADER = struct.Struct("<BBHII")
HEADER_BYTES = 12
MIN_FRAME = 16
FLAG_RESPONSE = 1
MAX_SAFE = 2 ** 53 - 1
MAX_U32 = 2 ** 32 - 1

TYPES = {
    "HELLO": 0x01, "AUTH": 0x02, "PING": 0x03, "INFO": 0x04,
    "UPLOAD_BEGIN": 0x10, "UPLOAD_CHUNK": 0x11, "UPLOAD_END": 0x12, "UPLOAD_STATUS": 0x13,
    "DEPLOY": 0x20, "ACTIVATE": 0x21, "INFER": 0x30,
    "MMIO_READ": 0x40, "MMIO_WRITE": 0x41, "BUFFER_READ": 0x42, "BUFFER_WRITE": 0x43,
    "CANCEL": 0x50, "ERROR": 0x7F,
}
TYPE_NAMES = {v: k for k, v in TYPES.items()}
REQUEST_TYPES = frozenset(v for k, v in TYPES.items() if k != "ERROR")

ERROR_CODES = frozenset([
    "TRUNCATED", "BAD_CRC", "BAD_COBS", "FRAME_TOO_LARGE", "UNSUPPORTED_VERSION", "BAD_FRAME",
    "UNKNOWN_TYPE", "BAD_REQUEST", "AUTH_REQUIRED", "AUTH_FAILED", "REPLAYED",
    "UPLOAD_TOO_LARGE", "UNKNOWN_UPLOAD", "BAD_RANGE", "INCOMPLETE", "HASH_MISMATCH",
    "NOT_CACHED", "BAD_ARTIFACT", "UNKNOWN_DEPLOY", "NOT_DEPLOYED", "BAD_INPUT", "MMIO_DENIED",
    "UNKNOWN_BUFFER", "BUSY", "TIMEOUT", "CANCELLED", "BACKEND", "INTERNAL",
])


class ProtocolError(Exception):
    """A documented protocol error: `code` (section 5), `request_id` to answer with, `detail`."""

    def __init__(self, code, message, request_id=0, detail=None):
        super().__init__(message)
        assert code in ERROR_CODES, code
        self.code = code
        self.message = message
        self.request_id = request_id
        self.detail = detail


class Frame:
    __slots__ = ("version", "type", "flags", "request_id", "body", "blob")

    def __init__(self, type_code, request_id, body, blob=b"", flags=0, version=VERSION):
        self.version = version
        self.type = type_code
        self.flags = flags
        self.request_id = request_id
        self.body = body
        self.blob = blob

    @property
    def type_name(self):
        return TYPE_NAMES.get(self.type)

    def __repr__(self):
        return "Frame(%s id=%d flags=%d body=%r blob=%d B)" % (
            self.type_name or hex(self.type), self.request_id, self.flags, self.body, len(self.blob))


def canonical_json(body):
    return json.dumps(body, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode("utf-8")


def encode_frame(type_code, request_id, body, blob=b"", flags=0):
    j = canonical_json(body)
    payload_len = 4 + len(j) + len(blob)
    head = HEADER.pack(VERSION, type_code, flags, request_id, payload_len)
    data = b"".join((head, struct.pack("<I", len(j)), j, blob))
    return data + struct.pack("<I", zlib.crc32(data) & 0xFFFFFFFF)


def encode_response(type_code, request_id, body, blob=b""):
    return encode_frame(type_code, request_id, body, blob, FLAG_RESPONSE)


def encode_error(request_id, code, message, detail=None):
    body = {"code": code, "message": message}
    if detail is not None:
        body["detail"] = detail
    return encode_frame(TYPES["ERROR"], request_id, body, b"", FLAG_RESPONSE)


def _reject_float(text):
    raise ValueError("non-integer number " + text[:20])


def _reject_constant(text):
    raise ValueError("non-JSON constant " + text)


def _check_int(text):
    if len(text) > 17:
        raise ValueError("integer too long")
    v = int(text)
    if abs(v) > MAX_SAFE:
        raise ValueError("integer beyond 2^53-1")
    return v


_DECODER = json.JSONDecoder(parse_float=_reject_float, parse_int=_check_int, parse_constant=_reject_constant)


def parse_body(raw):
    """Decodes a JSON body; raises ValueError (or RecursionError) on anything the spec forbids."""
    text = raw.decode("utf-8")
    obj, end = _DECODER.raw_decode(text.lstrip(" \t\r\n"))
    if text.lstrip(" \t\r\n")[end:].strip(" \t\r\n") != "":
        raise ValueError("trailing data after JSON")
    canonical_json(obj)  # rejects lone surrogates (UnicodeEncodeError is a ValueError)
    return obj


def decode_frame(data, max_frame, to_agent=True):
    """Decodes one frame's bytes (spec 1.2 steps 0-7). Returns a Frame or raises ProtocolError."""
    n = len(data)
    if n > max_frame:
        raise ProtocolError("FRAME_TOO_LARGE", "frame of %d bytes is above maxFrame %d" % (n, max_frame))
    if n < MIN_FRAME:
        raise ProtocolError("TRUNCATED", "frame of %d bytes is shorter than the 16-byte minimum" % n)
    want = struct.unpack_from("<I", data, n - 4)[0]
    if zlib.crc32(memoryview(data)[: n - 4]) & 0xFFFFFFFF != want:
        raise ProtocolError("BAD_CRC", "CRC-32 mismatch")
    version, type_code, flags, request_id, payload_len = HEADER.unpack_from(data, 0)
    if version != VERSION:
        raise ProtocolError("UNSUPPORTED_VERSION", "frame version %d is not spoken (1)" % version, request_id)
    total = HEADER_BYTES + payload_len + 4
    if total > n:
        raise ProtocolError("TRUNCATED", "header declares %d payload bytes, frame holds %d" % (payload_len, n - 16), request_id)
    if total < n:
        raise ProtocolError("BAD_FRAME", "frame has %d bytes after its declared payload" % (n - total), request_id)
    if flags & ~FLAG_RESPONSE:
        raise ProtocolError("BAD_FRAME", "reserved flag bits set (0x%04x)" % flags, request_id)
    if to_agent:
        if flags & FLAG_RESPONSE:
            raise ProtocolError("BAD_FRAME", "RESPONSE flag set on a frame sent to the agent", request_id)
        if request_id == 0:
            raise ProtocolError("BAD_FRAME", "request id 0 on a request", request_id)
        if type_code not in REQUEST_TYPES:
            raise ProtocolError("UNKNOWN_TYPE", "unknown message type 0x%02x" % type_code, request_id)
    elif type_code not in TYPE_NAMES:
        raise ProtocolError("UNKNOWN_TYPE", "unknown message type 0x%02x" % type_code, request_id)
    if payload_len < 4:
        raise ProtocolError("BAD_FRAME", "payload of %d bytes has no JSON length" % payload_len, request_id)
    json_len = struct.unpack_from("<I", data, HEADER_BYTES)[0]
    if json_len > payload_len - 4:
        raise ProtocolError("BAD_FRAME", "JSON length %d runs past the payload" % json_len, request_id)
    start = HEADER_BYTES + 4
    try:
        body = parse_body(bytes(data[start:start + json_len]))
    except (ValueError, RecursionError) as e:
        raise ProtocolError("BAD_FRAME", "body is not valid JSON: %s" % str(e)[:80], request_id) from None
    if not isinstance(body, dict):
        raise ProtocolError("BAD_FRAME", "body is not a JSON object", request_id)
    blob = bytes(data[start + json_len:n - 4])
    return Frame(type_code, request_id, body, blob, flags, version)
