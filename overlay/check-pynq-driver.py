"""Drives the PYNQ driver that cnna overlay generated against the board agent's substituted hardware
layer (hw_fake: the same interface as hw_pynq, over an in-memory address space), through the agent's
own driver loader. Prints what it observed as one JSON line; overlay/overlay.test.ts checks it.

Usage: python3 check-pynq-driver.py PYNQ_DIR AGENT_DIR OVERLAY.bit   (the .hwh beside the .bit)
"""

import json
import os
import shutil
import struct
import sys
import tempfile

pynq_dir, agent_dir, bit = sys.argv[1:4]
sys.path.insert(0, agent_dir)
from cnna_agent import contract as R  # noqa: E402
from cnna_agent.hw_fake import FakeHardware  # noqa: E402
from cnna_agent.overlay_driver import find_installed, load_driver  # noqa: E402

drv = load_driver(pynq_dir)
none_installed = find_installed() is None
sys.path.insert(0, pynq_dir)
found = find_installed()
out = {"vlnv": drv.VLNV, "configHash": drv.CONFIG_HASH, "clockMhz": drv.CLOCK_MHZ, "registers": drv.REGISTERS,
       "installed": [none_installed, found is not None and found.VLNV == drv.VLNV and found.CONFIG_HASH == drv.CONFIG_HASH],
       "span": drv.REGISTER_SPAN, "base": drv.REGISTER_BASE, "overlayClass": hasattr(drv, "CnnaOverlay")}
tmp = tempfile.mkdtemp(prefix="cnna-driver-")
try:
    shutil.copy(bit, os.path.join(tmp, "overlay.bit"))
    shutil.copy(os.path.splitext(bit)[0] + ".hwh", os.path.join(tmp, "overlay.hwh"))
    hw = FakeHardware(config_id=int(drv.CONFIG_HASH, 16))
    hw.load_overlay(os.path.join(tmp, "overlay.bit"))
    out["engineBase"] = hw.engine_base
    eng = drv.EngineControl(hw.mmio(hw.engine_base, drv.REGISTER_SPAN))
    out["configId"] = eng.config_id()
    eng.check_config(drv.CONFIG_HASH)
    try:
        eng.check_config("0123456789abcdef")
    except drv.EngineError as e:
        out["mismatch"] = str(e)
    buf = hw.allocate(4096)
    head = bytearray(64)
    head[R.HDR_OFF_OPCODE] = R.OPCODE_HEADER
    struct.pack_into("<H", head, R.HDR_OFF_VERSION, R.FORMAT_VERSION)
    struct.pack_into("<I", head, R.HDR_OFF_MAGIC, R.HEADER_MAGIC)
    struct.pack_into("<I", head, R.HDR_OFF_COUNT, 3)
    buf.write(0, bytes(head))
    out["bufferPhys"] = buf.physical_address
    del hw.mmio_log[:]
    r = eng.run(buf.physical_address)
    out["run"] = {k: r[k] for k in ("cycles", "status", "timeNs")}
    out["writes"] = [[a - hw.engine_base, v] for a, v in hw.mmio_log]
    buf.write(0, bytes(64))
    try:
        eng.run(buf.physical_address)
    except drv.EngineError as e:
        out["badMagic"] = str(e)
finally:
    shutil.rmtree(tmp, ignore_errors=True)
print(json.dumps(out))
