// The accumulator case of docs/numerics.md ("Accumulator bound"): a 1×1 conv with x = w = 2^-10 and
// bias 1.0, calibrated on that input. The quantizer caps f_acc at 46; the golden model, the engine
// model (sim/ref) and the RTL give the same int16 (2^14 at f = 14, i.e. 1.0), which is within the
// stated error bound of float (1 + 2^-20). Before the bound, float gave 1.0, golden 0.5, RTL -0.5.
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../boards/ultra96/board.ts';
import { compileBundle } from '../../compiler/backend/compile-bundle.ts';
import { runFixed } from '../../compiler/golden/fixed/run-fixed.ts';
import type { Graph, Tensor } from '../../compiler/ir/graph.ts';
import { errorBounds } from '../../compiler/quant/error-bound.ts';
import { quantize } from '../../compiler/quant/quantize.ts';
import { runBundle } from '../ref/run-bundle.ts';
import { runBundlesRtl } from './run-rtl.ts';

const t = (dims: number[], v: number[]): Tensor => ({ dims, data: Float32Array.from(v) });

function accumulatorCase(): Graph {
  const shapes = new Map<string, number[]>([['x', [1, 1, 1, 1]], ['y', [1, 1, 1, 1]]]);
  return {
    name: 'accumulator-bound', opset: 13, inputs: [{ name: 'x', shape: [1, 1, 1, 1] }], outputs: [{ name: 'y', shape: [1, 1, 1, 1] }],
    initializers: new Map([['W', t([1, 1, 1, 1], [2 ** -10])], ['B', t([1], [1])]]),
    nodes: [{ op: 'conv', name: 'c', inputs: ['x', 'W', 'B'], outputs: ['y'], group: 1, kernel: [1, 1], strides: [1, 1], pads: [0, 0, 0, 0], dilations: [1, 1] }],
    shapes,
  };
}

describe('accumulator bound on every executor', () => {
  it('golden = engine model = RTL = 2^14 at f 14 (1.0), within half a step of float 1 + 2^-20', async () => {
    const config = defaultConfig();
    const x = t([1, 1, 1, 1], [2 ** -10]);
    const qm = quantize(accumulatorCase(), { calibration: [x], onWarning: () => {} });
    expect(qm.weights.get('c')!.wf).toEqual([22]);
    const run = runFixed(qm, { x }, { keepAll: true });
    const gold = run.raw.y;
    expect(gold.f).toBe(14);
    expect(Array.from(gold.q)).toEqual([2 ** 14]);
    const bundle = compileBundle(qm, config);
    const ref = runBundle(bundle, { x });
    expect(Array.from(ref.raw.y.q)).toEqual([2 ** 14]);
    const rtl = await runBundlesRtl([{ bundle, inputSets: [{ tensors: { x } }] }], { config });
    expect(Array.from(rtl.results[0][0].raw.y.q)).toEqual([2 ** 14]);
    // The stated bound (compiler/quant/error-bound.ts) of the output holds against float 1 + 2^-20.
    const bound = errorBounds(qm, run.raw).get('y')!;
    expect(bound).toBeGreaterThan(0);
    expect(bound).toBeLessThan(2 ** -10);
    expect(Math.abs(gold.q[0] * 2 ** -gold.f - (1 + 2 ** -20))).toBeLessThanOrEqual(bound);
  });
});
