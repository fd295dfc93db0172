// Direct 2-D convolution on NCHW float32, no im2col. For each weight tap the valid output range
// is computed once, so the inner loop has no bounds checks. Accumulates in float64.

import type { ConvNode } from '../../../ir/graph.ts';

export function conv2d(x: Float32Array, xs: number[], w: Float32Array, ws: number[], bias: Float32Array | undefined, node: ConvNode, outShape: number[]): Float32Array {
  const [n, c, h, wd] = xs;
  const [m, cg, kh, kw] = ws;
  const [oh, ow] = [outShape[2], outShape[3]];
  const [sh, sw] = node.strides;
  const [dh, dw] = node.dilations;
  const [pt, pl] = node.pads;
  const mg = m / node.group;
  const out = new Float32Array(n * m * oh * ow);
  const acc = new Float64Array(oh * ow);
  const ohLo = new Int32Array(kh), ohHi = new Int32Array(kh), owLo = new Int32Array(kw), owHi = new Int32Array(kw);
  for (let ky = 0; ky < kh; ky++) {
    const off = ky * dh - pt;
    ohLo[ky] = Math.max(0, Math.ceil(-off / sh));
    ohHi[ky] = Math.min(oh - 1, Math.floor((h - 1 - off) / sh));
  }
  for (let kx = 0; kx < kw; kx++) {
    const off = kx * dw - pl;
    owLo[kx] = Math.max(0, Math.ceil(-off / sw));
    owHi[kx] = Math.min(ow - 1, Math.floor((wd - 1 - off) / sw));
  }
  for (let b = 0; b < n; b++) {
    for (let oc = 0; oc < m; oc++) {
      acc.fill(bias ? bias[oc] : 0);
      const grp = Math.floor(oc / mg);
      for (let ic = 0; ic < cg; ic++) {
        const xBase = (b * c + grp * cg + ic) * h * wd;
        const wBase = ((oc * cg + ic) * kh) * kw;
        for (let ky = 0; ky < kh; ky++) {
          const yOff = ky * dh - pt;
          for (let kx = 0; kx < kw; kx++) {
            const wv = w[wBase + ky * kw + kx];
            if (wv === 0) continue;
            const xOff = kx * dw - pl;
            const lo = owLo[kx], hi = owHi[kx];
            for (let y = ohLo[ky]; y <= ohHi[ky]; y++) {
              const row = xBase + (y * sh + yOff) * wd + xOff;
              const o = y * ow;
              if (sw === 1) {
                for (let x2 = lo; x2 <= hi; x2++) acc[o + x2] += wv * x[row + x2];
              } else {
                for (let x2 = lo; x2 <= hi; x2++) acc[o + x2] += wv * x[row + x2 * sw];
              }
            }
          }
        }
      }
      out.set(acc, (b * m + oc) * oh * ow);
    }
  }
  return out;
}
