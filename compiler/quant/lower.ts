// Lowering before quantization: rewrites the two IR ops that have no fixed-point rule of their
// own into ops that do, with the same float semantics.
//  - a standalone BatchNormalization on a 4-D tensor (one the fold pass could not merge into a
//    conv) becomes a depthwise 1×1 conv: w = scale/sqrt(var + eps), b = B - mean·w;
//  - a MatMul with a constant 2-D right operand becomes a Gemm (alpha = beta = 1, no C).
// The input graph is not modified.
import type { ConvNode, GemmNode, Graph, Node, Tensor } from '../ir/graph.ts';
import { CnnaError } from '../errors/cnna-error.ts';

export function lowerForFixedPoint(g: Graph): Graph {
  if (!g.nodes.some((n) => n.op === 'batchnorm' || n.op === 'matmul')) return g;
  const initializers = new Map(g.initializers);
  const shapes = new Map(g.shapes);
  const nodes: Node[] = g.nodes.map((n) => {
    if (n.op === 'batchnorm') {
      const [x, sName, bName, mName, vName] = n.inputs;
      const xs = g.shapes.get(x);
      const consts = [sName, bName, mName, vName].map((k) => g.initializers.get(k));
      if (!xs || xs.length !== 4 || consts.some((c) => !c)) {
        throw new CnnaError('E_UNSUPPORTED', `BatchNormalization node '${n.name}': the fixed-point engine needs a 4-D input and constant scale, bias, mean and variance`, {
          hint: 'place it after a Conv or Gemm so the optimizer folds it, or run the model in float',
        });
      }
      const [s, b, m, v] = consts as Tensor[];
      const C = xs[1];
      const w = new Float32Array(C);
      const bias = new Float32Array(C);
      for (let c = 0; c < C; c++) {
        const k = s.data[c] / Math.sqrt(v.data[c] + n.epsilon);
        w[c] = k;
        bias[c] = b.data[c] - m.data[c] * k;
      }
      initializers.set(`${n.name}#w`, { dims: [C, 1, 1, 1], data: w });
      initializers.set(`${n.name}#b`, { dims: [C], data: bias });
      const conv: ConvNode = {
        op: 'conv', name: n.name, inputs: [x, `${n.name}#w`, `${n.name}#b`], outputs: n.outputs, group: C,
        kernel: [1, 1], strides: [1, 1], pads: [0, 0, 0, 0], dilations: [1, 1],
      };
      return conv;
    }
    if (n.op === 'matmul') {
      const b = g.initializers.get(n.inputs[1]);
      const as = g.shapes.get(n.inputs[0]);
      if (!b || b.dims.length !== 2 || !as || as.length !== 2) {
        throw new CnnaError('E_UNSUPPORTED', `MatMul node '${n.name}': the fixed-point engine needs a 2-D input times a constant 2-D weight`, {
          hint: 'export the layer as Gemm / Linear with constant weights',
        });
      }
      const gemm: GemmNode = { op: 'gemm', name: n.name, inputs: [n.inputs[0], n.inputs[1]], outputs: n.outputs, alpha: 1, beta: 1, transA: false, transB: false };
      return gemm;
    }
    return n;
  });
  return { ...g, initializers, shapes, nodes };
}
