// Worker side of FloatThreads: holds graphs by id (initializers on shared memory) and runs
// runFloat on the batch slices it is sent.

import { parentPort } from 'node:worker_threads';
import type { Graph, Tensor } from '../../ir/graph.ts';
import { runFloat } from './run-float.ts';

export type FloatWorkerRequest =
  | { kind: 'graph'; id: number; graph: Omit<Graph, 'initializers'>; initializers: [string, Tensor][] }
  | { kind: 'run'; id: number; feeds: Record<string, Tensor>; keepAll: boolean };

export type FloatWorkerReply = { ok: true; values: Record<string, Tensor> } | { ok: false; error: string; code?: string };

const graphs = new Map<number, Graph>();

parentPort?.on('message', (req: FloatWorkerRequest) => {
  if (req.kind === 'graph') {
    graphs.set(req.id, { ...req.graph, initializers: new Map(req.initializers) });
    return;
  }
  try {
    const g = graphs.get(req.id)!;
    const inputs = g.inputs.map((vi) => ({ ...vi, shape: req.feeds[vi.name]?.dims ?? vi.shape }));
    const values = runFloat({ ...g, inputs }, req.feeds, { keepAll: req.keepAll });
    parentPort!.postMessage({ ok: true, values } satisfies FloatWorkerReply);
  } catch (e) {
    parentPort!.postMessage({ ok: false, error: e instanceof Error ? e.message : String(e), code: (e as { code?: string }).code } satisfies FloatWorkerReply);
  }
});
