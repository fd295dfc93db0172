// Writes a cnna graph (the optimized, lowered graph that training ran on) back to ONNX (opset 13)
// with its trained float weights and, in metadata_props, the formats it was trained in
// (compiler/quant/trained-formats.ts). Fused nodes are written as their ONNX parts (Conv, then
// the activation, then the pool), with the fused node's output name on the last part, so that
// import + optimize gives back the same value and node names the formats are keyed by.
import { CnnaError } from '../../compiler/errors/cnna-error.ts';
import type { Activation, Graph, Node, PoolSpec } from '../../compiler/ir/graph.ts';
import { OnnxBuilder, float, int, ints, type AttrValue } from '../onnx-writer.ts';

export function graphToOnnx(g: Graph, producer: string, metadata: Record<string, string> = {}): OnnxBuilder {
  const b = new OnnxBuilder(g.name || 'cnna', producer);
  for (const vi of g.inputs) b.input(vi.name, ['batch', ...vi.shape.slice(1)]);
  for (const vo of g.outputs) b.output(vo.name, ['batch', ...(g.shapes.get(vo.name) ?? vo.shape).slice(1)]);
  const used = new Set(g.nodes.flatMap((n) => n.inputs));
  for (const [name, t] of g.initializers) if (used.has(name)) b.initializer(name, t.dims.slice(), t.data);
  for (const [k, v] of Object.entries(metadata)) b.meta(k, v);
  let tmp = 0;
  const fresh = (base: string): string => `${base}__part${tmp++}`;

  const activation = (a: Activation, x: string, y: string, name: string): void => {
    if (a.kind === 'relu') b.node('Relu', [x], [y], {}, name);
    else if (a.kind === 'leaky') b.node('LeakyRelu', [x], [y], { alpha: float(a.alpha) }, name);
    else {
      const lo = `${name}__min`, hi = `${name}__max`;
      b.initializer(lo, [], Float32Array.of(a.min)).initializer(hi, [], Float32Array.of(a.max));
      b.node('Clip', [x, lo, hi], [y], {}, name);
    }
  };
  const pool = (p: PoolSpec, x: string, y: string, name: string): void => {
    if (p.kind === 'globalavg') { b.node('GlobalAveragePool', [x], [y], {}, name); return; }
    if (p.kind === 'globalmax') { b.node('GlobalMaxPool', [x], [y], {}, name); return; }
    if (p.dilations[0] !== 1 || p.dilations[1] !== 1) {
      if (p.kind === 'avg') throw new CnnaError('E_UNSUPPORTED', `pool '${name}': a dilated AveragePool cannot be written at opset 13`);
    }
    const attrs: Record<string, AttrValue> = {
      kernel_shape: ints(p.kernel), strides: ints(p.strides), pads: ints(p.pads), ceil_mode: int(p.ceilMode ? 1 : 0),
    };
    if (p.kind === 'max') {
      if (p.dilations[0] !== 1 || p.dilations[1] !== 1) attrs.dilations = ints(p.dilations);
      b.node('MaxPool', [x], [y], attrs, name);
    } else {
      attrs.count_include_pad = int(p.countIncludePad ? 1 : 0);
      b.node('AveragePool', [x], [y], attrs, name);
    }
  };

  for (const n of g.nodes) writeNode(n);
  return b;

  function writeNode(n: Node): void {
    const out = n.outputs[0];
    switch (n.op) {
      case 'conv': {
        const steps = (n.activation ? 1 : 0) + (n.pool ? 1 : 0);
        let y = steps === 0 ? out : fresh(out);
        b.node('Conv', n.inputs, [y], {
          kernel_shape: ints(n.kernel), strides: ints(n.strides), pads: ints(n.pads), dilations: ints(n.dilations), group: int(n.group),
        }, n.name);
        if (n.activation) {
          const z = n.pool ? fresh(out) : out;
          activation(n.activation, y, z, `${n.name}__act`);
          y = z;
        }
        if (n.pool) pool(n.pool, y, out, `${n.name}__pool`);
        return;
      }
      case 'gemm': {
        let a = n.inputs[0];
        if (n.inputLayout) {
          const f = fresh(out);
          b.node('Flatten', [a], [f], { axis: int(1) }, `${n.name}__flatten`);
          a = f;
        }
        const y = n.activation ? fresh(out) : out;
        b.node('Gemm', [a, ...n.inputs.slice(1)], [y], {
          alpha: float(n.alpha), beta: float(n.beta), transA: int(n.transA ? 1 : 0), transB: int(n.transB ? 1 : 0),
        }, n.name);
        if (n.activation) activation(n.activation, y, out, `${n.name}__act`);
        return;
      }
      case 'add': {
        const y = n.activation ? fresh(out) : out;
        b.node('Add', n.inputs, [y], {}, n.name);
        if (n.activation) activation(n.activation, y, out, `${n.name}__act`);
        return;
      }
      case 'pool': pool(n.pool, n.inputs[0], out, n.name); return;
      case 'activation': activation(n.activation, n.inputs[0], out, n.name); return;
      case 'concat': b.node('Concat', n.inputs, [out], { axis: int(n.axis) }, n.name); return;
      case 'flatten': b.node('Flatten', n.inputs, [out], { axis: int(n.axis) }, n.name); return;
      case 'reshape': {
        const s = `${n.name}__shape`;
        b.initializer(s, [n.shape.length], BigInt64Array.from([0, ...n.shape.slice(1)].map(BigInt)));
        b.node('Reshape', [n.inputs[0], s], [out], {}, n.name);
        return;
      }
      case 'transpose': b.node('Transpose', n.inputs, [out], { perm: ints(n.perm) }, n.name); return;
      case 'pad': {
        const [t, l, bt, r] = n.pads;
        const p = `${n.name}__pads`, v = `${n.name}__value`;
        b.initializer(p, [8], BigInt64Array.from([0, 0, t, l, 0, 0, bt, r].map(BigInt))).initializer(v, [], Float32Array.of(n.value));
        b.node('Pad', [n.inputs[0], p, v], [out], {}, n.name);
        return;
      }
      case 'identity': case 'dropout': b.node('Identity', [n.inputs[0]], [out], {}, n.name); return;
      case 'softmax': {
        const rank = g.shapes.get(n.inputs[0])?.length ?? 2;
        if (n.coerce2d && !(rank === 2 && (n.axis === 1 || n.axis === -1))) {
          throw new CnnaError('E_UNSUPPORTED', `softmax '${n.name}': an opset < 13 softmax over a rank-${rank} input cannot be written at opset 13`);
        }
        b.node('Softmax', n.inputs, [out], { axis: int(n.axis) }, n.name);
        return;
      }
      case 'matmul': b.node('MatMul', n.inputs, [out], {}, n.name); return;
      case 'batchnorm': b.node('BatchNormalization', n.inputs, [out], { epsilon: float(n.epsilon) }, n.name); return;
    }
  }
}
