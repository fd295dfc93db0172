// cnna train: the exported model, imported and quantized with the formats it records, is the very
// fixed-point network training ran (same int16 weights, bit-identical golden outputs), and it runs
// bit-exact on the RTL engine; training in the paper's uniform Q2.14 raises fixed-point accuracy;
// a seed fixes the result on 1 and 2 threads; the golden forward pass trains like the fake-quantized
// one; checkpoints resume.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { defaultConfig } from '../../boards/ultra96/board.ts';
import { compileBundle } from '../../compiler/backend/compile-bundle.ts';
import { fashionMnistAvailable, loadFashionMnist } from '../../compiler/data/fashion-mnist.ts';
import { toBatch } from '../../compiler/data/preprocess.ts';
import { runFixed } from '../../compiler/golden/fixed/run-fixed.ts';
import { importOnnx } from '../../compiler/onnx/import-onnx.ts';
import { optimize } from '../../compiler/passes/index.ts';
import { quantize } from '../../compiler/quant/quantize.ts';
import { trainedFormats } from '../../compiler/quant/trained-formats.ts';
import { runBundlesRtl } from '../../sim/verilator/run-rtl.ts';
import { exportTrained, train } from './train-loop.ts';

const MODEL = resolve(import.meta.dirname, '../default/fashion_cnn.onnx');
const Q214 = { format: 14, weightFormat: 14, perChannel: false } as const;

describe.skipIf(!fashionMnistAvailable())('cnna train (skipped: Fashion-MNIST absent)', () => {
  it('exports the network it trained: same int16 weights and formats, golden outputs bit-identical, bit-exact on the RTL', async () => {
    await tf.setBackend('wasm');
    const trainSet = loadFashionMnist('train');
    const test = loadFashionMnist('test');
    const g = optimize(importOnnx(MODEL));
    const r = await train(g, trainSet, test, { ...Q214, format: 'auto', lr: 1e-3, epochs: 1, batch: 32, seed: 3, valCount: 64, fromScratch: false, limit: 96 });
    const trainedQm = r.model.quantized();
    const bytes = exportTrained(r.model, 'test');
    const g2 = optimize(importOnnx(bytes));
    const fixed = trainedFormats(g2)!;
    expect(Object.keys(fixed.activations!).length).toBe(trainedQm.formats.size);
    const qm2 = quantize(g2, { fixedFormats: fixed, report: false });
    expect([...qm2.formats]).toEqual([...trainedQm.formats]);
    for (const [name, w] of trainedQm.weights) {
      expect(qm2.weights.get(name)!.wf).toEqual(w.wf);
      expect(Buffer.from(qm2.weights.get(name)!.q.buffer).equals(Buffer.from(w.q.buffer)), name).toBe(true);
    }
    const x = toBatch(test, 0, 16);
    const input = g.inputs[0].name, output = g.outputs[0].name;
    const a = runFixed(trainedQm, { [input]: x }).raw[output].q;
    const b = runFixed(qm2, { [input]: x }).raw[output].q;
    expect(Array.from(b)).toEqual(Array.from(a));
    // The exported model on the RTL engine, with the formats it was trained in.
    const config = defaultConfig();
    const bundle = compileBundle(qm2, config);
    const per = x.data.length / 16;
    const sets = Array.from({ length: 4 }, (_, i) => ({ tensors: { [input]: { dims: [1, ...x.dims.slice(1)], data: x.data.subarray(i * per, (i + 1) * per) } } }));
    const rtl = await runBundlesRtl([{ bundle, inputSets: sets }], { config });
    const classes = a.length / 16;
    rtl.results[0].forEach((run, i) => expect(Array.from(run.raw[bundle.manifest.outputs[0].name].q)).toEqual(Array.from(a.subarray(i * classes, (i + 1) * classes))));
    r.model.dispose();
  }, 1_800_000);

  it('trains in the paper\'s uniform Q2.14: fixed-point accuracy rises toward float; the same seed gives the same weights, on 1 and 2 threads', async () => {
    await tf.setBackend('wasm');
    const trainSet = loadFashionMnist('train');
    const test = loadFashionMnist('test');
    const g = optimize(importOnnx(MODEL));
    const opts = { ...Q214, lr: 5e-4, epochs: 1, batch: 64, seed: 7, valCount: 1000, fromScratch: false, limit: 1280 };
    const r1 = await train(g, trainSet, test, opts);
    const before = r1.initial.valFixedTop1, after = r1.history[0].valFixedTop1;
    console.log(`default model, uniform Q2.14, 1000 test images: fixed top-1 ${before} before, ${after} after 1280 images; float ${r1.initial.valFloatTop1} before`);
    expect(after).toBeGreaterThan(before + 0.01);
    const r2 = await train(g, trainSet, test, { ...opts, epochs: 1, limit: 128, valCount: 10 });
    // Each batch's 2 shards on 2 threads (a worker thread computes the second) instead of both on this one: the same weights.
    const r3 = await train(g, trainSet, test, { ...opts, epochs: 1, limit: 128, valCount: 10, threads: 2, goldenSplitMacs: 0 });
    for (const [k, v] of r2.model.vars) expect(Array.from(v.dataSync()), k).toEqual(Array.from(r3.model.vars.get(k)!.dataSync()));
    // The exact golden forward pass (its convs split over 2 threads) trains the same way: same mean loss within 1%.
    const r4 = await train(g, trainSet, test, { ...opts, epochs: 1, limit: 128, valCount: 10, threads: 2, goldenSplitMacs: 0, forward: 'golden' });
    console.log(`mean loss over 2 steps: fake-quant forward ${r2.history[0].meanLoss}, golden forward ${r4.history[0].meanLoss}`);
    expect(Math.abs(r4.history[0].meanLoss - r2.history[0].meanLoss) / r2.history[0].meanLoss).toBeLessThan(0.01);
    for (const m of [r1, r2, r3, r4]) m.model.dispose();
  }, 1_800_000);

  it('resumes from a checkpoint to the weights of an uninterrupted run', async () => {
    await tf.setBackend('wasm');
    const dir = mkdtempSync(join(tmpdir(), 'cnna-train-'));
    try {
      const trainSet = loadFashionMnist('train');
      const test = loadFashionMnist('test');
      const g = optimize(importOnnx(MODEL));
      const opts = { ...Q214, lr: 5e-4, batch: 32, seed: 5, valCount: 10, fromScratch: false, limit: 64 };
      const full = await train(g, trainSet, test, { ...opts, epochs: 2 });
      const ck = join(dir, 'ck.json');
      const part = await train(g, trainSet, test, { ...opts, epochs: 1, checkpoint: ck });
      const resumed = await train(g, trainSet, test, { ...opts, epochs: 2, checkpoint: ck });
      expect(resumed.resumedFromEpoch).toBe(1);
      for (const [k, v] of full.model.vars) expect(Array.from(resumed.model.vars.get(k)!.dataSync()), k).toEqual(Array.from(v.dataSync()));
      for (const m of [full, part, resumed]) m.model.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 1_800_000);
});
