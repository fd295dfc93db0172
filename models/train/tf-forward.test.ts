// The tfjs float forward pass that training differentiates must compute what cnna's float executor
// computes: same graphs, outputs within float32 rounding.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { existsSync } from 'node:fs';
import { importOnnx } from '../../compiler/onnx/import-onnx.ts';
import { SAMPLE_MODELS } from '../../compiler/onnx/sample-models.ts';
import { optimize } from '../../compiler/passes/index.ts';
import { lowerForFixedPoint } from '../../compiler/quant/lower.ts';
import { runFloat } from '../../compiler/golden/float/run-float.ts';
import { synthetic } from '../../compiler/quant/quantize.ts';
import type { Graph } from '../../compiler/ir/graph.ts';
import { forward, type Params } from './tf-forward.ts';

const SHARED = new URL('../../../shared/models/', import.meta.url).pathname;

function compare(g0: Graph, batch: number): number {
  const g = lowerForFixedPoint(g0);
  const feeds = Object.fromEntries(g.inputs.map((vi, k) => {
    const t = synthetic([batch, ...vi.shape.slice(1)], 11 + k);
    // Image-like inputs: [0, 1).
    for (let i = 0; i < t.data.length; i++) t.data[i] = Math.abs(t.data[i]) / 2;
    return [vi.name, t];
  }));
  const gb: Graph = { ...g, inputs: g.inputs.map((vi) => ({ ...vi, shape: feeds[vi.name].dims })) };
  const ref = runFloat(gb, feeds);
  let worst = 0;
  tf.tidy(() => {
    const params: Params = new Map();
    const out = forward(g, params, Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, tf.tensor(t.data, t.dims)])));
    for (const vo of g.outputs) {
      const a = ref[vo.name].data;
      const b = out.outputs[vo.name].dataSync();
      expect(Array.from(out.outputs[vo.name].shape)).toEqual(ref[vo.name].dims);
      let amax = 0;
      for (const v of a) amax = Math.max(amax, Math.abs(v));
      for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(amax, 1e-6));
    }
  });
  return worst;
}

describe('tfjs training forward pass', () => {
  it('matches the float executor on the sample models (residual, tf2onnx layout, BN, pools)', async () => {
    await tf.setBackend('wasm');
    for (const [name, spec] of Object.entries(SAMPLE_MODELS)) {
      const g = optimize(importOnnx(spec()));
      const err = compare(g, 3);
      expect(err, name).toBeLessThan(1e-5);
    }
  });
  it.skipIf(!existsSync(SHARED))('matches the float executor on the shared Fashion-MNIST models', async () => {
    await tf.setBackend('wasm');
    for (const m of ['fashion_lenet', 'fashion_vgg', 'fashion_vgg_bn']) {
      const err = compare(optimize(importOnnx(`${SHARED}${m}.onnx`)), 4);
      expect(err, m).toBeLessThan(1e-5);
    }
  });
});
