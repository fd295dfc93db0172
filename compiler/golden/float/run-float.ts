// The float executor of the graph IR: the reference that the quantizer calibrates with and that
// onnxruntime-node checks. It runs the raw imported graph and the optimized (fused) graph alike:
// a conv with a fused activation and pool runs conv -> activation -> pool.

import { CnnaError } from '../../errors/cnna-error.ts';
import type { Graph, Node, Tensor } from '../../ir/graph.ts';
import { fmt, inferNodeShapes } from '../../ir/infer-shape.ts';
import { conv2d } from './ops/conv.ts';
import { activate, add, batchNorm, pad4d } from './ops/elementwise.ts';
import { gemm } from './ops/gemm.ts';
import { concat, softmax, transpose } from './ops/layout.ts';
import { pool2d } from './ops/pool.ts';
import { unaryFn } from '../fixed/ops/host-ops.ts';

export interface RunFloatOptions {
  /** Return every value (graph inputs and every node output), not just the graph outputs. */
  keepAll?: boolean;
  /**
   * Threads for the big convs of one run (default 1): helper threads of the WebAssembly conv
   * kernel take work items (image × 4 output channels) from the same job; results are identical
   * for any count. For batches, FloatThreads (one image slice per thread) is the better split.
   */
  threads?: number;
  /**
   * Other work for this thread while a helper thread runs a conv job: called until it returns
   * false (nothing left) or the job is done, in small units; then this thread joins the job.
   */
  background?: () => boolean;
}

/** Runs one node on its input values (undefined for an absent optional input). */
export function runNode(node: Node, ins: (Tensor | undefined)[], opts: Pick<RunFloatOptions, 'threads' | 'background'> = {}): Tensor {
  const outShape = inferNodeShapes(node, ins.map((t) => t?.dims))[0];
  const x = ins[0]!;
  const t = (data: Float32Array): Tensor => ({ dims: outShape, data });
  switch (node.op) {
    case 'conv': {
      const convShape = node.pool ? [x.dims[0], ins[1]!.dims[0], 0, 0] : outShape;
      if (node.pool) {
        const plain = inferNodeShapes({ ...node, pool: undefined }, ins.map((v) => v?.dims))[0];
        convShape[2] = plain[2];
        convShape[3] = plain[3];
      }
      let y = conv2d(x.data, x.dims, ins[1]!.data, ins[1]!.dims, ins[2]?.data, node, convShape, { threads: opts.threads, background: opts.background, alloc: takeSpare });
      if (node.activation) activate(y, node.activation, y); // y is conv2d's own array
      if (!node.pool) return t(y);
      const p = pool2d(y, convShape, node.pool, outShape);
      giveSpare(y);
      return t(p);
    }
    case 'gemm': {
      const as = node.inputLayout ? [x.dims[0], x.data.length / x.dims[0]] : x.dims;
      const r = gemm(x.data, as, ins[1]!.data, ins[1]!.dims, ins[2]?.data, ins[2]?.dims, node.alpha, node.beta, node.transA, node.transB);
      return t(node.activation ? activate(r.data, node.activation) : r.data);
    }
    case 'matmul': return t(gemm(x.data, x.dims, ins[1]!.data, ins[1]!.dims, undefined, undefined, 1, 0, false, false).data);
    case 'pool': return t(pool2d(x.data, x.dims, node.pool, outShape));
    case 'activation': return t(activate(x.data, node.activation));
    case 'batchnorm': return t(batchNorm(x.data, x.dims, ins[1]!.data, ins[2]!.data, ins[3]!.data, ins[4]!.data, node.epsilon));
    case 'flatten': case 'reshape': case 'identity': case 'dropout': return t(x.data);
    case 'transpose': return t(transpose(x.data, x.dims, node.perm));
    case 'add': {
      const r = node.scales
        ? { data: Float32Array.from(x.data, (v, i) => node.scales![0] * v + node.scales![1] * ins[1]!.data[i]) }
        : add(x.data, x.dims, ins[1]!.data, ins[1]!.dims);
      return t(node.activation ? activate(r.data, node.activation) : r.data);
    }
    case 'concat': return t(concat(ins as Tensor[], node.axis, outShape));
    case 'softmax': return t(softmax(x.data, x.dims, node.axis, node.coerce2d));
    case 'pad': return t(pad4d(x.data, x.dims, node.pads, node.value, outShape));
    case 'unary': { const fn = unaryFn(node.fn, node.exponent); return t(Float32Array.from(x.data, (v) => fn(v))); }
    case 'binary': { const b = ins[1]!.data; return t(node.fn === 'mul' ? Float32Array.from(x.data, (v, i) => v * b[i]) : Float32Array.from(x.data, (v, i) => v / b[i])); }
  }
}

