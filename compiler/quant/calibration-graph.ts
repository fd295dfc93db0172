// The graph the quantizer calibrates with: the optimized graph with every fused post-op split
// back into separate nodes (conv → activation → pool, gemm → activation, add → activation), so
// that the float run exposes the tensor whose range fixes the fused node's output format.
// `rangeSource` maps each fused node's output to that tensor:
//  - the pre-pool value after the activation for ReLU / Clip (saturating a value that the
//    activation clamps anyway loses nothing);
//  - the pre-activation value for LeakyReLU (its negative side must not saturate).
import type { Graph, Node } from '../ir/graph.ts';

export function calibrationGraph(g: Graph): { graph: Graph; rangeSource: Map<string, string> } {
  const nodes: Node[] = [];
  const rangeSource = new Map<string, string>();
  for (const n of g.nodes) {
    const out = n.outputs[0];
    if ((n.op === 'conv' || n.op === 'gemm' || n.op === 'add') && (n.activation || (n.op === 'conv' && n.pool))) {
      const act = n.activation;
      const pool = n.op === 'conv' ? n.pool : undefined;
      const raw = `${out}#raw`;
      nodes.push({ ...n, activation: undefined, ...(n.op === 'conv' ? { pool: undefined } : {}), outputs: [raw] } as Node);
      let cur = raw;
      if (act) {
        const a = pool ? `${out}#act` : out;
        nodes.push({ op: 'activation', name: `${n.name}#act`, inputs: [cur], outputs: [a], activation: act });
        cur = a;
      }
      if (pool) nodes.push({ op: 'pool', name: `${n.name}#pool`, inputs: [cur], outputs: [out], pool });
      rangeSource.set(out, act?.kind === 'leaky' ? raw : cur);
    } else {
      nodes.push(n);
    }
  }
  return { graph: { ...g, nodes }, rangeSource };
}
