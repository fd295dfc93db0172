// Shared by the pass tests: build a graph from a model spec and check that a rewrite keeps the
// float results (same inputs, same outputs within float32 rounding).

import { expect } from 'vitest';
import type { Graph } from '../ir/graph.ts';
import { runFloat } from '../golden/float/run-float.ts';
import { prng } from '../onnx/sample-models.ts';

export function randomInputs(g: Graph, seed = 7): Record<string, { dims: number[]; data: Float32Array }> {
  const r = prng(seed);
  return Object.fromEntries(g.inputs.map((i) => [i.name, { dims: i.shape, data: Float32Array.from({ length: i.shape.reduce((a, b) => a * b, 1) }, () => r() * 2 - 1) }]));
}

export function expectSameResults(before: Graph, after: Graph, tol = 1e-5): void {
  const ins = randomInputs(before);
  const a = runFloat(before, ins);
  const b = runFloat(after, ins);
  for (const o of before.outputs) {
    expect(b[o.name].dims).toEqual(a[o.name].dims);
    let worst = 0;
    for (let i = 0; i < a[o.name].data.length; i++) worst = Math.max(worst, Math.abs(a[o.name].data[i] - b[o.name].data[i]));
    expect(worst, `output ${o.name}`).toBeLessThanOrEqual(tol);
  }
}
