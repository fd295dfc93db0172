// The shape arithmetic PyTorch emits for F.pad (ConstantOfShape, Concat, Reshape, Slice with
// step -1, Transpose, Reshape, Cast -> Pad's pads) folds at import time to the pads it means.
import { describe, expect, it } from 'vitest';
import { buildModel } from '../build-model.ts';
import { importOnnx } from '../import-onnx.ts';
import { describeGraph } from '../../passes/describe-graph.ts';

const I64_MAX = 2 ** 63 - 1;

describe('shape helpers of an F.pad export', () => {
  it('fold into the Pad node: F.pad(x, (1, 2, 3, 0)) pads left 1, right 2, top 3, bottom 0', () => {
    // torch: pads (1, 2, 3, 0) -> [0, 0, 0, 0] ++ [1, 2, 3, 0] reshaped to [4, 2], reversed rows
    // (Slice step -1), transposed and flattened: ONNX pads [0, 0, 3, 1, 0, 0, 0, 2].
    const g = importOnnx(buildModel({
      opset: 13, inputs: [{ name: 'x', dims: [1, 2, 3, 3] }], outputs: [{ name: 'y' }],
      initializers: [
        { name: 'n', dims: [1], data: [4], int64: true },
        { name: 'p', dims: [4], data: [1, 2, 3, 0], int64: true },
        { name: 's', dims: [2], data: [-1, 2], int64: true },
        { name: 'st', dims: [1], data: [-1], int64: true },
        { name: 'en', dims: [1], data: [-I64_MAX], int64: true },
        { name: 'ax', dims: [1], data: [0], int64: true },
        { name: 'flat', dims: [1], data: [-1], int64: true },
      ],
      nodes: [
        { op: 'ConstantOfShape', inputs: ['n'], outputs: ['z'], attrs: {} },
        { op: 'Concat', inputs: ['p', 'z'], outputs: ['c'], attrs: { axis: 0 } },
        { op: 'Reshape', inputs: ['c', 's'], outputs: ['r'] },
        { op: 'Slice', inputs: ['r', 'st', 'en', 'ax', 'st'], outputs: ['sl'] },
        { op: 'Transpose', inputs: ['sl'], outputs: ['t'], attrs: { perm: [1, 0] } },
        { op: 'Reshape', inputs: ['t', 'flat'], outputs: ['f'] },
        { op: 'Cast', inputs: ['f'], outputs: ['pads'], attrs: { to: 7 } },
        { op: 'Pad', name: 'pad', inputs: ['x', 'pads'], outputs: ['y'], attrs: { mode: 'constant' } },
      ],
    }));
    expect(describeGraph(g)).toEqual(['pad: pad[3,1,0,2](x) -> y']);
    expect(g.shapes.get('y')).toEqual([1, 2, 6, 6]);
  });

  it('refuses a Slice of an activation, naming the node', () => {
    expect(() => importOnnx(buildModel({
      opset: 13, inputs: [{ name: 'x', dims: [1, 4] }], outputs: [{ name: 'y' }],
      initializers: [{ name: 'a', dims: [1], data: [0], int64: true }, { name: 'b', dims: [1], data: [2], int64: true }],
      nodes: [{ op: 'Slice', name: 'cut', inputs: ['x', 'a', 'b'], outputs: ['y'] }],
    }))).toThrow("node 'cut' (Slice): Slice is supported only on constant inputs (shape computations)");
  });
});
