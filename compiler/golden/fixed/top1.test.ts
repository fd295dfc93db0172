// fixedTop1 over worker threads counts exactly what a hand-checkable model predicts.
import { describe, expect, it } from 'vitest';
import type { Graph } from '../../ir/graph.ts';
import type { QuantizedModel } from './quantized-model.ts';
import { argmaxRows, fixedTop1 } from './top1.ts';

// A 1×1×1×2 "image" (pixels a, b) and an FC with weights [[1, 0], [0, 1], [-1, -1]] (f_w = 0,
// no bias): class 0 when a > b, class 1 when b > a, class 2 never (its logit is -(a + b) <= 0,
// ties go to the first class).
function model(): QuantizedModel {
  const graph: Graph = {
    name: 'top1', opset: 13, inputs: [{ name: 'x', shape: [1, 1, 1, 2] }], outputs: [{ name: 'y', shape: [1, 3] }],
    initializers: new Map(),
    nodes: [{ op: 'gemm', name: 'fc', inputs: ['x', 'W'], outputs: ['y'], alpha: 1, beta: 1, transA: false, transB: true, inputLayout: { chw: [1, 1, 2] } }],
    shapes: new Map([['x', [1, 1, 1, 2]], ['y', [1, 3]]]),
  };
  return {
    graph, formats: new Map([['x', 8], ['y', 8]]),
    weights: new Map([['fc', { q: Int16Array.from([1, 0, 0, 1, -1, -1]), dims: [3, 2], wf: [0] }]]),
    biases: new Map(), constants: new Map(), options: { format: 'auto', perChannel: false, calibration: 'test' }, report: [],
  };
}

describe('fixedTop1', () => {
  it('splits 1000 labelled images over 2 threads and counts correct arg-maxes', async () => {
    const n = 1000;
    const images = new Uint8Array(2 * n);
    const labels = new Uint8Array(n);
    let expectCorrect = 0;
    for (let i = 0; i < n; i++) {
      images[2 * i] = (i * 37) % 256;
      images[2 * i + 1] = (i * 91) % 256;
      const truth = images[2 * i] > images[2 * i + 1] ? 0 : 1;
      labels[i] = i % 7 === 0 ? 2 : truth;
      if (labels[i] === truth && images[2 * i] !== images[2 * i + 1]) expectCorrect++;
      else if (labels[i] === 0 && images[2 * i] === images[2 * i + 1] && i % 7 !== 0) expectCorrect++;
    }
    const set = { images, labels, count: n, channels: 1, rows: 1, cols: 2 };
    const r = await fixedTop1(model(), set, { threads: 2, batch: 64 });
    expect(r.n).toBe(n);
    expect(r.correct).toBe(expectCorrect);
    expect(r.top1).toBe(expectCorrect / n);
  });

  it('argmaxRows picks the first maximum', () => {
    expect(Array.from(argmaxRows(Float32Array.from([1, 3, 3, 0, -1, -2]), 2))).toEqual([1, 0]);
  });
});
