// The float forward pass of a cnna graph (the lowered graph the quantizer made) in @tensorflow/tfjs,
// built only from ops whose gradients run fast on the wasm backend. Stride-1 ungrouped convs are
// tf.conv2d (XNNPACK) with both gradients written as tf.conv2d too (conv2dS1: wasm has no
// Conv2DBackpropFilter and a slow Conv2DBackpropInput); other convs are im2col (pad, strided slices,
// concat) + matMul. 4-D activations are held NHWC inside; the graph's own tensors (weights, golden values) are NCHW and are converted at the boundary.
//
// Rounding points: after every node whose output has an int16 fixed-point value, `at(value, y)`
// may replace y (the float value) by something else; training replaces it by the golden model's
// exact fixed-point value with a straight-through gradient (qat-step.ts), so the forward pass IS
// cnna's arithmetic and only the backward pass is float.
import * as tf from '@tensorflow/tfjs';
import { CnnaError } from '../../compiler/errors/cnna-error.ts';
import type { Activation, ConvNode, GemmNode, Graph, Node, PoolSpec } from '../../compiler/ir/graph.ts';
import { windowOutSize } from '../../compiler/ir/window.ts';

export type Params = Map<string, tf.Tensor>;
/** Called with each node's output value name and float result; returns what the next nodes see. */
export type RoundingPoint = (value: string, y: tf.Tensor) => tf.Tensor;
/**
 * `at`: after each node (see RoundingPoint). `pre`: inside a conv, gemm or add, on its sum before
 * the activation and pooling (where the engine requantizes; fake-quant.ts).
 */
export interface Hooks { at?: RoundingPoint; pre?: (n: Node, y: tf.Tensor) => tf.Tensor; /** The gradient with respect to the graph inputs is not needed (training): convs reading them skip it. */ noInputGrad?: boolean }

/** Ops of the lowered graph this forward pass covers; others are refused by checkTrainable. */
const TRAINABLE = new Set<Node['op']>(['conv', 'gemm', 'pool', 'activation', 'add', 'concat', 'flatten', 'reshape', 'transpose', 'pad', 'identity', 'dropout', 'softmax']);

/** Refuses a graph that training cannot run, naming the node. */
export function checkTrainable(g: Graph): void {
  for (const n of g.nodes) {
    if (!TRAINABLE.has(n.op)) {
      throw new CnnaError('E_UNSUPPORTED', `node '${n.name}' (${n.op}): cnna train has no float training rule for it`, {
        hint: `cnna train covers ${[...TRAINABLE].join(', ')}`,
      });
    }
    if (n.op === 'softmax' && g.outputs.every((o) => o.name !== n.outputs[0])) {
      throw new CnnaError('E_UNSUPPORTED', `softmax '${n.name}' is not a graph output; cnna train trains on the logits before a final softmax`);
    }
    const pool = n.op === 'conv' ? n.pool : n.op === 'pool' ? n.pool : undefined;
    if (pool && (pool.kind === 'max' || pool.kind === 'avg') && (pool.dilations[0] !== 1 || pool.dilations[1] !== 1)) {
      throw new CnnaError('E_UNSUPPORTED', `node '${n.name}': cnna train has no rule for dilated pooling`);
    }
  }
}

/** NCHW (graph layout) -> NHWC (inside), for 4-D tensors only. */
export function toInside(t: tf.Tensor): tf.Tensor {
  return t.rank === 4 ? tf.transpose(t, [0, 2, 3, 1]) : t;
}
export function toGraph(t: tf.Tensor): tf.Tensor {
  return t.rank === 4 ? tf.transpose(t, [0, 3, 1, 2]) : t;
}

/**
 * Runs the graph on `inputs` (NCHW / N×F float tensors, by graph input name). Returns the value
 * of every graph output in graph layout, plus `logits`: the first output, or the input of a final
 * softmax (what the loss is computed on).
 */
