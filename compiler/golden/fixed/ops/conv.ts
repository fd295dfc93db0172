// Conv with the fused post-op pipeline (docs/numerics.md "Conv and FC"): exact accumulation
// of int16 products in float64 (|w·x| <= 2^30, |sum| < 2^48 < 2^53, so every partial sum is an
// exact integer), requantize y = sat16(rshr(acc, s_m)), activation, then pooling.
// The input is unrolled once per image (im2col, zero for padding; each group's row segment is
// padded with zeros to Kp, a multiple of 8, as are the weight rows); output channels [m0, m1)
// can then be computed independently, which is how the parallel path splits a layer. The sums
// come from the plain loop below or, when available, the equivalent SIMD kernel (wasm-dot.ts).
import type { ConvNode } from '../../../ir/graph.ts';
import { CnnaError } from '../../../errors/cnna-error.ts';
import { applyActivation, compileActivation, type FixedAct } from './activation.ts';
import { compilePool, poolPlane, type FixedPool } from './pool.ts';
import { pad8, type DotKernel } from '../wasm-dot.ts';

export interface ConvPlan {
  C: number; H: number; W: number;
  M: number; Cg: number; KH: number; KW: number; group: number;
  OH: number; OW: number;
  sh: number; sw: number; pt: number; pl: number; dh: number; dw: number;
  /** Reduction length per output: Cg·KH·KW, and the same rounded up to a multiple of 8. */
  K: number;
  Kp: number;
  /** Weights [M][Kp], zero-padded. */
  w: Int16Array;
  /** Some weight is -32768 (the SIMD kernel cannot take it). */
  hasMin: boolean;
  bias: Float64Array | null;
  shift: Int32Array;
  act: FixedAct;
  pool: FixedPool | null;
  /** Elements per output channel plane after pooling. */
  outPlane: number;
}

export function convOutSize(size: number, k: number, s: number, d: number, p0: number, p1: number): number {
  return Math.floor((size + p0 + p1 - d * (k - 1) - 1) / s) + 1;
}

export function compileConv(
  node: ConvNode, inDims: number[], outDims: number[], w: { q: Int16Array; dims: number[]; wf: number[] },
  bias: Float64Array | null, fIn: number, fOut: number,
): ConvPlan {
  const [, C, H, W] = inDims;
  const [M, Cg, KH, KW] = w.dims;
  const where = `conv node '${node.name}'`;
  if (inDims.length !== 4 || w.dims.length !== 4 || Cg * node.group !== C || M % node.group !== 0) {
    throw new CnnaError('E_GRAPH', `${where}: input [${inDims}] and weight [${w.dims}] do not match group ${node.group}`);
  }
  const [sh, sw] = node.strides;
  const [dh, dw] = node.dilations;
  const [pt, pl, pb, pr] = node.pads;
  const OH = convOutSize(H, KH, sh, dh, pt, pb);
  const OW = convOutSize(W, KW, sw, dw, pl, pr);
  if (OH < 1 || OW < 1) throw new CnnaError('E_GRAPH', `${where}: output would be ${OH}×${OW}`);
  const shift = new Int32Array(M);
  for (let m = 0; m < M; m++) {
    shift[m] = fIn + (w.wf.length === 1 ? w.wf[0] : w.wf[m]) - fOut;
    if (shift[m] < 0) throw new CnnaError('E_GRAPH', `${where}: output format f=${fOut} exceeds f_in + f_w = ${fIn + w.wf[m]} (channel ${m})`);
  }
  const act = compileActivation(node.activation, fOut, where);
  let pool: FixedPool | null = null;
  if (node.pool) pool = compilePool(node.pool, OH, OW, outDims[2], outDims[3], where);
  else if (outDims[2] !== OH || outDims[3] !== OW) {
    throw new CnnaError('E_GRAPH', `${where}: shape inference says ${outDims[2]}×${outDims[3]}, the conv gives ${OH}×${OW}`);
  }
  const K = Cg * KH * KW;
  const Kp = pad8(K);
  let wp = w.q;
  if (Kp !== K) {
    wp = new Int16Array(M * Kp);
    for (let m = 0; m < M; m++) wp.set(w.q.subarray(m * K, (m + 1) * K), m * Kp);
  }
  return {
    C, H, W, M, Cg, KH, KW, group: node.group, OH, OW, sh, sw, pt, pl, dh, dw, K, Kp,
    w: wp, hasMin: w.q.includes(-32768), bias, shift, act, pool, outPlane: pool ? pool.OH * pool.OW : OH * OW,
  };
}

