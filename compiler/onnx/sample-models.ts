// Tiny seeded ONNX models in the shapes exporters produce, for tests and the fuzzer:
// a PyTorch-style CNN (Pad, Conv, BatchNorm, Relu, MaxPool, Dropout, Flatten, Gemm, Softmax),
// a residual block with GlobalAveragePool and MatMul + Add, and a tf2onnx-style model
// (NHWC input, Transpose, Clip as ReLU6, Shape/Gather/Unsqueeze/Concat feeding Reshape), and
// in-model normalization (Sub/Div/Mul by constants) with ReduceMean pooling.

import { buildModel, type ModelSpec } from './build-model.ts';
import { mulberry32 as prng } from '../util/prng.ts';

// The project PRNG (compiler/util/prng.ts), under the name the sample-model tests use.
export { mulberry32 as prng } from '../util/prng.ts';

function randn(rand: () => number, n: number, scale: number): Float32Array {
  return Float32Array.from({ length: n }, () => (rand() * 2 - 1) * scale);
}

export function pytorchCnnSpec(seed = 1): ModelSpec {
  const r = prng(seed);
  return {
    name: 'pytorch_cnn', opset: 13,
    inputs: [{ name: 'image', dims: ['batch', 1, 8, 8] }],
    outputs: [{ name: 'probs', dims: ['batch', 10] }],
    initializers: [
      { name: 'conv.weight', dims: [4, 1, 3, 3], data: randn(r, 36, 0.5) },
      { name: 'conv.bias', dims: [4], data: randn(r, 4, 0.1) },
      { name: 'bn.scale', dims: [4], data: Float32Array.from([1.2, 0.8, 1, 0.5]) },
      { name: 'bn.bias', dims: [4], data: randn(r, 4, 0.2) },
      { name: 'bn.mean', dims: [4], data: randn(r, 4, 0.2) },
      { name: 'bn.var', dims: [4], data: Float32Array.from([0.5, 1, 2, 0.25]) },
      { name: 'fc.weight', dims: [10, 64], data: randn(r, 640, 0.2) },
      { name: 'fc.bias', dims: [10], data: randn(r, 10, 0.1) },
      { name: 'pads', dims: [8], data: [0, 0, 1, 1, 0, 0, 1, 1], int64: true },
    ],
    nodes: [
      { op: 'Pad', name: 'pad', inputs: ['image', 'pads'], outputs: ['padded'], attrs: { mode: 'constant' } },
      { op: 'Conv', name: 'conv', inputs: ['padded', 'conv.weight', 'conv.bias'], outputs: ['c1'], attrs: { kernel_shape: [3, 3] } },
      { op: 'BatchNormalization', name: 'bn', inputs: ['c1', 'bn.scale', 'bn.bias', 'bn.mean', 'bn.var'], outputs: ['b1'], attrs: { epsilon: 1e-5 } },
      { op: 'Relu', name: 'relu', inputs: ['b1'], outputs: ['r1'] },
      { op: 'MaxPool', name: 'pool', inputs: ['r1'], outputs: ['p1'], attrs: { kernel_shape: [2, 2], strides: [2, 2] } },
      { op: 'Dropout', name: 'drop', inputs: ['p1'], outputs: ['d1'] },
      { op: 'Flatten', name: 'flatten', inputs: ['d1'], outputs: ['f1'], attrs: { axis: 1 } },
      { op: 'Gemm', name: 'fc', inputs: ['f1', 'fc.weight', 'fc.bias'], outputs: ['logits'], attrs: { transB: 1 } },
      { op: 'Softmax', name: 'softmax', inputs: ['logits'], outputs: ['probs'], attrs: { axis: 1 } },
    ],
  };
}

export function residualSpec(seed = 2): ModelSpec {
  const r = prng(seed);
  return {
    name: 'residual', opset: 17,
    inputs: [{ name: 'x', dims: ['N', 3, 6, 6] }],
    outputs: [{ name: 'y', dims: ['N', 5] }],
    initializers: [
      { name: 'w1', dims: [3, 3, 3, 3], data: randn(r, 81, 0.3) },
      { name: 'w2', dims: [3, 1, 3, 3], data: randn(r, 27, 0.3) },
      { name: 'fc.w', dims: [3, 5], data: randn(r, 15, 0.5) },
      { name: 'fc.b', dims: [5], data: randn(r, 5, 0.1) },
    ],
    nodes: [
      { op: 'Conv', name: 'conv1', inputs: ['x', 'w1'], outputs: ['a'], attrs: { pads: [1, 1, 1, 1] } },
      { op: 'LeakyRelu', name: 'act1', inputs: ['a'], outputs: ['b'], attrs: { alpha: 0.1 } },
      { op: 'Conv', name: 'dw', inputs: ['b', 'w2'], outputs: ['c'], attrs: { group: 3, auto_pad: 'SAME_UPPER' } },
      { op: 'Add', name: 'add', inputs: ['c', 'x'], outputs: ['s'] },
      { op: 'Relu', name: 'relu', inputs: ['s'], outputs: ['t'] },
      { op: 'GlobalAveragePool', name: 'gap', inputs: ['t'], outputs: ['g'] },
      { op: 'Flatten', name: 'flat', inputs: ['g'], outputs: ['f'] },
      { op: 'MatMul', name: 'mm', inputs: ['f', 'fc.w'], outputs: ['m'] },
      { op: 'Add', name: 'bias', inputs: ['m', 'fc.b'], outputs: ['y'] },
    ],
  };
}