export function forward(g: Graph, params: Params, inputs: Record<string, tf.Tensor>, hooks: RoundingPoint | Hooks = {}): { outputs: Record<string, tf.Tensor>; logits: tf.Tensor } {
  const h: Hooks = typeof hooks === 'function' ? { at: hooks } : hooks;
  const at: RoundingPoint = h.at ?? ((_v, y) => y);
  const pre = h.pre ?? ((_n: Node, y: tf.Tensor) => y);
  const vals = new Map<string, tf.Tensor>();
  for (const vi of g.inputs) {
    const t = inputs[vi.name];
    if (!t) throw new CnnaError('E_USAGE', `input '${vi.name}' is missing`);
    vals.set(vi.name, at(vi.name, toInside(t)));
  }
  const constant = (name: string): tf.Tensor => {
    const p = params.get(name);
    if (p) return p;
    const c = g.initializers.get(name);
    if (!c) throw new CnnaError('E_GRAPH', `value '${name}' is not defined`);
    const t = tf.tensor(c.data, c.dims);
    params.set(name, t);
    return t;
  };
  const get = (name: string): tf.Tensor => vals.get(name) ?? constant(name);
  let logits: tf.Tensor | undefined;
  const outs = new Set(g.outputs.map((o) => o.name));
  for (const n of g.nodes) {
    const out = n.outputs[0];
    if (n.op === 'softmax') {
      logits = get(n.inputs[0]);
      vals.set(out, tf.softmax(logits.rank === 2 ? logits : tf.reshape(logits, [logits.shape[0], -1])));
      continue;
    }
    vals.set(out, at(out, node(g, n, get, constant, pre, h.noInputGrad ?? false)));
  }
  const outputs: Record<string, tf.Tensor> = {};
  for (const o of outs) outputs[o] = toGraph(vals.get(o)!);
  logits ??= outputs[g.outputs[0].name];
  return { outputs, logits: logits.rank === 4 ? tf.reshape(toGraph(logits), [logits.shape[0], -1]) : logits };
}

function node(g: Graph, n: Node, get: (name: string) => tf.Tensor, constant: (name: string) => tf.Tensor, pre: (n: Node, y: tf.Tensor) => tf.Tensor, noInputGrad: boolean): tf.Tensor {
  switch (n.op) {
    case 'conv': {
      let y = pre(n, conv(n, get(n.inputs[0]), constant(n.inputs[1]), n.inputs[2] ? constant(n.inputs[2]) : undefined, noInputGrad && g.inputs.some((vi) => vi.name === n.inputs[0])));
      if (n.activation) y = act(n.activation, y);
      if (n.pool) y = pool(n.pool, y);
      return y;
    }
    case 'gemm': {
      let y = pre(n, gemm(n, get(n.inputs[0]), constant(n.inputs[1]), n.inputs[2] ? constant(n.inputs[2]) : undefined));
      if (n.activation) y = act(n.activation, y);
      return y;
    }
    case 'pool': return pool(n.pool, get(n.inputs[0]));
    case 'activation': return act(n.activation, get(n.inputs[0]));
    case 'add': {
      const [a, b] = n.inputs.map((i) => (g.initializers.has(i) ? constInside(get(i), get(n.inputs.find((k) => k !== i)!).rank) : get(i)));
      const y = pre(n, n.scales ? tf.add(tf.mul(a, n.scales[0]), tf.mul(b, n.scales[1])) : tf.add(a, b));
      return n.activation ? act(n.activation, y) : y;
    }
    case 'concat': {
      const xs = n.inputs.map(get);
      const rank = xs[0].rank;
      const axis = n.axis < 0 ? n.axis + rank : n.axis;
      if (rank === 4 && axis !== 1) throw new CnnaError('E_UNSUPPORTED', `concat '${n.name}': cnna train concatenates 4-D tensors on channels only`);
      return tf.concat(xs, rank === 4 ? 3 : axis);
    }
    case 'flatten': case 'reshape': {
      const x = toGraph(get(n.inputs[0]));
      const shape = g.shapes.get(n.outputs[0])!;
      return toInside(tf.reshape(x, [x.shape[0], ...shape.slice(1)]));
    }
    case 'transpose': return toInside(tf.transpose(toGraph(get(n.inputs[0])), n.perm));
    case 'pad': {
      const [t, l, b, r] = n.pads;
      return tf.pad(get(n.inputs[0]), [[0, 0], [t, b], [l, r], [0, 0]], n.value);
    }
    case 'identity': case 'dropout': return get(n.inputs[0]);
    default:
      throw new CnnaError('E_UNSUPPORTED', `node '${n.name}' (${n.op}): cnna train has no float training rule for it`);
  }
}

