// Worker side of QatModel's data-parallel step (qat.ts): holds the lowered graph and the current
// formats, and computes the fake-quantized loss and gradient of the batch shards it is sent with
// the same code (fake-quant.ts shardGrads) on its own tfjs wasm backend, so a shard's gradient is
// the same bits on any thread.
import { parentPort } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import type { Graph } from '../../compiler/ir/graph.ts';
import { shardGrads, type FakeQuantFormats } from './fake-quant.ts';

export type QatWorkerRequest =
  | { type: 'init'; graph: Graph; formats: FakeQuantFormats }
  | { type: 'formats'; formats: FakeQuantFormats }
  | { type: 'shard'; params: Map<string, Float32Array>; x: { dims: number[]; data: Float32Array }; labels: number[]; batchSize: number; collectAmax: boolean };

export type QatWorkerReply =
  | { ok: true; loss: number; correct: number; grads: Map<string, Float32Array>; amax: Map<string, number> }
  | { ok: true; ready: true }
  | { ok: false; error: string };

let graph: Graph | undefined;
let formats: FakeQuantFormats | undefined;
const ready = (async () => { await tf.setBackend('wasm'); await tf.ready(); })();

parentPort!.on('message', (msg: QatWorkerRequest) => {
  void (async () => {
    try {
      await ready;
      if (msg.type === 'init') { graph = msg.graph; formats = msg.formats; parentPort!.postMessage({ ok: true, ready: true } satisfies QatWorkerReply); return; }
      if (msg.type === 'formats') { formats = msg.formats; parentPort!.postMessage({ ok: true, ready: true } satisfies QatWorkerReply); return; }
      const r = shardGrads(graph!, msg.params, formats!, msg.x, msg.labels, msg.batchSize, msg.collectAmax);
      parentPort!.postMessage({ ok: true, ...r } satisfies QatWorkerReply);
    } catch (e) {
      parentPort!.postMessage({ ok: false, error: (e as Error).stack ?? String(e) } satisfies QatWorkerReply);
    }
  })();
});