/** Unrolled input of one image: [OH·OW][group][Kp], (c, ky, kx) order within a group, zero where padded. */
export function im2col(p: ConvPlan, x: Int16Array, xo: number, cols: Int16Array): void {
  const { C, H, W, KH, KW, OH, OW, sh, sw, pt, pl, dh, dw, Cg, Kp } = p;
  const row = p.group * Kp;
  const KK = KH * KW;
  cols.fill(0, 0, OH * OW * row);
  const cOff = new Int32Array(C);
  for (let c = 0; c < C; c++) cOff[c] = Math.floor(c / Cg) * Kp + (c % Cg) * KK;
  const HW = H * W;
  for (let oy = 0; oy < OH; oy++) {
    const iy0 = oy * sh - pt;
    const rowsIn = iy0 >= 0 && iy0 + (KH - 1) * dh < H;
    for (let ox = 0; ox < OW; ox++) {
      const ix0 = ox * sw - pl;
      const base = (oy * OW + ox) * row;
      if (rowsIn && ix0 >= 0 && ix0 + (KW - 1) * dw < W) {
        // interior pixel: every tap is inside the image
        for (let c = 0; c < C; c++) {
          let o = base + cOff[c];
          const xc = xo + c * HW + iy0 * W + ix0;
          for (let ky = 0; ky < KH; ky++) {
            const r = xc + ky * dh * W;
            for (let kx = 0; kx < KW; kx++) cols[o++] = x[r + kx * dw];
          }
        }
      } else {
        for (let c = 0; c < C; c++) {
          let o = base + cOff[c];
          const xc = xo + c * HW;
          for (let ky = 0; ky < KH; ky++) {
            const iy = iy0 + ky * dh;
            if (iy < 0 || iy >= H) { o += KW; continue; }
            const r = xc + iy * W;
            for (let kx = 0; kx < KW; kx++, o++) {
              const ix = ix0 + kx * dw;
              if (ix >= 0 && ix < W) cols[o] = x[r + ix];
            }
          }
        }
      }
    }
  }
}

export function colsLength(p: ConvPlan): number {
  return p.OH * p.OW * p.group * p.Kp;
}

/** Accumulator budget per kernel call (float64 values). */
const ACC_BLOCK = 2 ** 21;
/** Weight rows per kernel call, in int16 values: the block stays in L2 while the input streams by. */
export const W_BLOCK = 2 ** 17;
/** Unrolled-input budget per batch chunk (int16 values). */
export const COLS_BLOCK = 2 ** 24;

/**
 * Output channels [m0, m1) of `nImg` consecutive images whose unrolled inputs lie one after the
 * other in `cols`; image i goes to out[oo + i·M·outPlane + m·outPlane ...]. `plane` is scratch
 * of at least OH·OW int16. With a kernel, `cols` must already be loaded into it
 * (kernel.setCols). Returns the number of values that saturated (requantize and average pool).
 */
export function convChannels(
  p: ConvPlan, cols: Int16Array, nImg: number, out: Int16Array, oo: number, m0: number, m1: number, plane: Int16Array,
  kernel: DotKernel | null = null,
): number {
  const { K, Kp, w, bias, shift, OH, OW, M, group } = p;
  const P = OH * OW;
  const NP = nImg * P;
  const row = Kp * group;
  const mPerG = M / group;
  const simd = kernel !== null && !p.hasMin;
  let sat = 0;
  let accs: Float64Array | null = null;
  let accM0 = 0;
  let accM1 = 0;
  for (let m = m0; m < m1; m++) {
    const g = Math.floor(m / mPerG);
    const b = bias ? bias[m] : 0;
    const s = shift[m];
    const half = s > 0 ? 2 ** (s - 1) : 0;
    const inv = 2 ** -s;
    if (simd && m >= accM1) {
      accM0 = m;
      accM1 = Math.min(m1, (g + 1) * mPerG, m + Math.max(1, Math.floor(ACC_BLOCK / NP)), m + Math.max(1, Math.floor(W_BLOCK / Kp)));
      accs = kernel.dot(w, accM0, accM1 - accM0, Kp, g * Kp, row, NP);
    }
    for (let img = 0; img < nImg; img++) {
      if (simd) {
        const ao = (m - accM0) * NP + img * P;
        for (let px = 0; px < P; px++) {
          const y = Math.floor((accs![ao + px] + b + half) * inv);
          if (y > 32767) { plane[px] = 32767; sat++; } else if (y < -32768) { plane[px] = -32768; sat++; } else plane[px] = y;
        }
      } else {
        const wo = m * Kp;
        const co = g * Kp + img * P * row;
        for (let px = 0; px < P; px++) {
          let a = b;
          const c0 = px * row + co;
          let k = 0;
          for (; k + 3 < K; k += 4) {
            a += w[wo + k] * cols[c0 + k] + w[wo + k + 1] * cols[c0 + k + 1]
              + w[wo + k + 2] * cols[c0 + k + 2] + w[wo + k + 3] * cols[c0 + k + 3];
          }
          for (; k < K; k++) a += w[wo + k] * cols[c0 + k];
          const y = Math.floor((a + half) * inv);
          if (y > 32767) { plane[px] = 32767; sat++; } else if (y < -32768) { plane[px] = -32768; sat++; } else plane[px] = y;
        }
      }
      applyActivation(plane, 0, P, p.act);
      const dst = oo + img * M * p.outPlane + m * p.outPlane;
      if (p.pool) sat += poolPlane(p.pool, plane, 0, out, dst);
      else out.set(plane.subarray(0, P), dst);
    }
  }
  return sat;
}
