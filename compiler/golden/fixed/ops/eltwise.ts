// Residual Add with NumPy broadcasting (docs/numerics.md "Add"), and Concat (each input
// rescaled to the output format, then copied).
import { addFixed, requantize, rescale, rshr } from '../fixed-point.ts';
import { applyActivation, type FixedAct } from './activation.ts';

export function broadcastStrides(dims: number[], outDims: number[]): number[] {
  const r = outDims.length;
  const st = new Array<number>(r).fill(0);
  let s = 1;
  for (let i = dims.length - 1; i >= 0; i--) {
    const oi = r - dims.length + i;
    st[oi] = dims[i] === 1 && outDims[oi] !== 1 ? 0 : s;
    s *= dims[i];
  }
  return st;
}

export function addTensors(
  a: Int16Array, aDims: number[], fa: number, b: Int16Array, bDims: number[], fb: number,
  outDims: number[], fOut: number, act: FixedAct,
): { q: Int16Array; sat: number } {
  const n = outDims.reduce((x, y) => x * y, 1);
  const q = new Int16Array(n);
  const F = Math.max(fa, fb);
  let sat = 0;
  const same = a.length === n && b.length === n;
  const sa = broadcastStrides(aDims, outDims);
  const sb = broadcastStrides(bDims, outDims);
  const r = outDims.length;
  const idx = new Array<number>(r).fill(0);
  let ia = 0;
  let ib = 0;
  for (let i = 0; i < n; i++) {
    const av = same ? a[i] : a[ia];
    const bv = same ? b[i] : b[ib];
    const y = addFixed(av, fa, bv, fb, fOut);
    if (y === 32767 || y === -32768) {
      const t = av * 2 ** (F - fa) + bv * 2 ** (F - fb);
      const exact = F >= fOut ? t / 2 ** (F - fOut) : t * 2 ** (fOut - F);
      if (exact >= 32767.5 || exact < -32768.5) sat++;
    }
    q[i] = y;
    if (!same) {
      for (let d = r - 1; d >= 0; d--) {
        idx[d]++;
        ia += sa[d];
        ib += sb[d];
        if (idx[d] < outDims[d]) break;
        ia -= sa[d] * outDims[d];
        ib -= sb[d] * outDims[d];
        idx[d] = 0;
      }
    }
  }
  applyActivation(q, 0, n, act);
  return { q, sat };
}

/**
 * Scaled Add of two same-shape tensors (docs/numerics.md "Add"): acc = a·wa + b·wb (exact),
 * y = sat16(rshr(acc, s)), then the activation: the conv rule of a 2-input 1×1 conv.
 */
export function scaledAdd(a: Int16Array, wa: number, b: Int16Array, wb: number, s: number, act: FixedAct): { q: Int16Array; sat: number } {
  const q = new Int16Array(a.length);
  let sat = 0;
  for (let i = 0; i < a.length; i++) {
    const acc = a[i] * wa + b[i] * wb;
    const y = requantize(acc, s);
    if ((y === 32767 || y === -32768) && rshr(acc, s) !== y) sat++;
    q[i] = y;
  }
  applyActivation(q, 0, q.length, act);
  return { q, sat };
}

export function concatTensors(
  parts: { q: Int16Array; dims: number[]; f: number }[], axis: number, outDims: number[], fOut: number,
): { q: Int16Array; sat: number } {
  const n = outDims.reduce((x, y) => x * y, 1);
  const q = new Int16Array(n);
  const outer = outDims.slice(0, axis).reduce((x, y) => x * y, 1);
  const inner = outDims.slice(axis + 1).reduce((x, y) => x * y, 1);
  const outRow = outDims[axis] * inner;
  let off = 0;
  let sat = 0;
  for (const p of parts) {
    const len = p.dims[axis] * inner;
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < len; i++) {
        const v = p.q[o * len + i];
        const y = rescale(v, p.f, fOut);
        if (y !== v * 2 ** (fOut - p.f) && (y === 32767 || y === -32768) && fOut > p.f) sat++;
        q[o * outRow + off + i] = y;
      }
    }
    off += len;
  }
  return { q, sat };
}
