"""Reads a program bundle (docs/bundle-format.md) from its single-file form and converts tensors
between the ONNX order the protocol carries and the engine's NCHW16c DDR layout.

Invariants: load_bundle() raises ValueError naming the field for anything it cannot trust
(bad magic, a file whose sha256 differs from the manifest, a region outside ddrBytes); the
DDR image it builds is exactly ddrBytes long with descriptors and weights at their offsets.
"""

import hashlib
import json
import struct
from array import array

from .host_ops import check_op
from .contract import ARCHIVE_MAGIC, FORMAT_NAME, FORMAT_VERSION, HDR_OFF_MAGIC, HDR_OFF_OPCODE, HEADER_MAGIC, MAX_BUNDLE_BATCH, OPCODE_HEADER

MAX_FILES = 64


def read_archive(data):
    """Single-file form: magic(8) | u32 count | count x (u16 nameLen, name, u64 offset, u64 size) | bytes.
    PROVISIONAL until compiler/backend/bundle-archive.ts fixes the layout."""
    mv = memoryview(data)
    if bytes(mv[:8]) != ARCHIVE_MAGIC:
        raise ValueError("not a cnna bundle archive (magic %r)" % bytes(mv[:8]))
    if len(data) < 12:
        raise ValueError("bundle archive truncated in its index")
    (count,) = struct.unpack_from("<I", data, 8)
    if count > MAX_FILES:
        raise ValueError("bundle archive lists %d files, above %d" % (count, MAX_FILES))
    files = {}
    pos = 12
    for _ in range(count):
        if pos + 2 > len(data):
            raise ValueError("bundle archive truncated in its index")
        (nl,) = struct.unpack_from("<H", data, pos)
        pos += 2
        if pos + nl + 16 > len(data):
            raise ValueError("bundle archive truncated in its index")
        name = bytes(mv[pos:pos + nl]).decode("utf-8")
        pos += nl
        off, size = struct.unpack_from("<QQ", data, pos)
        pos += 16
        if off + size > len(data):
            raise ValueError("bundle file %s [%d, +%d) runs past the archive end" % (name, off, size))
        files[name] = bytes(mv[off:off + size])
    return files


def write_archive(files):
    names = list(files)
    index = bytearray(ARCHIVE_MAGIC + struct.pack("<I", len(names)))
    head = len(index) + sum(2 + len(n.encode("utf-8")) + 16 for n in names)
    off = head
    for n in names:
        nb = n.encode("utf-8")
        index += struct.pack("<H", len(nb)) + nb + struct.pack("<QQ", off, len(files[n]))
        off += len(files[n])
    return bytes(index) + b"".join(files[n] for n in names)


