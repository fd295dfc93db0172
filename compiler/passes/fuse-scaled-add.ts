// Folds a scalar Mul of an Add operand into the Add: Add(Mul(a, sa), Mul(b, sb)) -> Add[sa, sb](a, b).
// Mixed pooling (α·max + (1−α)·avg) exports as exactly that. The importer turns a Mul by a
// constant into a depthwise 1×1 conv; one whose weights are all the same scalar, with no bias,
// no post-ops and this Add as its only reader, is the scaled operand. Then the Add runs as one
// engine job with weights sa, sb (docs/numerics.md "Add") instead of three jobs and two
// roundings. Only for two same-shape operands.

import type { AddNode, ConvNode, Graph, Node } from '../ir/graph.ts';
import { cloneGraph, consumersOf, producerOf, soleConsumer } from './graph-utils.ts';

/** The scalar of a depthwise 1×1 conv that multiplies every channel by the same constant, or undefined. */
function scalarOf(g: Graph, n: Node | undefined): number | undefined {
  if (!n || n.op !== 'conv') return undefined;
  const c = n as ConvNode;
  if (c.activation || c.pool || c.kernel[0] !== 1 || c.kernel[1] !== 1 || c.strides.some((s) => s !== 1) || c.pads.some((p) => p !== 0)) return undefined;
  const w = g.initializers.get(c.inputs[1]);
  const x = g.shapes.get(c.inputs[0]);
  if (!w || !x || x.length !== 4 || c.group !== x[1] || w.dims[0] !== x[1] || w.dims[1] !== 1) return undefined;
  if (c.inputs[2]) {
    const b = g.initializers.get(c.inputs[2]);
    if (!b || b.data.some((v) => v !== 0)) return undefined;
  }
  const v = w.data[0];
  return w.data.every((u) => u === v) && Number.isFinite(v) && v !== 0 ? v : undefined;
}

export function fuseScaledAdd(graph: Graph): Graph {
  const g = cloneGraph(graph);
  const consumers = consumersOf(g);
  const producers = producerOf(g);
  const drop = new Set<Node>();
  for (const n of g.nodes) {
    if (n.op !== 'add' || n.scales || n.activation || n.inputs.length !== 2) continue;
    const [sa, sb] = n.inputs.map((i) => g.shapes.get(i));
    if (!sa || !sb || sa.join() !== sb.join() || n.inputs[0] === n.inputs[1]) continue;
    const scales: [number, number] = [1, 1];
    const inputs = n.inputs.slice();
    let fused = false;
    n.inputs.forEach((v, k) => {
      const p = producers.get(v);
      const s = scalarOf(g, p);
      if (s === undefined || soleConsumer(g, consumers, v) !== n || g.initializers.has(p!.inputs[0])) return;
      scales[k] = s;
      inputs[k] = p!.inputs[0];
      drop.add(p!);
      g.shapes.delete(v);
      fused = true;
    });
    if (!fused) continue;
    (n as AddNode).scales = scales;
    n.inputs = inputs;
  }
  g.nodes = g.nodes.filter((m) => !drop.has(m));
  return g;
}
