// Direct 2-D convolution on NCHW float32, no im2col. For each weight tap the valid output range
// is computed once, so the inner loop has no bounds checks. Output channels are processed four
// at a time (one input load feeds four accumulators). Accumulates in float64.

import type { ConvNode } from '../../../ir/graph.ts';

export function conv2d(x: Float32Array, xs: number[], w: Float32Array, ws: number[], bias: Float32Array | undefined, node: ConvNode, outShape: number[]): Float32Array {
  const [n, c, h, wd] = xs;
  const [m, cg, kh, kw] = ws;
  const [oh, ow] = [outShape[2], outShape[3]];
  const [sh, sw] = node.strides;
  const [dh, dw] = node.dilations;
  const [pt, pl] = node.pads;
  const mg = m / node.group;
  const plane = oh * ow;
  const out = new Float32Array(n * m * plane);
  const acc0 = new Float64Array(plane), acc1 = new Float64Array(plane), acc2 = new Float64Array(plane), acc3 = new Float64Array(plane);
  const accs = [acc0, acc1, acc2, acc3];
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
  const kk = kh * kw;
  for (let b = 0; b < n; b++) {
    for (let g = 0; g < node.group; g++) {
      for (let oc0 = g * mg; oc0 < (g + 1) * mg; oc0 += 4) {
        const nb = Math.min(4, (g + 1) * mg - oc0);
        for (let j = 0; j < 4; j++) accs[j].fill(j < nb && bias ? bias[oc0 + j] : 0);
        for (let ic = 0; ic < cg; ic++) {
          const xBase = (b * c + g * cg + ic) * h * wd;
          const wb0 = ((oc0 * cg) + ic) * kk;
          const wstride = cg * kk;
          for (let ky = 0; ky < kh; ky++) {
            const yOff = ky * dh - pt;
            const yLo = ohLo[ky], yHi = ohHi[ky];
            for (let kx = 0; kx < kw; kx++) {
              const t = ky * kw + kx;
              const w0 = w[wb0 + t];
              const w1 = nb > 1 ? w[wb0 + wstride + t] : 0;
              const w2 = nb > 2 ? w[wb0 + 2 * wstride + t] : 0;
              const w3 = nb > 3 ? w[wb0 + 3 * wstride + t] : 0;
              const xOff = kx * dw - pl;
              const lo = owLo[kx], hi = owHi[kx];
              for (let y = yLo; y <= yHi; y++) {
                const row = xBase + (y * sh + yOff) * wd + xOff;
                const o = y * ow;
                if (nb === 1) {
                  for (let x2 = lo; x2 <= hi; x2++) acc0[o + x2] += w0 * x[row + x2 * sw];
                } else if (sw === 1) {
                  for (let x2 = lo; x2 <= hi; x2++) {
                    const v = x[row + x2];
                    acc0[o + x2] += w0 * v;
                    acc1[o + x2] += w1 * v;
                    acc2[o + x2] += w2 * v;
                    acc3[o + x2] += w3 * v;
                  }
                } else {
                  for (let x2 = lo; x2 <= hi; x2++) {
                    const v = x[row + x2 * sw];
                    acc0[o + x2] += w0 * v;
                    acc1[o + x2] += w1 * v;
                    acc2[o + x2] += w2 * v;
                    acc3[o + x2] += w3 * v;
                  }
                }
              }
            }
          }
        }
        for (let j = 0; j < nb; j++) out.set(accs[j], (b * m + oc0 + j) * plane);
      }
    }
  }
  return out;
}
