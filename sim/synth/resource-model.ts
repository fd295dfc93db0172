// Resource model of the engine: DSP48, BRAM36, LUT (logic + LUTRAM) and FF of a hardware config,
// in microseconds instead of a Yosys run, for design-space sweeps. Calibrated against Yosys 0.23
// (`synth_xilinx -family xcup`, the flow of sim/synth/yosys.ts); the data and the error on configs
// held out of the fit are in resource-calibration.json and docs/sweep.md "Resource model".
//
// Structure (from the RTL, rtl/cnna_top.sv and the modules it instantiates):
//  - DSP: one DSP48 per MAC-array product (PO x PI), three per post-op lane (the LeakyReLU product
//    and the two 18-bit halves of the average-pool S x M product), the address and size products of
//    the loader and the compute unit (a fitted constant: their operand widths are fixed by the
//    descriptor fields, or at most 17 bits for the input-bank count, inputBankEntries < 2^17), and one
//    for the weight command's beat count nw x Bpw (rtl/cnna_loader.sv) when Bpw = PO*PI*16/AXI is not
//    a power of two (otherwise Yosys makes the multiply by a constant a shift).
//  - BRAM36: the input banks are PI*16/AXI sub-RAMs of one bus beat, 2*nextpow2(inputBankEntries)
//    deep; the weight ring is PO*PI*16/AXI sub-RAMs, nextpow2(2*weightBankWords) deep. Each maps to
//    the cheapest block-RAM shape (RAMB36 32Kx1 .. 512x72 or RAMB18 16Kx1 .. 512x36, a RAMB18 being
//    half a BRAM36), as Yosys' memory_libmap does; memories of 64 entries or fewer go to LUTRAM.
//    Checked shape by shape against Yosys on cnna_sdp_ram (resource-calibration.json "sdpRam").
//  - LUTRAM: the first-word-fall-through FIFOs (read asynchronously, so never block RAM): the output
//    FIFO (outputFifoEntries x PO int16), the read master's (4 bursts x AXI) and the write master's
//    (2 bursts x AXI), in RAM32M16 (32 x 14 bits per 8 LUTs) or RAM64M8 (64 x 7 bits per 8 LUTs),
//    plus LUTRAM_CONTROL for the loader's small memories.
//  - LUTRAM besides the FIFOs, LUT logic and FF: a linear fit over FEATURES (a base; per output lane:
//    post-op, accumulators, shift registers; per multiply: adder trees and operand fan-out; the second
//    AXI read master) plus, for LUTs, the block-RAM cascade
//    multiplexers Yosys adds for memories deeper than 4K (resource-calibration.json "sdpRam").
// The fitted coefficients live in resource-calibration.json "coefficients", written by
// `node --import tsx scripts/calibrate-resources.ts --write` (Yosys on the points of resource-points.ts,
// fit, check on held-out configs): re-calibrating after an RTL change is that one command.
import { readFileSync } from 'node:fs';
import { axiReadFifoBeats, type HwConfig } from '../../compiler/contracts/hw-config.ts';

export const DSP_PER_LANE = 3;

/** Weight-word bus beats, PO*PI*16/AXI (rtl/cnna_loader.sv Bpw). */
export const weightBeatsPerWord = (c: HwConfig): number => (c.array.po * c.array.pi * 16) / c.axi.dataBits;

/** DSPs of the multiply by the constant Bpw: none when it is a power of two (a shift), one otherwise. */
export function weightBeatsDsp(c: HwConfig): number {
  const b = weightBeatsPerWord(c);
  return (b & (b - 1)) === 0 ? 0 : 1;
}

/** The terms of the LUT and FF fits, by name (a new term is one line here, then a re-calibration). */
export const FEATURES: Record<string, (c: HwConfig) => number> = {
  base: () => 1,
  perLane: (c) => c.array.po,
  perMac: (c) => c.array.pi * c.array.po,
  port2: (c) => (c.axi.ports >= 2 ? 1 : 0),
};

export interface ResourceCoefficients {
  /** DSPs besides the array, the post-op lanes and the weight-beat product (address and size products). */
  dspControl: number;
  /** LUTRAM besides the FIFOs (the loader's small memories, per-lane shift registers): coefficient per FEATURES name. */
  lutram: Record<string, number>;
  /** Logic LUTs and FFs: coefficient per FEATURES name. */
  lut: Record<string, number>;
  ff: Record<string, number>;
}

/** The fitted coefficients committed in resource-calibration.json. */
export const COEFFICIENTS: ResourceCoefficients = (JSON.parse(readFileSync(new URL('./resource-calibration.json', import.meta.url), 'utf8')) as { coefficients: ResourceCoefficients }).coefficients;

