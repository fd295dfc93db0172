// The fake-quantized training pass against the golden fixed-point model: every int16 value of a
// batch (inputs, conv / FC outputs after requantize, ReLU and pooling, logits) compared. They differ
// only where float32 summation in a conv or gemm lands on the other side of a rounding boundary
// than the exact 48-bit accumulator: a small fraction of values, by 1 or 2 LSB (see
// docs/training.md), and the predicted classes agree.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fashionMnistAvailable, loadFashionMnist } from '../../compiler/data/fashion-mnist.ts';
import { toBatch } from '../../compiler/data/preprocess.ts';
import { runFixed } from '../../compiler/golden/fixed/run-fixed.ts';
import { argmaxRows } from '../../compiler/golden/fixed/top1.ts';
import { importOnnx } from '../../compiler/onnx/import-onnx.ts';
import { optimize } from '../../compiler/passes/index.ts';
import { QatModel } from './qat.ts';
import { fakeQuant, fakeQuantValues } from './fake-quant.ts';
import { initialFormats } from './train-loop.ts';

const DEFAULT = resolve(import.meta.dirname, '../default/fashion_cnn.onnx');
const LENET = resolve(import.meta.dirname, '../../../shared/models/fashion_lenet.onnx');

async function compare(path: string, format: 'auto' | number, images: number): Promise<{ values: number; off: number; worst: number; top1Agree: number; firstInputOff: number }> {
  await tf.setBackend('wasm');
  const g = optimize(importOnnx(path));
  const opts = { format, weightFormat: format, perChannel: false, lr: 1e-4 } as const;
  const train = loadFashionMnist('train');
  const m = new QatModel(g, initialFormats(g, opts, toBatch(train, 0, 256)), opts);
  const x = toBatch(loadFashionMnist('test'), 0, images);
  const gold = runFixed(m.quantized(), { [m.graph.inputs[0].name]: x }, { keepAll: true });
  const fq = fakeQuantValues(m.graph, m.vars, { activations: m.formats, weights: m.weightFormats }, x);
  let values = 0, off = 0, worst = 0;
  for (const [v, { q, f }] of fq) {
    const raw = gold.raw[v];
    expect(raw.f, v).toBe(f);
    expect(q.length, v).toBe(raw.q.length);
    for (let i = 0; i < q.length; i++) {
      const d = Math.abs(q[i] - raw.q[i]);
      if (d) { off++; worst = Math.max(worst, d); }
    }
    values += q.length;
  }
  const out = m.graph.outputs[0].name;
  const a = argmaxRows(Float32Array.from(fq.get(out)!.q), images), b = argmaxRows(Float32Array.from(gold.raw[out].q), images);
  const input = fq.get(m.graph.inputs[0].name)!.q;
  const firstInputOff = input.findIndex((v, i) => v !== gold.raw[m.graph.inputs[0].name].q[i]);
  m.dispose();
  return { values, off, worst, top1Agree: a.filter((p, i) => p === b[i]).length / images, firstInputOff };
}

describe('fake quantization', () => {
  it('rounds half up, saturates, and passes the gradient only inside the range', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor([0.5 / 16384, -0.5 / 16384, 1.5 / 16384, 2.5, -2.5, 1.99993896484375, -2]);
    expect(Array.from(fakeQuant(x, 14).dataSync()).map((v) => v * 16384)).toEqual([1, 0, 2, 32767, -32768, 32767, -32768]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(fakeQuant(t, 14)))(x);
    expect(Array.from(g.dataSync())).toEqual([1, 1, 1, 0, 0, 1, 1]);
    // A per-channel scale tensor (2^f per channel) and a bias without saturation.
    expect(Array.from(fakeQuant(tf.tensor([[0.3, 0.3]]), tf.tensor([[4, 16]])).dataSync())).toEqual([0.25, 0.3125]);
    expect(Array.from(fakeQuant(tf.tensor([100.3]), 4, false).dataSync())).toEqual([100.3125]);
  });
});

describe.skipIf(!fashionMnistAvailable())('the fake-quantized pass against the golden model (skipped: Fashion-MNIST absent)', () => {
  it('default model, auto formats and uniform Q2.14, 64 test images: inputs identical, under 0.5% of the values 1-2 LSB off, same classes', async () => {
    for (const format of ['auto', 14] as const) {
      const r = await compare(DEFAULT, format, 64);
      console.log(`default model, ${format}: ${r.off} of ${r.values} values off (max ${r.worst} LSB), top-1 agreement ${r.top1Agree}`);
      expect(r.firstInputOff).toBe(-1);
      expect(r.off / r.values).toBeLessThan(0.005);
      expect(r.worst).toBeLessThanOrEqual(2);
      expect(r.top1Agree).toBe(1);
    }
  }, 300_000);
  it.skipIf(!existsSync(LENET))('fashion_lenet in uniform Q2.14, 64 test images: under 0.5% of the values off, by at most 2 LSB', async () => {
    const r = await compare(LENET, 14, 64);
    console.log(`fashion_lenet Q2.14: ${r.off} of ${r.values} values off (max ${r.worst} LSB), top-1 agreement ${r.top1Agree}`);
    expect(r.off / r.values).toBeLessThan(0.005);
    expect(r.worst).toBeLessThanOrEqual(2);
    expect(r.top1Agree).toBe(1);
  }, 300_000);
});
