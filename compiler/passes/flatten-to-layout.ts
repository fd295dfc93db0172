// Removes a Flatten (axis 1) or Reshape to [N, C*H*W] of a 4-D [N, C, H, W] tensor whose only
// readers are Gemms taking it as A (not transposed): each Gemm reads the 4-D tensor directly
// and records GemmNode.inputLayout = { chw: [C, H, W] }, the order the FC weights expect.
// tf2onnx flattens NHWC data: Transpose(perm [0, 2, 3, 1]) -> Flatten -> Gemm. When the Gemm
// has a constant [N, K] B (transB), its columns are permuted from HWC to CHW order and the
// Transpose goes too.

import type { Graph, Node, TransposeNode } from '../ir/graph.ts';
import { addInitializer, cloneGraph, consumersOf, isGraphOutput, producerOf, soleConsumer } from './graph-utils.ts';

function hwcToChw(b: Float32Array, n: number, c: number, h: number, w: number): Float32Array {
  const k = c * h * w;
  const out = new Float32Array(b.length);
  for (let j = 0; j < n; j++) {
    for (let ci = 0; ci < c; ci++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      out[j * k + (ci * h + y) * w + x] = b[j * k + (y * w + x) * c + ci];
    }
  }
  return out;
}

export function flattenToLayout(graph: Graph): Graph {
  const g = cloneGraph(graph);
  const consumers = consumersOf(g);
  const producers = producerOf(g);
  const drop = new Set<Node>();
  for (const n of g.nodes) {
    if (n.op !== 'flatten' && n.op !== 'reshape') continue;
    const xs = g.shapes.get(n.inputs[0]);
    if (!xs || xs.length !== 4) continue;
    const [b, d1, d2, d3] = xs;
    if (n.op === 'flatten' && n.axis !== 1) continue;
    if (n.op === 'reshape' && !(n.shape.length === 2 && n.shape[0] === b && n.shape[1] === d1 * d2 * d3)) continue;
    const users = consumers.get(n.outputs[0]) ?? [];
    if (users.length === 0 || isGraphOutput(g, n.outputs[0])) continue;
    if (!users.every((u) => u.op === 'gemm' && !u.transA && !u.inputLayout && u.inputs[0] === n.outputs[0] && !u.inputs.slice(1).includes(n.outputs[0]))) continue;

    const t = producers.get(n.inputs[0]);
    const nhwc = t?.op === 'transpose' && t.perm.join() === '0,2,3,1' && soleConsumer(g, consumers, t.outputs[0]) === n
      && users.every((u) => u.op === 'gemm' && u.transB && g.initializers.has(u.inputs[1])) ? (t as TransposeNode) : undefined;
    if (nhwc) {
      const [, c, h, w] = g.shapes.get(nhwc.inputs[0])!;
      for (const u of users) {
        const bT = g.initializers.get(u.inputs[1])!;
        u.inputs[1] = addInitializer(g, `${u.inputs[1]}_chw`, { dims: bT.dims.slice(), data: hwcToChw(bT.data, bT.dims[0], c, h, w) });
        u.inputs[0] = nhwc.inputs[0];
        if (u.op === 'gemm') u.inputLayout = { chw: [c, h, w] };
      }
      drop.add(nhwc);
      g.shapes.delete(nhwc.outputs[0]);
    } else {
      for (const u of users) {
        u.inputs[0] = n.inputs[0];
        if (u.op === 'gemm') u.inputLayout = { chw: [d1, d2, d3] };
      }
    }
    drop.add(n);
    g.shapes.delete(n.outputs[0]);
  }
  g.nodes = g.nodes.filter((n) => !drop.has(n));
  return g;
}