const linear = (k: Record<string, number>, c: HwConfig): number => Object.entries(FEATURES).reduce((a, [n, f]) => a + (k[n] ?? 0) * f(c), 0);

export interface ResourceEstimate {
  dsp: number;
  /** BRAM36 equivalents (a RAMB18 is one half). */
  bram36: number;
  lut: number;
  lutAsLogic: number;
  lutAsMemory: number;
  ff: number;
  /** Where the block RAM goes. */
  breakdown: { inputBanksBram36: number; weightRingBram36: number; macDsp: number; postOpDsp: number };
}

const nextPow2 = (n: number): number => 2 ** Math.ceil(Math.log2(Math.max(1, n)));
const BRAM36_SHAPES: [number, number][] = [[32768, 1], [16384, 2], [8192, 4], [4096, 9], [2048, 18], [1024, 36], [512, 72]];
const RAMB18_SHAPES: [number, number][] = [[16384, 1], [8192, 2], [4096, 4], [2048, 9], [1024, 18], [512, 36]];

/** BRAM36 equivalents of one width x depth simple dual-port RAM with a registered read (0 if it goes to LUTRAM). */
export function sdpRamBram36(width: number, depth: number): number {
  if (depth <= 64) return 0;
  let best = Infinity;
  for (const [d, w] of BRAM36_SHAPES) best = Math.min(best, Math.ceil(depth / d) * Math.ceil(width / w));
  for (const [d, w] of RAMB18_SHAPES) best = Math.min(best, 0.5 * Math.ceil(depth / d) * Math.ceil(width / w));
  return best;
}

/** Logic LUTs Yosys adds around one block-RAM memory (output multiplexers of depth cascades past 4K). */
export function sdpRamMuxLut(width: number, depth: number): number {
  if (depth <= 4096) return 0;
  // 8K: one level of 2:1 muxing per bit, about one LUT per bit (Yosys: 130 LUTs at 128 bits);
  // beyond, LUT6-based 4:1 and 8:1 trees (132 at 16K, 398 at 32K for 128 bits).
  const levels = Math.log2(depth / 4096);
  return Math.round(width * (levels <= 2 ? 1.02 : 3.1));
}

/** LUTs of a first-word-fall-through FIFO held in LUTRAM. */
export function fifoLutram(width: number, depth: number): number {
  if (depth <= 32) return Math.ceil(width / 14) * 8;
  return Math.ceil(depth / 64) * Math.ceil(width / 7) * 8;
}

/** LUTs Yosys adds around the block RAMs (cascade multiplexers), not part of the linear fit. */
export function memoryMuxLut(c: HwConfig): number {
  const { pi, po } = c.array;
  const bus = c.axi.dataBits;
  return ((pi * 16) / bus) * sdpRamMuxLut(bus, 2 * nextPow2(c.buffers.inputBankEntries)) + ((po * pi * 16) / bus) * sdpRamMuxLut(bus, nextPow2(2 * c.buffers.weightBankWords));
}

/** LUTRAM of the FIFOs: output FIFO, each read master's (4 bursts), the write master's (2 bursts). */
export function fifoLutramTotal(c: HwConfig): number {
  const bus = c.axi.dataBits;
  return fifoLutram(c.array.po * 16, c.buffers.outputFifoEntries) + Math.min(2, c.axi.ports) * fifoLutram(bus, axiReadFifoBeats(c)) + fifoLutram(bus, 2 * c.axi.burstBeats);
}

export function estimateResources(c: HwConfig, k: ResourceCoefficients = COEFFICIENTS): ResourceEstimate {
  const { pi, po } = c.array;
  const bus = c.axi.dataBits;
  const bpe = (pi * 16) / bus;
  const bpw = (po * pi * 16) / bus;
  const inDepth = 2 * nextPow2(c.buffers.inputBankEntries);
  const wDepth = nextPow2(2 * c.buffers.weightBankWords);
  const inputBanksBram36 = bpe * sdpRamBram36(bus, inDepth);
  const weightRingBram36 = bpw * sdpRamBram36(bus, wDepth);
  const macDsp = pi * po;
  const postOpDsp = DSP_PER_LANE * po;
  const lutAsMemory = Math.round(fifoLutramTotal(c) + linear(k.lutram, c));
  const lutAsLogic = Math.round(linear(k.lut, c) + memoryMuxLut(c));
  return {
    dsp: macDsp + postOpDsp + weightBeatsDsp(c) + k.dspControl,
    bram36: inputBanksBram36 + weightRingBram36,
    lut: lutAsLogic + lutAsMemory,
    lutAsLogic,
    lutAsMemory,
    ff: Math.round(linear(k.ff, c)),
    breakdown: { inputBanksBram36, weightRingBram36, macDsp, postOpDsp },
  };
}
