// The bit-exact fixed-point golden model, single-threaded: THE reference every other executor
// (engine model, HLS, RTL, board) must match bit for bit. Semantics: docs/numerics.md,
// implemented in interpret.ts and ops/.
import type { Tensor } from '../../ir/graph.ts';
import type { QuantizedModel } from './quantized-model.ts';
import { COLS_BLOCK, colsLength, convChannels, im2col } from './ops/conv.ts';
import { gemmColumns } from './ops/gemm.ts';
import { interpret, type RunFixedOptions, type RunFixedResult, type Work } from './interpret.ts';
import { DotKernel } from './wasm-dot.ts';

export type { FixedValue, RunFixedOptions, RunFixedResult } from './interpret.ts';

let kernel: DotKernel | null | undefined;
let scratchBuf = new Int16Array(0);

/** This thread's reusable unrolled-input buffer (work items run one at a time per thread). */
function scratch(n: number): Int16Array {
  if (scratchBuf.length < n) scratchBuf = new Int16Array(n);
  return scratchBuf.subarray(0, n);
}

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
  const per = colsLength(p);
  const chunk = Math.max(1, Math.min(w.N, Math.floor(COLS_BLOCK / per)));
  const cols = scratch(per * chunk);
  const plane = new Int16Array(p.OH * p.OW);
  const inPer = p.C * p.H * p.W;
  const outPer = p.M * p.outPlane;
  let sat = 0;
  for (let n0 = 0; n0 < w.N; n0 += chunk) {
    const nImg = Math.min(chunk, w.N - n0);
    for (let i = 0; i < nImg; i++) im2col(p, w.x, (n0 + i) * inPer, cols.subarray(i * per, (i + 1) * per));
    k?.setCols(cols.subarray(0, nImg * per));
    sat += convChannels(p, cols, nImg, w.out, n0 * outPer, 0, p.M, plane, k);
  }
  return sat;
}

export function runFixed(qm: QuantizedModel, inputs: Record<string, Tensor>, opts: RunFixedOptions = {}): RunFixedResult {
  const it = interpret(qm, inputs, opts);
  let r = it.next();
  while (!r.done) r = it.next(doWork(r.value));
  return r.value;
}
