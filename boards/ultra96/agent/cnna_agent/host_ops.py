"""Host ops of a partitioned bundle (docs/bundle-format.md "Segments", rules in docs/numerics.md
"Host ops"), in pure Python on int16 tensors in ONNX element order (array('h')). The TypeScript
reference is sim/run-segments.ts with compiler/golden/fixed/ops/host-ops.ts.

Invariants: lut, mul, div and reshape give the same bits as the reference on every input (integer
arithmetic, table lookups and one IEEE division); softmax uses math.exp, which may differ from the
reference's exp in the last bit, so it can differ by one unit at a rounding tie. An exit's
confidence (exit_confidence) is the same float64 softmax rounded to float32, so it can differ from
the reference's only when a float32 rounding tie meets a threshold exactly.
"""
import math
import struct
from array import array

LUT_ENTRIES = 65536
OPS = ("lut", "softmax", "reshape", "mul", "div", "exit")


def _sat16(v):
    return 32767 if v > 32767 else -32768 if v < -32768 else v


def _quant(x, f):
    if x != x:  # NaN
        return 0
    if x in (math.inf, -math.inf):
        return 32767 if x > 0 else -32768
    return _sat16(math.floor(x * 2.0 ** f + 0.5))


def _f32(v):
    return struct.unpack("<f", struct.pack("<f", v))[0]


def check_op(op, tables, weights):
    """Validate one host op of the manifest (ValueError naming what is wrong); load its table."""
    kind = op.get("op")
    if kind not in OPS:
        raise ValueError("host op %r has kind %r; this agent runs %s" % (op.get("node"), kind, ", ".join(OPS)))
    for k in ("input", "output") + (("input2",) if kind in ("mul", "div") else ()):
        t = op[k]
        str(t["name"])
        [int(v) for v in t["shape"]]
        int(t["f"])
    if kind == "lut":
        off, n = int(op["table"]["offset"]), int(op["table"]["entries"])
        if n != LUT_ENTRIES or off < 0 or off + 2 * n > len(weights):
            raise ValueError("host op %r: its table (%d entries at params offset %d) is not in weights.bin" % (op.get("node"), n, off))
        if off not in tables:
            t = array("h")
            t.frombytes(weights[off:off + 2 * n])
            tables[off] = t


def _elements(t):
    n = 1
    for v in t["shape"]:
        n *= int(v)
    return n


def exit_confidence(raw, f):
    """An early exit's confidence: the largest softmax probability of its int16 logits (ONNX-order
    int16 LE bytes, f fractional bits), computed in float64 and rounded to float32 as the host tail
    rule (sim/run-segments.ts exitConfidence)."""
    a = array("h")
    a.frombytes(raw)
    s = 2.0 ** -f
    d = [v * s for v in a]
    m = max(d)
    tot = 0.0
    for v in d:
        tot += math.exp(v - m)
    return max(_f32(math.exp(v - m) / tot) for v in d)


def exit_reached(ops, values, threshold):
    """The exit op of a host segment (its output's name) whose confidence is at least `threshold`,
    or None (also when threshold is None: then an exit never stops the run)."""
    if threshold is None:
        return None
    for op in ops:
        if op["op"] == "exit" and exit_confidence(values[op["input"]["name"]], int(op["input"]["f"])) >= threshold:
            return op["input"]["name"]
    return None


def run_op(op, values, tables):
    """Apply one host op to `values` (name -> ONNX-order int16 LE bytes)."""
    def get(t):
        raw = values.get(t["name"])
        if raw is None or len(raw) != 2 * _elements(t):
            raise ValueError("host op %r reads %r, which no earlier segment wrote" % (op["node"], t["name"]))
        a = array("h")
        a.frombytes(raw)
        return a

    x = get(op["input"])
    kind = op["op"]
    fo = int(op["output"]["f"])
    if kind in ("reshape", "exit"):  # an exit passes its input on; exit_reached decides whether the run stops
        out = x
    elif kind == "lut":
        t = tables[int(op["table"]["offset"])]
        out = array("h", [t[v + 32768] for v in x])
    elif kind == "mul":
        y = get(op["input2"])
        s = int(op["input"]["f"]) + int(op["input2"]["f"]) - fo
        if s > 0:
            out = array("h", [_sat16((a * b + (1 << (s - 1))) >> s) for a, b in zip(x, y)])
        else:
            out = array("h", [_sat16((a * b) << -s) for a, b in zip(x, y)])
    elif kind == "div":
        y = get(op["input2"])
        sa, sb = 2.0 ** -int(op["input"]["f"]), 2.0 ** -int(op["input2"]["f"])
        res = []
        for a, b in zip(x, y):
            if b == 0:
                res.append(0 if a == 0 else 32767 if a > 0 else -32768)
            else:
                res.append(_quant((a * sa) / (b * sb), fo))
        out = array("h", res)
    else:  # softmax
        dims = [int(v) for v in op["input"]["shape"]]
        r = len(dims)
        ax = int(op["axis"]) + (r if int(op["axis"]) < 0 else 0)
        outer = 1
        for v in dims[:ax]:
            outer *= v
        if op.get("coerce2d"):
            n = 1
            for v in dims[ax:]:
                n *= v
            inner = 1
        else:
            n = dims[ax]
            inner = 1
            for v in dims[ax + 1:]:
                inner *= v
        s_in = 2.0 ** -int(op["input"]["f"])
        d = [v * s_in for v in x]
        res = [0] * len(d)
        for o in range(outer):
            for i in range(inner):
                base = o * n * inner + i
                idx = [base + k * inner for k in range(n)]
                m = max(d[j] for j in idx)
                tot = 0.0
                for j in idx:
                    tot += math.exp(d[j] - m)
                for j in idx:
                    res[j] = _quant(_f32(math.exp(d[j] - m) / tot), fo)
        out = array("h", res)
    values[op["output"]["name"]] = out.tobytes()
