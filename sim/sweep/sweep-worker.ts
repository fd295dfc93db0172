// Worker thread of a sweep: takes the models the main thread loaded once (import, optimize, quantize
// with the uniform Q2.14 format: tiling, descriptors and cycle counts do not depend on the formats, and
// it needs no calibration run; weight values dropped), then evaluates the configs it is sent.
import { parentPort, workerData } from 'node:worker_threads';
import { importOnnx } from '../../compiler/onnx/import-onnx.ts';
import { optimize } from '../../compiler/passes/index.ts';
import { quantize } from '../../compiler/quant/quantize.ts';
import { parseFormat } from '../../compiler/golden/fixed/fixed-point.ts';
import { isCnnaError } from '../../compiler/errors/cnna-error.ts';
import type { BoardSpec } from '../../boards/board-spec.ts';
import { SweepEvaluator, type LoadedSweepModel } from './evaluate.ts';

export interface WorkerInit {
  board: BoardSpec;
  models: { name: string; path: string }[];
  /** The models already loaded by loadSweepModels (a structured clone: shapes and formats, no weight values); else the worker loads them. */
  loaded?: LoadedSweepModel[];
  batch?: number;
}
export type WorkerRequest = { type: 'eval'; items: { raw: Record<string, unknown>; index: number }[] };

/**
 * The models a sweep compiles, layout only: weight values are dropped once quantized (a layout-only
 * compile reads shapes and formats, never values), which frees VGG16's 0.8 GB per worker.
 */
export function loadSweepModels(models: WorkerInit['models']): LoadedSweepModel[] {
  return models.map((m) => {
    const qm = quantize(optimize(importOnnx(m.path)), { format: parseFormat('Q2.14'), report: false });
    for (const w of qm.weights.values()) w.q = new Int16Array(0);
    for (const t of qm.graph.initializers.values()) t.data = new Float32Array(0);
    return { name: m.name, qm };
  });
}

if (parentPort) {
  const port = parentPort;
  try {
    const init = workerData as WorkerInit;
    const ev = new SweepEvaluator(init.board, init.loaded ?? loadSweepModels(init.models), init.batch ?? 1);
    port.on('message', (msg: WorkerRequest) => {
      try {
        const entries = msg.items.map((it) => ev.evaluate(it.raw, it.index));
        port.postMessage({ type: 'result', entries, compiles: ev.compiles });
      } catch (e) {
        port.postMessage({ type: 'error', code: isCnnaError(e) ? e.code : undefined, message: (e as Error).message, stack: (e as Error).stack });
      }
    });
    port.postMessage({ type: 'ready' });
  } catch (e) {
    port.postMessage({ type: 'error', code: isCnnaError(e) ? e.code : undefined, message: (e as Error).message, stack: (e as Error).stack });
  }
}
