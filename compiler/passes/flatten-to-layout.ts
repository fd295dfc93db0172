// Removes a Flatten (axis 1) or Reshape to [N, C*H*W] of a 4-D [N, C, H, W] tensor whose only
// readers are Gemms taking it as A (not transposed): each Gemm reads the 4-D tensor directly
// and records GemmNode.inputLayout = { chw: [C, H, W] }, the order the FC weights expect.

import type { Graph } from '../ir/graph.ts';
import { cloneGraph, consumersOf, isGraphOutput } from './graph-utils.ts';

export function flattenToLayout(graph: Graph): Graph {
  const g = cloneGraph(graph);
  const consumers = consumersOf(g);
  const drop = new Set<string>();
  for (const n of g.nodes) {
    if (n.op !== 'flatten' && n.op !== 'reshape') continue;
    const xs = g.shapes.get(n.inputs[0]);
    if (!xs || xs.length !== 4) continue;
    const [b, c, h, w] = xs;
    if (n.op === 'flatten' && n.axis !== 1) continue;
    if (n.op === 'reshape' && !(n.shape.length === 2 && n.shape[0] === b && n.shape[1] === c * h * w)) continue;
    const users = consumers.get(n.outputs[0]) ?? [];
    if (users.length === 0 || isGraphOutput(g, n.outputs[0])) continue;
    if (!users.every((u) => u.op === 'gemm' && !u.transA && !u.inputLayout && u.inputs[0] === n.outputs[0] && !u.inputs.slice(1).includes(n.outputs[0]))) continue;
    for (const u of users) {
      if (u.op !== 'gemm') continue;
      u.inputs[0] = n.inputs[0];
      u.inputLayout = { chw: [c, h, w] };
    }
    drop.add(n.name);
    g.shapes.delete(n.outputs[0]);
  }
  g.nodes = g.nodes.filter((n) => !drop.has(n.name));
  return g;
}
