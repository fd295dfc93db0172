// Analytical cycle model of the engine, job by job (docs/engine.md "Performance model").
// One PI x PO step per cycle for every (candidate conv output, ky, kx, channel group); input
// tile, weight block, descriptor and outputs move over DDR at the effective bandwidth
// (min of the AXI ports the RTL drives and the board's reachable DDR rate); with double-buffered
// banks a job's loads overlap the previous job's compute, and after a SYNC (layer boundary)
// compute starts once the first rows have arrived.
// Calibrated against the RTL's cycle counters where they exist (see sim/README.md).
import type { HwConfig } from '../../compiler/contracts/hw-config.ts';
import { DESC_BYTES, Flag, PoolKind, weightBlockBytes, type Descriptor } from '../../compiler/contracts/bundle-format.ts';
import { ddrBytesPerCycle, ultra96, type BoardLimits } from '../../boards/ultra96/board.ts';

/** Cycles of MAC-pipeline fill and post-op drain per job. */
export const JOB_OVERHEAD_CYCLES = 16;
/**
 * Cycles the RTL spends per computed conv output besides its kh·kw·cg MAC steps (reduction
 * drain and post-op handoff). Calibrated on the RTL (commit 133e362): fashion_vgg's conv
 * layers run 3.4-3.5 cycles per output above their MAC steps.
 */
export const OUTPUT_OVERHEAD_CYCLES = 3.5;
/** AXI masters the RTL drives today (config.axi.ports above this is accepted but not used). */
export const RTL_AXI_PORTS = 1;

export interface JobCost {
  /** Cycles the MAC array does useful steps (one PI x PO step each). */
  macSteps: number;
  ddrBytes: number;
  cycles: number;
  stallCycles: number;
}

/** Number of conv outputs computed for the job (pool windows recompute overlaps). */
export function candidateCount(d: Descriptor): number {
  if (d.poolKind === PoolKind.NONE) return d.hp * d.wp;
  const axis = (n: number, s: number, pad: number, k: number, lim: number): number => {
    let t = 0;
    for (let o = 0; o < n; o++) {
      const a = Math.max(0, o * s - pad);
      const b = Math.min(lim, o * s - pad + k);
      t += Math.max(0, b - a);
    }
    return t;
  };
  return axis(d.hp, d.poolStrideH, d.poolPadT, d.poolKh, d.hc) * axis(d.wp, d.poolStrideW, d.poolPadL, d.poolKw, d.wc);
}

export class PerfModel {
  readonly bw: number;
  readonly latency: number;
  constructor(readonly config: HwConfig, board: BoardLimits = ultra96) {
    this.bw = ddrBytesPerCycle({ ...config, axi: { ...config.axi, ports: Math.min(config.axi.ports, RTL_AXI_PORTS) } }, board);
    this.latency = board.ddrLatencyCycles;
  }

  job(d: Descriptor): JobCost {
    const { pi, po } = this.config.array;
    const cand = candidateCount(d);
    const macSteps = cand * d.kh * d.kw * d.cg;
    const inBytes = d.flags & Flag.REUSE_INPUT ? 0 : d.hin * d.win * d.cg * pi * 2;
    const wBytes = d.flags & Flag.REUSE_WEIGHTS ? 0 : weightBlockBytes(pi, po, d.kh, d.kw, d.cg);
    const outBytes = d.hp * d.wp * d.outGroups * pi * 2;
    const ddrBytes = inBytes + wBytes + outBytes + DESC_BYTES;
    const transfer = ddrBytes / this.bw + this.latency;
    let cycles = Math.max(macSteps + OUTPUT_OVERHEAD_CYCLES * cand + JOB_OVERHEAD_CYCLES, transfer);
    // After SYNC the first reads cannot be prefetched: one DDR latency plus the first 4 KiB.
    if (d.flags & Flag.SYNC) cycles += Math.min(inBytes + wBytes, 4096) / this.bw + this.latency;
    cycles = Math.ceil(cycles);
    return { macSteps, ddrBytes, cycles, stallCycles: cycles - macSteps };
  }

  /** Roofline cycles of a layer: max(MACs / (PI·PO), minimum DDR bytes / bandwidth). */
  roofline(macs: number, minBytes: number): number {
    const { pi, po } = this.config.array;
    return Math.max(macs / (pi * po), minBytes / this.bw);
  }
}
