// Analytical cycle model of the engine, job by job (docs/engine.md "Performance model").
// One PI x PO step per cycle for every (candidate conv output, ky, kx, channel group); input
// tile, weight block, descriptor and outputs move over DDR at the effective bandwidth
// (min of the AXI ports and the board's reachable DDR rate); with double-buffered banks a
// job's loads overlap the previous job's compute, except after a SYNC (layer boundary).
// Calibrated against the RTL's cycle counters where they exist (see sim/README.md).
import type { HwConfig } from '../../compiler/contracts/hw-config.ts';
import { DESC_BYTES, Flag, PoolKind, weightBlockBytes, type Descriptor } from '../../compiler/contracts/bundle-format.ts';
import { ddrBytesPerCycle, ultra96, type BoardLimits } from '../../boards/ultra96/board.ts';

/** Cycles of MAC-pipeline fill and post-op drain per job. */
export const JOB_OVERHEAD_CYCLES = 16;

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
    this.bw = ddrBytesPerCycle(config, board);
    this.latency = board.ddrLatencyCycles;
  }

  job(d: Descriptor): JobCost {
    const { pi, po } = this.config.array;
    const macSteps = candidateCount(d) * d.kh * d.kw * d.cg;
    const inBytes = d.flags & Flag.REUSE_INPUT ? 0 : d.hin * d.win * d.cg * pi * 2;
    const wBytes = d.flags & Flag.REUSE_WEIGHTS ? 0 : weightBlockBytes(pi, po, d.kh, d.kw, d.cg);
    const outBytes = d.hp * d.wp * d.outGroups * pi * 2;
    const ddrBytes = inBytes + wBytes + outBytes + DESC_BYTES;
    const transfer = ddrBytes / this.bw + this.latency;
    let cycles = Math.max(macSteps + JOB_OVERHEAD_CYCLES, transfer);
    if (d.flags & Flag.SYNC) cycles += (inBytes + Math.min(wBytes, 4096)) / this.bw + this.latency;
    cycles = Math.ceil(cycles);
    return { macSteps, ddrBytes, cycles, stallCycles: cycles - macSteps };
  }

  /** Roofline cycles of a layer: max(MACs / (PI·PO), minimum DDR bytes / bandwidth). */
  roofline(macs: number, minBytes: number): number {
    const { pi, po } = this.config.array;
    return Math.max(macs / (pi * po), minBytes / this.bw);
  }
}
