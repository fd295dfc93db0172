// MatMul with a constant [K, N] right operand, optionally followed by an Add of a constant
// bias broadcastable to [N], becomes a Gemm in the FC form the back end maps: B stored as
// [N, K] with transB, C a length-N vector, alpha = beta = 1.

import type { Graph, GemmNode, Node } from '../ir/graph.ts';
import { addInitializer, cloneGraph, consumersOf, soleConsumer } from './graph-utils.ts';

export function matmulAddToGemm(graph: Graph): Graph {
  const g = cloneGraph(graph);
  const consumers = consumersOf(g);
  const replace = new Map<Node, Node | null>();
  for (const mm of g.nodes) {
    if (mm.op !== 'matmul') continue;
    const b = g.initializers.get(mm.inputs[1]);
    if (!b || b.dims.length !== 2) continue;
    const [k, n] = b.dims;
    const bt = new Float32Array(k * n);
    for (let r = 0; r < k; r++) for (let j = 0; j < n; j++) bt[j * k + r] = b.data[r * n + j];
    const bName = addInitializer(g, `${mm.inputs[1]}_t`, { dims: [n, k], data: bt });
    const gemm: GemmNode = { op: 'gemm', name: mm.name, inputs: [mm.inputs[0], bName], outputs: mm.outputs.slice(), alpha: 1, beta: 1, transA: false, transB: true };
    const add = soleConsumer(g, consumers, mm.outputs[0]);
    if (add && add.op === 'add' && !add.activation) {
      const other = add.inputs[0] === mm.outputs[0] ? add.inputs[1] : add.inputs[0];
      const c = g.initializers.get(other);
      const cOk = c && other !== mm.outputs[0] && c.data.length === n && c.dims[c.dims.length - 1] === n && c.dims.length <= 2;
      if (cOk) {
        gemm.inputs.push(addInitializer(g, `${other}_v`, { dims: [n], data: c.data }));
        gemm.outputs = add.outputs.slice();
        replace.set(add, null);
        g.shapes.delete(mm.outputs[0]);
      }
    }
    replace.set(mm, gemm);
  }
  g.nodes = g.nodes.flatMap((n) => {
    const r = replace.get(n);
    return r === undefined ? [n] : r === null ? [] : [r];
  });
  return g;
}
