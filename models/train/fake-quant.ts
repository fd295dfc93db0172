// The fake-quantized forward pass of `cnna train`: cnna's fixed-point arithmetic (docs/numerics.md)
// emulated in float32 tfjs ops, with the straight-through estimator as its gradient. Every int16
// value v at f fractional bits is held as the float q·2^-f, which float32 represents exactly:
//  - weights: quant(w, f_w) = sat16(floor(w·2^f_w + 0.5))·2^-f_w (per layer or per output channel);
//  - biases: floor(b·2^(f_in+f_w) + 0.5)·2^-(f_in+f_w) (the engine's 48-bit bias, exact in float32);
//  - conv / gemm / add outputs: requantized to their value's format before the activation, as the
//    engine's requantize stage does (round half up = floor(x·2^f + 0.5), saturate to int16);
//  - every other value with a format (inputs, pools, standalone activations, concats, format
//    changes): the same rounding after the node.
// ReLU and max pooling commute with that rounding, so after a conv + ReLU + max pool nothing more
// is done. The one difference from the golden model: a conv or gemm sums its products in float32,
// not in the engine's exact 48-bit accumulator, so an output whose exact value lies within the
// float32 error of a rounding boundary can come out 1 LSB off (measured in fake-quant.test.ts and
// docs/training.md). Training uses this pass; evaluation and export use the golden model.
import * as tf from '@tensorflow/tfjs';
import type { Graph, Node } from '../../compiler/ir/graph.ts';
import { forward, toGraph, type Params, type Hooks } from './tf-forward.ts';

/**
 * Rounds y to int16 values at f fractional bits (a number, or a tensor of 2^f that broadcasts
 * against y for per-channel formats), saturating. Gradient: straight through where y is inside
 * the format's range, zero where it saturates.
 */
