// Emits the JOB descriptors of one conv-like layer: a set of units (input slice, weight block,
// output lane block) over a spatial tiling (tile-spatial.ts). Conv layers use one unit per
// output-channel block sharing the input; standalone pools and adds use one unit per channel
// group with an identity weight block. Addresses here are region-relative: inAddr/outAddr to
// the activation arena, wAddr to the params region (compile-bundle.ts relocates them).
import { maxBlockWords } from '../contracts/hw-config.ts';
import { Flag, PoolKind, isStreamed, type ActLayout, type Descriptor } from '../contracts/bundle-format.ts';
import { avgPoolMultiplier } from '../golden/fixed/fixed-point.ts';
import { CnnaError } from '../errors/cnna-error.ts';
import type { BackendContext } from './context.ts';
import { chunkAxis, checkCandidates, makeRange, segments, type AxisGeom, type AxisRange } from './tile-spatial.ts';

export interface Unit {
  /** Arena offset of the unit's input group 0, row 0, column 0. */
  inBase: number;
  wAddr: number;
  /** Arena offset of the unit's output lane group 0, row 0, column 0. */
  outBase: number;
  outGroups: number;
}

export interface SpatialLayer {
  name: string;
  layerIndex: number;
  input: ActLayout;
  output: ActLayout;
  /** Groups reduced per job and their stride in bytes. */
  cg: number;
  inCgStride: number;
  kh: number; kw: number;
  rows: AxisGeom; cols: AxisGeom;
  poolKind: number;
  countPad: boolean;
  act: number; actA: number; actB: number;
  units: Unit[];
  /** Units read the same input (conv): allow input reuse across units. */
  sharedInput: boolean;
  weightWords: number;
  /** Winograd jobs (Flag.WINOGRAD; the caller checked 3x3, stride 1, dilation 1 and the bank fit). */
  winograd?: boolean;
}

function check(cond: boolean, layer: string, msg: string): void {
  if (!cond) throw new CnnaError('E_FIT', `layer '${layer}': ${msg}`, { hint: 'the engine cannot hold this layer; change the layer' });
}

export function emitSpatial(ctx: BackendContext, L: SpatialLayer): number {
  const first = ctx.jobs.length;
  ctx.jobs.push(...planSpatial(ctx, L));
  return first;
}

