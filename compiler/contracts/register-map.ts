// The engine's control interface: the AXI4-Lite register map, the bit fields of CTRL / IRQ_EN / ISR,
// and the status codes the STATUS register reports. This file is the one definition; the RTL package
// (gen-sv-package.ts), the C++ header (gen-hls-header.ts, used by the Verilator harness), the board
// agent's Python module (gen-python-contract.ts) and the tables of docs/engine.md (gen-doc-tables.ts)
// are generated from it.
//
// Invariants:
//  - registers are 32 bit and word aligned; offsets are bytes from the engine's base address and all
//    lie below REG_SPAN;
//  - status codes are small non-negative integers, 0 = ok, unique; the engine stops at the first one.

/** Byte offsets of the registers. */
export const Reg = {
  CTRL: 0x00,
  IRQ_EN: 0x04,
  ISR: 0x08,
  BASE_LO: 0x10,
  BASE_HI: 0x14,
  CONFIG_ID: 0x18,
  CONFIG_ID_HI: 0x1c,
  CYCLES_LO: 0x20,
  CYCLES_HI: 0x24,
  STATUS: 0x28,
  STALLS: 0x2c,
  MAC_BUSY: 0x30,
  JOBS: 0x34,
  RD_BEATS: 0x38,
  WR_BEATS: 0x3c,
} as const;
export type RegName = keyof typeof Reg;

/** Bytes of register space (the agent maps this much; the slave decodes this many address bits). */
export const REG_SPAN = 0x40;

export type RegAccess = 'R' | 'RW' | 'R/W1C' | 'R/W';

/** What each register holds (the docs table and the generated comments). */
export const REG_DOCS: Record<RegName, { access: RegAccess; doc: string }> = {
  CTRL: { access: 'R/W', doc: 'W: bit0 start (ignored while busy). R: bit0 busy, bit1 done (sticky until the next start), bit2 idle' },
  IRQ_EN: { access: 'RW', doc: 'bit0: raise `irq_o` on done' },
  ISR: { access: 'R/W1C', doc: 'bit0 done pending; write 1 to clear' },
  BASE_LO: { access: 'RW', doc: 'bundle base address, bits 31:0 (descriptors at BASE; every descriptor address is an offset from it)' },
  BASE_HI: { access: 'RW', doc: 'bundle base address, bits 63:32; the engine addresses 32 bits, so a start with BASE_HI != 0 stops with status BAD_BASE' },
  CONFIG_ID: { access: 'R', doc: 'the config hash the engine was built from, bits 31:0' },
  CONFIG_ID_HI: { access: 'R', doc: 'the config hash, bits 63:32' },
  CYCLES_LO: { access: 'R', doc: 'cycles from start to done, bits 31:0' },
  CYCLES_HI: { access: 'R', doc: 'cycles from start to done, bits 63:32' },
  STATUS: { access: 'R', doc: 'status code of the last run (0 ok; the table below)' },
  STALLS: { access: 'R', doc: 'cycles the MAC array waited (weights, output space, streamed words)' },
  MAC_BUSY: { access: 'R', doc: 'cycles the MAC array issued a MAC step' },
  JOBS: { access: 'R', doc: 'JOB descriptors completed' },
  RD_BEATS: { access: 'R', doc: 'AXI read beats' },
  WR_BEATS: { access: 'R', doc: 'AXI write beats' },
};

/** Bit positions inside CTRL (write: START; read: BUSY, DONE, IDLE), IRQ_EN and ISR. */
export const CtrlBit = { START: 0, BUSY: 0, DONE: 1, IDLE: 2 } as const;
export const IrqBit = { DONE: 0 } as const;

/** Status codes (the STATUS register); the engine stops at the first and reports done. */
export const EngineStatus = {
  NONE: 0,
  BAD_MAGIC: 1,
  BAD_VERSION: 2,
  CONFIG_MISMATCH: 3,
  BAD_OPCODE: 4,
  INPUT_BANK: 5,
  WEIGHT_BANK: 6,
  ZERO_DIM: 7,
  AXI: 8,
  BAD_BASE: 9,
} as const;
export type StatusName = keyof typeof EngineStatus;

/** What each status code means, as the executors' error messages and the docs say it. */
export const STATUS_DOCS: Record<StatusName, string> = {
  NONE: 'ok: the program ran to its LAST job',
  BAD_MAGIC: 'descriptor 0 is not a HEADER record',
  BAD_VERSION: 'bundle format version differs from the engine',
  CONFIG_MISMATCH: 'the bundle was compiled for another hardware config',
  BAD_OPCODE: 'a descriptor is not a JOB',
  INPUT_BANK: "a job's input tile exceeds buffers.inputBankEntries",
  WEIGHT_BANK: "a job's weight block exceeds buffers.weightBankWords, or a WINOGRAD block the weight ring (maxBlockWords)",
  ZERO_DIM: 'a job has a zero dimension, kernel, stride or dilation',
  AXI: 'a DDR access got an error response',
  BAD_BASE: "the bundle does not lie below 4 GiB (BASE_HI != 0, or BASE + the HEADER's ddrBytes > 2^32): the engine's AXI address is 32 bits",
};

/** `"3 CONFIG_MISMATCH (the bundle was compiled for another hardware config)"`, or `"<n> (unknown status)"`. */
export function describeStatus(code: number): string {
  const name = (Object.keys(EngineStatus) as StatusName[]).find((k) => EngineStatus[k] === code);
  return name ? `${code} ${name} (${STATUS_DOCS[name]})` : `${code} (unknown status)`;
}

/** Names under which the engine appears in a Vivado .hwh (MODTYPE, VLNV name or INSTANCE); the agent looks for them. */
export const ENGINE_IP_NAMES = ['cnna', 'cnna_top', 'cnna_0'] as const;
