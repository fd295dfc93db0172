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
import type { ConvNode, Graph } from '../../compiler/ir/graph.ts';
import { forward, useIm2colConvs, type Params } from './tf-forward.ts';

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

describe('tfjs training convolutions', () => {
  it('the tf.conv2d path has the gradients of the im2col path (input, weights and bias, padded 3x3 and 5x5)', async () => {
    await tf.setBackend('wasm');
    for (const [k, pad] of [[3, 1], [5, 2], [1, 0]] as const) {
      const n: ConvNode = { op: 'conv', name: 'c', inputs: ['x', 'w', 'b'], outputs: ['y'], strides: [1, 1], pads: [pad, pad, pad, pad], dilations: [1, 1], group: 1, kernel: [k, k] } as unknown as ConvNode;
      const g: Graph = { inputs: [{ name: 'x', shape: [2, 3, 7, 6] }], outputs: [{ name: 'y', shape: [2, 4, 7, 6] }], nodes: [n], initializers: new Map(), shapes: new Map([['x', [2, 3, 7, 6]], ['y', [2, 4, 7, 6]]]) } as unknown as Graph;
      const grads = (im2col: boolean): number[][] => tf.tidy(() => {
        useIm2colConvs(im2col);
        const x = tf.tensor(synthetic([2, 3, 7, 6], 3).data, [2, 3, 7, 6]);
        const w = tf.tensor(synthetic([4, 3, k, k], 4).data, [4, 3, k, k]);
        const b = tf.tensor(synthetic([4], 5).data, [4]);
        const r = tf.grads((xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) => tf.sum(tf.mul(forward(g, new Map([['w', ww], ['b', bb]]), { x: xx }).outputs.y, tf.range(0, 2 * 4 * 7 * 6).reshape([2, 4, 7, 6]).mod(7))))([x, w, b]);
        return r.map((t) => Array.from(t.dataSync()));
      });
      const a = grads(true), c = grads(false);
      useIm2colConvs(false);
      for (let i = 0; i < 3; i++) {
        const amax = Math.max(...a[i].map(Math.abs));
        expect(amax).toBeGreaterThan(0);
        expect(Math.max(...a[i].map((v, j) => Math.abs(v - c[i][j]))) / amax, `k ${k} grad ${i}`).toBeLessThan(1e-5);
      }
    }
  });
});
