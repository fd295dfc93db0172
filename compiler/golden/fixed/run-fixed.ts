// The bit-exact fixed-point golden model, single-threaded: THE reference every other executor
// (engine model, HLS, RTL, board) must match bit for bit. Semantics: docs/numerics.md,
// implemented in interpret.ts and ops/.
import type { Tensor } from '../../ir/graph.ts';
import type { QuantizedModel } from '../../quant/quantized-model.ts';
import { colsLength, convChannels, im2col } from './ops/conv.ts';
import { gemmColumns } from './ops/gemm.ts';
import { interpret, type RunFixedOptions, type RunFixedResult, type Work } from './interpret.ts';

export type { FixedValue, RunFixedOptions, RunFixedResult } from './interpret.ts';

export function doWork(w: Work): number {
  if (w.kind === 'gemm') return gemmColumns(w.plan, w.a, w.out, 0, w.plan.N);
  const p = w.plan;
  const cols = new Int16Array(colsLength(p));
  const plane = new Int16Array(p.OH * p.OW);
  const inPer = p.C * p.H * p.W;
  const outPer = p.M * p.outPlane;
  let sat = 0;
  for (let n = 0; n < w.N; n++) {
    im2col(p, w.x, n * inPer, cols);
    sat += convChannels(p, cols, w.out, n * outPer, 0, p.M, plane);
  }
  return sat;
}

export function runFixed(qm: QuantizedModel, inputs: Record<string, Tensor>, opts: RunFixedOptions = {}): RunFixedResult {
  const it = interpret(qm, inputs, opts);
  let r = it.next();
  while (!r.done) r = it.next(doWork(r.value));
  return r.value;
}
