// Top-1 accuracy of the fixed-point golden model on labelled images, on several threads: the
// images are split into contiguous slices, one per thread (this one included), each running
// runFixed on batches. Used by `cnna accuracy` and the real-model accuracy test.
import type { QuantizedModel } from './quantized-model.ts';
import { CnnaError } from '../../errors/cnna-error.ts';
import { DEFAULT_PREPROCESS, toBatch, type ImageSet, type Preprocess } from '../../data/preprocess.ts';
import { runFixed } from './run-fixed.ts';
import { tsWorker } from './run-fixed-parallel.ts';

/** Index of the largest value of each row of a [N, classes] output (first one on ties). */
export function argmaxRows(data: Float32Array, n: number): Int32Array {
  const classes = data.length / n;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let k = 1; k < classes; k++) if (data[i * classes + k] > data[i * classes + best]) best = k;
    out[i] = best;
  }
  return out;
}

export function predictRange(
  qm: QuantizedModel, set: ImageSet, start: number, count: number, pp: Preprocess, batch: number, onBatch?: (done: number) => void,
): Int32Array {
  const input = qm.graph.inputs[0].name;
  const output = qm.graph.outputs[0].name;
  const preds = new Int32Array(count);
  for (let s = 0; s < count; s += batch) {
    const b = toBatch(set, start + s, Math.min(batch, count - s), pp);
    const r = runFixed(qm, { [input]: b });
    preds.set(argmaxRows(r.outputs[output].data, b.dims[0]), s);
    onBatch?.(Math.min(batch, count - s));
  }
  return preds;
}

export interface Top1Result {
  n: number;
  correct: number;
  top1: number;
  predictions: Int32Array;
}

export async function fixedTop1(
  qm: QuantizedModel, set: ImageSet,
  opts: { preprocess?: Preprocess; threads?: number; limit?: number; batch?: number; onProgress?: (done: number, total: number) => void } = {},
): Promise<Top1Result> {
  const pp = opts.preprocess ?? DEFAULT_PREPROCESS;
  const n = Math.min(set.count, opts.limit ?? set.count);
  const threads = Math.max(1, Math.min(opts.threads ?? 2, Math.ceil(n / 100)));
  const batch = opts.batch ?? 100;
  const per = set.channels * set.rows * set.cols;
  const bounds = Array.from({ length: threads + 1 }, (_, i) => Math.round((n * i) / threads));
  let done = 0;
  const tick = (k: number) => { done += k; opts.onProgress?.(done, n); };
  const jobs: Promise<Int32Array>[] = [];
  const workers = [];
  for (let t = 1; t < threads; t++) {
    const [a, b] = [bounds[t], bounds[t + 1]];
    const slice: ImageSet = { ...set, count: b - a, images: set.images.slice(a * per, b * per), labels: set.labels.slice(a, b) };
    const w = tsWorker(new URL('./top1-worker.ts', import.meta.url));
    workers.push(w);
    jobs.push(new Promise((resolve, reject) => {
      w.on('message', (m: { progress?: number; preds?: Int32Array; error?: string }) => {
        if (m.progress !== undefined) tick(m.progress);
        else if (m.preds) resolve(m.preds);
        else reject(new CnnaError('E_SIM', `golden-model worker failed: ${m.error}`));
      });
      w.on('error', (e) => reject(new CnnaError('E_SIM', `golden-model worker failed: ${e.message}`)));
    }));
    w.postMessage({ qm, set: slice, pp, batch });
  }
  try {
    const mine = predictRange(qm, set, 0, bounds[1], pp, batch, tick);
    const rest = await Promise.all(jobs);
    const predictions = new Int32Array(n);
    predictions.set(mine, 0);
    rest.forEach((p, i) => predictions.set(p, bounds[i + 1]));
    let correct = 0;
    for (let i = 0; i < n; i++) if (predictions[i] === set.labels[i]) correct++;
    return { n, correct, top1: correct / n, predictions };
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
