// Small models in the shapes real exporters produce, shared by the engine and CLI tests.
import { buildModel } from '../../compiler/onnx/build-model.ts';
import { rng } from './random-layer.ts';

const weights = (seed: number, n: number, scale: number) => { const r = rng(seed); return Array.from({ length: n }, () => (r() * 2 - 1) * scale); };

/** conv 3x3 (C=5) + relu -> [Pad -> AvgPool 3x3/2 | Pad -> MaxPool 3x3/2 | GlobalMaxPool], flattened and concatenated -> FC 7. */
export function sppModel(opset = 10) {
  const C = 5;
  return buildModel({
    opset, inputs: [{ name: 'x', dims: [1, 3, 8, 8] }], outputs: [{ name: 'y' }],
    initializers: [
      { name: 'w', dims: [C, 3, 3, 3], data: weights(1, C * 27, 0.4) },
      { name: 'b', dims: [C], data: weights(2, C, 0.1) },
      // levels: avg 4x4 (C*16) + max 4x4 (C*16) + global (C)
      { name: 'fw', dims: [7, C * 33], data: weights(3, 7 * C * 33, 0.2) },
      { name: 'fb', dims: [7], data: weights(4, 7, 0.1) },
    ],
    nodes: [
      { op: 'Conv', name: 'conv', inputs: ['x', 'w', 'b'], outputs: ['c'], attrs: { pads: [1, 1, 1, 1] } },
      { op: 'Relu', name: 'relu', inputs: ['c'], outputs: ['r'] },
      { op: 'Pad', name: 'pad_avg', inputs: ['r'], outputs: ['pa'], attrs: { pads: [0, 0, 1, 1, 0, 0, 0, 0] } },
      { op: 'AveragePool', name: 'avg', inputs: ['pa'], outputs: ['a'], attrs: { kernel_shape: [3, 3], strides: [2, 2] } },
      { op: 'Pad', name: 'pad_max', inputs: ['r'], outputs: ['pm'], attrs: { pads: [0, 0, 1, 1, 0, 0, 0, 0] } },
      { op: 'MaxPool', name: 'max', inputs: ['pm'], outputs: ['m'], attrs: { kernel_shape: [3, 3], strides: [2, 2] } },
      { op: 'GlobalMaxPool', name: 'gmax', inputs: ['r'], outputs: ['g'] },
      { op: 'Flatten', name: 'fa', inputs: ['a'], outputs: ['a2'] },
      { op: 'Flatten', name: 'fm', inputs: ['m'], outputs: ['m2'] },
      { op: 'Flatten', name: 'fg', inputs: ['g'], outputs: ['g2'] },
      { op: 'Concat', name: 'cat', inputs: ['a2', 'm2', 'g2'], outputs: ['v'], attrs: { axis: 1 } },
      { op: 'Gemm', name: 'fc', inputs: ['v', 'fw', 'fb'], outputs: ['y'], attrs: { transB: 1 } },
    ],
  });
}
