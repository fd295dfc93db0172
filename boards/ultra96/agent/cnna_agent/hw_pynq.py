"""The ONE module that touches PYNQ (Overlay, allocate, MMIO). Everything above it uses only
this thin interface, which hw_fake.py implements for tests:

  hw.name, hw.board, hw.part
  hw.load_overlay(bit_path)   -> None   (the .hwh must sit beside the .bit, same basename; with the
                                         driver cnna overlay generates, through its CnnaOverlay class)
  hw.allocate(nbytes)         -> Buffer (physical_address, size, write, read, flush, invalidate, free)
  hw.mmio(base, length)       -> Mmio   (read(offset) -> int, write(offset, value))

pynq (and numpy) are imported lazily, so the agent's protocol layer runs without them.
"""


class PynqBuffer:
    def __init__(self, arr):
        self.arr = arr
        self.size = int(arr.nbytes)
        self.physical_address = int(getattr(arr, "device_address", None) or arr.physical_address)

    def write(self, offset, data):
        import numpy as np
        self.arr[offset:offset + len(data)] = np.frombuffer(bytes(data), dtype=np.uint8)

    def read(self, offset, length):
        return self.arr[offset:offset + length].tobytes()

    def flush(self):
        self.arr.flush()

    def invalidate(self):
        self.arr.invalidate()

    def free(self):
        self.arr.freebuffer()


class PynqMmio:
    def __init__(self, mmio):
        self.m = mmio

    def read(self, offset):
        return int(self.m.read(offset)) & 0xFFFFFFFF

    def write(self, offset, value):
        self.m.write(offset, int(value) & 0xFFFFFFFF)


class PynqHardware:
    name = "pynq"

    def __init__(self, board="ultra96v2", part="xczu3eg-sbva484-1-e", driver=None):
        import pynq  # noqa: F401  (fails here, clearly, when not on a PYNQ image)
        self.pynq = pynq
        self.board = board
        self.part = part
        self.overlay = None
        self.driver = driver  # the module overlay_driver.load_driver returned, or None

    def load_overlay(self, bit_path):
        overlay_class = getattr(self.driver, "CnnaOverlay", None) if self.driver is not None else None
        self.overlay = (overlay_class or self.pynq.Overlay)(bit_path)

    def allocate(self, nbytes):
        return PynqBuffer(self.pynq.allocate(shape=(nbytes,), dtype="u1"))

    def mmio(self, base, length):
        return PynqMmio(self.pynq.MMIO(base, length))
