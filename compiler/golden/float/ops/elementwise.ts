// Elementwise kernels: activations (into a new array, or in place with out = x), broadcast add,
// batch normalization, constant pad.

import type { Activation } from '../../../ir/graph.ts';
import { broadcastShapes, numel } from '../../../ir/infer-shape.ts';

export function activate(x: Float32Array, act: Activation, out: Float32Array = new Float32Array(x.length)): Float32Array {
  if (act.kind === 'relu') for (let i = 0; i < x.length; i++) out[i] = x[i] > 0 ? x[i] : 0;
  else if (act.kind === 'leaky') for (let i = 0; i < x.length; i++) out[i] = x[i] >= 0 ? x[i] : x[i] * act.alpha;
  else for (let i = 0; i < x.length; i++) out[i] = Math.min(act.max, Math.max(act.min, x[i]));
  return out;
}

/** Strides of `shape` broadcast into `to`: 0 along broadcast axes. */
export function broadcastStrides(shape: number[], to: number[]): number[] {
  const st = new Array<number>(to.length).fill(0);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const ax = to.length - shape.length + i;
    st[ax] = shape[i] === 1 ? 0 : s;
    s *= shape[i];
  }
  return st;
}

export function add(a: Float32Array, as: number[], b: Float32Array, bs: number[]): { data: Float32Array; dims: number[] } {
  const dims = broadcastShapes(as, bs)!;
  const n = numel(dims);
  const out = new Float32Array(n);
  if (a.length === n && b.length === n) {
    for (let i = 0; i < n; i++) out[i] = a[i] + b[i];
    return { data: out, dims };
  }
  const sa = broadcastStrides(as, dims);
  const sb = broadcastStrides(bs, dims);
  const r = dims.length;
  const idx = new Array<number>(r).fill(0);
  let ia = 0, ib = 0;
  for (let i = 0; i < n; i++) {
    out[i] = a[ia] + b[ib];
    for (let ax = r - 1; ax >= 0; ax--) {
      idx[ax]++;
      ia += sa[ax];
      ib += sb[ax];
      if (idx[ax] < dims[ax]) break;
      ia -= sa[ax] * dims[ax];
      ib -= sb[ax] * dims[ax];
      idx[ax] = 0;
    }
  }
  return { data: out, dims };
}

export function batchNorm(x: Float32Array, xs: number[], scale: Float32Array, bias: Float32Array, mean: Float32Array, variance: Float32Array, eps: number): Float32Array {
  const c = xs[1];
  const inner = numel(xs.slice(2));
  const outer = xs[0];
  const out = new Float32Array(x.length);
  for (let ch = 0; ch < c; ch++) {
    const k = scale[ch] / Math.sqrt(variance[ch] + eps);
    const off = bias[ch] - mean[ch] * k;
    for (let b = 0; b < outer; b++) {
      const base = (b * c + ch) * inner;
      for (let i = 0; i < inner; i++) out[base + i] = x[base + i] * k + off;
    }
  }
  return out;
}

export function pad4d(x: Float32Array, xs: number[], pads: [number, number, number, number], value: number, outShape: number[]): Float32Array {
  const [n, c, h, w] = xs;
  const [oh, ow] = [outShape[2], outShape[3]];
  const out = new Float32Array(n * c * oh * ow).fill(value);
  for (let p = 0; p < n * c; p++) {
    for (let y = 0; y < h; y++) {
      out.set(x.subarray((p * h + y) * w, (p * h + y + 1) * w), (p * oh + y + pads[0]) * ow + pads[1]);
    }
  }
  return out;
}
