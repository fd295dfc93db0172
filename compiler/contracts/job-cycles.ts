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
 * Cycles per 2x2 tile and channel group of a Winograd job on the RTL (rtl/cnna_wino.sv): its 20 weight words
 * in order, 16 MAC steps and the 4 high-nibble words that carry bits 19:16 of U.
 */
export const WINO_STEP_CYCLES = 20;
/**
 * Cycles per Winograd tile besides its WINO_STEP_CYCLES·cg (the tile's output-FIFO credit check and the
 * walk's hand-over); calibrated on the RTL (sim/verilator/rtl-winograd.test.ts measures it).
 */
export const WINO_TILE_OVERHEAD_CYCLES = 0;
/** Cycles per Winograd job besides its tiles: the prologue step that reads the first tile's input, the walk's start, and the output transform's longer drain. */
export const WINO_JOB_OVERHEAD_CYCLES = 36;

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

/**
 * 2x2 tiles a Winograd job computes: without pooling its conv region [0, hc) x [0, wc) once, odd edges rounded
 * up; with pooling, per window the tiles that hold its candidates (overlapping windows recompute tiles, as the
 * direct path recomputes outputs).
 */
export function winoTiles(d: Pick<Descriptor, 'hc' | 'wc' | 'hp' | 'wp' | 'poolKind' | 'poolKh' | 'poolKw' | 'poolStrideH' | 'poolStrideW' | 'poolPadT' | 'poolPadL'>): number {
  if (d.poolKind === PoolKind.NONE) return Math.ceil(d.hc / 2) * Math.ceil(d.wc / 2);
  const axis = (n: number, s: number, pad: number, k: number, lim: number): number => {
    let t = 0;
    for (let o = 0; o < n; o++) {
      const a = Math.max(0, o * s - pad);
      const b = Math.min(lim - 1, o * s - pad + k - 1);
      if (b >= a) t += (b >> 1) - (a >> 1) + 1;
    }
    return t;
  };
  return axis(d.hp, d.poolStrideH, d.poolPadT, d.poolKh, d.hc) * axis(d.wp, d.poolStrideW, d.poolPadL, d.poolKw, d.wc);
}

/** PI x PO steps of the MAC array: kh·kw·cg per candidate output, or 16·cg per tile of a Winograd job. */
export function jobMacSteps(d: Descriptor): number {
  return d.flags & Flag.WINOGRAD ? winoTiles(d) * 16 * d.cg : candidateCount(d) * d.kh * d.kw * d.cg;
}

/** Cycles of the MAC array and post-op for one job when its data is there (no DDR wait). */
export function jobComputeCycles(d: Descriptor): number {
  // A BATCH job holds each streamed weight word for MAX_BATCH steps (one per accumulator slot, used or not).
  if (d.flags & Flag.BATCH) return d.cg * MAX_BATCH + JOB_OVERHEAD_CYCLES;
  if (d.flags & Flag.WINOGRAD) return winoTiles(d) * (WINO_STEP_CYCLES * d.cg + WINO_TILE_OVERHEAD_CYCLES) + WINO_JOB_OVERHEAD_CYCLES + JOB_OVERHEAD_CYCLES;
  return jobMacSteps(d) + OUTPUT_OVERHEAD_CYCLES * candidateCount(d) + JOB_OVERHEAD_CYCLES;
}
