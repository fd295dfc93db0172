// Fuses conv -> activation -> pool into one ConvNode (the engine's post-op pipeline: bias,
// requantize, activation, pool). Also accepts conv -> MaxPool -> activation, because every
// supported activation is monotone non-decreasing and so commutes with max pooling.
// Gemm -> activation and Add -> Relu fuse likewise. A value is fused only when its single
// reader is the next stage and it is not a graph output.

import type { Activation, Graph, Node } from '../ir/graph.ts';
import { cloneGraph, consumersOf, soleConsumer } from './graph-utils.ts';

type Fusable = Extract<Node, { op: 'conv' | 'gemm' | 'add' }>;

export function fuseConvActPool(graph: Graph): Graph {
  let g = cloneGraph(graph);
  for (let changed = true; changed;) {
    changed = false;
    const consumers = consumersOf(g);
    for (const n of g.nodes) {
      if (n.op !== 'conv' && n.op !== 'gemm' && n.op !== 'add') continue;
      const next = soleConsumer(g, consumers, n.outputs[0]);
      if (!next || next.inputs[0] !== n.outputs[0]) continue;
      let fused: Fusable | undefined;
      if (next.op === 'activation' && !n.activation && !(n.op === 'conv' && n.pool && n.pool.kind !== 'max' && n.pool.kind !== 'globalmax')) {
        if (n.op === 'add' && next.activation.kind !== 'relu') continue;
        fused = { ...n, activation: next.activation as Activation };
      } else if (next.op === 'pool' && n.op === 'conv' && !n.pool) {
        fused = { ...n, pool: next.pool };
      }
      if (!fused) continue;
      fused.outputs = next.outputs.slice();
      g.shapes.delete(n.outputs[0]);
      g = { ...g, nodes: g.nodes.filter((m) => m !== next).map((m) => (m === n ? fused! : m)) };
      changed = true;
      break;
    }
  }
  return g;
}