/** A constant operand of an Add in the inside layout: NCHW-broadcast shapes become NHWC. */
function constInside(c: tf.Tensor, otherRank: number): tf.Tensor {
  if (otherRank !== 4) return c;
  if (c.rank === 4) return tf.transpose(c, [0, 2, 3, 1]);
  if (c.rank === 3) return tf.transpose(c, [1, 2, 0]);
  if (c.rank <= 1 && c.size === 1) return c;
  throw new CnnaError('E_UNSUPPORTED', `an Add constant of shape [${c.shape.join(', ')}] on a 4-D tensor is not supported by cnna train`);
}

export function act(a: Activation, y: tf.Tensor): tf.Tensor {
  if (a.kind === 'relu') return tf.relu(y);
  if (a.kind === 'leaky') return tf.leakyRelu(y, a.alpha);
  return tf.clipByValue(y, a.min, a.max);
}

/** Rows (axis 1) or columns (axis 2) start, start + s, ..., count of them, of an NHWC tensor. */
function strided(x: tf.Tensor4D, axis: 1 | 2, start: number, count: number, s: number): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const len = axis === 1 ? h : w;
  const need = start + count * s;
  let t = x;
  if (need > len) t = tf.pad(t, axis === 1 ? [[0, 0], [0, need - len], [0, 0], [0, 0]] : [[0, 0], [0, 0], [0, need - len], [0, 0]]);
  const begin = [0, 0, 0, 0];
  const size = [n, axis === 1 ? count * s : t.shape[1], axis === 2 ? count * s : t.shape[2], c];
  begin[axis] = start;
  t = tf.slice(t, begin, size);
  if (s === 1) return t;
  if (axis === 1) return tf.reshape(tf.slice(tf.reshape(t, [n, count, s, size[2], c]), [0, 0, 0, 0, 0], [n, count, 1, size[2], c]), [n, count, size[2], c]);
  return tf.reshape(tf.slice(tf.reshape(t, [n, size[1], count, s, c]), [0, 0, 0, 0, 0], [n, size[1], count, 1, c]), [n, size[1], count, c]);
}

let im2colOnly = false;
/** Train every conv as im2col + matMul (the slower path; for benchmarks and gradient checks). */
export function useIm2colConvs(on: boolean): void { im2colOnly = on; }

/**
 * A stride-1, undilated, ungrouped conv of a padded NHWC x with w [kh, kw, C, M], whose forward
 * pass and both gradients are tf.conv2d (XNNPACK on wasm), so it trains fast on the wasm backend,
 * which has no Conv2DBackpropFilter and a slow Conv2DBackpropInput:
 *   dx = conv2d(dy padded by kh-1, kw-1; w flipped and [kh, kw, M, C]);
 *   dw = conv2d(x as [C, H, W, N] (channels as the batch); dy as a [OH, OW, N, M] filter) -> [C, kh, kw, M] -> [kh, kw, C, M].
 */
