import { describe, expect, it } from 'vitest';
import { buildModel } from '../onnx/build-model.ts';
import { importOnnx } from '../onnx/import-onnx.ts';
import { describeGraph } from './describe-graph.ts';
import { foldPadIntoPool } from './fold-pad-into-pool.ts';
import { expectSameResults } from './passes-test-utils.ts';
import { removeIdentityDropout } from './remove-identity-dropout.ts';

type Attrs = Record<string, number | number[] | { float: number }>;
const model = (pool: 'AveragePool' | 'MaxPool', attrs: Attrs, opts: { relu?: boolean; value?: number; pads?: number[] } = {}) => importOnnx(buildModel({
  opset: 10, inputs: [{ name: 'x', dims: [1, 2, 6, 6] }], outputs: [{ name: 'y' }],
  nodes: [
    ...(opts.relu ? [{ op: 'Relu', name: 'relu', inputs: ['x'], outputs: ['r'] }] : []),
    { op: 'Pad', name: 'pad', inputs: [opts.relu ? 'r' : 'x'], outputs: ['p'], attrs: { pads: opts.pads ?? [0, 0, 1, 1, 0, 0, 1, 2], value: { float: opts.value ?? 0 } } },
    { op: pool, name: 'pool', inputs: ['p'], outputs: ['y'], attrs: { kernel_shape: [3, 3], ...attrs } },
  ],
}));

describe('fold-pad-into-pool', () => {
  it('folds the Pad PyTorch puts before AvgPool2d into the pool pads, counting the pad', () => {
    const g = model('AveragePool', { strides: [2, 2] });
    expect(describeGraph(g)).toEqual(['pad: pad[1,1,1,2](x) -> p', 'pool: pool[avg3x3/2](p) -> y']);
    const after = foldPadIntoPool(g);
    expect(describeGraph(after)).toEqual(['pool: pool[avg3x3/2 p1,1,1,2 cip](x) -> y']);
    expectSameResults(g, after, 1e-6);
  });

  it('keeps the Pad before an AveragePool with pads of its own that it does not count', () => {
    const g = model('AveragePool', { pads: [1, 1, 1, 1] });
    expect(describeGraph(foldPadIntoPool(g))).toHaveLength(2);
  });

  it('keeps the Pad before an AveragePool whose ceil mode adds a window', () => {
    const g = model('AveragePool', { strides: [2, 2], ceil_mode: 1 }, { pads: [0, 0, 0, 0, 0, 0, 0, 2] });
    expect(describeGraph(foldPadIntoPool(g))).toHaveLength(2);
  });

  it('folds a zero Pad into a MaxPool when its input is a ReLU output, and keeps it otherwise', () => {
    const g = model('MaxPool', { strides: [2, 2] }, { relu: true });
    const after = foldPadIntoPool(g);
    expect(describeGraph(after)).toEqual(['relu: activation[relu](x) -> r', 'pool: pool[max3x3/2 p1,1,1,2](r) -> y']);
    expectSameResults(g, after, 0);
    // Without the ReLU a window of negative values would see the zero pad as its maximum.
    expect(describeGraph(foldPadIntoPool(model('MaxPool', { strides: [2, 2] })))).toHaveLength(2);
  });

  it('keeps a Pad with a non-zero value', () => {
    expect(describeGraph(foldPadIntoPool(model('AveragePool', {}, { value: 0.5 })))).toHaveLength(2);
  });

  it('an all-zero Pad is removed as an identity', () => {
    const g = model('AveragePool', { strides: [2, 2] }, { pads: [0, 0, 0, 0, 0, 0, 0, 0] });
    const after = removeIdentityDropout(g);
    expect(describeGraph(after)).toEqual(['pool: pool[avg3x3/2](x) -> y']);
    expectSameResults(g, after, 0);
  });
});