export function fakeQuant(y: tf.Tensor, f: number | tf.Tensor, saturate = true): tf.Tensor {
  const op = tf.customGrad(((x: tf.Tensor, save: tf.GradSaveFunc) => {
    const s = typeof f === 'number' ? 2 ** f : f;
    const t = tf.floor(tf.add(tf.mul(x, s), 0.5));
    if (!saturate) {
      return { value: tf.div(t, s), gradFunc: (dy: tf.Tensor) => [dy] };
    }
    const c = tf.clipByValue(t, -32768, 32767);
    save([tf.equal(t, c)]);
    return {
      value: typeof s === 'number' ? tf.mul(c, 1 / s) : tf.div(c, s),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [tf.mul(dy, tf.cast(saved[0], 'float32'))],
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(y);
}

export interface FakeQuantFormats {
  /** Fractional bits of every int16 value. */
  activations: Map<string, number>;
  /** Fractional bits of each conv / gemm node's weights: one, or one per output channel. */
  weights: Map<string, number[]>;
}

/** Nodes whose requantized output an activation of this kind and a pool of this kind leave on the grid. */
function roundedAlready(n: Node): boolean {
  if (n.op !== 'conv' && n.op !== 'gemm' && n.op !== 'add') return false;
  if (n.activation && n.activation.kind !== 'relu') return false;
  const pool = n.op === 'conv' ? n.pool : undefined;
  return !pool || pool.kind === 'max' || pool.kind === 'globalmax';
}

function scaleTensor(fs: number[], dims: number[], axis: number): number | tf.Tensor {
  if (fs.length === 1) return fs[0];
  const shape = dims.map((_, i) => (i === axis ? fs.length : 1));
  return tf.tensor(fs.map((f) => 2 ** f), shape);
}

/**
 * The weights and biases of `vars` fake-quantized with `formats` (a Params map for forward()),
 * differentiable with respect to the vars.
 */
export function quantizedParams(g: Graph, vars: Map<string, tf.Tensor>, formats: FakeQuantFormats): Params {
  const out: Params = new Map(vars);
  for (const n of g.nodes) {
    if (n.op !== 'conv' && n.op !== 'gemm') continue;
    const wName = n.inputs[1], bName = n.inputs[2];
    const w = vars.get(wName);
    const wf = formats.weights.get(n.name);
    if (!w || !wf) continue;
    const fIn = formats.activations.get(n.inputs[0]) ?? 14;
    const axis = n.op === 'conv' ? 0 : n.transB ? 0 : 1;
    const alpha = n.op === 'gemm' ? n.alpha : 1;
    const wq = alpha === 1 ? fakeQuant(w, scaleTensor(wf, w.shape, axis)) : tf.div(fakeQuant(tf.mul(w, alpha), scaleTensor(wf, w.shape, axis)), alpha);
    out.set(wName, wq);
    const b = bName ? vars.get(bName) : undefined;
    if (b && bName) {
      const beta = n.op === 'gemm' ? n.beta : 1;
      const bs = scaleTensor(wf.map((f) => f + fIn), b.shape, b.rank - 1);
      out.set(bName, beta === 1 ? fakeQuant(b, bs, false) : tf.div(fakeQuant(tf.mul(b, beta), bs, false), beta));
    }
  }
  return out;
}

/**
 * The hooks that make forward() the fake-quantized pass. `seen`, when given, receives for each
 * value a scalar tensor: the largest |x| of its float value before rounding (for a conv / gemm /
 * add with ReLU, the largest positive pre-activation, which max pooling keeps), from which 'auto'
 * formats are re-chosen.
 */
export function fakeQuantHooks(g: Graph, formats: FakeQuantFormats, seen?: (value: string, amax: tf.Tensor) => void): Hooks {
  const producer = new Map<string, Node>();
  for (const n of g.nodes) producer.set(n.outputs[0], n);
  const f = (v: string): number | undefined => formats.activations.get(v);
  return {
    pre: (n, y) => {
      const fo = f(n.outputs[0]);
      if (fo === undefined) return y;
      const act = n.op === 'conv' || n.op === 'gemm' || n.op === 'add' ? n.activation : undefined;
      if (seen && roundedAlready(n)) seen(n.outputs[0], act ? tf.relu(tf.max(y)) : tf.max(tf.abs(y)));
      return fakeQuant(y, fo);
    },
    at: (v, y) => {
      const fo = f(v);
      if (fo === undefined) return y;
      const n = producer.get(v);
      if (n && roundedAlready(n)) return y;
      // Layout-only nodes keep their input's values: nothing to round when the format is the same.
      if (n && (n.op === 'flatten' || n.op === 'reshape' || n.op === 'transpose' || n.op === 'identity' || n.op === 'dropout' || n.op === 'pad') && f(n.inputs[0]) === fo) return y;
      seen?.(v, tf.max(tf.abs(y)));
      return fakeQuant(y, fo);
    },
  };
}

/**
 * Softmax cross-entropy of the fake-quantized pass (mean over the batch, or `reduction`).
 * Returns the scalar loss; `logits` receives the fake-quantized logits.
 */
export function fakeQuantLoss(g: Graph, vars: Map<string, tf.Tensor>, formats: FakeQuantFormats, x: tf.Tensor, onehot: tf.Tensor, hooks: Hooks, logits?: (t: tf.Tensor) => void, reduction = tf.Reduction.SUM_BY_NONZERO_WEIGHTS): tf.Scalar {
  const params = quantizedParams(g, vars, formats);
  const out = forward(g, params, { [g.inputs[0].name]: x }, hooks);
  logits?.(out.logits);
  return tf.losses.softmaxCrossEntropy(onehot, out.logits, undefined, undefined, reduction) as tf.Scalar;
}

export interface ShardResult {
  /** Sum of the shard's cross-entropies divided by the whole batch's size (so shard losses add up to the batch mean). */
  loss: number;
  correct: number;
  /** Gradients of `loss` by parameter name, in the same scaling (so shard gradients add up). */
  grads: Map<string, Float32Array>;
  /** Largest |x| per value (see fakeQuantHooks), when asked for. */
  amax: Map<string, number>;
}

/**
 * One shard of a training batch through the fake-quantized pass and its gradient, on this
 * thread's tfjs backend. `params` holds the current float master weights by name.
 */
export function shardGrads(g: Graph, params: Map<string, Float32Array | tf.Tensor>, formats: FakeQuantFormats, x: { dims: number[]; data: Float32Array }, labels: ArrayLike<number>, batchSize: number, collectAmax: boolean): ShardResult {
  const names = [...params.keys()];
  const shapes = new Map<string, number[]>();
  for (const [k, t] of g.initializers) shapes.set(k, t.dims);
  const n = x.dims[0];
  const outDims = g.shapes.get(g.outputs[0].name)!;
  const classes = outDims.slice(1).reduce((a, b) => a * b, 1);
  const amaxT: [string, tf.Tensor][] = [];
  let logitsData: Float32Array | undefined;
  let res: { loss: number; grads: Map<string, Float32Array> } | undefined;
  tf.tidy(() => {
    const ws = names.map((k) => {
      const p = params.get(k)!;
      return p instanceof tf.Tensor ? p : tf.tensor(p, shapes.get(k)!);
    });
    const onehot = new Float32Array(n * classes);
    for (let i = 0; i < n; i++) onehot[i * classes + labels[i]] = 1;
    const y = tf.tensor2d(onehot, [n, classes]);
    const xt = tf.tensor(x.data, x.dims);
    const hooks = { ...fakeQuantHooks(g, formats, collectAmax ? (v: string, a: tf.Tensor) => { amaxT.push([v, tf.keep(a)]); } : undefined), noInputGrad: true };
    const f = (...w: tf.Tensor[]): tf.Scalar => {
      const vars = new Map(names.map((k, i) => [k, w[i]]));
      const sum = fakeQuantLoss(g, vars, formats, xt, y, hooks, (l) => { logitsData = l.dataSync() as Float32Array; }, tf.Reduction.SUM);
      return tf.mul(sum, 1 / batchSize) as tf.Scalar;
    };
    const { value, grads } = tf.valueAndGrads(f)(ws);
    res = { loss: value.dataSync()[0], grads: new Map(names.map((k, i) => [k, grads[i].dataSync() as Float32Array])) };
  });
  const amax = new Map<string, number>();
  for (const [v, t] of amaxT) {
    const a = t.dataSync()[0];
    t.dispose();
    if (Number.isFinite(a)) amax.set(v, Math.max(amax.get(v) ?? 0, a));
  }
  let correct = 0;
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let k = 1; k < classes; k++) if (logitsData![i * classes + k] > logitsData![i * classes + best]) best = k;
    if (best === labels[i]) correct++;
  }
  return { loss: res!.loss, correct, grads: res!.grads, amax };
}

/**
 * The fake-quantized pass on a batch (NCHW), every value with a format returned as its integers
 * round(y·2^f) in graph layout, to compare with the golden model's raw values.
 */
export function fakeQuantValues(g: Graph, vars: Map<string, tf.Tensor>, formats: FakeQuantFormats, x: { dims: number[]; data: Float32Array }): Map<string, { q: Int32Array; f: number }> {
  const out = new Map<string, { q: Int32Array; f: number }>();
  tf.tidy(() => {
    const params = quantizedParams(g, vars, formats);
    const h = fakeQuantHooks(g, formats);
    forward(g, params, { [g.inputs[0].name]: tf.tensor(x.data, x.dims) }, {
      pre: h.pre,
      at: (v, y) => {
        const r = h.at!(v, y);
        const f = formats.activations.get(v);
        if (f !== undefined) out.set(v, { q: Int32Array.from(toGraph(r).dataSync(), (z) => Math.round(z * 2 ** f)), f });
        return r;
      },
    });
  });
  return out;
}
