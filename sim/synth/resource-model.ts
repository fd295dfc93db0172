// Resource model of the engine: DSP48, BRAM36, LUT (logic + LUTRAM) and FF of a hardware config,
// in microseconds instead of a Yosys run, for design-space sweeps. Calibrated against Yosys 0.23
// (`synth_xilinx -family xcup`, the flow of sim/synth/yosys.ts); the data and the error on configs
// held out of the fit are in resource-calibration.json and docs/sweep.md "Resource model".
//
// Structure (from the RTL, rtl/cnna_top.sv and the modules it instantiates):
//  - DSP: one DSP48 per MAC-array product (PO x PI), three per post-op lane (the LeakyReLU product
//    and the two 18-bit halves of the average-pool S x M product), and DSP_CONTROL address products
//    in the loader and the compute unit. Exact on every calibration point.
//  - BRAM36: the input banks are PI*16/AXI sub-RAMs of one bus beat, 2*nextpow2(inputBankEntries)
//    deep; the weight ring is PO*PI*16/AXI sub-RAMs, nextpow2(2*weightBankWords) deep. Each maps to
//    the cheapest block-RAM shape (RAMB36 32Kx1 .. 512x72 or RAMB18 16Kx1 .. 512x36, a RAMB18 being
//    half a BRAM36), as Yosys' memory_libmap does; memories of 64 entries or fewer go to LUTRAM.
//    Checked shape by shape against Yosys on cnna_sdp_ram (resource-calibration.json "sdpRam").
//  - LUTRAM: the first-word-fall-through FIFOs (read asynchronously, so never block RAM): the output
//    FIFO (outputFifoEntries x PO int16), the read master's (4 bursts x AXI) and the write master's
//    (2 bursts x AXI), in RAM32M16 (32 x 14 bits per 8 LUTs) or RAM64M8 (64 x 7 bits per 8 LUTs),
//    plus LUTRAM_CONTROL for the loader's small memories.
//  - LUT logic and FF: LUT_BASE + LUT_PER_MAC * PI * PO (adder trees, per-lane post-op, operand
//    fan-out all grow with the array), plus the block-RAM cascade multiplexers Yosys adds for memories
//    deeper than 4K (resource-calibration.json "sdpRam"), fitted on the full-engine points of
//    resource-calibration.json "fit".
import { axiReadFifoBeats, type HwConfig } from '../../compiler/contracts/hw-config.ts';

export const DSP_PER_LANE = 3;
export const DSP_CONTROL = 10;
export const LUTRAM_CONTROL = 64;
/** Least-squares fit on the "fit" points of resource-calibration.json (see docs/sweep.md). */
export const LUT_BASE = 14_982;
export const LUT_PER_MAC = 88.16;
export const FF_BASE = 6_248;
export const FF_PER_MAC = 81.93;

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

export function estimateResources(c: HwConfig): ResourceEstimate {
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
  const lutAsMemory = fifoLutram(po * 16, c.buffers.outputFifoEntries) + fifoLutram(bus, axiReadFifoBeats(c))
    + fifoLutram(bus, 2 * c.axi.burstBeats) + LUTRAM_CONTROL;
  const lutAsLogic = Math.round(LUT_BASE + LUT_PER_MAC * pi * po + bpe * sdpRamMuxLut(bus, inDepth) + bpw * sdpRamMuxLut(bus, wDepth));
  return {
    dsp: macDsp + postOpDsp + DSP_CONTROL,
    bram36: inputBanksBram36 + weightRingBram36,
    lut: lutAsLogic + lutAsMemory,
    lutAsLogic,
    lutAsMemory,
    ff: Math.round(FF_BASE + FF_PER_MAC * pi * po),
    breakdown: { inputBanksBram36, weightRingBram36, macDsp, postOpDsp },
  };
}
