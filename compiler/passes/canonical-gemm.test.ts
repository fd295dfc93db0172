import { describe, expect, it } from 'vitest';
import { buildModel } from '../onnx/build-model.ts';
import { importOnnx } from '../onnx/import-onnx.ts';
import { canonicalGemm } from './canonical-gemm.ts';
import { describeGraph } from './describe-graph.ts';
import { expectSameResults } from './passes-test-utils.ts';

describe('canonical-gemm', () => {
  it('stores B as [N, K] with transB and folds alpha and beta', () => {
    const g = importOnnx(buildModel({
      inputs: [{ name: 'x', dims: [2, 3] }], outputs: [{ name: 'y' }],
      initializers: [{ name: 'w', dims: [3, 2], data: [1, 2, 3, 4, 5, 6] }, { name: 'c', dims: [1, 2], data: [10, 20] }],
      nodes: [{ op: 'Gemm', name: 'fc', inputs: ['x', 'w', 'c'], outputs: ['y'], attrs: { alpha: 0.5, beta: { float: 2 } } }],
    }));
    expect(describeGraph(g)).toEqual(['fc: gemm[](x, w, c) -> y']);
    const after = canonicalGemm(g);
    expect(describeGraph(after)).toEqual(['fc: gemm[tB](x, w_fc, c_fc) -> y']);
    expect(after.nodes[0]).toMatchObject({ alpha: 1, beta: 1, transB: true });
    expect(after.initializers.get('w_fc')).toEqual({ dims: [2, 3], data: Float32Array.from([0.5, 1.5, 2.5, 1, 2, 3]) });
    expect(after.initializers.get('c_fc')).toEqual({ dims: [2], data: Float32Array.from([20, 40]) });
    expectSameResults(g, after);
  });

  it('leaves a Gemm with transA or a non-constant B alone', () => {
    const g = importOnnx(buildModel({
      inputs: [{ name: 'a', dims: [3, 2] }, { name: 'b', dims: [3, 4] }], outputs: [{ name: 'y' }],
      nodes: [{ op: 'Gemm', name: 'g', inputs: ['a', 'b'], outputs: ['y'], attrs: { transA: 1 } }],
    }));
    expect(describeGraph(canonicalGemm(g))).toEqual(['g: gemm[](a, b) -> y']);
  });
});
