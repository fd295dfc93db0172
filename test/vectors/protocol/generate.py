#!/usr/bin/env python3
# Generates the cnna board-protocol conformance vectors (frames.json, invalid.json,
# session.json) from docs/protocol.md, with the Python standard library only, so the
# bytes do not come from the TypeScript codec they test. Run: python3 generate.py
# Invariant: output is deterministic (fixed nonces, fixed payloads); rerunning rewrites
# identical files.
import hashlib
import hmac
import json
import os
import struct
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))

TYPES = {
    "HELLO": 0x01, "AUTH": 0x02, "PING": 0x03, "INFO": 0x04,
    "UPLOAD_BEGIN": 0x10, "UPLOAD_CHUNK": 0x11, "UPLOAD_END": 0x12, "UPLOAD_STATUS": 0x13,
    "DEPLOY": 0x20, "ACTIVATE": 0x21, "INFER": 0x30,
    "MMIO_READ": 0x40, "MMIO_WRITE": 0x41, "BUFFER_READ": 0x42, "BUFFER_WRITE": 0x43,
    "CANCEL": 0x50, "ERROR": 0x7F,
}
RESPONSE = 1
MAX_FRAME = 1048576


def canon(body):
    return json.dumps(body, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode("utf-8")


def payload(body, blob=b""):
    j = canon(body)
    return struct.pack("<I", len(j)) + j + blob


def frame_bytes(type_code, flags, request_id, pl, version=1, crc_fix=None):
    head = struct.pack("<BBHII", version, type_code, flags, request_id, len(pl))
    data = head + pl
    crc = zlib.crc32(data) & 0xFFFFFFFF
    return data + struct.pack("<I", crc)


def with_crc(data):
    return data + struct.pack("<I", zlib.crc32(data) & 0xFFFFFFFF)


def cobs_encode(data):
    out = bytearray()
    block = bytearray()
    for b in data:
        if b == 0:
            out.append(len(block) + 1)
            out += block
            block = bytearray()
        else:
            block.append(b)
            if len(block) == 254:
                out.append(255)
                out += block
                block = bytearray()
    out.append(len(block) + 1)
    out += block
    return bytes(out)


def cobs_decode(data):
    out = bytearray()
    i = 0
    n = len(data)
    while i < n:
        code = data[i]
        if code == 0 or i + code > n:
            raise ValueError("BAD_COBS")
        out += data[i + 1:i + code]
        i += code
        if code < 255 and i < n:
            out.append(0)
    return bytes(out)


def serial(raw):
    return cobs_encode(raw) + b"\x00"


def tcp(raw):
    return struct.pack("<I", len(raw)) + raw


def frame_obj(name, type_name, flags, request_id, body, blob=b""):
    raw = frame_bytes(TYPES[type_name], flags, request_id, payload(body, blob))
    return {
        "name": name,
        "frame": {"version": 1, "type": type_name, "typeCode": TYPES[type_name], "flags": flags,
                  "requestId": request_id, "body": body, "blobHex": blob.hex()},
        "raw": raw.hex(), "serial": serial(raw).hex(), "tcp": tcp(raw).hex(),
    }


def sha(b):
    return hashlib.sha256(b).hexdigest()


# ---------------------------------------------------------------- valid frames
H_BIT = sha(b"bitstream")
H_HWH = sha(b"hwh")
H_BUN = sha(b"bundle")
DEPLOY_ID = sha(f"{H_BIT}:{H_HWH}:{H_BUN}".encode())[:32]
CHUNK = bytes((i * 7 + 3) % 256 for i in range(700))  # zeros and runs > 254 bytes
LONG_RUN = bytes(1 + (i % 255) for i in range(600))   # no zero at all: exercises 0xFF code blocks
IN_T = struct.pack("<4h", 1, -2, 16384, -32768)
OUT_T = struct.pack("<3h", 100, 0, -100)

valid = [
    frame_obj("hello-request", "HELLO", 0, 1, {"client": "cnna-host/0.1.0", "protocol": 1}),
    frame_obj("hello-response", "HELLO", RESPONSE, 1, {
        "agent": "cnna-virtual/0.1.0", "auth": "hmac-sha256", "backend": "ref", "board": "virtual",
        "bundle": None, "deployId": None, "hwh": None, "limits": {
            "chunkSize": 65536, "idleTimeoutMs": 60000, "keepaliveMs": 5000, "maxFrame": MAX_FRAME,
            "maxUpload": 536870912, "window": 8},
        "nonce": "00112233445566778899aabbccddeeff", "overlay": None, "part": "xczu3eg-sbva484-1-e",
        "protocol": 1}),
    frame_obj("auth-request", "AUTH", 0, 2, {"clientNonce": "ffeeddccbbaa99887766554433221100", "mac": "ab" * 32}),
    frame_obj("auth-response", "AUTH", RESPONSE, 2, {"mac": "cd" * 32}),
    frame_obj("ping-request", "PING", 0, 3, {}),
    frame_obj("ping-request-blob", "PING", 0, 4, {}, b"\x00\x01\x00\xff\x00"),
    frame_obj("ping-response-blob", "PING", RESPONSE, 4, {}, b"\x00\x01\x00\xff\x00"),
    frame_obj("info-request", "INFO", 0, 5, {}),
    frame_obj("info-response", "INFO", RESPONSE, 5, {
        "agent": "cnna-virtual/0.1.0", "backend": "ref", "board": "virtual", "buffers": [{"name": "input", "size": 8}],
        "bundle": H_BUN, "cache": {"bytes": 3, "objects": [{"kind": "hwh", "sha256": H_HWH, "size": 3}]},
        "clockHz": 172000000, "deployId": DEPLOY_ID, "hwh": H_HWH, "limits": {"chunkSize": 4096, "idleTimeoutMs": 60000,
        "keepaliveMs": 5000, "maxFrame": MAX_FRAME, "maxUpload": 536870912, "window": 8},
        "overlay": H_BIT, "part": "xczu3eg-sbva484-1-e", "protocol": 1, "uptimeMs": 1234}),
    frame_obj("upload-begin-request", "UPLOAD_BEGIN", 0, 6, {"kind": "bundle", "sha256": sha(CHUNK), "size": 700}),
    frame_obj("upload-begin-response", "UPLOAD_BEGIN", RESPONSE, 6, {
        "chunkSize": 4096, "complete": False, "received": [[0, 300], [400, 500]], "size": 700, "uploadId": sha(CHUNK)}),
    frame_obj("upload-chunk-request", "UPLOAD_CHUNK", 0, 7, {"offset": 0, "uploadId": sha(CHUNK)}, CHUNK),
    frame_obj("upload-chunk-request-long-run", "UPLOAD_CHUNK", 0, 8, {"offset": 0, "uploadId": sha(LONG_RUN)}, LONG_RUN),
    frame_obj("upload-chunk-response", "UPLOAD_CHUNK", RESPONSE, 7, {"length": 700, "offset": 0, "received": 700, "uploadId": sha(CHUNK)}),
    frame_obj("upload-end-request", "UPLOAD_END", 0, 9, {"uploadId": sha(CHUNK)}),
    frame_obj("upload-end-response", "UPLOAD_END", RESPONSE, 9, {"kind": "bundle", "sha256": sha(CHUNK), "size": 700}),
    frame_obj("upload-status-request", "UPLOAD_STATUS", 0, 10, {"uploadId": sha(CHUNK)}),
    frame_obj("upload-status-response", "UPLOAD_STATUS", RESPONSE, 10, {"complete": True, "received": [[0, 700]], "size": 700, "uploadId": sha(CHUNK)}),
    frame_obj("deploy-request", "DEPLOY", 0, 11, {"bitstream": H_BIT, "bundle": H_BUN, "hwh": H_HWH}),
    frame_obj("deploy-response", "DEPLOY", RESPONSE, 11, {
        "clockHz": 172000000, "deployId": DEPLOY_ID,
        "inputs": [{"dtype": "int16", "f": 14, "name": "input", "shape": [1, 1, 2, 2]}],
        "outputs": [{"dtype": "int16", "f": 10, "name": "logits", "shape": [1, 3]}]}),
    frame_obj("activate-request", "ACTIVATE", 0, 12, {"deployId": DEPLOY_ID}),
    frame_obj("activate-response", "ACTIVATE", RESPONSE, 12, {"bundle": H_BUN, "deployId": DEPLOY_ID, "hwh": H_HWH, "overlay": H_BIT}),
    frame_obj("infer-request", "INFER", 0, 13, {"inputs": [{"dtype": "int16", "length": 8, "name": "input", "shape": [1, 1, 2, 2]}], "timeoutMs": 60000}, IN_T),
    frame_obj("infer-response", "INFER", RESPONSE, 13, {
        "computeNs": 51234, "cycles": 12345, "outputs": [{"dtype": "int16", "f": 10, "length": 6, "name": "logits", "shape": [1, 3]}],
        "timeNs": round(12345 * 1e9 / 172000000)}, OUT_T),
    frame_obj("mmio-read-request", "MMIO_READ", 0, 14, {"address": 0x80010000, "count": 2}),
    frame_obj("mmio-read-response", "MMIO_READ", RESPONSE, 14, {"address": 0x80010000, "values": [0, 4294967295]}),
    frame_obj("mmio-write-request", "MMIO_WRITE", 0, 15, {"address": 0x80010010, "values": [1, 2, 3]}),
    frame_obj("mmio-write-response", "MMIO_WRITE", RESPONSE, 15, {"address": 0x80010010, "count": 3}),
    frame_obj("buffer-read-request", "BUFFER_READ", 0, 16, {"length": 6, "name": "output", "offset": 0}),
    frame_obj("buffer-read-response", "BUFFER_READ", RESPONSE, 16, {"length": 6, "name": "output", "offset": 0}, OUT_T),
    frame_obj("buffer-write-request", "BUFFER_WRITE", 0, 17, {"name": "input", "offset": 2}, b"\x00\x00"),
    frame_obj("buffer-write-response", "BUFFER_WRITE", RESPONSE, 17, {"length": 2, "name": "input", "offset": 2}),
    frame_obj("cancel-request", "CANCEL", 0, 18, {"requestId": 13}),
    frame_obj("cancel-response", "CANCEL", RESPONSE, 18, {"cancelled": True, "requestId": 13}),
    frame_obj("error-response", "ERROR", RESPONSE, 19, {"code": "BAD_REQUEST", "message": "UPLOAD_BEGIN: field 'size' must be an integer > 0 (größe)"}),
    frame_obj("error-response-detail", "ERROR", RESPONSE, 20, {"code": "NOT_CACHED", "detail": {"missing": [H_HWH]}, "message": "DEPLOY: 1 object not in the cache"}),
    frame_obj("error-response-id0", "ERROR", RESPONSE, 0, {"code": "BAD_CRC", "message": "frame CRC-32 mismatch"}),
    frame_obj("request-id-max", "PING", 0, 0xFFFFFFFF, {}),
]
by_name = {v["name"]: v for v in valid}


# ---------------------------------------------------------------- invalid streams
def raw(name):
    return bytes.fromhex(by_name[name]["raw"])


def err(code, rid=0):
    return {"error": code, "requestId": rid}


def ok(name):
    return {"frame": name}


def corrupt(b, i, x=0x01):
    b = bytearray(b)
    b[i] ^= x
    return bytes(b)


PING = raw("ping-request")  # requestId 3
ping_pl = payload({})
invalid = []


def inv(name, transport, data, expect, limits=None):
    v = {"name": name, "transport": transport, "hex": data.hex(), "expect": expect}
    if limits:
        v["limits"] = limits
    invalid.append(v)


# frame level (bytes after the transport), received by the agent
inv("frame-too-short", "frame", PING[:10], [err("TRUNCATED")])
inv("frame-empty-16", "frame", b"\x01" * 15, [err("TRUNCATED")])
inv("frame-bad-crc", "frame", corrupt(PING, 14), [err("BAD_CRC")])
inv("frame-bad-crc-in-crc", "frame", corrupt(PING, len(PING) - 1, 0x80), [err("BAD_CRC")])
inv("frame-cut-crc-invalid", "frame", PING[:-1], [err("BAD_CRC")])
inv("frame-bad-version", "frame", with_crc(struct.pack("<BBHII", 2, 0x03, 0, 21, len(ping_pl)) + ping_pl), [err("UNSUPPORTED_VERSION", 21)])
inv("frame-declared-longer", "frame", with_crc(struct.pack("<BBHII", 1, 0x03, 0, 22, len(ping_pl) + 5) + ping_pl), [err("TRUNCATED", 22)])
inv("frame-declared-shorter", "frame", with_crc(struct.pack("<BBHII", 1, 0x03, 0, 23, len(ping_pl) - 1) + ping_pl), [err("BAD_FRAME", 23)])
inv("frame-reserved-flag", "frame", frame_bytes(0x03, 0x0002, 24, ping_pl), [err("BAD_FRAME", 24)])
inv("frame-response-flag-to-agent", "frame", frame_bytes(0x03, RESPONSE, 25, ping_pl), [err("BAD_FRAME", 25)])
inv("frame-request-id-zero", "frame", frame_bytes(0x03, 0, 0, ping_pl), [err("BAD_FRAME", 0)])
inv("frame-unknown-type", "frame", frame_bytes(0x66, 0, 26, ping_pl), [err("UNKNOWN_TYPE", 26)])
inv("frame-unknown-type-error-as-request", "frame", frame_bytes(0x7F, 0, 27, payload({"code": "X", "message": "y"})), [err("UNKNOWN_TYPE", 27)])
inv("frame-payload-too-short", "frame", frame_bytes(0x03, 0, 28, b"\x02\x00"), [err("BAD_FRAME", 28)])
inv("frame-json-length-beyond", "frame", frame_bytes(0x03, 0, 29, struct.pack("<I", 50) + b"{}"), [err("BAD_FRAME", 29)])
inv("frame-json-invalid", "frame", frame_bytes(0x03, 0, 30, struct.pack("<I", 3) + b"{x}"), [err("BAD_FRAME", 30)])
inv("frame-json-not-object", "frame", frame_bytes(0x03, 0, 31, struct.pack("<I", 2) + b"[]"), [err("BAD_FRAME", 31)])
inv("frame-json-bad-utf8", "frame", frame_bytes(0x03, 0, 32, struct.pack("<I", 8) + b'{"a":"\xff"}'), [err("BAD_FRAME", 32)])
inv("frame-too-large", "frame", frame_bytes(0x03, 0, 33, payload({}, b"\x55" * 100)), [err("FRAME_TOO_LARGE")], {"maxFrame": 64})

# serial streams
inv("serial-two-frames", "serial", serial(PING) + serial(raw("info-request")), [ok("ping-request"), ok("info-request")])
inv("serial-leading-zeros", "serial", b"\x00\x00" + serial(PING) + b"\x00", [ok("ping-request")])
inv("serial-bad-cobs", "serial", bytes([0x05, 0x11, 0x22, 0x00]) + serial(PING), [err("BAD_COBS"), ok("ping-request")])
inv("serial-bad-cobs-end", "serial", cobs_encode(PING) + bytes([0x09, 0x00]) + serial(PING), [err("BAD_COBS"), ok("ping-request")])
inv("serial-byte-corrupted", "serial", corrupt(serial(PING), 9, 0x20) + serial(PING), [err("BAD_CRC"), ok("ping-request")])
inv("serial-truncated", "serial", cobs_encode(PING[:9]) + b"\x00" + serial(PING), [err("TRUNCATED"), ok("ping-request")])
enc = cobs_encode(PING)
inv("serial-zero-injected", "serial", enc[:12] + b"\x00" + enc[12:] + b"\x00" + serial(PING), None)  # filled below
inv("serial-oversized", "serial", serial(frame_bytes(0x03, 0, 34, payload({}, b"\x55" * 100))) + serial(PING),
    [err("FRAME_TOO_LARGE"), ok("ping-request")], {"maxFrame": 64})
inv("serial-oversized-decoded", "serial", serial(frame_bytes(0x03, 0, 35, payload({}, b"\x55" * 43))) + serial(PING),
    [err("FRAME_TOO_LARGE"), ok("ping-request")], {"maxFrame": 64})
inv("serial-unknown-type-then-ok", "serial", serial(frame_bytes(0x66, 0, 36, ping_pl)) + serial(PING), [err("UNKNOWN_TYPE", 36), ok("ping-request")])

# tcp streams
inv("tcp-two-frames", "tcp", tcp(PING) + tcp(raw("info-request")), [ok("ping-request"), ok("info-request")])
inv("tcp-bad-crc-then-ok", "tcp", tcp(corrupt(PING, 13)) + tcp(PING), [err("BAD_CRC"), ok("ping-request")])
inv("tcp-short-length", "tcp", struct.pack("<I", 8) + b"\x01" * 8 + tcp(PING), [err("TRUNCATED"), ok("ping-request")])
inv("tcp-oversized-closes", "tcp", struct.pack("<I", 65) + b"\x55" * 65 + tcp(PING), [err("FRAME_TOO_LARGE"), {"close": True}], {"maxFrame": 64})
inv("tcp-huge-length-closes", "tcp", struct.pack("<I", 0xFFFFFFF0) + tcp(PING), [err("FRAME_TOO_LARGE"), {"close": True}])
inv("tcp-split-ok", "tcp", tcp(PING)[:3], [])  # incomplete: nothing yet, no error


def frame_outcome(b, max_frame=MAX_FRAME):
    """The agent-side frame checks of docs/protocol.md section 1.2, steps 0-7."""
    if len(b) > max_frame:
        return err("FRAME_TOO_LARGE")
    if len(b) < 16:
        return err("TRUNCATED")
    if zlib.crc32(b[:-4]) & 0xFFFFFFFF != struct.unpack("<I", b[-4:])[0]:
        return err("BAD_CRC")
    version, t, flags, rid, n = struct.unpack("<BBHII", b[:12])
    if version != 1:
        return err("UNSUPPORTED_VERSION", rid)
    if 16 + n > len(b):
        return err("TRUNCATED", rid)
    if 16 + n < len(b):
        return err("BAD_FRAME", rid)
    if flags != 0 or rid == 0:
        return err("BAD_FRAME", rid)
    if t not in TYPES.values() or t == 0x7F:
        return err("UNKNOWN_TYPE", rid)
    pl = b[12:12 + n]
    if len(pl) < 4:
        return err("BAD_FRAME", rid)
    jl = struct.unpack("<I", pl[:4])[0]
    if 4 + jl > len(pl):
        return err("BAD_FRAME", rid)
    try:
        body = json.loads(pl[4:4 + jl].decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return err("BAD_FRAME", rid)
    if not isinstance(body, dict):
        return err("BAD_FRAME", rid)
    for v in valid:
        if v["raw"] == b.hex():
            return ok(v["name"])
    return {"frameHex": b.hex()}


def serial_outcomes(data, max_frame=MAX_FRAME):
    limit = max_frame + -(-max_frame // 254) + 1
    out, buf, dropping = [], bytearray(), False
    for byte in data:
        if byte == 0:
            if dropping:
                dropping = False
            elif buf:
                try:
                    out.append(frame_outcome(cobs_decode(bytes(buf)), max_frame))
                except ValueError:
                    out.append(err("BAD_COBS"))
            buf = bytearray()
        elif not dropping:
            buf.append(byte)
            if len(buf) > limit:
                out.append(err("FRAME_TOO_LARGE"))
                buf, dropping = bytearray(), True
    return out


# Cross-check every hand-written expectation with the reference receivers above.
for v in invalid:
    data = bytes.fromhex(v["hex"])
    mf = v.get("limits", {}).get("maxFrame", MAX_FRAME)
    if v["transport"] == "frame":
        got = [frame_outcome(data, mf)]
    elif v["transport"] == "serial":
        got = serial_outcomes(data, mf)
    else:
        got = None
    if v["expect"] is None:
        v["expect"] = got
    elif got is not None and got != v["expect"]:
        raise SystemExit(f"vector {v['name']}: expected {v['expect']} but the reference receiver gives {got}")
for v in valid:
    b = bytes.fromhex(v["raw"])
    assert cobs_decode(bytes.fromhex(v["serial"])[:-1]) == b
    assert b"\x00" not in bytes.fromhex(v["serial"])[:-1]

# ---------------------------------------------------------------- scripted session
TOKEN = "cnna-conformance-token"
NONCES = ["00112233445566778899aabbccddeeff", "0f1e2d3c4b5a69788796a5b4c3d2e1f0"]
CNONCE = "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf"
good_mac = hmac.new(TOKEN.encode(), b"cnna-auth-v1" + bytes.fromhex(NONCES[0]) + bytes.fromhex(CNONCE), hashlib.sha256).hexdigest()
agent_mac = hmac.new(TOKEN.encode(), b"cnna-auth-v1-agent" + bytes.fromhex(CNONCE) + bytes.fromhex(NONCES[0]), hashlib.sha256).hexdigest()
wrong_mac = hmac.new(b"not-the-token", b"cnna-auth-v1" + bytes.fromhex(NONCES[0]) + bytes.fromhex(CNONCE), hashlib.sha256).hexdigest()
TEN = b"0123456789"
TEN_SHA = sha(TEN)
MISSING = sha(b"never uploaded")

steps = []


def step(note, type_name, rid, body, blob=b"", expect_type=None, error=None, expect_body=None, expect_blob=None, type_code=None):
    tc = TYPES[type_name] if type_code is None else type_code
    raw_b = frame_bytes(tc, 0, rid, payload(body, blob))
    e = {"requestId": rid, "flags": RESPONSE}
    if error:
        e["type"] = "ERROR"
        e["error"] = error
    else:
        e["type"] = expect_type or type_name
        if expect_body is not None:
            e["body"] = expect_body
        if expect_blob is not None:
            e["blobHex"] = expect_blob.hex()
    steps.append({"note": note, "send": {"type": type_name if type_code is None else None, "typeCode": tc, "requestId": rid,
                                         "body": body, "blobHex": blob.hex()}, "raw": raw_b.hex(), "expect": e})


step("PING is allowed before auth and echoes its blob", "PING", 1, {}, b"hi\x00", expect_body={}, expect_blob=b"hi\x00")
step("INFO before auth", "INFO", 2, {}, error="AUTH_REQUIRED")
step("AUTH before HELLO", "AUTH", 3, {"clientNonce": CNONCE, "mac": good_mac}, error="AUTH_FAILED")
step("HELLO opens a session with the first nonce", "HELLO", 10, {"client": "cnna-conformance/1", "protocol": 1},
     expect_body={"protocol": 1, "nonce": NONCES[0], "auth": "hmac-sha256",
                  "limits": {"maxFrame": 65536, "maxUpload": 1000000, "chunkSize": 4096}})
step("AUTH with a MAC made from the wrong token", "AUTH", 11, {"clientNonce": CNONCE, "mac": wrong_mac}, error="AUTH_FAILED")
step("AUTH with a malformed MAC", "AUTH", 12, {"clientNonce": CNONCE, "mac": "zz"}, error="BAD_REQUEST")
step("AUTH with the right MAC; the agent proves it knows the token too", "AUTH", 13, {"clientNonce": CNONCE, "mac": good_mac},
     expect_body={"mac": agent_mac})
step("replayed request id (equal)", "PING", 13, {}, error="REPLAYED")
step("replayed request id (lower)", "PING", 5, {}, error="REPLAYED")
step("INFO after auth", "INFO", 14, {}, expect_body={"protocol": 1, "bundle": None, "overlay": None, "hwh": None, "deployId": None})
step("upload larger than maxUpload", "UPLOAD_BEGIN", 15, {"kind": "bundle", "size": 1000001, "sha256": TEN_SHA}, error="UPLOAD_TOO_LARGE")
step("path traversal in the hash", "UPLOAD_BEGIN", 16, {"kind": "bundle", "size": 10, "sha256": "../../../../etc/passwd"}, error="BAD_REQUEST")
step("path traversal in the upload id", "UPLOAD_STATUS", 17, {"uploadId": "../" * 20 + "tmp/x"}, error="BAD_REQUEST")
step("upper-case hex is not a valid hash", "UPLOAD_STATUS", 18, {"uploadId": TEN_SHA.upper()}, error="BAD_REQUEST")
step("unknown kind", "UPLOAD_BEGIN", 19, {"kind": "../bundle", "size": 10, "sha256": TEN_SHA}, error="BAD_REQUEST")
step("size zero", "UPLOAD_BEGIN", 20, {"kind": "bundle", "size": 0, "sha256": TEN_SHA}, error="BAD_REQUEST")
step("chunk for an upload never begun", "UPLOAD_CHUNK", 21, {"uploadId": TEN_SHA, "offset": 0}, b"0", error="UNKNOWN_UPLOAD")
step("begin a 10-byte upload", "UPLOAD_BEGIN", 22, {"kind": "bundle", "size": 10, "sha256": TEN_SHA},
     expect_body={"uploadId": TEN_SHA, "size": 10, "chunkSize": 4096, "received": [], "complete": False})
step("first chunk", "UPLOAD_CHUNK", 23, {"uploadId": TEN_SHA, "offset": 0}, TEN[:5],
     expect_body={"uploadId": TEN_SHA, "offset": 0, "length": 5, "received": 5})
step("end with bytes missing", "UPLOAD_END", 24, {"uploadId": TEN_SHA}, error="INCOMPLETE")
step("status shows the received range", "UPLOAD_STATUS", 25, {"uploadId": TEN_SHA},
     expect_body={"uploadId": TEN_SHA, "size": 10, "received": [[0, 5]], "complete": False})
step("chunk past the end", "UPLOAD_CHUNK", 26, {"uploadId": TEN_SHA, "offset": 8}, b"89ab", error="BAD_RANGE")
step("empty chunk", "UPLOAD_CHUNK", 27, {"uploadId": TEN_SHA, "offset": 5}, b"", error="BAD_RANGE")
step("negative offset", "UPLOAD_CHUNK", 28, {"uploadId": TEN_SHA, "offset": -1}, b"0", error="BAD_REQUEST")
step("deploy names an unfinished object", "DEPLOY", 29, {"bitstream": TEN_SHA, "hwh": TEN_SHA, "bundle": TEN_SHA}, error="NOT_CACHED")
step("resent overlapping chunk", "UPLOAD_CHUNK", 30, {"uploadId": TEN_SHA, "offset": 3}, TEN[3:10],
     expect_body={"uploadId": TEN_SHA, "offset": 3, "length": 7, "received": 10})
step("end verifies the hash", "UPLOAD_END", 31, {"uploadId": TEN_SHA}, expect_body={"sha256": TEN_SHA, "size": 10, "kind": "bundle"})
step("begin again: already cached", "UPLOAD_BEGIN", 32, {"kind": "bundle", "size": 10, "sha256": TEN_SHA},
     expect_body={"uploadId": TEN_SHA, "size": 10, "received": [[0, 10]], "complete": True})
bad = b"abcdefghij"
step("begin an upload whose declared hash is wrong", "UPLOAD_BEGIN", 33, {"kind": "hwh", "size": 10, "sha256": MISSING},
     expect_body={"uploadId": MISSING, "received": [], "complete": False})
step("its only chunk", "UPLOAD_CHUNK", 34, {"uploadId": MISSING, "offset": 0}, bad, expect_body={"received": 10})
step("end detects the hash mismatch", "UPLOAD_END", 35, {"uploadId": MISSING}, error="HASH_MISMATCH")
step("the failed upload is gone", "UPLOAD_STATUS", 36, {"uploadId": MISSING}, error="UNKNOWN_UPLOAD")
step("deploy with objects missing", "DEPLOY", 37, {"bitstream": MISSING, "hwh": TEN_SHA, "bundle": TEN_SHA}, error="NOT_CACHED")
step("activate an unknown deployment", "ACTIVATE", 38, {"deployId": "0" * 32}, error="UNKNOWN_DEPLOY")
step("infer with nothing deployed", "INFER", 39, {"inputs": []}, error="NOT_DEPLOYED")
step("mmio with nothing deployed", "MMIO_READ", 40, {"address": 0x80010000, "count": 1}, error="NOT_DEPLOYED")
step("buffer read with nothing deployed", "BUFFER_READ", 41, {"name": "input", "offset": 0, "length": 4}, error="NOT_DEPLOYED")
step("cancel an id that is not running", "CANCEL", 42, {"requestId": 7}, expect_body={"requestId": 7, "cancelled": False})
step("unknown message type", "PING", 43, {}, type_code=0x66, error="UNKNOWN_TYPE")
step("wrong field type", "UPLOAD_STATUS", 44, {"uploadId": 5}, error="BAD_REQUEST")
step("HELLO with an unsupported protocol", "HELLO", 45, {"client": "x", "protocol": 2}, error="UNSUPPORTED_VERSION")
step("a new HELLO starts a new session with the next nonce", "HELLO", 46, {"client": "cnna-conformance/1", "protocol": 1},
     expect_body={"nonce": NONCES[1]})
step("the new session is not authenticated", "INFO", 47, {}, error="AUTH_REQUIRED")
step("the old AUTH frame replayed with a fresh id fails (new nonce)", "AUTH", 48, {"clientNonce": CNONCE, "mac": good_mac}, error="AUTH_FAILED")

session = {
    "format": "cnna-protocol-session", "version": 1,
    "agent": {"token": TOKEN, "nonces": NONCES, "limits": {"maxFrame": 65536, "maxUpload": 1000000, "chunkSize": 4096},
              "cache": "empty"},
    "steps": steps,
}

HEADER = {"format": None, "version": 1, "generator": "test/vectors/protocol/generate.py", "spec": "docs/protocol.md",
          "defaults": {"maxFrame": MAX_FRAME}}


def write(name, fmt, key, items):
    doc = dict(HEADER, format=fmt)
    doc[key] = items
    with open(os.path.join(HERE, name), "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1, ensure_ascii=False)
        f.write("\n")


write("frames.json", "cnna-protocol-frames", "vectors", valid)
write("invalid.json", "cnna-protocol-invalid", "vectors", invalid)
with open(os.path.join(HERE, "session.json"), "w", encoding="utf-8") as f:
    json.dump(session, f, indent=1, ensure_ascii=False)
    f.write("\n")
print(f"wrote {len(valid)} valid frames, {len(invalid)} invalid streams, {len(steps)} session steps")
