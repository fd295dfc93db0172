// The golden model on several threads, for big models (VGG16). The semantics are those of
// run-fixed.ts, line for line: the same interpreter yields the same conv / gemm work items, and
// big ones are split by output channel (conv) or output column (gemm) between this thread and
// worker threads, which run the same ops/ code on shared memory. Results are bit-identical to
// runFixed (run-fixed-parallel.test.ts).
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { Tensor } from '../../ir/graph.ts';
import type { QuantizedModel } from './quantized-model.ts';
import { CnnaError } from '../../errors/cnna-error.ts';
import { colsLength, convChannels, im2col, type ConvPlan } from './ops/conv.ts';
import { gemmColumns, type GemmPlan } from './ops/gemm.ts';
import { interpret, type RunFixedOptions, type RunFixedResult, type Work } from './interpret.ts';
import { doWork, threadKernel } from './run-fixed.ts';
import type { WorkerRequest } from './golden-worker.ts';

/** Layers below this many MACs per image run on this thread alone. */
const SPLIT_MACS = 4_000_000;

function shared(a: Int16Array): Int16Array {
  const s = new Int16Array(new SharedArrayBuffer(a.length * 2));
  s.set(a);
  return s;
}

/**
 * A worker running a TypeScript module. Node 20 workers do not inherit tsx's loader hooks and
 * ignore `--import tsx` in execArgv, so the worker registers tsx's ESM hooks itself first.
 */
export function tsWorker(url: URL): Worker {
  const api = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  const code = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}); })`;
  return new Worker(code, { eval: true });
}

interface Slot { worker: Worker; pending: ((r: { ok: boolean; sat?: number; error?: string }) => void) | null }

export class GoldenThreads {
  private slots: Slot[] = [];
  private planIds = new WeakMap<ConvPlan | GemmPlan, number>();
  private nextId = 1;

  /** `threads` counts this thread too: threads = 2 starts one worker. Layers below `splitMacs` MACs (per image for conv, per batch for gemm) stay on this thread. */
  constructor(readonly threads = 2, readonly splitMacs = SPLIT_MACS) {
    for (let i = 0; i < Math.max(0, threads - 1); i++) {
      const worker = tsWorker(new URL('./golden-worker.ts', import.meta.url));
      const slot: Slot = { worker, pending: null };
      worker.on('message', (r) => { const p = slot.pending; slot.pending = null; p?.(r); });
      worker.on('error', (e) => { const p = slot.pending; slot.pending = null; p?.({ ok: false, error: e.message }); });
      this.slots.push(slot);
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
    this.slots = [];
  }

  private ensurePlan(plan: ConvPlan | GemmPlan): number {
    let id = this.planIds.get(plan);
    if (id === undefined) {
      id = this.nextId++;
      this.planIds.set(plan, id);
      const sharedPlan = { ...plan, w: shared(plan.w) };
      for (const s of this.slots) s.worker.postMessage({ type: 'plan', id, plan: sharedPlan } satisfies WorkerRequest);
    }
    return id;
  }

  private ask(slot: Slot, req: WorkerRequest): Promise<number> {
    return new Promise((resolve, reject) => {
      slot.pending = (r) => (r.ok ? resolve(r.sat ?? 0) : reject(new CnnaError('E_SIM', `golden-model worker failed: ${r.error}`)));
      slot.worker.postMessage(req);
    });
  }

  private async work(w: Work): Promise<number> {
    const parts = this.slots.length + 1;
    const macs = w.kind === 'conv' ? w.plan.M * w.plan.K * w.plan.OH * w.plan.OW : w.plan.N * w.plan.K * w.plan.R;
    if (parts === 1 || macs < this.splitMacs) return doWork(w);
    const kernel = threadKernel();
    const id = this.ensurePlan(w.plan);
    let sat = 0;
    if (w.kind === 'conv') {
      const p = w.plan;
      const cols = new Int16Array(new SharedArrayBuffer(colsLength(p) * 2));
      const outPer = p.M * p.outPlane;
      const out = new Int16Array(new SharedArrayBuffer(outPer * 2));
      const plane = new Int16Array(p.OH * p.OW);
      const inPer = p.C * p.H * p.W;
      const bounds = split(p.M, parts, p.M / p.group);
      for (let n = 0; n < w.N; n++) {
        im2col(p, w.x, n * inPer, cols);
        const asks = this.slots.map((s, i) => this.ask(s, { type: 'conv', id, cols, out, oo: 0, m0: bounds[i + 1], m1: bounds[i + 2] }));
        kernel?.setCols(cols);
        sat += convChannels(p, cols, 1, out, 0, bounds[0], bounds[1], plane, kernel);
        for (const s of await Promise.all(asks)) sat += s;
        w.out.set(out, n * outPer);
      }
      return sat;
    }
    const p = w.plan as GemmPlan;
    const a = shared(w.a);
    const out = new Int16Array(new SharedArrayBuffer(w.out.length * 2));
    const bounds = split(p.N, parts, 1);
    const asks = this.slots.map((s, i) => this.ask(s, { type: 'gemm', id, a, out, j0: bounds[i + 1], j1: bounds[i + 2] }));
    kernel?.setCols(a);
    sat += gemmColumns(p, a, out, bounds[0], bounds[1], kernel);
    for (const s of await Promise.all(asks)) sat += s;
    w.out.set(out);
    return sat;
  }

  /** Same result as runFixed(qm, inputs, opts). */
  async run(qm: QuantizedModel, inputs: Record<string, Tensor>, opts: RunFixedOptions = {}): Promise<RunFixedResult> {
    const it = interpret(qm, inputs, opts);
    let r = it.next();
    while (!r.done) r = it.next(await this.work(r.value));
    return r.value;
  }
}

/**
 * [b0, b1) for this thread, then one range per worker. Ranges never straddle a group of
 * `align` channels when there are enough groups (a grouped conv's channels share input rows).
 */
function split(total: number, parts: number, align: number): number[] {
  const b = [0];
  for (let i = 1; i < parts; i++) {
    const raw = Math.round((total * i) / parts);
    b.push(total / align >= parts ? Math.round(raw / align) * align : raw);
  }
  b.push(total);
  // The first range is this thread's; order: [b0,b1) here, [b1,b2) worker 0, ...
  return b;
}

/** One inference on `threads` threads (this one included); starts and stops the workers. */
export async function runFixedParallel(
  qm: QuantizedModel, inputs: Record<string, Tensor>, opts: RunFixedOptions & { threads?: number } = {},
): Promise<RunFixedResult> {
  const pool = new GoldenThreads(opts.threads ?? 2);
  try {
    return await pool.run(qm, inputs, opts);
  } finally {
    await pool.close();
  }
}
