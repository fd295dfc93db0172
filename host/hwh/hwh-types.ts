// The parsed form of a Vivado hardware hand-off (.hwh) file. Invariants: addresses and sizes
// are plain numbers (every Zynq address fits in 40 bits, well inside 2^53); `high` is the
// inclusive last address, so `size = high - base + 1`; strings are kept exactly as in the XML.

export interface HwhSystem {
  name: string;
  arch: string;
  device: string;
  package: string;
  speedGrade: string;
  vivadoVersion: string;
}

export interface HwhField {
  name: string;
  description: string;
  bitOffset: number;
  bitWidth: number;
  access: string;
}

export interface HwhRegister {
  name: string;
  description: string;
  /** Byte offset from the start of the address block. */
  offset: number;
  /** Width in bits (PROPERTY SIZE). */
  width: number;
  access: string;
  resetValue?: number;
  enabled: boolean;
  fields: HwhField[];
}

export interface HwhAddressBlock {
  name: string;
  /** The slave bus interface the block sits behind. */
  interface: string;
  /** Size in bytes (RANGE). */
  range: number;
  access: string;
  usage: string;
  registers: HwhRegister[];
}

export interface HwhConnection {
  instance: string;
  port: string;
}

export interface HwhPort {
  name: string;
  dir: string;
  signal: string;
  /** SIGIS: "clk", "rst", "INTERRUPT", "data", "undef", ... */
  sigIs: string;
  /** CLKFREQUENCY in Hz, when the port carries a clock. */
  clkFrequencyHz?: number;
  sensitivity?: string;
  left?: number;
  right?: number;
  connections: HwhConnection[];
}

export interface HwhBusInterface {
  name: string;
  type: string;
  busName: string;
  vlnv: string;
  dataWidth?: number;
  parameters: Record<string, string>;
}

export interface HwhMemRange {
  /** The master instance whose MEMORYMAP holds the range. */
  master: string;
  masterInterface: string;
  /** The slave instance the range addresses. */
  slave: string;
  slaveInterface: string;
  addressBlock: string;
  base: number;
  high: number;
  size: number;
  /** "REGISTER" for AXI-Lite register files, "MEMORY" for DDR / BRAM. */
  memType: string;
  baseName: string;
  highName: string;
}

export interface HwhIp {
  /** INSTANCE, e.g. "axi_dma_X". */
  instance: string;
  fullName: string;
  vlnv: string;
  /** MODTYPE, e.g. "axi_dma". */
  type: string;
  /** HWVERSION, e.g. "7.1". */
  version: string;
  ipType: string;
  modClass: string;
  parameters: Record<string, string>;
  addressBlocks: HwhAddressBlock[];
  busInterfaces: HwhBusInterface[];
  ports: HwhPort[];
  /** Ranges at which a master sees this IP (deduplicated by base/high/master interface). */
  addressRanges: HwhMemRange[];
}

export interface HwhPlClock {
  /** 0..3: FCLK_CLKn (Zynq-7000) or pl_clkn (Zynq UltraScale+). */
  index: number;
  enabled: boolean;
  /** The frequency the design asked for. */
  requestedMHz: number;
  /** The frequency the PS PLL and dividers actually give. */
  actualMHz: number;
  divisor0?: number;
  divisor1?: number;
  source?: string;
}

export interface HwhClockPort {
  instance: string;
  port: string;
  dir: string;
  signal: string;
  freqHz: number;
}

export interface HwhClocks {
  /** The PS instance the PL clocks come from, or undefined when the design has no PS. */
  ps?: string;
  pl: HwhPlClock[];
  ports: HwhClockPort[];
}

export interface HwhInterruptLine {
  /** The IP that raises the interrupt, and its output port. */
  instance: string;
  port: string;
  /** The interrupt controller it lands on, and its input index there. */
  controller: string;
  controllerPort: string;
  index: number;
  sensitivity: string;
}

export interface Hwh {
  system: HwhSystem;
  ips: HwhIp[];
  memRanges: HwhMemRange[];
  clocks: HwhClocks;
  interrupts: HwhInterruptLine[];
}
