"""The engine's AXI-Lite register map, as the agent drives it (H4b's RTL, docs/engine.md "RTL").
This is the only file that holds the offsets.

Invariants: offsets are bytes from the engine's base address in the .hwh; registers are 32 bit;
DONE is sticky until the next start; STATUS is 0 after a good run, else an error code below.
"""

CTRL = 0x00          # W: bit0 start (ignored while busy). R: bit0 busy, bit1 done, bit2 idle
CTRL_START = 1 << 0
CTRL_BUSY = 1 << 0
CTRL_DONE = 1 << 1
CTRL_IDLE = 1 << 2
IRQ_EN = 0x04
ISR = 0x08           # bit0 done (write 1 to clear)
BASE_LO = 0x10       # physical address of the bundle image (descriptor 0 = HEADER)
BASE_HI = 0x14
CONFIG_ID = 0x18     # config hash bits 31:0
CONFIG_ID_HI = 0x1C  # config hash bits 63:32
CYCLES_LO = 0x20     # engine cycles from start to done
CYCLES_HI = 0x24
STATUS = 0x28
STALLS = 0x2C
MAC_BUSY = 0x30
JOBS = 0x34
RD_BEATS = 0x38
WR_BEATS = 0x3C
SPAN = 0x40          # bytes of register space the agent maps

STATUS_NAMES = {
    0: "OK", 1: "BAD_MAGIC", 2: "BAD_VERSION", 3: "CONFIG_MISMATCH", 4: "BAD_OPCODE",
    5: "INPUT_BANK", 6: "WEIGHT_BANK", 7: "ZERO_DIM", 8: "AXI",
}

ENGINE_NAMES = ("cnna", "cnna_top", "cnna_0")  # MODTYPE, VLNV name or INSTANCE of the engine in the .hwh
