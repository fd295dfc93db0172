// Pooling of one int16 plane (docs/numerics.md step 4), shared by fused conv/FC post-ops and
// standalone pool nodes. Max: padded positions are never candidates. Average: exact window sum
// S, divisor n per ONNX (count_include_pad counts positions inside the padded extent
// [-pad_begin, size + pad_end), else only real positions), y = sat16(rshr(S·M_n, 16 + c_n)).
import type { PoolSpec } from '../../../ir/graph.ts';
import { INT16_MIN, avgPoolMultiplier, type AvgMultiplier } from '../fixed-point.ts';
import { CnnaError } from '../../../errors/cnna-error.ts';

export interface FixedPool {
  spec: PoolSpec;
  /** Input and output plane sizes. */
  H: number; W: number; OH: number; OW: number;
  /** For windowed pools: per output row/col, the valid input indices. */
  rows: Int32Array[]; cols: Int32Array[];
  /** Average: multiplier per (oy, ox) pair, indexed oy * OW + ox. */
  mults: AvgMultiplier[];
  /** Every window is the full 2×2 block at (2·oy, 2·ox): the common max pool, done in a tight loop. */
  max2x2: boolean;
}

function axis(size: number, out: number, k: number, s: number, d: number, p0: number, p1: number, includePad: boolean) {
  const idx: Int32Array[] = [];
  const counts: number[] = [];
  for (let o = 0; o < out; o++) {
    const start = o * s - p0;
    const v: number[] = [];
    let padded = 0;
    for (let t = 0; t < k; t++) {
      const i = start + t * d;
      if (i >= 0 && i < size) v.push(i);
      if (i >= -p0 && i < size + p1) padded++;
    }
    idx.push(Int32Array.from(v));
    counts.push(includePad ? padded : v.length);
  }
  return { idx, counts };
}

export function compilePool(spec: PoolSpec, H: number, W: number, OH: number, OW: number, where: string): FixedPool {
  if (spec.kind === 'globalavg' || spec.kind === 'globalmax') {
    if (OH !== 1 || OW !== 1) throw new CnnaError('E_GRAPH', `${where}: global pool output must be 1×1, got ${OH}×${OW}`);
    const mults = spec.kind === 'globalavg' ? [avgPoolMultiplier(H * W)] : [];
    return { spec, H, W, OH, OW, rows: [], cols: [], mults, max2x2: false };
  }
  const [kh, kw] = spec.kernel;
  const [sh, sw] = spec.strides;
  const [dh, dw] = spec.dilations;
  const [pt, pl, pb, pr] = spec.pads;
  const inc = spec.kind === 'avg' && spec.countIncludePad;
  const r = axis(H, OH, kh, sh, dh, pt, pb, inc);
  const c = axis(W, OW, kw, sw, dw, pl, pr, inc);
  const mults: AvgMultiplier[] = [];
  if (spec.kind === 'avg') {
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        const n = r.counts[oy] * c.counts[ox];
        if (n === 0) throw new CnnaError('E_UNSUPPORTED', `${where}: average-pool window at (${oy}, ${ox}) covers no input`);
        mults.push(avgPoolMultiplier(n));
      }
    }
  }
  const full2 = (idx: Int32Array[]) => idx.every((v, o) => v.length === 2 && v[0] === 2 * o && v[1] === 2 * o + 1);
  const max2x2 = spec.kind === 'max' && kh === 2 && kw === 2 && full2(r.idx) && full2(c.idx);
  return { spec, H, W, OH, OW, rows: r.idx, cols: c.idx, mults, max2x2 };
}

/** Pool src[so, so + H·W) into dst[d0, d0 + OH·OW). Returns the number of saturated averages. */
export function poolPlane(p: FixedPool, src: Int16Array, so: number, dst: Int16Array, d0: number): number {
  const { H, W, OH, OW } = p;
  const kind = p.spec.kind;
  if (kind === 'globalmax') {
    let m = INT16_MIN;
    for (let i = so, e = so + H * W; i < e; i++) if (src[i] > m) m = src[i];
    dst[d0] = m;
    return 0;
  }
  if (kind === 'globalavg') {
    let s = 0;
    for (let i = so, e = so + H * W; i < e; i++) s += src[i];
    return avgOut(s, p.mults[0], dst, d0);
  }
  if (p.max2x2) {
    for (let oy = 0; oy < OH; oy++) {
      const r0 = so + 2 * oy * W;
      const o = d0 + oy * OW;
      for (let ox = 0; ox < OW; ox++) {
        const i = r0 + 2 * ox;
        const a = src[i] > src[i + 1] ? src[i] : src[i + 1];
        const b = src[i + W] > src[i + W + 1] ? src[i + W] : src[i + W + 1];
        dst[o + ox] = a > b ? a : b;
      }
    }
    return 0;
  }
  let sat = 0;
  for (let oy = 0; oy < OH; oy++) {
    const rows = p.rows[oy];
    for (let ox = 0; ox < OW; ox++) {
      const cols = p.cols[ox];
      if (kind === 'max') {
        let m = INT16_MIN;
        for (let a = 0; a < rows.length; a++) {
          const base = so + rows[a] * W;
          for (let b = 0; b < cols.length; b++) { const v = src[base + cols[b]]; if (v > m) m = v; }
        }
        dst[d0 + oy * OW + ox] = m;
      } else {
        let s = 0;
        for (let a = 0; a < rows.length; a++) {
          const base = so + rows[a] * W;
          for (let b = 0; b < cols.length; b++) s += src[base + cols[b]];
        }
        sat += avgOut(s, p.mults[oy * OW + ox], dst, d0 + oy * OW + ox);
      }
    }
  }
  return sat;
}

function avgOut(s: number, m: AvgMultiplier, dst: Int16Array, i: number): number {
  const v = Math.floor((s * m.m + 2 ** (m.shift - 1)) / 2 ** m.shift);
  if (v > 32767) { dst[i] = 32767; return 1; }
  if (v < -32768) { dst[i] = -32768; return 1; }
  dst[i] = v;
  return 0;
}
