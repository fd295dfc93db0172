// The SIMD dot kernel against plain float64 sums of int16 products, bit for bit, including the
// extreme products and the longest reductions the accumulator is specified for.
import { describe, expect, it } from 'vitest';
import { DotKernel, pad8 } from './wasm-dot.ts';

function ref(w: Int16Array, c: Int16Array, m: number, p: number, Kp: number, cOff: number, cStride: number): number {
  let s = 0;
  for (let k = 0; k < Kp; k++) s += w[m * Kp + k] * c[p * cStride + cOff + k];
  return s;
}

describe('DotKernel', () => {
  const kernel = DotKernel.create();

  it.skipIf(!kernel)('matches exact sums on random data with group offsets', () => {
    let seed = 99;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) - 32768;
    for (const [K, M, P, groups] of [[1, 1, 1, 1], [9, 5, 7, 1], [27, 16, 33, 3], [300, 4, 9, 2]]) {
      const Kp = pad8(K);
      const w = new Int16Array(M * Kp);
      for (let m = 0; m < M; m++) for (let k = 0; k < K; k++) w[m * Kp + k] = Math.max(-32767, rnd());
      const stride = groups * Kp;
      const c = new Int16Array(P * stride);
      for (let i = 0; i < c.length; i++) c[i] = i % stride % Kp < K ? rnd() : 0;
      kernel!.setCols(c);
      for (let g = 0; g < groups; g++) {
        const acc = kernel!.dot(w, 1 % M, M - (1 % M), Kp, g * Kp, stride, P);
        for (let m = 1 % M; m < M; m++) for (let p = 0; p < P; p++) expect(acc[(m - (1 % M)) * P + p]).toBe(ref(w, c, m, p, Kp, g * Kp, stride));
      }
    }
  });

  it.skipIf(!kernel)('is exact at the extremes: 65536 products of -32767 · -32768', () => {
    const Kp = 65536;
    const w = new Int16Array(Kp).fill(-32767);
    const c = new Int16Array(Kp).fill(-32768);
    kernel!.setCols(c);
    // 65536 · 32767 · 32768 = 70366596694016 (2^46 - 2^31)
    expect(kernel!.dot(w, 0, 1, Kp, 0, Kp, 1)[0]).toBe(70366596694016);
    const w2 = new Int16Array(Kp).fill(32767);
    expect(kernel!.dot(w2, 0, 1, Kp, 0, Kp, 1)[0]).toBe(-70366596694016);
  });
});

describe('conv and gemm give the same integers with and without the kernel', () => {
  const kernel = DotKernel.create();
  it.skipIf(!kernel)('on a random strided, padded, grouped conv with pooling and a random FC', async () => {
    const { compileConv, im2col, colsLength, convChannels } = await import('./ops/conv.ts');
    const { compileGemm, gemmInput, gemmColumns } = await import('./ops/gemm.ts');
    let seed = 5;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) - 32768;
    const [C, H, W, M, G] = [6, 11, 9, 8, 2];
    const wq = Int16Array.from({ length: M * (C / G) * 9 }, rnd);
    for (const withMin of [false, true]) {
      if (withMin) wq[3] = -32768;
      const plan = compileConv(
        { op: 'conv', name: 'c', inputs: [], outputs: [], group: G, kernel: [3, 3], strides: [2, 1], pads: [1, 0, 2, 1], dilations: [1, 2],
          activation: { kind: 'leaky', alpha: 0.1 }, pool: { kind: 'avg', ceilMode: true, countIncludePad: false, kernel: [2, 2], strides: [2, 2], pads: [0, 0, 0, 0], dilations: [1, 1] } },
        [1, C, H, W], [1, M, 3, 3], { q: wq, dims: [M, C / G, 3, 3], wf: [9] }, Float64Array.from({ length: M }, () => rnd() * 1000), 12, 6,
      );
      const x = Int16Array.from({ length: C * H * W }, rnd);
      const cols = new Int16Array(colsLength(plan));
      im2col(plan, x, 0, cols);
      const a = new Int16Array(M * plan.outPlane);
      const b = new Int16Array(M * plan.outPlane);
      convChannels(plan, cols, 1, a, 0, 0, M, new Int16Array(plan.OH * plan.OW), null);
      kernel!.setCols(cols);
      convChannels(plan, cols, 1, b, 0, 0, M, new Int16Array(plan.OH * plan.OW), kernel);
      expect(Array.from(b)).toEqual(Array.from(a));
      expect(new Set(a).size).toBeGreaterThan(10);
    }
    const fw = Int16Array.from({ length: 13 * 21 }, rnd);
    const g = compileGemm({ op: 'gemm', name: 'f', inputs: [], outputs: [], alpha: 1, beta: 1, transA: true, transB: false },
      [21, 3], [3, 13], { q: fw, dims: [21, 13], wf: [10] }, null, 10, 4);
    const ain = gemmInput(g, Int16Array.from({ length: 63 }, rnd));
    const o1 = new Int16Array(39);
    const o2 = new Int16Array(39);
    gemmColumns(g, ain, o1, 0, 13, null);
    kernel!.setCols(ain);
    gemmColumns(g, ain, o2, 0, 13, kernel);
    expect(Array.from(o2)).toEqual(Array.from(o1));
  });
});
