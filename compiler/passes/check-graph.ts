// Validation and shape inference of an IR graph: checkIsAcyclic (every value is produced before
// it is read, once), inferShapes (recomputes every shape from the inputs and initializers) and
// checkGraph (both, and the graph outputs exist). Failures are E_GRAPH naming the node.

import { CnnaError } from '../errors/cnna-error.ts';
import type { Graph, Shape } from '../ir/graph.ts';
import { inferNodeShapes } from '../ir/infer-shape.ts';

/** Checks that nodes are in topological order and every value has one producer (so no cycle). */
export function checkIsAcyclic(g: Graph): void {
  const defined = new Set<string>([...g.inputs.map((i) => i.name), ...g.initializers.keys()]);
  for (const n of g.nodes) {
    for (const x of n.inputs) {
      if (x && !defined.has(x)) {
        const later = g.nodes.some((m) => m.outputs.includes(x));
        throw new CnnaError('E_GRAPH', later
          ? `node '${n.name}' (${n.op}) reads '${x}' before it is produced: the nodes are not in topological order or form a cycle`
          : `node '${n.name}' (${n.op}) reads '${x}', which no node, graph input or initializer produces`);
      }
    }
    for (const o of n.outputs) {
      if (defined.has(o)) throw new CnnaError('E_GRAPH', `node '${n.name}' (${n.op}) produces '${o}', which is already defined`);
      defined.add(o);
    }
  }
  for (const o of g.outputs) {
    if (!defined.has(o.name)) throw new CnnaError('E_GRAPH', `graph output '${o.name}' is not produced by any node, input or initializer`);
  }
}

/** Returns a copy of `g` whose shapes (and output shapes) are recomputed node by node. */
export function inferShapes(g: Graph): Graph {
  const shapes = new Map<string, Shape>();
  for (const i of g.inputs) shapes.set(i.name, i.shape.slice());
  for (const [k, t] of g.initializers) shapes.set(k, t.dims.slice());
  for (const n of g.nodes) {
    const outs = inferNodeShapes(n, n.inputs.map((x) => (x ? shapes.get(x) : undefined)));
    n.outputs.forEach((o, i) => shapes.set(o, outs[i]));
  }
  return { ...g, shapes, outputs: g.outputs.map((o) => ({ name: o.name, shape: shapes.get(o.name) ?? o.shape })) };
}

export function checkGraph(g: Graph): Graph {
  checkIsAcyclic(g);
  return inferShapes(g);
}
