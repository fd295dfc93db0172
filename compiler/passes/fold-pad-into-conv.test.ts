import { describe, expect, it } from 'vitest';
import { buildModel } from '../onnx/build-model.ts';
import { importOnnx } from '../onnx/import-onnx.ts';
import { describeGraph } from './describe-graph.ts';
import { foldPadIntoConv } from './fold-pad-into-conv.ts';
import { expectSameResults } from './passes-test-utils.ts';

const model = (value: number) => importOnnx(buildModel({
  opset: 10, inputs: [{ name: 'x', dims: [1, 1, 5, 5] }], outputs: [{ name: 'y' }],
  initializers: [{ name: 'w', dims: [2, 1, 3, 3], data: Array.from({ length: 18 }, (_, i) => i - 9) }],
  nodes: [
    { op: 'Pad', name: 'pad', inputs: ['x'], outputs: ['p'], attrs: { pads: [0, 0, 2, 0, 0, 0, 1, 1], value: { float: value } } },
    { op: 'Conv', name: 'conv', inputs: ['p', 'w'], outputs: ['y'], attrs: { pads: [1, 1, 1, 1] } },
  ],
}));

describe('fold-pad-into-conv', () => {
  it('adds a zero Pad to the Conv pads', () => {
    const g = model(0);
    expect(describeGraph(g)).toEqual(['pad: pad[2,0,1,1](x) -> p', 'conv: conv[k3x3 s1,1 p1,1,1,1](p, w) -> y']);
    const after = foldPadIntoConv(g);
    expect(describeGraph(after)).toEqual(['conv: conv[k3x3 s1,1 p3,1,2,2](x, w) -> y']);
    expectSameResults(g, after, 1e-4);
  });

  it('keeps a Pad with a non-zero value', () => {
    expect(describeGraph(foldPadIntoConv(model(1.5)))).toHaveLength(2);
  });
});
