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
  for (let p = 0; p < planes; p++) {
    const base = p * h * w;
    for (let oy = 0; oy < oh; oy++) {
      const y0 = oy * sh - pt;
      for (let ox = 0; ox < ow; ox++) {
        const x0 = ox * sw - pl;
        let mx = -Infinity;
        let s = 0;
        let inside = 0;
        let padded = 0;
        for (let ky = 0; ky < kh; ky++) {
          const yy = y0 + ky * dh;
          if (yy >= h + pb) break;
          const yIn = yy >= 0 && yy < h;
          for (let kx = 0; kx < kw; kx++) {
            const xx = x0 + kx * dw;
            if (xx >= w + pr) break;
            padded++;
            if (!yIn || xx < 0 || xx >= w) continue;
            const v = x[base + yy * w + xx];
            inside++;
            if (isMax) { if (v > mx) mx = v; } else s += v;
          }
        }
        out[(p * oh + oy) * ow + ox] = isMax ? mx : s / (includePad ? padded : inside);
      }
    }
  }
  return out;
}
