// Max, average and global pooling on NCHW float32.
// Max ignores padding. Average divides by the taps inside the input, or with count_include_pad
// by the taps inside the padded extent (taps past it, from ceil_mode, never count).

import type { PoolSpec } from '../../../ir/graph.ts';

export function pool2d(x: Float32Array, xs: number[], spec: PoolSpec, outShape: number[]): Float32Array {
  const [n, c, h, w] = xs;
  const planes = n * c;
  const [oh, ow] = [outShape[2], outShape[3]];
  const out = new Float32Array(planes * oh * ow);
  if (spec.kind === 'globalavg' || spec.kind === 'globalmax') {
    const hw = h * w;
    for (let p = 0; p < planes; p++) {
      if (spec.kind === 'globalavg') {
        let s = 0;
        for (let i = 0; i < hw; i++) s += x[p * hw + i];
        out[p] = s / hw;
      } else {
        let mx = -Infinity;
        for (let i = 0; i < hw; i++) if (x[p * hw + i] > mx) mx = x[p * hw + i];
        out[p] = mx;
      }
    }
    return out;
  }
  const [kh, kw] = spec.kernel;
  const [sh, sw] = spec.strides;
  const [dh, dw] = spec.dilations;
  const [pt, pl, pb, pr] = spec.pads;
  const isMax = spec.kind === 'max';
  const includePad = spec.kind === 'avg' && spec.countIncludePad;
  const lo = (o: number, d: number): number => Math.max(0, Math.ceil(-o / d));
  const hi = (o: number, d: number, k: number, limit: number): number => Math.min(k - 1, Math.floor((limit - 1 - o) / d));
  const yLo = new Int32Array(oh), yHi = new Int32Array(oh), yPad = new Int32Array(oh);
  const xLo = new Int32Array(ow), xHi = new Int32Array(ow), xPad = new Int32Array(ow);
  for (let oy = 0; oy < oh; oy++) {
    const y0 = oy * sh - pt;
    yLo[oy] = lo(y0, dh); yHi[oy] = hi(y0, dh, kh, h); yPad[oy] = hi(y0, dh, kh, h + pb);
  }
  for (let ox = 0; ox < ow; ox++) {
    const x0 = ox * sw - pl;
    xLo[ox] = lo(x0, dw); xHi[ox] = hi(x0, dw, kw, w); xPad[ox] = hi(x0, dw, kw, w + pr);
  }
  for (let p = 0; p < planes; p++) {
    const base = p * h * w;
    for (let oy = 0; oy < oh; oy++) {
      const y0 = oy * sh - pt;
      const kyLo = yLo[oy], kyHi = yHi[oy];
      for (let ox = 0; ox < ow; ox++) {
        const x0 = ox * sw - pl;
        const kxLo = xLo[ox], kxHi = xHi[ox];
        let mx = -Infinity;
        let s = 0;
        for (let ky = kyLo; ky <= kyHi; ky++) {
          const row = base + (y0 + ky * dh) * w + x0;
          for (let kx = kxLo; kx <= kxHi; kx++) {
            const v = x[row + kx * dw];
            if (isMax) { if (v > mx) mx = v; } else s += v;
          }
        }
        if (isMax) out[(p * oh + oy) * ow + ox] = mx;
        else {
          const inside = Math.max(0, kyHi - kyLo + 1) * Math.max(0, kxHi - kxLo + 1);
          out[(p * oh + oy) * ow + ox] = s / (includePad ? (yPad[oy] + 1) * (xPad[ox] + 1) : inside);
        }
      }
    }
  }
  return out;
}
