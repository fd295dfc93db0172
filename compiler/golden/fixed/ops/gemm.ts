// Gemm / fully connected with the fused post-op pipeline (docs/numerics.md "Conv and FC"):
// Y[r, j] = act(sat16(rshr(b[j] + Σ_k A[r, k]·B[j, k], s_j))). alpha is already folded into the
// quantized weights and beta into the bias. The weights are held as [N][K] (transposed once
// if the model stores B as [K, N]) with rows zero-padded to Kp, a multiple of 8; transA is
// undone on the input, whose rows are padded the same way. Accumulation as for conv, with the
// plain loop or the equivalent SIMD kernel (wasm-dot.ts).
import type { GemmNode } from '../../../ir/graph.ts';
import { CnnaError } from '../../../errors/cnna-error.ts';
import { applyActivation, compileActivation, type FixedAct } from './activation.ts';
import { pad8, type DotKernel } from '../wasm-dot.ts';
import { W_BLOCK } from './conv.ts';

export interface GemmPlan {
  R: number; K: number; Kp: number; N: number;
  transA: boolean;
  /** Weights [N][Kp], zero-padded. */
  w: Int16Array;
  hasMin: boolean;
  /** Length N (per column) or R·N (a full bias matrix). */
  bias: Float64Array | null;
  shift: Int32Array;
  act: FixedAct;
}

export function compileGemm(
  node: GemmNode, inDims: number[], outDims: number[], w: { q: Int16Array; dims: number[]; wf: number[] },
  bias: Float64Array | null, fIn: number, fOut: number,
): GemmPlan {
  const where = `gemm node '${node.name}'`;
  const inCount = inDims.reduce((a, b) => a * b, 1);
  const [R, N] = outDims;
  const K = inCount / R;
  if (outDims.length !== 2 || w.dims.length !== 2 || !Number.isInteger(K)) {
    throw new CnnaError('E_GRAPH', `${where}: input [${inDims}], weight [${w.dims}] and output [${outDims}] do not fit a matrix product`);
  }
  const [wr, wc] = w.dims;
  const [wn, wk] = node.transB ? [wr, wc] : [wc, wr];
  if (wn !== N || wk !== K) throw new CnnaError('E_GRAPH', `${where}: weight [${w.dims}] (transB=${node.transB}) does not map ${K} inputs to ${N} outputs`);
  const Kp = pad8(K);
  let wt = w.q;
  if (!node.transB || Kp !== K) {
    wt = new Int16Array(N * Kp);
    if (node.transB) for (let j = 0; j < N; j++) wt.set(w.q.subarray(j * K, (j + 1) * K), j * Kp);
    else for (let k = 0; k < K; k++) for (let j = 0; j < N; j++) wt[j * Kp + k] = w.q[k * N + j];
  }
  if (bias && bias.length !== N && bias.length !== R * N) {
    throw new CnnaError('E_GRAPH', `${where}: bias has ${bias.length} values, expected ${N} or ${R * N}`);
  }
  const shift = new Int32Array(N);
  for (let j = 0; j < N; j++) {
    shift[j] = fIn + (w.wf.length === 1 ? w.wf[0] : w.wf[j]) - fOut;
    if (shift[j] < 0) throw new CnnaError('E_GRAPH', `${where}: output format f=${fOut} exceeds f_in + f_w (column ${j})`);
  }
  return { R, K, Kp, N, transA: node.transA, w: wt, hasMin: w.q.includes(-32768), bias, shift, act: compileActivation(node.activation, fOut, where) };
}

/** A as [R][Kp] (undoing transA, zero-padding each row). */
export function gemmInput(p: GemmPlan, a: Int16Array): Int16Array {
  const { R, K, Kp } = p;
  if (!p.transA && K === Kp) return a;
  const t = new Int16Array(R * Kp);
  if (p.transA) for (let k = 0; k < K; k++) for (let r = 0; r < R; r++) t[r * Kp + k] = a[k * R + r];
  else for (let r = 0; r < R; r++) t.set(a.subarray(r * K, (r + 1) * K), r * Kp);
  return t;
}

/**
 * Output columns [j0, j1) for all rows into out ([R][N]); `a` comes from gemmInput. With a
 * kernel, `a` must already be loaded into it (kernel.setCols). Returns the saturation count.
 */
export function gemmColumns(p: GemmPlan, a: Int16Array, out: Int16Array, j0: number, j1: number, kernel: DotKernel | null = null): number {
  const { R, K, Kp, N, w, bias, shift } = p;
  const full = bias !== null && bias.length === R * N;
  const simd = kernel !== null && !p.hasMin;
  const block = Math.max(1, Math.min(Math.floor(2 ** 21 / R), Math.floor(W_BLOCK / Kp)));
  let sat = 0;
  let accs: Float64Array | null = null;
  let acc0 = 0;
  let acc1 = 0;
  for (let j = j0; j < j1; j++) {
    const wo = j * Kp;
    const s = shift[j];
    const half = s > 0 ? 2 ** (s - 1) : 0;
    const inv = 2 ** -s;
    if (simd && j >= acc1) {
      acc0 = j;
      acc1 = Math.min(j1, j + block);
      accs = kernel.dot(w, acc0, acc1 - acc0, Kp, 0, Kp, R);
    }
    for (let r = 0; r < R; r++) {
      let acc = bias ? (full ? bias[r * N + j] : bias[j]) : 0;
      if (simd) {
        acc += accs![(j - acc0) * R + r];
      } else {
        const ao = r * Kp;
        let k = 0;
        for (; k + 3 < K; k += 4) {
          acc += w[wo + k] * a[ao + k] + w[wo + k + 1] * a[ao + k + 1]
            + w[wo + k + 2] * a[ao + k + 2] + w[wo + k + 3] * a[ao + k + 3];
        }
        for (; k < K; k++) acc += w[wo + k] * a[ao + k];
      }
      const y = Math.floor((acc + half) * inv);
      const o = r * N + j;
      if (y > 32767) { out[o] = 32767; sat++; } else if (y < -32768) { out[o] = -32768; sat++; } else out[o] = y;
    }
  }
  if (p.act.kind !== 0) {
    for (let r = 0; r < R; r++) applyActivation(out, r * N + j0, j1 - j0, p.act);
  }
  return sat;
}
