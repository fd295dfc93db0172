// Folds BatchNormalization into the preceding Conv or Gemm (scales the weights of each output
// channel and rewrites the bias). A BatchNormalization with no foldable producer on a 4-D tensor
// becomes a depthwise 1x1 Conv, so that it still maps to the engine.
// Foldable: the producer's only reader is the BN, its weights and bias are constants, it has no
// fused activation or pool yet, and all BN parameters are constants.

import type { BatchNormNode, ConvNode, Graph, GemmNode, Node } from '../ir/graph.ts';
import { addInitializer, cloneGraph, consumersOf, producerOf, soleConsumer } from './graph-utils.ts';

function bnFactors(g: Graph, bn: BatchNormNode): { k: Float64Array; off: Float64Array } | undefined {
  const [scale, bias, mean, variance] = bn.inputs.slice(1, 5).map((x) => g.initializers.get(x));
  if (!scale || !bias || !mean || !variance) return undefined;
  const c = scale.data.length;
  const k = new Float64Array(c);
  const off = new Float64Array(c);
  for (let i = 0; i < c; i++) {
    k[i] = scale.data[i] / Math.sqrt(variance.data[i] + bn.epsilon);
    off[i] = bias.data[i] - mean.data[i] * k[i];
  }
  return { k, off };
}

function foldIntoConv(g: Graph, conv: ConvNode, k: Float64Array, off: Float64Array): ConvNode | undefined {
  const w = g.initializers.get(conv.inputs[1]);
  const b = conv.inputs[2] ? g.initializers.get(conv.inputs[2]) : undefined;
  if (!w || (conv.inputs[2] && !b) || conv.activation || conv.pool) return undefined;
  const m = w.dims[0];
  const per = w.data.length / m;
  const nw = new Float32Array(w.data.length);
  const nb = new Float32Array(m);
  for (let o = 0; o < m; o++) {
    for (let i = 0; i < per; i++) nw[o * per + i] = w.data[o * per + i] * k[o];
    nb[o] = (b ? b.data[o] : 0) * k[o] + off[o];
  }
  const wn = addInitializer(g, `${conv.inputs[1]}_bn`, { dims: w.dims.slice(), data: nw });
  const bname = addInitializer(g, `${conv.name}_bn_bias`, { dims: [m], data: nb });
  return { ...conv, inputs: [conv.inputs[0], wn, bname] };
}

function foldIntoGemm(g: Graph, gemm: GemmNode, k: Float64Array, off: Float64Array): GemmNode | undefined {
  const b = g.initializers.get(gemm.inputs[1]);
  const c = gemm.inputs[2] ? g.initializers.get(gemm.inputs[2]) : undefined;
  if (!b || (gemm.inputs[2] && !c) || gemm.activation) return undefined;
  const n = gemm.transB ? b.dims[0] : b.dims[1];
  if (k.length !== n) return undefined;
  if (c && !(c.data.length === 1 || (c.data.length === n && c.dims[c.dims.length - 1] === n))) return undefined;
  const kk = gemm.transB ? b.dims[1] : b.dims[0];
  const nb = new Float32Array(b.data.length);
  for (let r = 0; r < kk; r++) {
    for (let j = 0; j < n; j++) {
      const idx = gemm.transB ? j * kk + r : r * n + j;
      nb[idx] = b.data[idx] * k[j];
    }
  }
  const nc = new Float32Array(n);
  for (let j = 0; j < n; j++) nc[j] = (c ? gemm.beta * c.data[c.data.length === 1 ? 0 : j] : 0) * k[j] + off[j];
  const bn = addInitializer(g, `${gemm.inputs[1]}_bn`, { dims: b.dims.slice(), data: nb });
  const cn = addInitializer(g, `${gemm.name}_bn_bias`, { dims: [n], data: nc });
  return { ...gemm, beta: 1, inputs: [gemm.inputs[0], bn, cn] };
}

export function foldBatchNorm(graph: Graph): Graph {
  const g = cloneGraph(graph);
  const producers = producerOf(g);
  const consumers = consumersOf(g);
  const replace = new Map<Node, Node | null>();
  for (const bn of g.nodes) {
    if (bn.op !== 'batchnorm') continue;
    const f = bnFactors(g, bn);
    if (!f) continue;
    const p = producers.get(bn.inputs[0]);
    let folded: Node | undefined;
    if (p && !replace.has(p) && soleConsumer(g, consumers, bn.inputs[0]) === bn) {
      if (p.op === 'conv') folded = foldIntoConv(g, p, f.k, f.off);
      else if (p.op === 'gemm') folded = foldIntoGemm(g, p, f.k, f.off);
    }
    if (folded) {
      folded.outputs = [bn.outputs[0]];
      replace.set(p!, folded);
      replace.set(bn, null);
      g.shapes.delete(bn.inputs[0]);
      continue;
    }
    const xs = g.shapes.get(bn.inputs[0]);
    if (!xs || xs.length !== 4) continue;
    const c = xs[1];
    const w = addInitializer(g, `${bn.name}_dw_weight`, { dims: [c, 1, 1, 1], data: Float32Array.from(f.k) });
    const b = addInitializer(g, `${bn.name}_dw_bias`, { dims: [c], data: Float32Array.from(f.off) });
    replace.set(bn, {
      op: 'conv', name: bn.name, inputs: [bn.inputs[0], w, b], outputs: [bn.outputs[0]],
      kernel: [1, 1], strides: [1, 1], pads: [0, 0, 0, 0], dilations: [1, 1], group: c,
    });
  }
  g.nodes = g.nodes.flatMap((n) => {
    const r = replace.get(n);
    return r === undefined ? [n] : r === null ? [] : [r];
  });
  return g;
}
