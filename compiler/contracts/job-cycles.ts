// The MAC-array side of the engine's timing, per job: the one formula the performance model
// (sim/perf/perf-model.ts, which adds the DDR side from the board) and the back end's choice between
// Winograd and direct jobs (compiler/backend/map-conv.ts) both use. docs/engine.md "Performance model".
import { Flag, MAX_BATCH, PoolKind, type Descriptor } from './bundle-format.ts';

/** Cycles of MAC-pipeline fill and post-op drain per job. */
export const JOB_OVERHEAD_CYCLES = 16;
/**
 * Cycles the RTL spends per computed conv output besides its kh·kw·cg MAC steps (reduction
 * drain and post-op handoff). Calibrated on the RTL (commit 133e362): fashion_vgg's conv
 * layers run 3.4-3.5 cycles per output above their MAC steps.
 */
export const OUTPUT_OVERHEAD_CYCLES = 3.5;
/**
 * Cycles per Winograd tile besides its 16·cg MAC steps: the direct per-output overhead once (drain) plus
 * four post-op handoffs (one per output of the 2x2 tile). An estimate until an engine runs Winograd jobs
 * under a cycle counter; then it is calibrated like OUTPUT_OVERHEAD_CYCLES.
 */
export const WINO_TILE_OVERHEAD_CYCLES = OUTPUT_OVERHEAD_CYCLES + 4;

/** Number of conv outputs computed for the job (pool windows recompute overlaps). */
export function candidateCount(d: Descriptor): number {
  if (d.poolKind === PoolKind.NONE) return d.hp * d.wp;
  return poolAxisCandidates(d.hp, d.poolStrideH, d.poolPadT, d.poolKh, d.hc) * poolAxisCandidates(d.wp, d.poolStrideW, d.poolPadL, d.poolKw, d.wc);
}

/** Conv outputs along one axis that n pooling windows (stride s, pad, size k) read, within [0, lim). */
function poolAxisCandidates(n: number, s: number, pad: number, k: number, lim: number): number {
  let t = 0;
  for (let o = 0; o < n; o++) {
    const a = Math.max(0, o * s - pad);
    const b = Math.min(lim, o * s - pad + k);
    t += Math.max(0, b - a);
  }
  return t;
}

/** 2x2 tiles of a Winograd job: its conv region [0, hc) x [0, wc), once, odd edges rounded up. */
export function winoTiles(d: Pick<Descriptor, 'hc' | 'wc'>): number {
  return Math.ceil(d.hc / 2) * Math.ceil(d.wc / 2);
}

/** PI x PO steps of the MAC array: kh·kw·cg per candidate output, or 16·cg per tile of a Winograd job. */
export function jobMacSteps(d: Descriptor): number {
  return d.flags & Flag.WINOGRAD ? winoTiles(d) * 16 * d.cg : candidateCount(d) * d.kh * d.kw * d.cg;
}

/** Cycles of the MAC array and post-op for one job when its data is there (no DDR wait). */
export function jobComputeCycles(d: Descriptor): number {
  // A BATCH job holds each streamed weight word for MAX_BATCH steps (one per accumulator slot, used or not).
  if (d.flags & Flag.BATCH) return d.cg * MAX_BATCH + JOB_OVERHEAD_CYCLES;
  const over = d.flags & Flag.WINOGRAD ? WINO_TILE_OVERHEAD_CYCLES * winoTiles(d) : OUTPUT_OVERHEAD_CYCLES * candidateCount(d);
  return jobMacSteps(d) + over + JOB_OVERHEAD_CYCLES;
}
