// Layout kernels: transpose, concat and softmax on N-D float32 tensors.

import { numel } from '../../../ir/infer-shape.ts';

export function transpose(x: Float32Array, xs: number[], perm: number[]): Float32Array {
  const r = xs.length;
  const outDims = perm.map((p) => xs[p]);
  const inStrides = new Array<number>(r);
  let s = 1;
  for (let i = r - 1; i >= 0; i--) { inStrides[i] = s; s *= xs[i]; }
  const st = perm.map((p) => inStrides[p]);
  const n = x.length;
  const out = new Float32Array(n);
  const idx = new Array<number>(r).fill(0);
  let src = 0;
  for (let i = 0; i < n; i++) {
    out[i] = x[src];
    for (let ax = r - 1; ax >= 0; ax--) {
      idx[ax]++;
      src += st[ax];
      if (idx[ax] < outDims[ax]) break;
      src -= st[ax] * outDims[ax];
      idx[ax] = 0;
    }
  }
  return out;
}

export function concat(parts: { data: Float32Array; dims: number[] }[], axis: number, outShape: number[]): Float32Array {
  const outer = numel(outShape.slice(0, axis));
  const out = new Float32Array(numel(outShape));
  const rowOut = numel(outShape.slice(axis));
  let off = 0;
  for (const p of parts) {
    const row = numel(p.dims.slice(axis));
    for (let o = 0; o < outer; o++) out.set(p.data.subarray(o * row, (o + 1) * row), o * rowOut + off);
    off += row;
  }
  return out;
}

export function softmax(x: Float32Array, xs: number[], axis: number, coerce2d: boolean): Float32Array {
  const outer = numel(xs.slice(0, axis));
  const len = coerce2d ? numel(xs.slice(axis)) : xs[axis];
  const inner = coerce2d ? 1 : numel(xs.slice(axis + 1));
  const out = new Float32Array(x.length);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * len * inner + i;
      let mx = -Infinity;
      for (let k = 0; k < len; k++) mx = Math.max(mx, x[base + k * inner]);
      let s = 0;
      for (let k = 0; k < len; k++) s += Math.exp(x[base + k * inner] - mx);
      for (let k = 0; k < len; k++) out[base + k * inner] = Math.exp(x[base + k * inner] - mx) / s;
    }
  }
  return out;
}
