// Removes Identity and Dropout nodes and Pads whose pads are all zero (inference-time
// identities; PyTorch exports a Pad before every AvgPool2d, with zero pads when padding=0): readers of the output read the
// input instead. When the output is a graph output, the producer's value is renamed to it; only
// when the input is itself a graph input or initializer does the node stay.

import type { Graph } from '../ir/graph.ts';
import { cloneGraph, isGraphOutput, replaceUses } from './graph-utils.ts';

export function removeIdentityDropout(graph: Graph): Graph {
  const g = cloneGraph(graph);
  for (const n of [...g.nodes]) {
    if (n.op !== 'identity' && n.op !== 'dropout' && !(n.op === 'pad' && n.pads.every((p) => p === 0))) continue;
    const src = n.inputs[0];
    const dst = n.outputs[0];
    if (isGraphOutput(g, dst)) {
      const producer = g.nodes.find((m) => m.outputs.includes(src));
      if (!producer || isGraphOutput(g, src)) continue;
      producer.outputs = producer.outputs.map((o) => (o === src ? dst : o));
      g.nodes = g.nodes.filter((m) => m !== n);
      for (const m of g.nodes) m.inputs = m.inputs.map((x) => (x === src ? dst : x));
      g.shapes.delete(src);
    } else {
      g.nodes = g.nodes.filter((m) => m !== n);
      replaceUses(g, dst, src);
      g.shapes.delete(dst);
    }
  }
  return g;
}
