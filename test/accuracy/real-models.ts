// Shared pieces of the real-model accuracy test and script: the trained Fashion-MNIST models in
// ../shared/models (not part of the project), their stated float figures, and float top-1 by
// onnxruntime-node and by cnna's float executor (FloatThreads).
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import type { Graph } from '../../compiler/ir/graph.ts';
import { FloatThreads } from '../../compiler/golden/float/run-float-parallel.ts';
import { toBatch, type ImageSet } from '../../compiler/data/preprocess.ts';
import { argmaxRows } from '../../compiler/golden/fixed/top1.ts';

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
export const SHARED = process.env.CNNA_SHARED ?? resolve(repoRoot, '../shared');
export const MODELS_DIR = join(SHARED, 'models');
export const MODEL_NAMES = ['fashion_lenet', 'fashion_vgg', 'fashion_vgg_bn'];

export function haveModels(): boolean {
  return MODEL_NAMES.every((m) => existsSync(join(MODELS_DIR, `${m}.onnx`)) && existsSync(join(MODELS_DIR, `${m}.json`)));
}

export function statedTop1(name: string): number {
  return JSON.parse(readFileSync(join(MODELS_DIR, `${name}.json`), 'utf8')).float_test_accuracy as number;
}

/** Float arg-max predictions from onnxruntime-node (pixel/255, no mean or std). */
export async function ortPredictions(name: string, set: ImageSet, n = set.count): Promise<Int32Array> {
  const session = await ort.InferenceSession.create(join(MODELS_DIR, `${name}.onnx`), { intraOpNumThreads: 2 });
  const preds = new Int32Array(n);
  for (let s = 0; s < n; s += 2000) {
    const b = toBatch(set, s, Math.min(2000, n - s));
    const res = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', b.data, b.dims) });
    preds.set(argmaxRows(res[session.outputNames[0]].data as Float32Array, b.dims[0]), s);
  }
  await session.release();
  return preds;
}

/**
 * Float arg-max predictions from cnna's float executor on the first n images, each batch split
 * over `threads` threads (FloatThreads; identical results to runFloat).
 */
export async function cnnaFloatPredictionsThreaded(g: Graph, set: ImageSet, n = set.count, threads = 2, batch = 1000): Promise<Int32Array> {
  const pool = new FloatThreads(threads);
  const preds = new Int32Array(n);
  try {
    for (let s = 0; s < n; s += batch) {
      const b = toBatch(set, s, Math.min(batch, n - s));
      const out = await pool.run(g, { [g.inputs[0].name]: b });
      preds.set(argmaxRows(out[g.outputs[0].name].data, b.dims[0]), s);
    }
  } finally {
    await pool.close();
  }
  return preds;
}

/** Fraction of positions where two prediction vectors agree. */
export function agreement(a: Int32Array, b: Int32Array): number {
  let c = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) c++;
  return c / a.length;
}

export function top1(preds: Int32Array, labels: Uint8Array): number {
  let c = 0;
  for (let i = 0; i < preds.length; i++) if (preds[i] === labels[i]) c++;
  return c / preds.length;
}
