// Worker side of top1.ts: runs the golden model on a slice of labelled images and returns the
// arg-max class of each.
import { parentPort } from 'node:worker_threads';
import type { QuantizedModel } from './quantized-model.ts';
import type { ImageSet, Preprocess } from '../../data/preprocess.ts';
import { predictRange } from './top1.ts';

parentPort!.on('message', (m: { qm: QuantizedModel; set: ImageSet; pp: Preprocess; batch: number }) => {
  try {
    const preds = predictRange(m.qm, m.set, 0, m.set.count, m.pp, m.batch, (done) => parentPort!.postMessage({ progress: done }));
    parentPort!.postMessage({ preds });
  } catch (e) {
    parentPort!.postMessage({ error: (e as Error).message });
  }
});