function conv2dS1(xp: tf.Tensor4D, wk: tf.Tensor4D, b: tf.Tensor | undefined, noDx: boolean): tf.Tensor {
  const [KH, KW] = wk.shape;
  const op = tf.customGrad(((x: tf.Tensor4D, k: tf.Tensor4D, save: tf.GradSaveFunc) => {
    save([x, k]);
    return {
      value: tf.conv2d(x, k, 1, 'valid'),
      gradFunc: (dy: tf.Tensor4D, saved: tf.Tensor[]) => {
        const [xs, ks] = saved as tf.Tensor4D[];
        // A graph input needs no gradient: skip that conv.
        const dx = noDx ? tf.zerosLike(xs) : tf.conv2d(tf.pad(dy, [[0, 0], [KH - 1, KH - 1], [KW - 1, KW - 1], [0, 0]]) as tf.Tensor4D, tf.transpose(tf.reverse(ks, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D, 1, 'valid');
        return [dx, weightGrad(xs, dy, KH, KW)];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  const y = op(xp, wk);
  return b ? addBias(y, b) : y;
}

/**
 * y + b with b [M] along the last axis. Its bias gradient is a matrix product with a row of ones:
 * tfjs's broadcast add sums dy over N, H and W by transposing it first, which costs more than the
 * product on the wasm backend.
 */
export function addBias(y: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const M = b.size;
  const op = tf.customGrad(((yy: tf.Tensor, bb: tf.Tensor) => ({
    value: tf.add(yy, bb),
    gradFunc: (dy: tf.Tensor) => {
      const K = dy.size / M;
      return [dy, tf.reshape(tf.matMul(tf.ones([1, K]), tf.reshape(dy, [K, M])), bb.shape)];
    },
  })) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(y, b);
}

let dwMode: 'conv' | 'matmul' = 'conv';
/** How the weight gradient of a stride-1 conv is computed (benchmarks). */
export function useWeightGradMode(m: 'conv' | 'matmul'): void { dwMode = m; }

/** dW [kh, kw, C, M] of a stride-1 valid conv of x [N, H, W, C] giving dy [N, OH, OW, M]. */
function weightGrad(xs: tf.Tensor4D, dy: tf.Tensor4D, KH: number, KW: number): tf.Tensor {
  const [N, OH, OW, M] = dy.shape;
  const C = xs.shape[3];
  if (dwMode === 'conv') {
    return tf.transpose(tf.conv2d(tf.transpose(xs, [3, 1, 2, 0]) as tf.Tensor4D, tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D, 1, 'valid'), [1, 2, 0, 3]);
  }
  const d2 = tf.reshape(dy, [N * OH * OW, M]);
  const parts: tf.Tensor[] = [];
  for (let ky = 0; ky < KH; ky++) {
    for (let kx = 0; kx < KW; kx++) {
      const xsl = tf.reshape(tf.slice(xs, [0, ky, kx, 0], [N, OH, OW, C]), [N * OH * OW, C]);
      parts.push(tf.matMul(xsl, d2, true, false));
    }
  }
  return tf.reshape(tf.stack(parts), [KH, KW, C, M]);
}

/** Conv as im2col (pad + kh·kw strided slices) and one matMul per group; x NHWC, w [M, C/g, kh, kw]. */
function conv(n: ConvNode, x0: tf.Tensor, w: tf.Tensor, b?: tf.Tensor, noDx = false): tf.Tensor {
  const x = x0 as tf.Tensor4D;
  const [N, H, W, C] = x.shape;
  const [M, Cg, KH, KW] = w.shape;
  const [sh, sw] = n.strides;
  const [dh, dw] = n.dilations;
  const [pt, pl, pb, pr] = n.pads;
  const OH = Math.floor((H + pt + pb - ((KH - 1) * dh + 1)) / sh) + 1;
  const OW = Math.floor((W + pl + pr - ((KW - 1) * dw + 1)) / sw) + 1;
  const xp = tf.pad(x, [[0, 0], [pt, pb], [pl, pr], [0, 0]]) as tf.Tensor4D;
  const G = n.group;
  if (!im2colOnly && G === 1 && sh === 1 && sw === 1 && dh === 1 && dw === 1) return conv2dS1(xp, tf.transpose(w, [2, 3, 1, 0]) as tf.Tensor4D, b, noDx);
  const Mg = M / G;
  // Weight as [kh, kw, C/g, M] so that row (ky·KW + kx)·Cg + c matches the im2col column order.
  const wk = tf.transpose(w, [2, 3, 1, 0]);
  const ys: tf.Tensor[] = [];
  for (let gi = 0; gi < G; gi++) {
    const xg = G === 1 ? xp : tf.slice(xp, [0, 0, 0, gi * Cg], [N, xp.shape[1], xp.shape[2], Cg]);
    const cols: tf.Tensor[] = [];
    for (let ky = 0; ky < KH; ky++) {
      const rows = strided(xg, 1, ky * dh, OH, sh);
      for (let kx = 0; kx < KW; kx++) cols.push(strided(rows, 2, kx * dw, OW, sw));
    }
    const col = cols.length === 1 ? cols[0] : tf.concat(cols, 3);
    const wg = G === 1 ? wk : tf.slice(wk, [0, 0, 0, gi * Mg], [KH, KW, Cg, Mg]);
    ys.push(tf.matMul(tf.reshape(col, [N * OH * OW, KH * KW * Cg]), tf.reshape(wg, [KH * KW * Cg, Mg])));
  }
  let y = ys.length === 1 ? ys[0] : tf.concat(ys, 1);
  if (b) y = tf.add(y, b);
  void C;
  return tf.reshape(y, [N, OH, OW, M]);
}

function gemm(n: GemmNode, a0: tf.Tensor, bw: tf.Tensor, c?: tf.Tensor): tf.Tensor {
  let a = a0.rank === 4 ? toGraph(a0) : a0;
  if (a.rank !== 2) a = tf.reshape(a, [a.shape[0], -1]);
  let y = tf.matMul(a, bw, n.transA, n.transB);
  if (n.alpha !== 1) y = tf.mul(y, n.alpha);
  if (c) y = tf.add(y, n.beta === 1 ? c : tf.mul(c, n.beta));
  return y;
}

export function pool(p: PoolSpec, x0: tf.Tensor): tf.Tensor {
  const x = x0 as tf.Tensor4D;
  if (p.kind === 'globalavg') return tf.mean(x, [1, 2], true);
  if (p.kind === 'globalmax') return tf.max(x, [1, 2], true);
  const [, H, W] = x.shape;
  const [kh, kw] = p.kernel;
  const [sh, sw] = p.strides;
  let [pt, pl, pb, pr] = p.pads;
  const OH = windowOutSize(H, kh, sh, pt, pb, 1, p.ceilMode), OW = windowOutSize(W, kw, sw, pl, pr, 1, p.ceilMode);
  // Ceil mode: extra rows/columns at the end that are never candidates (max) and not counted (avg).
  pb += Math.max(0, (OH - 1) * sh + kh - (H + pt + pb));
  pr += Math.max(0, (OW - 1) * sw + kw - (W + pl + pr));
  const extraB = pb - p.pads[2], extraR = pr - p.pads[3];
  const pads: [number, number][] = [[0, 0], [pt, pb], [pl, pr], [0, 0]];
  if (p.kind === 'max') {
    // Padded positions are not candidates: pad with a value below any activation.
    const xp = tf.pad(x, pads, -1e30) as tf.Tensor4D;
    return tf.slice(tf.maxPool(xp, [kh, kw], [sh, sw], 'valid'), [0, 0, 0, 0], [-1, OH, OW, -1]);
  }
  const sum = tf.mul(tf.avgPool(tf.pad(x, pads) as tf.Tensor4D, [kh, kw], [sh, sw], 'valid'), kh * kw);
  // Divisor per window: the whole window with count_include_pad (but not the ceil-mode extra), else the real positions.
  const ones = tf.ones([1, H, W, 1]);
  const counted = p.countIncludePad ? tf.pad(tf.ones([1, H + p.pads[0] + p.pads[2], W + p.pads[1] + p.pads[3], 1]), [[0, 0], [0, extraB], [0, extraR], [0, 0]]) : tf.pad(ones, pads);
  const n = tf.mul(tf.avgPool(counted as tf.Tensor4D, [kh, kw], [sh, sw], 'valid'), kh * kw);
  return tf.slice(tf.div(sum, n), [0, 0, 0, 0], [-1, OH, OW, -1]);
}
