// Puts every Gemm with constant B (and constant or absent C) in the FC form the back end maps:
// transB = true (B stored [N, K]), alpha = beta = 1 (alpha folded into B, beta into C), and C a
// length-N vector when it does not vary along M. Gemms with transA or a non-constant B stay.

import type { Graph, GemmNode, Node } from '../ir/graph.ts';
import { addInitializer, cloneGraph } from './graph-utils.ts';

function canonical(g: Graph, n: GemmNode): GemmNode | undefined {
  if (n.transA) return undefined;
  const b = g.initializers.get(n.inputs[1]);
  const c = n.inputs[2] ? g.initializers.get(n.inputs[2]) : undefined;
  if (!b || (n.inputs[2] && !c)) return undefined;
  const cVector = !c || c.dims.length <= 1 || (c.dims.length === 2 && c.dims[0] === 1);
  if (n.transB && n.alpha === 1 && (!c || (n.beta === 1 && c.dims.length === 1 && cVector))) return undefined;
  if (!cVector && n.beta !== 1) return undefined;
  const [k, nn] = n.transB ? [b.dims[1], b.dims[0]] : b.dims;
  let bName = n.inputs[1];
  if (!n.transB || n.alpha !== 1) {
    const bt = new Float32Array(k * nn);
    for (let j = 0; j < nn; j++) for (let r = 0; r < k; r++) bt[j * k + r] = n.alpha * (n.transB ? b.data[j * k + r] : b.data[r * nn + j]);
    bName = addInitializer(g, `${n.inputs[1]}_fc`, { dims: [nn, k], data: bt });
  }
  const inputs = [n.inputs[0], bName];
  if (c) {
    if (cVector) {
      const cv = new Float32Array(nn);
      for (let j = 0; j < nn; j++) cv[j] = n.beta * c.data[c.data.length === 1 ? 0 : j];
      inputs.push(addInitializer(g, `${n.inputs[2]}_fc`, { dims: [nn], data: cv }));
    } else {
      inputs.push(n.inputs[2]);
    }
  }
  return { ...n, inputs, alpha: 1, beta: 1, transB: true };
}

export function canonicalGemm(graph: Graph): Graph {
  const g = cloneGraph(graph);
  g.nodes = g.nodes.map((n): Node => (n.op === 'gemm' ? canonical(g, n) ?? n : n));
  return g;
}
