import { describe, expect, it } from 'vitest';
import { buildModel } from '../onnx/build-model.ts';
import { importOnnx } from '../onnx/import-onnx.ts';
import { describeGraph } from './describe-graph.ts';
import { flattenToLayout } from './flatten-to-layout.ts';
import { expectSameResults } from './passes-test-utils.ts';

const model = (reshape: boolean) => importOnnx(buildModel({
  inputs: [{ name: 'x', dims: ['N', 2, 3, 3] }], outputs: [{ name: 'y' }],
  initializers: [{ name: 'w', dims: [4, 18], data: Array.from({ length: 72 }, (_, i) => Math.sin(i)) }, { name: 'shape', dims: [2], data: [0, -1], int64: true }],
  nodes: [
    reshape ? { op: 'Reshape', name: 'flat', inputs: ['x', 'shape'], outputs: ['f'] } : { op: 'Flatten', name: 'flat', inputs: ['x'], outputs: ['f'] },
    { op: 'Gemm', name: 'fc', inputs: ['f', 'w'], outputs: ['y'], attrs: { transB: 1 } },
  ],
}), { batch: 2 });

describe('flatten-to-layout', () => {
  it('turns Flatten before a Gemm into GemmNode.inputLayout', () => {
    const g = model(false);
    expect(describeGraph(g)).toEqual(['flat: flatten(x) -> f', 'fc: gemm[tB](f, w) -> y']);
    const after = flattenToLayout(g);
    expect(describeGraph(after)).toEqual(['fc: gemm[tB chw2x3x3](x, w) -> y']);
    expect(after.nodes[0]).toMatchObject({ op: 'gemm', inputLayout: { chw: [2, 3, 3] } });
    expectSameResults(g, after, 0);
  });

  it('does the same for Reshape to [N, C*H*W]', () => {
    const g = model(true);
    expect(describeGraph(g)).toEqual(['flat: reshape[2,18](x) -> f', 'fc: gemm[tB](f, w) -> y']);
    expect(describeGraph(flattenToLayout(g))).toEqual(['fc: gemm[tB chw2x3x3](x, w) -> y']);
  });
});

describe('flatten-to-layout, tf2onnx NHWC flatten', () => {
  it('folds Transpose(0,2,3,1) -> Flatten into the FC weights (columns permuted HWC -> CHW)', () => {
    const g = importOnnx(buildModel({
      inputs: [{ name: 'x', dims: [1, 2, 2, 3] }], outputs: [{ name: 'y' }],
      initializers: [{ name: 'w', dims: [2, 12], data: Array.from({ length: 24 }, (_, i) => i) }],
      nodes: [
        { op: 'Transpose', name: 'to_nhwc', inputs: ['x'], outputs: ['t'], attrs: { perm: [0, 2, 3, 1] } },
        { op: 'Flatten', name: 'flat', inputs: ['t'], outputs: ['f'] },
        { op: 'Gemm', name: 'fc', inputs: ['f', 'w'], outputs: ['y'], attrs: { transB: 1 } },
      ],
    }));
    expect(describeGraph(g)).toEqual(['to_nhwc: transpose(x) -> t', 'flat: flatten(t) -> f', 'fc: gemm[tB](f, w) -> y']);
    const after = flattenToLayout(g);
    expect(describeGraph(after)).toEqual(['fc: gemm[tB chw2x2x3](x, w_chw) -> y']);
    // Column (c, h, w) of the new weights is column (h, w, c) = (h*3 + w)*2 + c of the old.
    expect(Array.from(after.initializers.get('w_chw')!.data.subarray(0, 12))).toEqual([0, 2, 4, 6, 8, 10, 1, 3, 5, 7, 9, 11]);
    expectSameResults(g, after, 1e-5);
  });
});
