"""Fuzz of the agent's receive path: 10,000 random and mutated frames through the serial and
TCP deframers and an authenticated session on hw_fake. No exception escapes, no INTERNAL
error, every answer is a well-formed response frame, no call takes long, memory stays bounded.
"Long" is CPU time of this thread (time.thread_time), not wall time, so a loaded machine that
deschedules the process cannot fail the test; the handlers are synchronous on this thread.
Memory is the growth of the process's peak resident set (ru_maxrss), which bounds every
allocation the run makes (Python objects, buffers, the allocator's own) at no cost per call."""

import json
import random
import resource
import shutil
import struct
import time
import unittest
import zlib

from helpers import MINI_HWH, load_vectors, make_agent, make_bit, make_bundle, sha

from cnna_agent.framing import SerialDeframer, TcpDeframer, serial_encode, tcp_encode
from cnna_agent.protocol import FLAG_RESPONSE, TYPES, decode_frame, encode_frame
from cnna_agent.session import Limits, Session, auth_mac

N_FRAMES = 10000
MAX_FRAME = 1 << 16
FIELDS = ["client", "protocol", "clientNonce", "mac", "kind", "size", "sha256", "uploadId", "offset", "bitstream",
          "hwh", "bundle", "deployId", "inputs", "name", "dtype", "shape", "length", "address", "count", "values",
          "requestId", "timeoutMs", "x"]


def seeds():
    out = [bytes.fromhex(v["raw"]) for v in load_vectors("frames.json")["vectors"] if v["frame"]["flags"] == 0]
    out += [bytes.fromhex(s["raw"]) for s in load_vectors("session.json")["steps"]]
    return out


def rand_value(r, depth=0):
    k = r.randrange(9 if depth < 3 else 6)
    if k == 0:
        return r.randrange(-5, 70000)
    if k == 1:
        return r.choice([0, 1, -1, 2 ** 32, 2 ** 53 - 1, -(2 ** 53 - 1), 4096, 0x43C00000, 0x40000000])
    if k == 2:
        return "".join(r.choice("0123456789abcdef./\\x\u00e9") for _ in range(r.choice([0, 1, 32, 64, 65, 300])))
    if k == 3:
        return r.choice([True, False, None])
    if k == 4:
        return r.choice(["bundle", "hwh", "bitstream", "int16", "input", "bundle", "../../etc/passwd", "a" * 64])
    if k == 5:
        return "%064x" % r.getrandbits(256)
    if k == 6:
        return [rand_value(r, depth + 1) for _ in range(r.randrange(4))]
    return {r.choice(FIELDS): rand_value(r, depth + 1) for _ in range(r.randrange(4))}


def with_crc(data):
    return data + struct.pack("<I", zlib.crc32(data) & 0xFFFFFFFF)


def mutate(r, data, next_id):
    d = bytearray(data)
    op = r.randrange(9)
    if op == 0 and d:
        for _ in range(r.randrange(1, 4)):
            i = r.randrange(len(d))
            d[i] ^= 1 << r.randrange(8)
        return bytes(d)
    if op == 1:
        return bytes(d[:r.randrange(len(d) + 1)])
    if op == 2:
        i = r.randrange(len(d) + 1)
        return bytes(d[:i] + bytes(r.getrandbits(8) for _ in range(r.randrange(1, 40))) + d[i:])
    if op == 3 and len(d) > 2:
        i = r.randrange(len(d) - 1)
        return bytes(d[:i] + d[i + r.randrange(1, min(30, len(d) - i)):])
    if op == 4:
        return bytes(d) + bytes(d[:r.randrange(len(d) + 1)])
    # valid-CRC mutations reach the JSON parser and the handlers
    if len(d) < 16:
        return bytes(d)
    body = d[:-4]
    struct.pack_into("<I", body, 4, next_id)
    if op == 5 and len(body) > 16:
        i = r.randrange(16, len(body))
        body[i] = r.getrandbits(8)
    elif op == 6:
        body[1] = r.choice(list(TYPES.values()) + [0, 0x66, 0xFF])
    elif op == 7:
        struct.pack_into("<I", body, 8, r.choice([0, 3, len(body) - 12, len(body), 2 ** 32 - 1]))
    return with_crc(bytes(body))


def random_frame(r, next_id):
    k = r.randrange(3)
    if k == 0:
        return bytes(r.getrandbits(8) for _ in range(r.randrange(0, 200)))
    body = {r.choice(FIELDS): rand_value(r) for _ in range(r.randrange(6))}
    blob = bytes(r.getrandbits(8) for _ in range(r.choice([0, 1, 10, 5000])))
    type_code = r.choice(list(TYPES.values()))
    return encode_frame(type_code, next_id if k == 1 else r.getrandbits(32), body, blob, r.choice([0, 0, 0, 1, 2]))


