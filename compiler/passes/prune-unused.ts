// Removes nodes whose outputs nobody reads, then initializers and shapes of values that no
// longer exist.

import type { Graph } from '../ir/graph.ts';
import { cloneGraph } from './graph-utils.ts';

export function pruneUnused(graph: Graph): Graph {
  const g = cloneGraph(graph);
  const live = new Set(g.outputs.map((o) => o.name));
  const kept = [];
  for (let i = g.nodes.length - 1; i >= 0; i--) {
    const n = g.nodes[i];
    if (!n.outputs.some((o) => live.has(o))) continue;
    kept.push(n);
    for (const x of n.inputs) if (x) live.add(x);
  }
  g.nodes = kept.reverse();
  for (const k of [...g.initializers.keys()]) if (!live.has(k)) g.initializers.delete(k);
  const inputs = new Set(g.inputs.map((i) => i.name));
  for (const k of [...g.shapes.keys()]) if (!live.has(k) && !inputs.has(k)) g.shapes.delete(k);
  return g;
}
