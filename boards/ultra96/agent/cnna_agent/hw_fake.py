"""Test substitute for hw_pynq.py: the same thin interface over an in-memory "physical" address
space. It is the only stand-in in the agent, and only at the hardware layer.

load_overlay() behaves like PYNQ's Overlay: it needs the .hwh beside the .bit (same basename)
and reads it to find the engine. A write of CTRL.start to the engine's registers runs
`engine_model(hw, base_phys) -> (cycles, status)` (status 0 = ok, else contract.STATUS_NAMES);
the default model checks the bundle HEADER (opcode 15, magic 'CNNA', version 1) and reports 1000
cycles per descriptor, moving no data. Tests pass
their own model to check what the agent placed in DDR.
"""

import os
import struct
import threading

from . import contract as R
from .hwh_ranges import parse_hwh


def header_engine(hw, base):
    head = hw.mem_read(base, 64)
    opcode = head[R.HDR_OFF_OPCODE]
    version = struct.unpack_from("<H", head, R.HDR_OFF_VERSION)[0]
    magic = struct.unpack_from("<I", head, R.HDR_OFF_MAGIC)[0]
    count = struct.unpack_from("<I", head, R.HDR_OFF_COUNT)[0]
    if opcode != R.OPCODE_HEADER or magic != R.HEADER_MAGIC:
        return 0, R.STATUS_BAD_MAGIC
    if version != R.FORMAT_VERSION:
        return 0, R.STATUS_BAD_VERSION
    return 1000 * count, R.STATUS_NONE


