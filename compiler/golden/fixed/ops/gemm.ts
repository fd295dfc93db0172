// Gemm / fully connected with the fused post-op pipeline (docs/numerics.md "Conv and FC"):
// Y[r, j] = act(sat16(rshr(b[j] + Σ_k A[r, k]·B[j, k], s_j))). alpha is already folded into the
// quantized weights and beta into the bias. The weights are held as [N][K] (transposed once
// if the model stores B as [K, N]); transA is undone on the input. Accumulation as for conv.
import type { GemmNode } from '../../../ir/graph.ts';
import { CnnaError } from '../../../errors/cnna-error.ts';
import { applyActivation, compileActivation, type FixedAct } from './activation.ts';

export interface GemmPlan {
  R: number; K: number; N: number;
  transA: boolean;
  /** Weights [N][K]. */
  w: Int16Array;
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
  let wt = w.q;
  if (!node.transB) {
    wt = new Int16Array(N * K);
    for (let k = 0; k < K; k++) for (let j = 0; j < N; j++) wt[j * K + k] = w.q[k * N + j];
  }
  if (bias && bias.length !== N && bias.length !== R * N) {
    throw new CnnaError('E_GRAPH', `${where}: bias has ${bias.length} values, expected ${N} or ${R * N}`);
  }
  const shift = new Int32Array(N);
  for (let j = 0; j < N; j++) {
    shift[j] = fIn + (w.wf.length === 1 ? w.wf[0] : w.wf[j]) - fOut;
    if (shift[j] < 0) throw new CnnaError('E_GRAPH', `${where}: output format f=${fOut} exceeds f_in + f_w (column ${j})`);
  }
  return { R, K, N, transA: node.transA, w: wt, bias, shift, act: compileActivation(node.activation, fOut, where) };
}

/** A as [R][K] (undoing transA). */
export function gemmInput(p: GemmPlan, a: Int16Array): Int16Array {
  if (!p.transA) return a;
  const t = new Int16Array(p.R * p.K);
  for (let k = 0; k < p.K; k++) for (let r = 0; r < p.R; r++) t[r * p.K + k] = a[k * p.R + r];
  return t;
}

/** Output columns [j0, j1) for all rows into out ([R][N]). Returns the saturation count. */
export function gemmColumns(p: GemmPlan, a: Int16Array, out: Int16Array, j0: number, j1: number): number {
  const { R, K, N, w, bias, shift } = p;
  const full = bias !== null && bias.length === R * N;
  let sat = 0;
  for (let j = j0; j < j1; j++) {
    const wo = j * K;
    const s = shift[j];
    const half = s > 0 ? 2 ** (s - 1) : 0;
    const inv = 2 ** -s;
    for (let r = 0; r < R; r++) {
      let acc = bias ? (full ? bias[r * N + j] : bias[j]) : 0;
      const ao = r * K;
      let k = 0;
      for (; k + 3 < K; k += 4) {
        acc += w[wo + k] * a[ao + k] + w[wo + k + 1] * a[ao + k + 1]
          + w[wo + k + 2] * a[ao + k + 2] + w[wo + k + 3] * a[ao + k + 3];
      }
      for (; k < K; k++) acc += w[wo + k] * a[ao + k];
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
