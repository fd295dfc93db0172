// Helpers shared by the passes: consumer lookup, value renaming, unique names and a shallow
// graph copy. Passes never mutate their input graph: they copy the node list and replace the
// nodes they rewrite.

import type { Graph, Node, Tensor } from '../ir/graph.ts';

export function cloneGraph(g: Graph): Graph {
  return {
    name: g.name, opset: g.opset,
    inputs: g.inputs.map((v) => ({ name: v.name, shape: v.shape.slice() })),
    outputs: g.outputs.map((v) => ({ name: v.name, shape: v.shape.slice() })),
    initializers: new Map(g.initializers),
    nodes: g.nodes.map((n) => ({ ...n, inputs: n.inputs.slice(), outputs: n.outputs.slice() }) as Node),
    shapes: new Map(g.shapes),
    ...(g.metadata ? { metadata: { ...g.metadata } } : {}),
  };
}

/** Nodes reading each value. */
export function consumersOf(g: Graph): Map<string, Node[]> {
  const m = new Map<string, Node[]>();
  for (const n of g.nodes) {
    for (const x of n.inputs) {
      if (!x) continue;
      const list = m.get(x);
      if (list) { if (!list.includes(n)) list.push(n); } else m.set(x, [n]);
    }
  }
  return m;
}

export function producerOf(g: Graph): Map<string, Node> {
  const m = new Map<string, Node>();
  for (const n of g.nodes) for (const o of n.outputs) m.set(o, n);
  return m;
}

export function isGraphOutput(g: Graph, name: string): boolean {
  return g.outputs.some((o) => o.name === name);
}

/** Replaces every read of `from` by `to` (node inputs and graph outputs). */
export function replaceUses(g: Graph, from: string, to: string): void {
  for (const n of g.nodes) n.inputs = n.inputs.map((x) => (x === from ? to : x));
  for (const o of g.outputs) if (o.name === from) o.name = to;
}

/** A value name not used yet in `g`, based on `base`. */
export function freshName(g: Graph, base: string): string {
  const used = (s: string): boolean => g.initializers.has(s) || g.shapes.has(s) || g.inputs.some((i) => i.name === s);
  if (!used(base)) return base;
  for (let i = 1; ; i++) if (!used(`${base}_${i}`)) return `${base}_${i}`;
}

export function addInitializer(g: Graph, base: string, t: Tensor): string {
  const name = freshName(g, base);
  g.initializers.set(name, t);
  g.shapes.set(name, t.dims.slice());
  return name;
}

/** The single consumer of `value` when it has exactly one and is not a graph output. */
export function soleConsumer(g: Graph, consumers: Map<string, Node[]>, value: string): Node | undefined {
  const c = consumers.get(value);
  if (!c || c.length !== 1 || isGraphOutput(g, value)) return undefined;
  return c[0];
}
