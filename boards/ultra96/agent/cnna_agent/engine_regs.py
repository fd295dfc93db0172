"""The engine's AXI-Lite register map, as the agent drives it. PROVISIONAL until docs/engine.md
(H4a/H4b) publishes the real map; this is the only file to change when it does.

Invariants: offsets are bytes from the engine's base address in the .hwh; registers are 32 bit.
"""

CTRL = 0x00          # bit0 start (write 1), bit1 done (read, sticky until the next start), bit2 idle
CTRL_START = 1 << 0
CTRL_DONE = 1 << 1
CTRL_IDLE = 1 << 2
CTRL_ERROR = 1 << 3  # the engine refused the bundle (header magic/version/config hash)
BASE_LO = 0x10       # physical address of the bundle image (descriptor 0 = HEADER)
BASE_HI = 0x14
CONFIG_ID = 0x18     # low 32 bits of the config hash the bitstream was built for
CYCLES_LO = 0x20     # engine cycles from start to done
CYCLES_HI = 0x24
SPAN = 0x30          # bytes of register space the agent maps

ENGINE_NAMES = ("cnna",)  # MODTYPE or VLNV name of the engine IP in the .hwh
