// Property test of the accumulator bound (docs/numerics.md "Accumulator bound") over random extreme
// formats: 1×1 convs with C input channels whose inputs, weights and biases span 2^-14 .. 2^6 in
// magnitude (seeded). For every case the worst-case accumulator |b_q| + K·2^30 fits 48 bits, no
// bias is clamped, and the fixed-point output is within the stated error bound of float.
import { describe, expect, it } from 'vitest';
import type { Graph, Tensor } from '../ir/graph.ts';
import { runFloat } from '../golden/float/run-float.ts';
import { runFixed } from '../golden/fixed/run-fixed.ts';
import { mulberry32 } from '../util/prng.ts';
import { errorBounds } from './error-bound.ts';
import { quantize } from './quantize.ts';

const CASES = 200;

function randomCase(seed: number): { g: Graph; x: Tensor; C: number; M: number } {
  const r = mulberry32(seed);
  const mag = () => 2 ** (-14 + Math.floor(r() * 21)) * (0.5 + r());
  const sign = () => (r() < 0.5 ? -1 : 1);
  const C = 1 + Math.floor(r() * 8);
  const M = 1 + Math.floor(r() * 4);
  const xs = mag(), ws = mag(), bs = mag();
  const x: Tensor = { dims: [1, C, 1, 1], data: Float32Array.from({ length: C }, () => sign() * xs * r()) };
  const W: Tensor = { dims: [M, C, 1, 1], data: Float32Array.from({ length: M * C }, () => sign() * ws * r()) };
  const B: Tensor = { dims: [M], data: Float32Array.from({ length: M }, () => sign() * bs * r()) };
  const g: Graph = {
    name: `acc-${seed}`, opset: 13, inputs: [{ name: 'x', shape: [1, C, 1, 1] }], outputs: [{ name: 'y', shape: [1, M, 1, 1] }],
    initializers: new Map([['W', W], ['B', B]]),
    nodes: [{ op: 'conv', name: 'c', inputs: ['x', 'W', 'B'], outputs: ['y'], group: 1, kernel: [1, 1], strides: [1, 1], pads: [0, 0, 0, 0], dilations: [1, 1] }],
    shapes: new Map([['x', [1, C, 1, 1]], ['y', [1, M, 1, 1]]]),
  };
  return { g, x, C, M };
}

describe('accumulator bound (property)', () => {
  it(`holds on ${CASES} random extreme-format convs: fits 48 bits, no bias clamped, within the error bound of float`, () => {
    let capped = 0;
    let checked = 0;
    for (let s = 1; s <= CASES; s++) {
      const { g, x, C } = randomCase(s);
      const qm = quantize(g, { calibration: [x], onWarning: () => {} });
      const fIn = qm.formats.get('x')!;
      const wf = qm.weights.get('c')!.wf;
      const bq = qm.biases.get('c')!.q;
      const b = g.initializers.get('B')!.data;
      for (let m = 0; m < bq.length; m++) {
        // |acc| <= |b_q| + K·2^30 <= 2^47 - 1, and b_q is the unclamped rounding of b·2^f_acc.
        expect(Math.abs(bq[m]) + C * 2 ** 30, `seed ${s} lane ${m}`).toBeLessThanOrEqual(2 ** 47 - 1);
        expect(bq[m], `seed ${s} lane ${m}`).toBe(Math.floor(b[m] * 2 ** (fIn + wf[0]) + 0.5));
      }
      if (qm.report.find((r) => r.node === 'c')!.accCapped) capped++;
      const run = runFixed(qm, { x }, { keepAll: true });
      if (run.saturated.c) continue; // the bound holds only without saturation (error-bound.ts)
      checked++;
      const bound = errorBounds(qm, run.raw).get('y')!;
      const fl = runFloat(g, { x }).y.data;
      const fx = run.outputs.y.data;
      for (let i = 0; i < fl.length; i++) expect(Math.abs(fx[i] - fl[i]), `seed ${s} element ${i}`).toBeLessThanOrEqual(bound * (1 + 1e-9) + Math.abs(fl[i]) * 2 ** -23);
    }
    // The generator reaches the bound: some cases are capped (f_in + f_w would exceed the cap).
    expect(capped).toBeGreaterThan(0);
    expect(checked).toBeGreaterThan(CASES / 2);
    console.log(`accumulator bound: ${capped} of ${CASES} cases capped, ${checked} checked against float`);
  });
});
