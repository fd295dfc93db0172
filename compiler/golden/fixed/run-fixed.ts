// The bit-exact fixed-point golden model, single-threaded: THE reference every other executor
// (engine model, HLS, RTL, board) must match bit for bit. Semantics: docs/numerics.md,
// implemented in interpret.ts and ops/.
import type { Tensor } from '../../ir/graph.ts';
import type { QuantizedModel } from '../../quant/quantized-model.ts';
import { colsLength, convChannels, im2col } from './ops/conv.ts';
import { gemmColumns } from './ops/gemm.ts';
import { interpret, type RunFixedOptions, type RunFixedResult, type Work } from './interpret.ts';
import { DotKernel } from './wasm-dot.ts';

export type { FixedValue, RunFixedOptions, RunFixedResult } from './interpret.ts';

let kernel: DotKernel | null | undefined;

/** This thread's SIMD kernel (null when unavailable or CNNA_GOLDEN_KERNEL=js). */
export function threadKernel(): DotKernel | null {
  if (kernel === undefined) kernel = DotKernel.create();
  return kernel;
}

export function doWork(w: Work): number {
  const k = threadKernel();
  if (w.kind === 'gemm') {
    k?.setCols(w.a);
    return gemmColumns(w.plan, w.a, w.out, 0, w.plan.N, k);
  }
  const p = w.plan;
  const cols = new Int16Array(colsLength(p));
  const plane = new Int16Array(p.OH * p.OW);
  const inPer = p.C * p.H * p.W;
  const outPer = p.M * p.outPlane;
  let sat = 0;
  for (let n = 0; n < w.N; n++) {
    im2col(p, w.x, n * inPer, cols);
    k?.setCols(cols);
    sat += convChannels(p, cols, w.out, n * outPer, 0, p.M, plane, k);
  }
  return sat;
}

export function runFixed(qm: QuantizedModel, inputs: Record<string, Tensor>, opts: RunFixedOptions = {}): RunFixedResult {
  const it = interpret(qm, inputs, opts);
  let r = it.next();
  while (!r.done) r = it.next(doWork(r.value));
  return r.value;
}
