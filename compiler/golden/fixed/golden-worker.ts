// Worker side of run-fixed-parallel.ts: holds the layer plans it was sent (weights in shared
// memory) and computes the output-channel or output-column ranges it is asked for, with the
// same ops/ code as the single-threaded golden model.
import { parentPort } from 'node:worker_threads';
import { convChannels, type ConvPlan } from './ops/conv.ts';
import { gemmColumns, type GemmPlan } from './ops/gemm.ts';
import { threadKernel } from './run-fixed.ts';

export type WorkerRequest =
  | { type: 'plan'; id: number; plan: ConvPlan | GemmPlan }
  | { type: 'conv'; id: number; cols: Int16Array; out: Int16Array; oo: number; m0: number; m1: number }
  | { type: 'gemm'; id: number; a: Int16Array; out: Int16Array; j0: number; j1: number };

const plans = new Map<number, ConvPlan | GemmPlan>();
const kernel = threadKernel();

parentPort!.on('message', (msg: WorkerRequest) => {
  try {
    if (msg.type === 'plan') {
      plans.set(msg.id, msg.plan);
      return;
    }
    let sat = 0;
    if (msg.type === 'conv') {
      const p = plans.get(msg.id) as ConvPlan;
      kernel?.setCols(msg.cols);
      sat = convChannels(p, msg.cols, 1, msg.out, msg.oo, msg.m0, msg.m1, new Int16Array(p.OH * p.OW), kernel);
    } else {
      const p = plans.get(msg.id) as GemmPlan;
      kernel?.setCols(msg.a);
      sat = gemmColumns(p, msg.a, msg.out, msg.j0, msg.j1, kernel);
    }
    parentPort!.postMessage({ ok: true, sat });
  } catch (e) {
    parentPort!.postMessage({ ok: false, error: (e as Error).message });
  }
});
