// Folds a zero-valued constant Pad into the Convs that read it: their pads grow by the Pad's
// [top, left, bottom, right]. Only when every reader is a Conv and the padded value is not a
// graph output.

import type { Graph } from '../ir/graph.ts';
import { cloneGraph, consumersOf, isGraphOutput } from './graph-utils.ts';

export function foldPadIntoConv(graph: Graph): Graph {
  const g = cloneGraph(graph);
  const consumers = consumersOf(g);
  const drop = new Set<string>();
  for (const pad of g.nodes) {
    if (pad.op !== 'pad' || pad.value !== 0) continue;
    const users = consumers.get(pad.outputs[0]) ?? [];
    if (users.length === 0 || isGraphOutput(g, pad.outputs[0])) continue;
    if (!users.every((u) => u.op === 'conv' && u.inputs[0] === pad.outputs[0] && !u.inputs.slice(1).includes(pad.outputs[0]))) continue;
    for (const u of users) {
      if (u.op !== 'conv') continue;
      u.inputs[0] = pad.inputs[0];
      u.pads = [u.pads[0] + pad.pads[0], u.pads[1] + pad.pads[1], u.pads[2] + pad.pads[2], u.pads[3] + pad.pads[3]];
    }
    drop.add(pad.name);
    g.shapes.delete(pad.outputs[0]);
  }
  g.nodes = g.nodes.filter((n) => !drop.has(n.name));
  return g;
}
