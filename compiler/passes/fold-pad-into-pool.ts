// Folds a zero-valued constant Pad into the pooling windows that read it. PyTorch exports
// nn.AvgPool2d(padding=p) (count_include_pad=True, the default) as Pad(0) -> AveragePool(pads 0).
//  - AveragePool: the pads grow by the Pad's and count_include_pad becomes 1, so the padded
//    zeros still count in the divisor. Only when the pool has no pads of its own or already
//    counts them, and is not in ceil mode with an extra window (that window's divisor would
//    differ).
//  - MaxPool: a pool pad is never a candidate, a zero pad is; they agree when the padded input
//    is known to be non-negative (it comes from a ReLU, a Clip with min >= 0, or a pool, pad,
//    concat or layout op of such values) and every window keeps one real element (pad < kernel).
// Only when every reader is such a pool and the padded value is not a graph output.

import type { Graph, Node, PoolNode } from '../ir/graph.ts';
import { windowOutSize } from '../ir/window.ts';
import { cloneGraph, consumersOf, isGraphOutput, producerOf } from './graph-utils.ts';

const nonNegativeAct = (a: Extract<Node, { op: 'activation' }>['activation'] | undefined): boolean =>
  a !== undefined && (a.kind === 'relu' || (a.kind === 'clip' && a.min >= 0));

/** True when every element of `value` is >= 0 whatever the graph inputs are. */
export function knownNonNegative(g: Graph, producers: Map<string, Node>, value: string, depth = 0): boolean {
  const p = producers.get(value);
  if (!p || depth > 64) return false;
  const rec = (v: string) => knownNonNegative(g, producers, v, depth + 1);
  switch (p.op) {
    case 'activation': return nonNegativeAct(p.activation);
    case 'conv': case 'gemm': case 'add': return nonNegativeAct(p.activation);
    case 'pool': case 'flatten': case 'reshape': case 'identity': case 'dropout': case 'transpose': return rec(p.inputs[0]);
    case 'pad': return p.value >= 0 && rec(p.inputs[0]);
    case 'unary': return p.fn === 'sigmoid' || p.fn === 'exp' || p.fn === 'abs' || (p.fn === 'pow' && p.exponent !== undefined && p.exponent % 2 === 0);
    case 'concat': return p.inputs.every(rec);
    default: return false;
  }
}

function foldable(g: Graph, producers: Map<string, Node>, pad: Extract<Node, { op: 'pad' }>, u: Node): u is PoolNode {
  if (u.op !== 'pool' || u.inputs[0] !== pad.outputs[0]) return false;
  const p = u.pool;
  if (p.kind === 'avg') {
    if (p.pads.some((v) => v !== 0) && !p.countIncludePad) return false;
    if (!p.ceilMode) return true;
    const s = g.shapes.get(pad.outputs[0]);
    if (!s || s.length !== 4) return false;
    // ceil mode adds no window here: the floor and ceil output sizes agree.
    return [0, 1].every((a) => windowOutSize(s[2 + a], p.kernel[a], p.strides[a], p.pads[a], p.pads[a + 2], p.dilations[a], true)
      === windowOutSize(s[2 + a], p.kernel[a], p.strides[a], p.pads[a], p.pads[a + 2], p.dilations[a], false));
  }
  if (p.kind === 'max') {
    const total = p.pads.map((v, i) => v + pad.pads[i]);
    if (total.some((v, i) => v >= p.kernel[i % 2])) return false;
    return knownNonNegative(g, producers, pad.inputs[0]);
  }
  return false;
}

export function foldPadIntoPool(graph: Graph): Graph {
  const g = cloneGraph(graph);
  const consumers = consumersOf(g);
  const producers = producerOf(g);
  const drop = new Set<string>();
  for (const pad of g.nodes) {
    if (pad.op !== 'pad' || pad.value !== 0 || pad.pads.some((v) => v < 0)) continue;
    const users = consumers.get(pad.outputs[0]) ?? [];
    if (users.length === 0 || isGraphOutput(g, pad.outputs[0])) continue;
    if (!users.every((u) => foldable(g, producers, pad, u))) continue;
    for (const u of users) {
      if (u.op !== 'pool' || (u.pool.kind !== 'avg' && u.pool.kind !== 'max')) continue;
      const pads = u.pool.pads.map((v, i) => v + pad.pads[i]) as [number, number, number, number];
      u.pool = u.pool.kind === 'avg' ? { ...u.pool, pads, countIncludePad: true } : { ...u.pool, pads };
      u.inputs[0] = pad.inputs[0];
    }
    drop.add(pad.name);
    g.shapes.delete(pad.outputs[0]);
  }
  g.nodes = g.nodes.filter((n) => !drop.has(n.name));
  return g;
}
