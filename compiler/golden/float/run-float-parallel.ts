// The float executor on several threads: a batch is split along axis 0 between this thread and
// worker threads, each running runFloat on its slice; outputs are concatenated back. Graph
// initializers are copied once into shared memory per graph. Results equal runFloat's exactly
// (every image is computed by the same code, independently of the others).

import type { Worker } from 'node:worker_threads';
import { CnnaError, type ErrorCode } from '../../errors/cnna-error.ts';
import type { Graph, Tensor } from '../../ir/graph.ts';
import { tsWorker } from '../fixed/run-fixed-parallel.ts';
import type { FloatWorkerReply, FloatWorkerRequest } from './float-worker.ts';
import { runFloat, type RunFloatOptions } from './run-float.ts';

function sharedTensor(t: Tensor): Tensor {
  const data = new Float32Array(new SharedArrayBuffer(t.data.byteLength));
  data.set(t.data);
  return { dims: t.dims, data };
}

function slice(t: Tensor, start: number, count: number): Tensor {
  const per = t.data.length / t.dims[0];
  return { dims: [count, ...t.dims.slice(1)], data: t.data.slice(start * per, (start + count) * per) };
}

function concat(parts: Tensor[]): Tensor {
  const n = parts.reduce((a, p) => a + p.dims[0], 0);
  const data = new Float32Array(parts.reduce((a, p) => a + p.data.length, 0));
  let o = 0;
  for (const p of parts) { data.set(p.data, o); o += p.data.length; }
  return { dims: [n, ...parts[0].dims.slice(1)], data };
}

export class FloatThreads {
  private workers: Worker[] = [];
  private ids = new WeakMap<Graph, number>();
  private nextId = 1;

  /** `threads` counts this thread too: threads = 2 starts one worker. */
  constructor(readonly threads = 2) {
    for (let i = 0; i < Math.max(0, threads - 1); i++) this.workers.push(tsWorker(new URL('./float-worker.ts', import.meta.url)));
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers = [];
  }

  private graphId(g: Graph): number {
    let id = this.ids.get(g);
    if (id !== undefined) return id;
    id = this.nextId++;
    this.ids.set(g, id);
    const initializers: [string, Tensor][] = [...g.initializers].map(([k, t]) => [k, sharedTensor(t)]);
    const { initializers: _, ...rest } = g;
    for (const w of this.workers) w.postMessage({ kind: 'graph', id, graph: rest, initializers } satisfies FloatWorkerRequest);
    return id;
  }

  private call(w: Worker, req: FloatWorkerRequest): Promise<Record<string, Tensor>> {
    return new Promise((resolve, reject) => {
      const done = (r: FloatWorkerReply): void => {
        w.off('error', fail);
        if (r.ok) resolve(r.values);
        else reject(r.code ? new CnnaError(r.code as ErrorCode, r.error) : new Error(r.error));
      };
      const fail = (e: Error): void => { w.off('message', done); reject(e); };
      w.once('message', done);
      w.once('error', fail);
      w.postMessage(req);
    });
  }

  /**
   * runFloat on a batch split along axis 0 (every graph input must share the batch size). The
   * graph's input shapes follow the feeds, so one graph serves any batch.
   */
  async run(graph: Graph, inputs: Record<string, Tensor>, opts: RunFloatOptions = {}): Promise<Record<string, Tensor>> {
    const names = graph.inputs.map((vi) => vi.name);
    const batch = inputs[names[0]]?.dims[0] ?? 0;
    const parts = Math.min(this.workers.length + 1, batch);
    const local = (feeds: Record<string, Tensor>): Record<string, Tensor> =>
      runFloat({ ...graph, inputs: graph.inputs.map((vi) => ({ ...vi, shape: feeds[vi.name]?.dims ?? vi.shape })) }, feeds, opts);
    if (parts <= 1 || names.some((n) => inputs[n]?.dims[0] !== batch)) return local(inputs);
    const id = this.graphId(graph);
    const sizes = Array.from({ length: parts }, (_, i) => Math.floor(batch / parts) + (i < batch % parts ? 1 : 0));
    const starts = sizes.map((_, i) => sizes.slice(0, i).reduce((a, b) => a + b, 0));
    const feedsOf = (i: number): Record<string, Tensor> => Object.fromEntries(names.map((n) => [n, slice(inputs[n], starts[i], sizes[i])]));
    const remote = sizes.slice(1).map((_, i) => this.call(this.workers[i], { kind: 'run', id, feeds: feedsOf(i + 1), keepAll: opts.keepAll ?? false }));
    const mine = local(feedsOf(0));
    const results = [mine, ...(await Promise.all(remote))];
    const out: Record<string, Tensor> = {};
    for (const k of Object.keys(mine)) out[k] = concat(results.map((r) => r[k]));
    return out;
  }
}
