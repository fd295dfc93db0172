// The few-channel rewrite (compiler/backend/map-conv.ts packTaps): an RGB-like first conv runs as
// a 1 x kw repack job plus a kh x 1 conv over the packed taps. Bit-exact against the golden model
// on the engine model, and (when Verilator is installed) on the RTL.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import type { QuantizedModel } from '../../compiler/golden/fixed/quantized-model.ts';
import { compileBundle } from '../../compiler/backend/compile-bundle.ts';
import { defaultConfig } from '../../boards/ultra96/board.ts';
import { runBundle } from '../../sim/ref/run-bundle.ts';
import { compareRefGolden, toTensors } from './ref-vs-golden.ts';
import { rng } from './random-layer.ts';

function rgbConv(M: number, pool: boolean, stride: number, dil: number): QuantizedModel {
  const r = rng(7 + M + stride * 10 + dil);
  const H = 20;
  const W = 23;
  const K = 3;
  const OH = Math.floor((H + 2 - dil * (K - 1) - 1) / stride) + 1;
  const OW = Math.floor((W + 2 - dil * (K - 1) - 1) / stride) + 1;
  const PH = pool ? Math.floor(OH / 2) : OH;
  const PW = pool ? Math.floor(OW / 2) : OW;
  return {
    graph: {
      name: 'rgb', opset: 13, inputs: [{ name: 'x', shape: [1, 3, H, W] }], outputs: [{ name: 'y', shape: [1, M, PH, PW] }], initializers: new Map(),
      nodes: [{
        op: 'conv', name: 'conv1', inputs: ['x', 'w', 'b'], outputs: ['y'], kernel: [K, K], strides: [stride, stride], pads: [1, 1, 1, 1],
        dilations: [dil, dil], group: 1, activation: { kind: 'relu' },
        pool: pool ? { kind: 'max', ceilMode: false, kernel: [2, 2], strides: [2, 2], pads: [0, 0, 0, 0], dilations: [1, 1] } : undefined,
      }],
      shapes: new Map([['x', [1, 3, H, W]], ['y', [1, M, PH, PW]]]),
    },
    formats: new Map([['x', 14], ['y', 12]]),
    weights: new Map([['conv1', { q: Int16Array.from({ length: M * 3 * K * K }, () => Math.floor(r() * 16001) - 8000), dims: [M, 3, K, K], wf: [15] }]]),
    biases: new Map([['conv1', { q: Float64Array.from({ length: M }, () => Math.floor(r() * 2 ** 22) - 2 ** 21) }]]),
    constants: new Map(), options: { format: 'auto', perChannel: false, calibration: 'test' }, report: [],
  };
}

const input = (seed: number) => {
  const r = rng(seed);
  return { x: { q: Int16Array.from({ length: 3 * 20 * 23 }, () => Math.floor(r() * 32768) - 16384), f: 14, dims: [1, 3, 20, 23] } };
};

const cases: [number, boolean, number, number][] = [[64, true, 1, 1], [256, false, 2, 1], [96, false, 1, 2]];
const haveVerilator = (() => { try { execFileSync('verilator', ['--version']); return true; } catch { return false; } })();

describe('few-channel conv rewrite (packed kx taps)', () => {
  it.each(cases)('M=%i pool=%s stride=%i dilation=%i: repack + kh x 1 conv, bit-exact on the engine model', (M, pool, stride, dil) => {
    const qm = rgbConv(M, pool, stride, dil);
    const b = compileBundle(qm, defaultConfig());
    const layer = b.manifest.layers[0];
    expect(layer.jobs[1] - layer.jobs[0] + 1).toBeGreaterThan(Math.ceil(M / 16));
    const r = compareRefGolden(qm, toTensors(input(M)), defaultConfig());
    expect(r.first).toBeUndefined();
    expect(r.total).toBeGreaterThan(1000);
  });

  it.skipIf(!haveVerilator)('the same bundles run bit-exact on the RTL', async () => {
    const { runBundlesRtl } = await import('../../sim/verilator/run-rtl.ts');
    const items = cases.map(([M, pool, s, d]) => ({ bundle: compileBundle(rgbConv(M, pool, s, d), defaultConfig()), inputSets: [{ raw: { x: input(M).x.q } }] }));
    const rtl = await runBundlesRtl(items);
    items.forEach((it, k) => {
      const ref = runBundle(it.bundle, {}, { rawInputs: { x: input(cases[k][0]).x.q } });
      expect(Array.from(rtl.results[k][0].raw.y.q)).toEqual(Array.from(ref.raw.y.q));
    });
  }, 900_000);
});
