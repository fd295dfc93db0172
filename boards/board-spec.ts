// The board database's schema: what cnna knows about a board (device resources, DSP type, DDR,
// the PS and its PL ports, the Vivado board preset) and where each figure comes from. Each board
// folder holds board.json (checked against this schema at load) and config.json (its default
// engine config). The fit check, the perf model, the sweep and the overlay generator read it.
import { z } from 'zod';

const source = z.string().min(8);

export const boardSpecSchema = z.object({
  /** Registry key (`--board NAME`); equals the folder name. */
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
  title: z.string().min(1),
  /** Full Vivado part name (device-package-speed-temperature). */
  part: z.string().min(1),
  family: z.enum(['zynquplus', 'zynq7000']),
  /** `synth_xilinx -family` for this device. */
  yosysFamily: z.enum(['xcup', 'xc7']),
  dsp: z.number().int().positive(),
  dspType: z.enum(['DSP48E2', 'DSP48E1']),
  /** Signed multiplier width of one DSP slice, A x B bits. */
  dspMultiplier: z.enum(['27x18', '25x18']),
  /** 36 Kb block RAMs (a RAMB18 counts one half). */
  bram36: z.number().int().positive(),
  /** 288 Kb UltraRAM blocks (0 where the device has none). */
  uram: z.number().int().min(0),
  lut: z.number().int().positive(),
  ff: z.number().int().positive(),
  ddr: z.object({
    type: z.enum(['LPDDR4', 'DDR4', 'DDR3']),
    sizeBytes: z.number().int().positive(),
    busBits: z.number().int().positive(),
    /** Data rate the board's PS configuration runs, in mega-transfers per second. */
    mtps: z.number().positive(),
  }).strict(),
  /** Peak DDR bytes/s: busBits / 8 x mtps x 1e6. */
  ddrPeakBytesPerSec: z.number().positive(),
  /** Fraction of the peak reachable from the PL. */
  ddrPlEfficiency: z.number().gt(0).max(1),
  /** DDR read latency seen by the PL, in engine cycles at defaultClockMhz. */
  ddrLatencyCycles: z.number().int().positive(),
  /** Data width of one PS slave port the engine's AXI masters connect to. */
  hpPortBits: z.number().int().positive(),
  /** Number of such ports (hpPortNames). */
  hpPorts: z.number().int().positive(),
  defaultClockMhz: z.number().positive(),
  ps: z.object({
    /** Vivado IP of the processing system. */
    ip: z.enum(['zynq_ultra_ps_e', 'processing_system7']),
    /** PS slave ports for the engine's AXI4 masters (high-performance ports to DDR). */
    hpPortNames: z.array(z.string()).min(1),
    /** PS master port for the engine's AXI4-Lite registers. */
    controlPort: z.string(),
    /** PL clock and reset outputs of the PS, and its PL-to-PS interrupt input. */
    clock: z.string(),
    reset: z.string(),
    interrupt: z.string(),
  }).strict(),
  /** Vivado board preset (`set_property board_part ...`), or null where there is none. */
  boardPreset: z.string().nullable(),
  /** Source of each figure, keyed by field path (`dsp`, `ddr.mtps`, `ps.hpPortNames`, ...). */
  sources: z.record(source),
}).strict();

export type BoardSpec = z.infer<typeof boardSpecSchema>;

/** Field paths that must name a source. */
export const SOURCED_FIELDS = [
  'part', 'dsp', 'dspType', 'dspMultiplier', 'bram36', 'uram', 'lut', 'ff',
  'ddr.type', 'ddr.sizeBytes', 'ddr.busBits', 'ddr.mtps', 'ddrPeakBytesPerSec', 'ddrPlEfficiency', 'ddrLatencyCycles',
  'hpPortBits', 'hpPorts', 'defaultClockMhz', 'ps.ip', 'ps.hpPortNames', 'ps.controlPort', 'ps.clock', 'ps.reset', 'ps.interrupt', 'boardPreset',
] as const;
