// Evaluates nodes whose inputs are all initializers with the float executor and replaces them
// by initializers holding their outputs.

import type { Graph, Tensor } from '../ir/graph.ts';
import { runNode } from '../golden/float/run-float.ts';
import { cloneGraph } from './graph-utils.ts';

export function foldConstants(graph: Graph): Graph {
  const g = cloneGraph(graph);
  g.nodes = g.nodes.filter((n) => {
    const ins = n.inputs.map((x) => (x ? g.initializers.get(x) : undefined));
    if (n.inputs.length === 0 || n.inputs.some((x, i) => x && !ins[i]) || !ins[0]) return true;
    const y: Tensor = runNode(n, ins);
    g.initializers.set(n.outputs[0], y);
    g.shapes.set(n.outputs[0], y.dims.slice());
    return false;
  });
  return g;
}
