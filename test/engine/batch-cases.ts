// Seeded batch-mode test inputs shared by the executors' batch tests (HLS, RTL): an FC-only model whose
// wide input does not fit the input bank several images at a time (so its first FC layer runs in input
// chunks carried with ACC_OUT / ACC_IN), and seeded images. Expected outputs come from the golden model.
import { buildModel } from '../../compiler/onnx/build-model.ts';
import type { Tensor } from '../../compiler/ir/graph.ts';
import { mulberry32 } from '../../compiler/util/prng.ts';

/** Gemm (K -> 24, weights uniform in ±wScale) + ReLU + Gemm (24 -> 10), seeded. */
export function fcOnlyModel(o: { name: string; K: number; seed: number; wScale: number }): Uint8Array {
  const r = mulberry32(o.seed);
  const rnd = (n: number, s: number) => Float32Array.from({ length: n }, () => (r() * 2 - 1) * s);
  return buildModel({
    name: o.name, opset: 13,
    inputs: [{ name: 'x', dims: ['batch', o.K] }],
    outputs: [{ name: 'y', dims: ['batch', 10] }],
    initializers: [
      { name: 'w1', dims: [24, o.K], data: rnd(24 * o.K, o.wScale) },
      { name: 'b1', dims: [24], data: rnd(24, 0.1) },
      { name: 'w2', dims: [10, 24], data: rnd(240, 0.3) },
      { name: 'b2', dims: [10], data: rnd(10, 0.1) },
    ],
    nodes: [
      { op: 'Gemm', name: 'fc1', inputs: ['x', 'w1', 'b1'], outputs: ['h'], attrs: { transB: 1 } },
      { op: 'Relu', name: 'relu', inputs: ['h'], outputs: ['hr'] },
      { op: 'Gemm', name: 'fc2', inputs: ['hr', 'w2', 'b2'], outputs: ['y'], attrs: { transB: 1 } },
    ],
  });
}

/** n seeded images of shape [1, ...dims], values uniform in [-1, 1). */
export function images(dims: number[], n: number, seed: number): Tensor[] {
  const r = mulberry32(seed);
  const per = dims.reduce((a, b) => a * b, 1);
  return Array.from({ length: n }, () => ({ dims: [1, ...dims], data: Float32Array.from({ length: per }, () => r() * 2 - 1) }));
}