/** The JOB descriptors of a layer, in program order, without emitting them (emitSpatial pushes them). */
export function planSpatial(ctx: BackendContext, L: SpatialLayer): Descriptor[] {
  const { pi } = ctx;
  const jobs: Descriptor[] = [];
  const bank = ctx.config.buffers.inputBankEntries;
  const where = `layer '${L.name}'`;
  const r = L.rows;
  const c = L.cols;
  check(r.s <= 15 && c.s <= 15, L.name, `conv stride ${r.s}x${c.s} exceeds 15`);
  check(r.d <= 15 && c.d <= 15, L.name, `dilation ${r.d}x${c.d} exceeds 15`);
  check(L.kh <= 255 && L.kw <= 255, L.name, `kernel ${L.kh}x${L.kw} exceeds 255`);
  check(r.pk <= 255 && c.pk <= 255, L.name, `pool window ${r.pk}x${c.pk} exceeds 255`);
  check(r.ps <= 15 && c.ps <= 15, L.name, `pool stride ${r.ps}x${c.ps} exceeds 15`);
  check(r.p <= 255 && c.p <= 255 && r.pp <= 255 && c.pp <= 255, L.name, 'a pad exceeds 255');
  // Weights beyond the bank: one job per output pixel, so every job streams its weights (a Winograd block
  // may fill the ring, maxBlockWords; the back end chose Winograd only for one that does).
  const perPixel = L.weightWords > maxBlockWords(ctx.config, !!L.winograd) && !(r.out === 1 && c.out === 1);
  if (perPixel && L.poolKind !== PoolKind.NONE) throw new Error(`emitSpatial: layer '${L.name}' needs per-pixel jobs and cannot fuse a pool`);
  checkCandidates(r, where, 'row');
  checkCandidates(c, where, 'column');
  const avg = L.poolKind === PoolKind.AVG;
  const rowSegs = segments(r, avg, L.countPad);
  const colSegs = segments(c, avg, L.countPad);
  let maxRowsOne = 0;
  for (let o = 0; o < r.pout; o++) {
    const x = makeRange(r, o, o + 1, 0);
    maxRowsOne = Math.max(maxRowsOne, x.i1 - x.i0);
  }
  const tiles: [AxisRange, AxisRange][] = [];
  for (const cs of colSegs) {
    const colChunks = chunkAxis(c, cs.p0, cs.p1, maxRowsOne * L.cg, perPixel ? 0 : bank, cs.count, perPixel ? bank : undefined);
    if (!colChunks) {
      const one = makeRange(c, cs.p0, cs.p0 + 1, 0);
      throw ctx.fit(L.name, `one output's input window (${maxRowsOne} rows x ${one.i1 - one.i0} columns x ${L.cg} channel groups)`,
        maxRowsOne * (one.i1 - one.i0) * L.cg, 'entries', 'input bank', 'inputBankEntries', bank);
    }
    for (const rs of rowSegs) {
      for (const cc of colChunks) {
        const rowChunks = chunkAxis(r, rs.p0, rs.p1, (cc.i1 - cc.i0) * L.cg, perPixel ? 0 : bank, rs.count, perPixel ? bank : undefined)!;
        for (const rc of rowChunks) tiles.push([rc, cc]);
      }
    }
  }
  // Loop order: keep the input across units (tile outer) or the weights across tiles (unit outer).
  const inBytes = tiles.reduce((s, [a, b]) => s + (a.i1 - a.i0) * (b.i1 - b.i0) * L.cg * pi * 2, 0);
  const wBytes = L.weightWords * pi * ctx.po * 2;
  const U = L.units.length;
  const tileOuter = L.sharedInput ? inBytes + tiles.length * U * wBytes : U * inBytes + tiles.length * U * wBytes;
  // Unit outer keeps each weight block across tiles (REUSE_WEIGHTS), except for streamed per-pixel jobs.
  const unitOuter = U * inBytes + (tiles.length > 1 && !perPixel ? U * wBytes : tiles.length * U * wBytes);
  const pairs: [number, number][] = [];
  if (tileOuter <= unitOuter) for (let t = 0; t < tiles.length; t++) for (let u = 0; u < U; u++) pairs.push([t, u]);
  else for (let u = 0; u < U; u++) for (let t = 0; t < tiles.length; t++) pairs.push([t, u]);

  let prev: Descriptor | null = null;
  for (const [t, u] of pairs) {
    const [rr, cr] = tiles[t];
    const unit = L.units[u];
    const d = ctx.newJob();
    d.layer = L.layerIndex;
    d.inAddr = unit.inBase + rr.i0 * L.input.rowStride + cr.i0 * pi * 2;
    d.wAddr = unit.wAddr;
    d.outAddr = unit.outBase + rr.p0 * L.output.rowStride + cr.p0 * pi * 2;
    d.inCgStride = L.inCgStride;
    d.outCgStride = L.output.cgStride;
    d.inRowStride = L.input.rowStride;
    d.outRowStride = L.output.rowStride;
    d.hin = rr.i1 - rr.i0;
    d.win = cr.i1 - cr.i0;
    d.cg = L.cg;
    d.hc = rr.c1 - rr.c0;
    d.wc = cr.c1 - cr.c0;
    d.hp = rr.p1 - rr.p0;
    d.wp = cr.p1 - cr.p0;
    d.kh = L.kh; d.kw = L.kw;
    d.strideH = r.s; d.strideW = c.s;
    d.dilH = r.d; d.dilW = c.d;
    d.padT = rr.pad; d.padL = cr.pad;
    d.poolKind = L.poolKind;
    d.outGroups = unit.outGroups;
    d.poolKh = r.pk; d.poolKw = c.pk;
    d.poolStrideH = r.ps; d.poolStrideW = c.ps;
    d.poolPadT = rr.poolPad; d.poolPadL = cr.poolPad;
    d.act = L.act; d.actA = L.actA; d.actB = L.actB;
    if (avg) {
      const m = avgPoolMultiplier(rr.count * cr.count);
      d.avgM = m.m;
      d.avgShift = m.shift;
    }
    if (prev) {
      const same = prev.inAddr === d.inAddr && prev.hin === d.hin && prev.win === d.win && prev.cg === d.cg
        && prev.inCgStride === d.inCgStride && prev.inRowStride === d.inRowStride;
      if (same) d.flags |= Flag.REUSE_INPUT;
      // The engine keeps a block only between two jobs that are not streamed (it consumes streamed words).
      if (prev.wAddr === d.wAddr && prev.kh === d.kh && prev.kw === d.kw && prev.cg === d.cg && !isStreamed(prev) && !isStreamed(d)) {
        d.flags |= Flag.REUSE_WEIGHTS;
      }
    } else {
      d.flags |= Flag.SYNC;
    }
    if (L.winograd) d.flags |= Flag.WINOGRAD;
    jobs.push(d);
    prev = d;
  }
  return jobs;
}