class TensorSpec:
    def __init__(self, t, pi, ddr_bytes):
        lay = t["layout"]
        self.name = str(t["name"])
        self.shape = [int(v) for v in t["shape"]]
        self.f = int(t["f"])
        self.pi = pi
        self.offset = int(lay["offset"])
        self.c, self.h, self.w, self.cg = (int(lay[k]) for k in ("c", "h", "w", "cg"))
        self.row_stride = int(lay.get("rowStride", self.w * 2 * pi))
        self.cg_stride = int(lay.get("cgStride", self.h * self.row_stride))
        # a batch bundle: image n's copy is at offset + n * image_stride (load_bundle checks the last one fits)
        self.image_stride = int(lay.get("imageStride", 0))
        n = 1
        for v in self.shape:
            n *= v
        if n != self.c * self.h * self.w:
            raise ValueError("tensor %s: shape %s does not hold c*h*w = %d elements" % (self.name, self.shape, self.c * self.h * self.w))
        if self.cg * pi < self.c or self.offset < 0 or self.offset + self.region_bytes > ddr_bytes:
            raise ValueError("tensor %s: layout outside the %d-byte DDR image" % (self.name, ddr_bytes))
        self.elements = n
        self.exit = False  # a graph output that an early exit (an `exit` host op) names

    @property
    def region_bytes(self):
        return self.cg * self.cg_stride

    def describe(self):
        d = {"name": self.name, "dtype": "int16", "shape": self.shape, "f": self.f}
        if self.exit:
            d["exit"] = True
        return d

    def to_device(self, raw):
        """ONNX-order int16 LE bytes -> the NCHW16c region bytes (padding channels zero)."""
        src = array("h")
        src.frombytes(raw)
        dst = array("h", bytes(self.region_bytes))
        pi, h, w = self.pi, self.h, self.w
        rs, cs = self.row_stride // 2, self.cg_stride // 2
        for c in range(self.c):
            base = (c // pi) * cs + (c % pi)
            for y in range(h):
                k = (c * h + y) * w
                s = base + y * rs
                dst[s:s + w * pi:pi] = src[k:k + w]
        return dst.tobytes()

    def from_device(self, region):
        src = array("h")
        src.frombytes(region)
        out = array("h", bytes(2 * self.elements))
        pi, h, w = self.pi, self.h, self.w
        rs, cs = self.row_stride // 2, self.cg_stride // 2
        for c in range(self.c):
            base = (c // pi) * cs + (c % pi)
            for y in range(h):
                k = (c * h + y) * w
                s = base + y * rs
                out[k:k + w] = src[s:s + w * pi:pi]
        return out.tobytes()


class Bundle:
    def __init__(self, manifest, image, inputs, outputs):
        self.manifest = manifest
        self.image = image
        self.inputs = inputs
        self.outputs = outputs
        self.ddr_bytes = len(image)
        self.config_hash = manifest.get("configHash")
        self.segments = None
        self.batch = 1  # images one start runs (manifest.batch)


def load_bundle(data):
    files = read_archive(data)
    if "manifest.json" not in files:
        raise ValueError("bundle archive has no manifest.json")
    try:
        m = json.loads(files["manifest.json"].decode("utf-8"))
    except ValueError as e:
        raise ValueError("manifest.json is not JSON: %s" % e) from None
    if not isinstance(m, dict) or m.get("format") != FORMAT_NAME or m.get("version") != FORMAT_VERSION:
        raise ValueError("manifest.json is not a %s version %d manifest" % (FORMAT_NAME, FORMAT_VERSION))
    try:
        for name, digest in m["files"].items():
            if name not in files:
                raise ValueError("bundle file %s listed in the manifest is missing" % name)
            if hashlib.sha256(files[name]).hexdigest() != digest:
                raise ValueError("bundle file %s does not match its sha256 in the manifest" % name)
        ddr = int(m["memoryMap"]["ddrBytes"])
        if not 64 <= ddr <= 1 << 31:
            raise ValueError("memoryMap.ddrBytes = %d is out of range" % ddr)
        pi = int(m["hwConfig"]["array"]["pi"])
        image = bytearray(ddr)
        for key in ("descriptors", "params"):
            sec = m[key]
            blob = files.get(sec["file"])
            if blob is None:
                raise ValueError("bundle file %s (%s) is missing" % (sec["file"], key))
            off = int(sec["offset"])
            if off < 0 or off + len(blob) > ddr:
                raise ValueError("%s [%d, +%d) is outside ddrBytes %d" % (key, off, len(blob), ddr))
            image[off:off + len(blob)] = blob
        opcode = image[HDR_OFF_OPCODE]
        magic = struct.unpack_from("<I", image, HDR_OFF_MAGIC)[0]
        if opcode != OPCODE_HEADER or magic != HEADER_MAGIC:
            raise ValueError("descriptor 0 is not a HEADER record (opcode %d, magic 0x%08x)" % (opcode, magic))
        inputs = [TensorSpec(t, pi, ddr) for t in m["inputs"]]
        outputs = [TensorSpec(t, pi, ddr) for t in m["outputs"]]
        segments = None
        if m.get("segments") is not None:
            # A partitioned bundle: engine segments (each a program at its own HEADER) and host ops.
            segments = []
            tables = {}
            weights = files[m["params"]["file"]]
            for s in m["segments"]:
                if s["kind"] == "engine":
                    at = 64 * int(s["header"])
                    if at + 64 * (int(s["count"]) + 1) > int(m["params"]["offset"]) or image[at + HDR_OFF_OPCODE] != OPCODE_HEADER \
                            or struct.unpack_from("<I", image, at + HDR_OFF_MAGIC)[0] != HEADER_MAGIC:
                        raise ValueError("engine segment at record %d does not start with a HEADER record" % int(s["header"]))
                    segments.append(EngineSegment(at, [TensorSpec(t, pi, ddr) for t in s["inputs"]], [TensorSpec(t, pi, ddr) for t in s["outputs"]]))
                elif s["kind"] == "host":
                    for op in s["ops"]:
                        check_op(op, tables, weights)
                    segments.append(HostSegment(list(s["ops"]), tables))
                else:
                    raise ValueError("segment kind %r is neither engine nor host" % s["kind"])
    except (KeyError, TypeError, AttributeError) as e:
        raise ValueError("manifest.json lacks or mistypes %s" % e) from None
    if not inputs or not outputs:
        raise ValueError("the bundle declares no inputs or no outputs")
    batch = m.get("batch", 1)
    if not isinstance(batch, int) or isinstance(batch, bool) or not 1 <= batch <= MAX_BUNDLE_BATCH:
        raise ValueError("manifest batch %r is not an integer in 1..%d" % (batch, MAX_BUNDLE_BATCH))
    if batch > 1:
        if segments is not None:
            raise ValueError("a batch bundle (batch %d) cannot have segments" % batch)
        for spec in inputs + outputs:
            if spec.image_stride < spec.region_bytes or spec.offset + (batch - 1) * spec.image_stride + spec.region_bytes > ddr:
                raise ValueError("tensor %s: imageStride %d does not hold %d images of %d bytes inside the %d-byte DDR image"
                                 % (spec.name, spec.image_stride, batch, spec.region_bytes, ddr))
    exits = {op["input"]["name"] for s in segments or () if s.kind == "host" for op in s.ops if op["op"] == "exit"}
    for spec in outputs:
        spec.exit = spec.name in exits
    b = Bundle(m, bytes(image), inputs, outputs)
    b.segments = segments
    b.batch = batch
    return b


class EngineSegment:
    """One engine program of a partitioned bundle: the engine runs it with BASE = image + offset."""
    kind = "engine"

    def __init__(self, offset, inputs, outputs):
        self.offset = offset
        self.inputs = inputs
        self.outputs = outputs


class HostSegment:
    """Host ops between engine segments (host_ops.py)."""
    kind = "host"

    def __init__(self, ops, tables):
        self.ops = ops
        self.tables = tables
