import { describe, expect, it } from 'vitest';
import { buildModel } from '../onnx/build-model.ts';
import { importOnnx } from '../onnx/import-onnx.ts';
import { describeGraph } from './describe-graph.ts';
import { expectSameResults } from './passes-test-utils.ts';
import { removeIdentityDropout } from './remove-identity-dropout.ts';

describe('remove-identity-dropout', () => {
  it('removes Identity and Dropout, keeping the graph output name', () => {
    const g = importOnnx(buildModel({
      inputs: [{ name: 'x', dims: [1, 4] }], outputs: [{ name: 'y' }],
      nodes: [
        { op: 'Relu', name: 'r1', inputs: ['x'], outputs: ['a'] },
        { op: 'Dropout', name: 'd', inputs: ['a'], outputs: ['b'] },
        { op: 'Relu', name: 'r2', inputs: ['b'], outputs: ['c'] },
        { op: 'Identity', name: 'i', inputs: ['c'], outputs: ['y'] },
      ],
    }));
    expect(describeGraph(g)).toEqual([
      'r1: activation[relu](x) -> a', 'd: dropout(a) -> b', 'r2: activation[relu](b) -> c', 'i: identity(c) -> y',
    ]);
    const after = removeIdentityDropout(g);
    expect(describeGraph(after)).toEqual(['r1: activation[relu](x) -> a', 'r2: activation[relu](a) -> y']);
    expect(describeGraph(g)).toHaveLength(4);
    expectSameResults(g, after, 0);
  });

  it('keeps an Identity that copies a graph input to a graph output', () => {
    const g = importOnnx(buildModel({ inputs: [{ name: 'x', dims: [1, 4] }], outputs: [{ name: 'y' }], nodes: [{ op: 'Identity', name: 'i', inputs: ['x'], outputs: ['y'] }] }));
    expect(describeGraph(removeIdentityDropout(g))).toEqual(['i: identity(x) -> y']);
  });
});
