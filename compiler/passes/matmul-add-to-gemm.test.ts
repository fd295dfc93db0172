import { describe, expect, it } from 'vitest';
import { buildModel } from '../onnx/build-model.ts';
import { importOnnx } from '../onnx/import-onnx.ts';
import { describeGraph } from './describe-graph.ts';
import { matmulAddToGemm } from './matmul-add-to-gemm.ts';
import { expectSameResults } from './passes-test-utils.ts';

describe('matmul-add-to-gemm', () => {
  it('turns MatMul + Add of a constant bias into a Gemm with B as [N, K]', () => {
    const g = importOnnx(buildModel({
      inputs: [{ name: 'x', dims: [2, 3] }], outputs: [{ name: 'y' }],
      initializers: [{ name: 'w', dims: [3, 2], data: [1, 2, 3, 4, 5, 6] }, { name: 'b', dims: [1, 2], data: [0.5, -0.5] }],
      nodes: [
        { op: 'MatMul', name: 'mm', inputs: ['x', 'w'], outputs: ['m'] },
        { op: 'Add', name: 'add', inputs: ['b', 'm'], outputs: ['y'] },
      ],
    }));
    expect(describeGraph(g)).toEqual(['mm: matmul(x, w) -> m', 'add: add(b, m) -> y']);
    const after = matmulAddToGemm(g);
    expect(describeGraph(after)).toEqual(['mm: gemm[tB](x, w_t, b_v) -> y']);
    expect(after.initializers.get('w_t')).toEqual({ dims: [2, 3], data: Float32Array.from([1, 3, 5, 2, 4, 6]) });
    expectSameResults(g, after);
  });
});
