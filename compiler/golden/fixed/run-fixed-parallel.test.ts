// The threaded golden model gives exactly the integers of the single-threaded one, on layers
// big enough to be split between threads (grouped conv with pooling, and an FC layer).
import { describe, expect, it } from 'vitest';
import type { Graph } from '../../ir/graph.ts';
import type { QuantizedModel } from './quantized-model.ts';
import { runFixed } from './run-fixed.ts';
import { runFixedParallel } from './run-fixed-parallel.ts';

function randomModel(): QuantizedModel {
  let seed = 17;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) - 32768;
  const graph: Graph = {
    name: 'par', opset: 13,
    inputs: [{ name: 'x', shape: [2, 16, 32, 32] }],
    outputs: [{ name: 'y', shape: [2, 512] }],
    initializers: new Map(),
    nodes: [
      { op: 'conv', name: 'c1', inputs: ['x', 'w1', 'b1'], outputs: ['h1'], group: 2, kernel: [3, 3], strides: [1, 1], pads: [1, 1, 1, 1], dilations: [1, 1],
        activation: { kind: 'relu' }, pool: { kind: 'max', ceilMode: false, kernel: [2, 2], strides: [2, 2], pads: [0, 0, 0, 0], dilations: [1, 1] } },
      { op: 'flatten', name: 'f', inputs: ['h1'], outputs: ['h2'], axis: 1 },
      { op: 'gemm', name: 'fc', inputs: ['h2', 'w2', 'b2'], outputs: ['y'], alpha: 1, beta: 1, transA: false, transB: true },
    ],
    shapes: new Map([['x', [2, 16, 32, 32]], ['h1', [2, 64, 16, 16]], ['h2', [2, 16384]], ['y', [2, 512]]]),
  };
  return {
    graph,
    formats: new Map([['x', 14], ['h1', 12], ['h2', 12], ['y', 10]]),
    weights: new Map([
      ['c1', { q: Int16Array.from({ length: 64 * 8 * 9 }, () => rnd() >> 3), dims: [64, 8, 3, 3], wf: Array.from({ length: 64 }, (_, i) => 14 + (i % 3)) }],
      ['fc', { q: Int16Array.from({ length: 512 * 16384 }, () => rnd() >> 4), dims: [512, 16384], wf: [15] }],
    ]),
    biases: new Map([
      ['c1', { q: Float64Array.from({ length: 64 }, () => rnd() * 4096) }],
      ['fc', { q: Float64Array.from({ length: 512 }, () => rnd() * 1024) }],
    ]),
    constants: new Map(),
    options: { format: 'auto', perChannel: true, calibration: 'test' },
    report: [],
  };
}

describe('runFixedParallel', () => {
  it('matches runFixed bit for bit on 2 threads', async () => {
    const qm = randomModel();
    let s = 3;
    const x = { dims: [2, 16, 32, 32], data: Float32Array.from({ length: 2 * 16 * 1024 }, () => ((s = (s * 69069 + 1) >>> 0) / 2 ** 32) * 3.8 - 1.9) };
    const one = runFixed(qm, { x }, { keepAll: true });
    const two = await runFixedParallel(qm, { x }, { threads: 2, keepAll: true });
    expect(Array.from(two.raw.h1.q)).toEqual(Array.from(one.raw.h1.q));
    expect(Array.from(two.raw.y.q)).toEqual(Array.from(one.raw.y.q));
    expect(two.saturated).toEqual(one.saturated);
    expect(new Set(one.raw.y.q).size).toBeGreaterThan(100);
  });
});
