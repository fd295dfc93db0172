import { describe, expect, it } from 'vitest';
import type { ConvNode } from '../../../ir/graph.ts';
import { windowOutSize } from '../../../ir/window.ts';
import { prng } from '../../../onnx/sample-models.ts';
import { conv2d } from './conv.ts';

/** The textbook 7-deep loop, as the reference. */
function naive(x: Float32Array, xs: number[], w: Float32Array, ws: number[], b: Float32Array | undefined, nd: ConvNode, os: number[]): Float64Array {
  const [n, c, h, wd] = xs, [m, cg, kh, kw] = ws, [, , oh, ow] = os;
  const out = new Float64Array(n * m * oh * ow);
  for (let bi = 0; bi < n; bi++) for (let oc = 0; oc < m; oc++) for (let oy = 0; oy < oh; oy++) for (let ox = 0; ox < ow; ox++) {
    let s = b ? b[oc] : 0;
    const g = Math.floor(oc / (m / nd.group));
    for (let ic = 0; ic < cg; ic++) for (let ky = 0; ky < kh; ky++) for (let kx = 0; kx < kw; kx++) {
      const iy = oy * nd.strides[0] + ky * nd.dilations[0] - nd.pads[0];
      const ix = ox * nd.strides[1] + kx * nd.dilations[1] - nd.pads[1];
      if (iy < 0 || iy >= h || ix < 0 || ix >= wd) continue;
      s += w[((oc * cg + ic) * kh + ky) * kw + kx] * x[((bi * c + g * cg + ic) * h + iy) * wd + ix];
    }
    out[((bi * m + oc) * oh + oy) * ow + ox] = s;
  }
  return out;
}

describe('conv2d', () => {
  it('matches the textbook loop on 300 random configs, including huge pads and strides (direct fallback)', () => {
    const r = prng(99);
    const int = (lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
    for (let t = 0; t < 300; t++) {
      const group = [1, 2, 3][int(0, 2)];
      const cg = int(1, 3), mg = int(1, 6);
      const huge = t % 10 === 0;
      const node: ConvNode = {
        op: 'conv', name: 'c', inputs: [], outputs: [], group,
        kernel: [int(1, 3), int(1, 3)], strides: huge ? [300, 200] : [int(1, 3), int(1, 3)], dilations: [int(1, 2), int(1, 2)],
        pads: huge ? [400, 500, 300, 400] : [int(0, 2), int(0, 2), int(0, 2), int(0, 2)],
      };
      const xs = [int(1, 2), group * cg, int(3, 9), int(3, 9)];
      const ws = [group * mg, cg, ...node.kernel];
      const oh = windowOutSize(xs[2], node.kernel[0], node.strides[0], node.pads[0], node.pads[2], node.dilations[0]);
      const ow = windowOutSize(xs[3], node.kernel[1], node.strides[1], node.pads[1], node.pads[3], node.dilations[1]);
      if (oh < 1 || ow < 1) continue;
      const os = [xs[0], ws[0], oh, ow];
      const x = Float32Array.from({ length: xs.reduce((a, b) => a * b) }, () => r() * 2 - 1);
      const w = Float32Array.from({ length: ws.reduce((a, b) => a * b) }, () => r() * 2 - 1);
      const b = r() < 0.5 ? Float32Array.from({ length: ws[0] }, () => r()) : undefined;
      const got = conv2d(x, xs, w, ws, b, node, os);
      const want = naive(x, xs, w, ws, b, node, os);
      expect(got.length).toBe(want.length);
      for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i]), `config ${t} element ${i}`).toBeLessThan(1e-5);
    }
  });
});
