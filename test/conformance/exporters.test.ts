// Exporter-shaped models agree with onnxruntime-node: a tf2onnx-style NHWC model (Transpose
// before the Conv, Clip as ReLU6, Shape/Gather/Unsqueeze/Concat feeding Reshape, MatMul + Add),
// a PyTorch-style CNN and a residual block; raw and optimized graphs, batch 2.

import { describe, expect, it } from 'vitest';
import { runFloat } from '../../compiler/golden/float/run-float.ts';
import { importOnnx } from '../../compiler/onnx/import-onnx.ts';
import { prng, SAMPLE_MODELS } from '../../compiler/onnx/sample-models.ts';
import { optimize } from '../../compiler/passes/index.ts';
import { maxAbsDiff, runOrtModel } from './ort-compare.ts';

describe('exporter-style models vs onnxruntime-node', () => {
  for (const [name, make] of Object.entries(SAMPLE_MODELS)) {
    it(`${name}: imports, optimizes and runs equal to ORT (batch 2)`, async () => {
      const bytes = make();
      const g = importOnnx(bytes, { batch: 2 });
      const x = g.inputs[0];
      const r = prng(11);
      const feeds = { [x.name]: { dims: x.shape, data: Float32Array.from({ length: x.shape.reduce((a, b) => a * b) }, () => r() * 4 - 2) } };
      const out = g.outputs[0].name;
      const ref = (await runOrtModel(bytes, feeds, [out]))[out];
      const raw = runFloat(g, feeds)[out];
      const opt = runFloat(optimize(g), feeds)[out];
      expect(raw.dims).toEqual(ref.dims);
      expect(maxAbsDiff(raw, ref)).toBeLessThan(1e-5);
      expect(maxAbsDiff(opt, ref)).toBeLessThan(1e-5);
    });
  }

  it('tf2onnx: the NHWC input keeps its layout and the Transpose feeds the Conv', () => {
    const g = optimize(importOnnx(SAMPLE_MODELS.tf2onnx()));
    expect(g.inputs).toEqual([{ name: 'input_1', shape: [1, 8, 8, 3] }]);
    expect(g.nodes.map((n) => n.op)).toEqual(['transpose', 'conv', 'gemm']);
    expect(g.nodes[0]).toMatchObject({ perm: [0, 3, 1, 2] });
  });
});