class FuzzTest(unittest.TestCase):
    def test_random_and_mutated_frames(self):
        r = random.Random(20261129)
        agent, cache_dir = make_agent(token="fuzz-token", max_upload=1 << 20, fsync=False)
        self.addCleanup(shutil.rmtree, cache_dir, True)
        limits = Limits(max_frame=MAX_FRAME, max_upload=1 << 20, chunk_size=4096)
        def login():
            s = Session(agent, limits, lambda: b"\x00" * 16)
            s.handle(encode_frame(TYPES["HELLO"], 1, {"client": "fuzz", "protocol": 1}))
            mac = auth_mac(b"fuzz-token", b"\x00" * 16, b"\x01" * 16)
            self.assertEqual(decode_frame(s.handle(encode_frame(TYPES["AUTH"], 2, {"clientNonce": "01" * 16, "mac": mac}))[0],
                                          1 << 20, False).type, TYPES["AUTH"])
            return s

        s = login()
        relogins = 0
        # give the handlers something to act on: an active deployment
        with open(MINI_HWH, "rb") as f:
            hwh = f.read()
        bit, bundle = make_bit(), make_bundle()
        rid = 3
        for kind, data in (("bitstream", bit), ("hwh", hwh), ("bundle", bundle)):
            for name, body, blob in (("UPLOAD_BEGIN", {"kind": kind, "size": len(data), "sha256": sha(data)}, b""),
                                     ("UPLOAD_CHUNK", {"uploadId": sha(data), "offset": 0}, data),
                                     ("UPLOAD_END", {"uploadId": sha(data)}, b"")):
                for off in (range(0, len(data), 4096) if name == "UPLOAD_CHUNK" else [0]):
                    if name == "UPLOAD_CHUNK":
                        body, blob = {"uploadId": sha(data), "offset": off}, data[off:off + 4096]
                    s.handle(encode_frame(TYPES[name], rid, body, blob))
                    rid += 1
        dep = decode_frame(s.handle(encode_frame(TYPES["DEPLOY"], rid, {"bitstream": sha(bit), "hwh": sha(hwh), "bundle": sha(bundle)}))[0], 1 << 20, False)
        s.handle(encode_frame(TYPES["ACTIVATE"], rid + 1, {"deployId": dep.body["deployId"]}))
        self.assertIsNotNone(agent.deployer.active)
        next_id = rid + 10

        pool = seeds()
        serial = SerialDeframer(MAX_FRAME)
        tcp = TcpDeframer(MAX_FRAME)
        codes = {}
        slowest = 0.0
        rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        t_all = time.monotonic()
        for i in range(N_FRAMES):
            next_id += 1
            raw = random_frame(r, next_id) if i % 4 == 0 else mutate(r, r.choice(pool), next_id)
            t0 = time.thread_time()
            out = s.handle(raw)
            for enc, deframer in ((serial_encode(raw) if i % 2 else raw + b"\x00", serial), (tcp_encode(raw), tcp)):
                for kind, value in deframer.feed(enc):
                    if kind == "frame":
                        out += s.handle(value)
            if tcp.closed:
                tcp = TcpDeframer(MAX_FRAME)
            if s.closed or not s.authed:
                s = login()
                relogins += 1
            slowest = max(slowest, time.thread_time() - t0)
            self.assertLessEqual(len(serial.buf), serial.max_encoded)
            self.assertLessEqual(len(tcp.buf), 4 + MAX_FRAME)
            for resp in out:
                f = decode_frame(resp, 1 << 22, to_agent=False)
                self.assertEqual(f.flags, FLAG_RESPONSE)
                if f.type == TYPES["ERROR"]:
                    codes[f.body["code"]] = codes.get(f.body["code"], 0) + 1
                    self.assertNotEqual(f.body["code"], "INTERNAL", f.body["message"])
                else:
                    codes["ok:" + f.type_name] = codes.get("ok:" + f.type_name, 0) + 1
            if i % 500 == 0 and (raw := mutate(r, r.choice(pool), next_id)):
                pool.append(raw)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - rss0
        elapsed = time.monotonic() - t_all
        print("\nfuzz: %d frames in %.1f s, slowest call %.1f ms CPU, peak RSS %.1f MB (%.1f MB above the start), %d re-logins; outcomes %s"
              % (N_FRAMES, elapsed, slowest * 1000, (rss0 + peak) / 1e6, peak / 1e6, relogins, json.dumps(dict(sorted(codes.items())))))
        self.assertLess(slowest, 5.0)
        self.assertLess(peak, 64 * 1024 * 1024)
        for code in ("BAD_CRC", "TRUNCATED", "BAD_FRAME", "UNKNOWN_TYPE", "REPLAYED", "BAD_REQUEST"):
            self.assertGreater(codes.get(code, 0), 10, code)
        self.assertGreater(sum(v for k, v in codes.items() if k.startswith("ok:")), 100)


if __name__ == "__main__":
    unittest.main()
