import { describe, expect, it } from 'vitest';
import { buildModel } from '../onnx/build-model.ts';
import { importOnnx } from '../onnx/import-onnx.ts';
import { describeGraph } from './describe-graph.ts';
import { foldConstants } from './fold-constants.ts';
import { expectSameResults } from './passes-test-utils.ts';

describe('fold-constants', () => {
  it('evaluates nodes whose inputs are all initializers', () => {
    const g = importOnnx(buildModel({
      inputs: [{ name: 'x', dims: [1, 3] }], outputs: [{ name: 'y' }],
      initializers: [{ name: 'a', dims: [3], data: [-1, 2, -3] }, { name: 'b', dims: [3], data: [10, 20, 30] }],
      nodes: [
        { op: 'Relu', name: 'ra', inputs: ['a'], outputs: ['a2'] },
        { op: 'Add', name: 'ab', inputs: ['a2', 'b'], outputs: ['c'] },
        { op: 'Add', name: 'xc', inputs: ['x', 'c'], outputs: ['y'] },
      ],
    }));
    expect(describeGraph(g)).toEqual(['ra: activation[relu](a) -> a2', 'ab: add(a2, b) -> c', 'xc: add(x, c) -> y']);
    const after = foldConstants(g);
    expect(describeGraph(after)).toEqual(['xc: add(x, c) -> y']);
    expect(Array.from(after.initializers.get('c')!.data)).toEqual([10, 22, 30]);
    expectSameResults(g, after, 0);
  });
});
