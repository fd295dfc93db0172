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