export function tf2onnxSpec(seed = 3): ModelSpec {
  const r = prng(seed);
  return {
    name: 'tf2onnx_nhwc', opset: 13,
    inputs: [{ name: 'input_1', dims: ['unk__1', 8, 8, 3] }],
    outputs: [{ name: 'dense', dims: ['unk__1', 4] }],
    initializers: [
      { name: 'k', dims: [6, 3, 3, 3], data: randn(r, 162, 0.4) },
      { name: 'kb', dims: [6], data: randn(r, 6, 0.1) },
      { name: 'clip_min', dims: [], data: [0] },
      { name: 'clip_max', dims: [], data: [6] },
      { name: 'idx0', dims: [], data: [0], int64: true },
      { name: 'minus1', dims: [1], data: [-1], int64: true },
      { name: 'dw', dims: [96, 4], data: randn(r, 384, 0.3) },
      { name: 'db', dims: [4], data: randn(r, 4, 0.1) },
    ],
    nodes: [
      { op: 'Transpose', name: 'to_nchw', inputs: ['input_1'], outputs: ['x'], attrs: { perm: [0, 3, 1, 2] } },
      { op: 'Conv', name: 'conv', inputs: ['x', 'k', 'kb'], outputs: ['c'], attrs: { strides: [2, 2], auto_pad: 'SAME_UPPER', kernel_shape: [3, 3] } },
      { op: 'Clip', name: 'relu6', inputs: ['c', 'clip_min', 'clip_max'], outputs: ['a'] },
      { op: 'AveragePool', name: 'avg', inputs: ['a'], outputs: ['p'], attrs: { kernel_shape: [2, 2], strides: [1, 1], pads: [0, 0, 1, 1], count_include_pad: 0 } },
      { op: 'Shape', name: 'shape', inputs: ['p'], outputs: ['sh'] },
      { op: 'Gather', name: 'gather', inputs: ['sh', 'idx0'], outputs: ['n'], attrs: { axis: 0 } },
      { op: 'Unsqueeze', name: 'unsq', inputs: ['n', 'idx0'], outputs: ['n1'] },
      { op: 'Concat', name: 'cat', inputs: ['n1', 'minus1'], outputs: ['target'], attrs: { axis: 0 } },
      { op: 'Reshape', name: 'reshape', inputs: ['p', 'target'], outputs: ['flat'] },
      { op: 'MatMul', name: 'dense_mm', inputs: ['flat', 'dw'], outputs: ['mm'] },
      { op: 'Add', name: 'dense_add', inputs: ['mm', 'db'], outputs: ['dense'] },
    ],
  };
}

/** In-model normalization ((x - mean) / std, scalar Mul, c - x) and ReduceMean global pooling. */
export function normalizedSpec(seed = 4): ModelSpec {
  const r = prng(seed);
  return {
    name: 'normalized', opset: 13,
    inputs: [{ name: 'x', dims: ['N', 3, 6, 6] }],
    outputs: [{ name: 'y', dims: ['N', 4] }],
    initializers: [
      { name: 'mean', dims: [1, 3, 1, 1], data: [0.485, 0.456, 0.406] },
      { name: 'std', dims: [3, 1, 1], data: [0.229, 0.224, 0.225] },
      { name: 'two', dims: [], data: [2] },
      { name: 'one', dims: [1], data: [1] },
      { name: 'w', dims: [5, 3, 3, 3], data: randn(r, 135, 0.3) },
      { name: 'fc', dims: [4, 5], data: randn(r, 20, 0.5) },
    ],
    nodes: [
      { op: 'Sub', name: 'sub_mean', inputs: ['x', 'mean'], outputs: ['a'] },
      { op: 'Div', name: 'div_std', inputs: ['a', 'std'], outputs: ['b'] },
      { op: 'Mul', name: 'mul2', inputs: ['two', 'b'], outputs: ['c'] },
      { op: 'Sub', name: 'flip', inputs: ['one', 'c'], outputs: ['d'] },
      { op: 'Conv', name: 'conv', inputs: ['d', 'w'], outputs: ['e'], attrs: { pads: [1, 1, 1, 1] } },
      { op: 'Relu', name: 'relu', inputs: ['e'], outputs: ['f'] },
      { op: 'ReduceMean', name: 'gap', inputs: ['f'], outputs: ['g'], attrs: { axes: [2, 3], keepdims: 1 } },
      { op: 'Flatten', name: 'flat', inputs: ['g'], outputs: ['h'] },
      { op: 'Gemm', name: 'head', inputs: ['h', 'fc'], outputs: ['y'], attrs: { transB: 1 } },
    ],
  };
}

export const SAMPLE_MODELS = {
  pytorchCnn: () => buildModel(pytorchCnnSpec()),
  residual: () => buildModel(residualSpec()),
  tf2onnx: () => buildModel(tf2onnxSpec()),
  normalized: () => buildModel(normalizedSpec()),
};