/** Runs `graph` on `inputs` (by graph input name); returns the graph outputs, or every value with keepAll. */
export function runFloat(graph: Graph, inputs: Record<string, Tensor>, opts: RunFloatOptions = {}): Record<string, Tensor> {
  const values = new Map<string, Tensor>();
  for (const vi of graph.inputs) {
    const t = inputs[vi.name];
    if (!t) throw new CnnaError('E_USAGE', `no value given for graph input '${vi.name}' ${fmt(vi.shape)}`);
    if (t.dims.length !== vi.shape.length || t.dims.some((d, i) => d !== vi.shape[i])) {
      throw new CnnaError('E_USAGE', `graph input '${vi.name}' is ${fmt(vi.shape)}, the value given is ${fmt(t.dims)}`);
    }
    if (t.data.length !== t.dims.reduce((a, b) => a * b, 1)) throw new CnnaError('E_USAGE', `graph input '${vi.name}': ${t.data.length} values for dims ${fmt(t.dims)}`);
    values.set(vi.name, t);
  }
  const get = (name: string, node: Node): Tensor | undefined => {
    if (!name) return undefined;
    const v = values.get(name) ?? graph.initializers.get(name);
    if (!v) throw new CnnaError('E_GRAPH', `node '${node.name}' (${node.op}): input '${name}' has no value (the nodes are not in topological order or a value is missing)`);
    return v;
  };
  for (const node of graph.nodes) {
    const y = runNode(node, node.inputs.map((n) => get(n, node)), opts);
    values.set(node.outputs[0], y);
  }
  const result: Record<string, Tensor> = {};
  if (opts.keepAll) {
    for (const [k, v] of values) result[k] = v;
  }
  for (const o of graph.outputs) {
    const v = values.get(o.name) ?? graph.initializers.get(o.name);
    if (!v) throw new CnnaError('E_GRAPH', `graph output '${o.name}' was not computed`);
    result[o.name] = v;
  }
  if (!opts.keepAll) {
    // Intermediate arrays are unreachable after this run: keep them for the next run's conv
    // outputs, except any that shares its buffer with an input, an initializer or an output.
    const held = new Set<ArrayBufferLike>();
    for (const t of [...Object.values(inputs), ...graph.initializers.values(), ...Object.values(result)]) held.add(t.data.buffer);
    for (const node of graph.nodes) {
      const d = values.get(node.outputs[0])?.data;
      if (d && !held.has(d.buffer)) { held.add(d.buffer); giveSpare(d); }
    }
  }
  return result;
}

/**
 * Float32Arrays no longer in use, by length, handed to the next conv of the same output size:
 * reusing them spares the page faults of fresh memory (a large part of a small conv's cost).
 * conv2d writes every element of the array it takes. At most SPARE_BYTES are held.
 */
const spare = new Map<number, Float32Array[]>();
let spareBytes = 0;
const SPARE_BYTES = 256 * 2 ** 20;

function giveSpare(d: Float32Array): void {
  if (d.byteOffset !== 0 || d.byteLength !== d.buffer.byteLength || !(d.buffer instanceof ArrayBuffer)) return;
  if (d.byteLength < 65536 || spareBytes + d.byteLength > SPARE_BYTES) return;
  const list = spare.get(d.length) ?? [];
  list.push(d);
  spare.set(d.length, list);
  spareBytes += d.byteLength;
}

/** Bytes of spare arrays held (for tests). */
export function spareBytesHeld(): number {
  return spareBytes;
}

function takeSpare(n: number): Float32Array {
  const d = spare.get(n)?.pop();
  if (!d) return new Float32Array(n);
  spareBytes -= d.byteLength;
  return d;
}
