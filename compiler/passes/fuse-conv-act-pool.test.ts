import { describe, expect, it } from 'vitest';
import { buildModel, type ModelSpec } from '../onnx/build-model.ts';
import { importOnnx } from '../onnx/import-onnx.ts';
import { describeGraph } from './describe-graph.ts';
import { fuseConvActPool } from './fuse-conv-act-pool.ts';
import { expectSameResults } from './passes-test-utils.ts';

const model = (nodes: ModelSpec['nodes'], out = 'y') => importOnnx(buildModel({
  inputs: [{ name: 'x', dims: [1, 2, 6, 6] }], outputs: [{ name: out }],
  initializers: [{ name: 'w', dims: [3, 2, 3, 3], data: Array.from({ length: 54 }, (_, i) => Math.sin(i * 1.7)) }],
  nodes: [{ op: 'Conv', name: 'conv', inputs: ['x', 'w'], outputs: ['c'], attrs: { pads: [1, 1, 1, 1] } }, ...nodes],
}));

describe('fuse-conv-act-pool', () => {
  it('fuses conv -> Relu -> MaxPool into one ConvNode', () => {
    const g = model([
      { op: 'Relu', name: 'r', inputs: ['c'], outputs: ['a'] },
      { op: 'MaxPool', name: 'p', inputs: ['a'], outputs: ['y'], attrs: { kernel_shape: [2, 2], strides: [2, 2] } },
    ]);
    expect(describeGraph(g)).toEqual(['conv: conv[k3x3 s1,1 p1,1,1,1](x, w) -> c', 'r: activation[relu](c) -> a', 'p: pool[max2x2/2](a) -> y']);
    const after = fuseConvActPool(g);
    expect(describeGraph(after)).toEqual(['conv: conv[k3x3 s1,1 p1,1,1,1+relu+max2x2/2](x, w) -> y']);
    expectSameResults(g, after, 0);
  });

  it('fuses conv -> MaxPool -> LeakyRelu (activation commutes with max)', () => {
    const g = model([
      { op: 'MaxPool', name: 'p', inputs: ['c'], outputs: ['a'], attrs: { kernel_shape: [3, 3], strides: [1, 1] } },
      { op: 'LeakyRelu', name: 'r', inputs: ['a'], outputs: ['y'], attrs: { alpha: 0.2 } },
    ]);
    const after = fuseConvActPool(g);
    expect(describeGraph(after)).toEqual(['conv: conv[k3x3 s1,1 p1,1,1,1+leaky(0.20000000298023224)+max3x3/1](x, w) -> y']);
    expectSameResults(g, after, 0);
  });

  it('fuses conv -> Clip -> GlobalAveragePool but not AveragePool -> activation', () => {
    const g = model([
      { op: 'Clip', name: 'r6', inputs: ['c'], outputs: ['a'], attrs: {} },
      { op: 'GlobalAveragePool', name: 'gap', inputs: ['a'], outputs: ['y'] },
    ]);
    expect(describeGraph(fuseConvActPool(g))).toEqual(['conv: conv[k3x3 s1,1 p1,1,1,1+clip(-Infinity,Infinity)+globalavg](x, w) -> y']);
    const h = model([
      { op: 'AveragePool', name: 'ap', inputs: ['c'], outputs: ['a'], attrs: { kernel_shape: [2, 2] } },
      { op: 'Relu', name: 'r', inputs: ['a'], outputs: ['y'] },
    ]);
    expect(describeGraph(fuseConvActPool(h))).toEqual(['conv: conv[k3x3 s1,1 p1,1,1,1+avg2x2/1](x, w) -> a', 'r: activation[relu](a) -> y']);
  });

  it('does not fuse a value that is also read elsewhere', () => {
    const g = model([
      { op: 'Relu', name: 'r', inputs: ['c'], outputs: ['a'] },
      { op: 'Add', name: 'add', inputs: ['a', 'c'], outputs: ['y'] },
    ]);
    expect(describeGraph(fuseConvActPool(g))).toEqual(['conv: conv[k3x3 s1,1 p1,1,1,1](x, w) -> c', 'r: activation[relu](c) -> a', 'add: add(a, c) -> y']);
  });
});
