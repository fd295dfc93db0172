import { describe, expect, it } from 'vitest';
import { buildModel } from '../onnx/build-model.ts';
import { importOnnx } from '../onnx/import-onnx.ts';
import { describeGraph } from './describe-graph.ts';
import { foldBatchNorm } from './fold-batchnorm.ts';
import { expectSameResults } from './passes-test-utils.ts';

const bnInits = (c: number) => [
  { name: 's', dims: [c], data: Array.from({ length: c }, (_, i) => 0.5 + i) },
  { name: 'b', dims: [c], data: Array.from({ length: c }, (_, i) => i * 0.1 - 0.2) },
  { name: 'm', dims: [c], data: Array.from({ length: c }, (_, i) => (i % 2 ? 0.3 : -0.4)) },
  { name: 'v', dims: [c], data: Array.from({ length: c }, (_, i) => 0.25 * (i + 1)) },
];

describe('fold-batchnorm', () => {
  it('folds into the preceding Conv (weights scaled per output channel, bias rewritten)', () => {
    const g = importOnnx(buildModel({
      inputs: [{ name: 'x', dims: [1, 2, 5, 5] }], outputs: [{ name: 'y' }],
      initializers: [{ name: 'w', dims: [3, 2, 3, 3], data: Array.from({ length: 54 }, (_, i) => Math.sin(i)) }, ...bnInits(3)],
      nodes: [
        { op: 'Conv', name: 'conv', inputs: ['x', 'w'], outputs: ['c'], attrs: { pads: [1, 1, 1, 1] } },
        { op: 'BatchNormalization', name: 'bn', inputs: ['c', 's', 'b', 'm', 'v'], outputs: ['y'], attrs: { epsilon: 1e-3 } },
      ],
    }));
    expect(describeGraph(g)).toEqual(['conv: conv[k3x3 s1,1 p1,1,1,1](x, w) -> c', 'bn: batchnorm(c, s, b, m, v) -> y']);
    const after = foldBatchNorm(g);
    expect(describeGraph(after)).toEqual(['conv: conv[k3x3 s1,1 p1,1,1,1](x, w_bn, conv_bn_bias) -> y']);
    const k0 = 0.5 / Math.sqrt(0.25 + 1e-3);
    expect(after.initializers.get('w_bn')!.data[0]).toBeCloseTo(Math.sin(0) * k0, 6);
    expect(after.initializers.get('conv_bn_bias')!.data[0]).toBeCloseTo(-0.2 - -0.4 * k0, 6);
    expectSameResults(g, after);
  });

  it('folds into the preceding Gemm', () => {
    const g = importOnnx(buildModel({
      inputs: [{ name: 'x', dims: [2, 4] }], outputs: [{ name: 'y' }],
      initializers: [{ name: 'w', dims: [3, 4], data: Array.from({ length: 12 }, (_, i) => Math.cos(i)) }, { name: 'c', dims: [3], data: [1, 2, 3] }, ...bnInits(3)],
      nodes: [
        { op: 'Gemm', name: 'fc', inputs: ['x', 'w', 'c'], outputs: ['g'], attrs: { transB: 1, beta: 0.5 } },
        { op: 'BatchNormalization', name: 'bn', inputs: ['g', 's', 'b', 'm', 'v'], outputs: ['y'] },
      ],
    }));
    const after = foldBatchNorm(g);
    expect(describeGraph(after)).toEqual(['fc: gemm[tB](x, w_bn, fc_bn_bias) -> y']);
    expectSameResults(g, after);
  });

  it('turns a BatchNormalization with no foldable producer into a depthwise 1x1 Conv', () => {
    const g = importOnnx(buildModel({
      inputs: [{ name: 'x', dims: [1, 3, 4, 4] }], outputs: [{ name: 'y' }], initializers: bnInits(3),
      nodes: [
        { op: 'Relu', name: 'r', inputs: ['x'], outputs: ['a'] },
        { op: 'BatchNormalization', name: 'bn', inputs: ['a', 's', 'b', 'm', 'v'], outputs: ['y'] },
      ],
    }));
    const after = foldBatchNorm(g);
    expect(describeGraph(after)).toEqual(['r: activation[relu](x) -> a', 'bn: conv[k1x1 s1,1 p0,0,0,0 g3](a, bn_dw_weight, bn_dw_bias) -> y']);
    expect(after.initializers.get('bn_dw_weight')!.dims).toEqual([3, 1, 1, 1]);
    expectSameResults(g, after);
  });
});
