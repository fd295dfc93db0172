"""Shared test setup: repository paths and an agent over hw_fake in a temporary cache."""

import json
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
AGENT_DIR = os.path.dirname(HERE)
REPO = os.path.abspath(os.path.join(AGENT_DIR, "..", "..", ".."))
VECTORS = os.path.join(REPO, "test", "vectors", "protocol")
MINI_HWH = os.path.join(REPO, "host", "hwh", "fixtures", "mini-z7.hwh")
SHARED = os.environ.get("CNNA_SHARED") or os.path.join(REPO, "..", "shared")
REAL_HWH = os.path.join(SHARED, "fixtures", "ultra96_cnna16_172mhz.hwh")
if AGENT_DIR not in sys.path:
    sys.path.insert(0, AGENT_DIR)

from cnna_agent.cache import ContentCache  # noqa: E402
from cnna_agent.deploy import Deployer  # noqa: E402
from cnna_agent.hw_fake import FakeHardware  # noqa: E402
from cnna_agent.session import Agent, Limits, Session  # noqa: E402


def load_vectors(name):
    with open(os.path.join(VECTORS, name), "r", encoding="utf-8") as f:
        return json.load(f)


def make_bit(body=b"\x01" * 100):
    """A bitstream file with a valid Xilinx .bit header (DEPLOY checks it) around `body`."""
    from cnna_agent.bitstream import encode_bitstream
    return encode_bitstream("cnna_test", "xczu3eg-sbva484-1-e", body)


def make_agent(token="test-token-1234", max_upload=1 << 24, hw=None, cache_dir=None, fsync=True):
    cache_dir = cache_dir or tempfile.mkdtemp(prefix="cnna-agent-test-")
    hw = hw or FakeHardware()
    cache = ContentCache(cache_dir, max_upload, fsync=fsync)
    deployer = Deployer(hw, cache)
    return Agent(hw, cache, deployer, token), cache_dir


def nonces_from(hex_list):
    it = iter(hex_list)
    return lambda: bytes.fromhex(next(it))


def subset(expected, actual):
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(k in actual and subset(v, actual[k]) for k, v in expected.items())
    return expected == actual


# -- a small bundle in the single-file form, built from docs/bundle-format.md by hand -------
import hashlib  # noqa: E402
import struct  # noqa: E402

from cnna_agent.bundle import write_archive  # noqa: E402

PI = 16
IN_OFF = 8192     # input tensor [1, 3, 4, 5] as NCHW16c: cg 1, rowStride 5*32, cgStride 4*160
OUT_OFF = 12288   # output tensor [1, 10] ("vector"): c 10, h = w = 1, one 32-byte entry
DDR = 16384


def header_record(count, ddr, config_hash="0123456789abcdef"):
    h = int(config_hash, 16)
    rec = bytearray(64)
    rec[0] = 15
    struct.pack_into("<HIII", rec, 2, 1, 0x414E4E43, count, ddr)
    struct.pack_into("<II", rec, 16, h & 0xFFFFFFFF, h >> 32)
    return bytes(rec)


def make_bundle(weights=bytes(range(250)) * 24, ddr=DDR, extra=None):
    descriptors = header_record(1, ddr) + bytes([1, 4]) + bytes(62)  # one JOB with LAST
    manifest = {
        "format": "cnna-bundle", "version": 1, "model": "agent-test", "configHash": "0123456789abcdef",
        "hwConfig": {"array": {"pi": PI, "po": PI}},
        "memoryMap": {"ddrBytes": ddr, "regions": []},
        "descriptors": {"file": "descriptors.bin", "offset": 0, "count": 1},
        "params": {"file": "weights.bin", "offset": 1024, "size": len(weights)},
        "inputs": [{"name": "image", "shape": [1, 3, 4, 5], "f": 14, "order": "nchw",
                    "layout": {"offset": IN_OFF, "c": 3, "h": 4, "w": 5, "cg": 1, "rowStride": 160, "cgStride": 640}}],
        "outputs": [{"name": "logits", "shape": [1, 10], "f": 11, "order": "vector",
                     "layout": {"offset": OUT_OFF, "c": 10, "h": 1, "w": 1, "cg": 1, "rowStride": 32, "cgStride": 32}}],
        "layers": [],
        "files": {"descriptors.bin": hashlib.sha256(descriptors).hexdigest(), "weights.bin": hashlib.sha256(weights).hexdigest()},
    }
    manifest.update(extra or {})
    files = {"manifest.json": json.dumps(manifest).encode("utf-8"), "descriptors.bin": descriptors, "weights.bin": weights}
    return write_archive(files)


def probe_engine(hw, base):
    """Test engine model, written from the layout formula of docs/bundle-format.md: lane 0 =
    X(c=2, y=3, x=4), lane 1 = X(c=1, y=0, x=2), lane m >= 2 = m * (sum of all 60 inputs), wrapped
    to int16. Cycles = 4242."""
    def x(c, y, xx):
        addr = base + IN_OFF + (c // PI) * 640 + y * 160 + xx * 2 * PI + 2 * (c % PI)
        return struct.unpack("<h", hw.mem_read(addr, 2))[0]
    total = sum(x(c, y, xx) for c in range(3) for y in range(4) for xx in range(5))
    pad = sum(struct.unpack("<h", hw.mem_read(base + IN_OFF + y * 160 + xx * 32 + 2 * c, 2))[0]
              for c in range(3, PI) for y in range(4) for xx in range(5))
    lanes = [x(2, 3, 4), x(1, 0, 2)] + [((m * total + pad + 32768) % 65536) - 32768 for m in range(2, PI)]
    hw.mem_write(base + OUT_OFF, struct.pack("<16h", *lanes))
    return 4242, 0


def sha(data):
    return hashlib.sha256(data).hexdigest()