def external_engine(cmd, scratch_dir):
    """An engine model run by another, long-lived program (tests: the TypeScript engine model).
    The DDR image from BASE to the end of its buffer goes to a file in `scratch_dir`; the program
    (started once, restarted if it died) gets the file's path as a stdin line, runs the
    descriptors on it in place and answers one stdout line {"cycles": n, "status": s}."""
    import json
    import subprocess

    state = {"proc": None}
    lock = threading.Lock()

    def model(hw, base):
        buf, off = hw._locate(base, 64)
        os.makedirs(scratch_dir, exist_ok=True)
        path = os.path.join(scratch_dir, "ddr-image.bin")
        with lock:
            with open(path, "wb") as f:
                f.write(buf.read(off, buf.size - off))
            p = state["proc"]
            if p is None or p.poll() is not None:
                p = state["proc"] = subprocess.Popen(list(cmd), stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
            p.stdin.write(path + "\n")
            p.stdin.flush()
            line = p.stdout.readline()
            if not line:
                raise RuntimeError("engine program exited (code %s)" % p.poll())
            out = json.loads(line)
            with open(path, "rb") as f:
                buf.write(off, f.read())
        if out.get("error"):
            hw.last_error = out["error"]
        return int(out["cycles"]), int(out["status"])
    return model


class FakeBuffer:
    def __init__(self, hw, phys, size):
        self.hw = hw
        self.physical_address = phys
        self.size = size
        self.data = bytearray(size)
        self.flushes = 0

    def write(self, offset, data):
        if offset < 0 or offset + len(data) > self.size:
            raise IndexError("write outside the buffer")
        self.data[offset:offset + len(data)] = data

    def read(self, offset, length):
        if offset < 0 or offset + length > self.size:
            raise IndexError("read outside the buffer")
        return bytes(self.data[offset:offset + length])

    def flush(self):
        self.flushes += 1

    def invalidate(self):
        pass

    def free(self):
        self.hw.buffers.pop(self.physical_address, None)


class FakeMmio:
    def __init__(self, hw, base, length):
        self.hw = hw
        self.base = base
        self.length = length

    def _check(self, offset):
        if offset < 0 or offset + 4 > self.length or offset % 4:
            raise IndexError("MMIO offset 0x%x outside the mapped 0x%x bytes" % (offset, self.length))

    def read(self, offset):
        self._check(offset)
        return self.hw.regs.get(self.base + offset, 0)

    def write(self, offset, value):
        self._check(offset)
        addr = self.base + offset
        self.hw.regs[addr] = value & 0xFFFFFFFF
        self.hw.mmio_log.append((addr, value & 0xFFFFFFFF))
        eb = self.hw.engine_base
        if eb is not None and addr == eb + R.CTRL and value & R.CTRL_START:
            self.hw.run_engine()


class FakeHardware:
    name = "fake"

    def __init__(self, engine_model=header_engine, board="ultra96v2", part="xczu3eg-sbva484-1-e", config_id=None,
                 engine_delay_s=0.0):
        self.engine_model = engine_model
        self.engine_delay_s = engine_delay_s
        self.board = board
        self.part = part
        self.buffers = {}
        self.regs = {}
        self.mmio_log = []
        self.next_phys = 0x10000000
        self.engine_base = None
        self.loaded = []
        self.config_id = config_id
        self.fail_loads = 0

    def load_overlay(self, bit_path):
        hwh_path = os.path.splitext(bit_path)[0] + ".hwh"
        if not os.path.isfile(bit_path) or not os.path.isfile(hwh_path):
            raise OSError("overlay %s needs %s beside it" % (bit_path, hwh_path))
        if self.fail_loads > 0:
            self.fail_loads -= 1
            raise OSError("fake bitstream download failure")
        with open(hwh_path, "rb") as f:
            info = parse_hwh(f.read())
        inst = info.find_engine(R.ENGINE_NAMES)
        self.engine_base = info.range_of(inst)[0] if inst else None
        self.regs = {}
        if self.engine_base is not None:
            self.regs[self.engine_base + R.CTRL] = R.CTRL_IDLE
            if self.config_id is not None:
                self.regs[self.engine_base + R.CONFIG_ID] = self.config_id & 0xFFFFFFFF
                self.regs[self.engine_base + R.CONFIG_ID_HI] = self.config_id >> 32
        self.loaded.append(bit_path)

    def allocate(self, nbytes):
        phys = self.next_phys
        self.next_phys += (nbytes + 0xFFF) & ~0xFFF
        buf = FakeBuffer(self, phys, nbytes)
        self.buffers[phys] = buf
        return buf

    def mmio(self, base, length):
        return FakeMmio(self, base, length)

    def _locate(self, phys, n):
        for b in self.buffers.values():
            if b.physical_address <= phys and phys + n <= b.physical_address + b.size:
                return b, phys - b.physical_address
        raise IndexError("physical range 0x%x+%d is not inside an allocated buffer" % (phys, n))

    def finish_engine(self):
        """Ends a delayed (engine_delay_s) run now."""
        ev = getattr(self, "finish", None)
        if ev is not None:
            ev.set()

    def mem_read(self, phys, n):
        b, off = self._locate(phys, n)
        return b.read(off, n)

    def mem_write(self, phys, data):
        b, off = self._locate(phys, len(data))
        b.write(off, data)

    def run_engine(self):
        eb = self.engine_base
        base = self.regs.get(eb + R.BASE_LO, 0) | (self.regs.get(eb + R.BASE_HI, 0) << 32)
        try:
            cycles, status = self.engine_model(self, base)
        except Exception as e:  # an access outside every buffer, or the engine program failed: AXI error
            self.last_error = "%s: %s" % (type(e).__name__, e)
            cycles, status = 0, 8
        self.regs[eb + R.CYCLES_LO] = cycles & 0xFFFFFFFF
        self.regs[eb + R.CYCLES_HI] = (cycles >> 32) & 0xFFFFFFFF
        self.regs[eb + R.STATUS] = status
        if self.engine_delay_s > 0:
            self.regs[eb + R.CTRL] = R.CTRL_BUSY
            self.finish = threading.Event()

            def later(ev=self.finish):
                ev.wait(self.engine_delay_s)
                self.regs[eb + R.CTRL] = R.CTRL_IDLE | R.CTRL_DONE
            threading.Thread(target=later, daemon=True).start()
        else:
            self.regs[eb + R.CTRL] = R.CTRL_IDLE | R.CTRL_DONE
