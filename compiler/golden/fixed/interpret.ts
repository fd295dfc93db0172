// The fixed-point interpreter: walks the quantized graph in node order and applies the rules of
// docs/numerics.md per op. The two heavy ops (conv, gemm) are yielded as work items so that a
// synchronous driver (run-fixed.ts) and a worker-thread driver (run-fixed-parallel.ts) share
// every line of the semantics; the work itself is done by ops/conv.ts and ops/gemm.ts.
import type { Graph, Node, Tensor } from '../../ir/graph.ts';
import type { QuantizedModel } from './quantized-model.ts';
import { CnnaError } from '../../errors/cnna-error.ts';
import { quant } from './fixed-point.ts';
import { applyActivation, compileActivation } from './ops/activation.ts';
import { compileConv, type ConvPlan } from './ops/conv.ts';
import { compileGemm, gemmInput, type GemmPlan } from './ops/gemm.ts';
import { compilePool, poolPlane } from './ops/pool.ts';
import { addTensors, concatTensors, scaledAdd } from './ops/eltwise.ts';
import { pad4, transpose } from './ops/layout.ts';
import { softmax } from './ops/softmax.ts';
import { applyLut, binaryFixed, softmaxFixed, unaryLut } from './ops/host-ops.ts';

export interface FixedValue {
  q: Int16Array;
  f: number;
  dims: number[];
}

export interface RunFixedOptions {
  /** Return every intermediate value, not only the graph outputs. */
  keepAll?: boolean;
}

export interface RunFixedResult {
  /** Dequantized float (q·2^-f) per output; host-tail (softmax) outputs are float32 as computed. */
  outputs: Record<string, Tensor>;
  /** int16 data and format per quantized output (every value with keepAll). */
  raw: Record<string, FixedValue>;
  /** Values that saturated, per node name (and per graph input, for input quantization). */
  saturated: Record<string, number>;
}

export type Work =
  | { kind: 'conv'; node: string; plan: ConvPlan; x: Int16Array; N: number; out: Int16Array }
  | { kind: 'gemm'; node: string; plan: GemmPlan; a: Int16Array; out: Int16Array };

const planCache = new WeakMap<QuantizedModel, Map<string, ConvPlan | GemmPlan>>();

function size(d: number[]): number {
  return d.reduce((a, b) => a * b, 1);
}

/** Static shape with the batch axis replaced by the run's batch size. */
function dimsFor(g: Graph, name: string, n0: number, n: number): number[] {
  const s = g.shapes.get(name);
  if (!s) throw new CnnaError('E_GRAPH', `value '${name}' has no inferred shape`);
  if (n === n0 || s.length === 0 || s[0] !== n0) return s.slice();
  return [n, ...s.slice(1)];
}

export function* interpret(qm: QuantizedModel, inputs: Record<string, Tensor>, opts: RunFixedOptions = {}): Generator<Work, RunFixedResult, number> {
  const g = qm.graph;
  const fixed = new Map<string, FixedValue>();
  const floats = new Map<string, Tensor>();
  const saturated: Record<string, number> = {};
  const n0 = Math.max(1, g.inputs[0]?.shape[0] ?? 1);
  let n = n0;
  for (const vi of g.inputs) {
    const t = inputs[vi.name];
    if (!t) throw new CnnaError('E_USAGE', `missing input '${vi.name}' (shape [${vi.shape.join(', ')}])`);
    const f = qm.formats.get(vi.name);
    if (f === undefined) throw new CnnaError('E_GRAPH', `input '${vi.name}' has no fixed-point format`);
    if (t.dims.length !== vi.shape.length || t.dims.some((d, i) => i > 0 && vi.shape[i] > 0 && d !== vi.shape[i]) || t.data.length !== size(t.dims)) {
      throw new CnnaError('E_USAGE', `input '${vi.name}' has shape [${t.dims.join(', ')}], the model expects [${vi.shape.join(', ')}]`);
    }
    if (vi === g.inputs[0]) n = t.dims[0];
    const q = new Int16Array(t.data.length);
    let sat = 0;
    const scale = 2 ** f;
    for (let i = 0; i < q.length; i++) {
      const v = Math.floor(t.data[i] * scale + 0.5);
      if (v > 32767 || v < -32768) sat++;
      q[i] = quant(t.data[i], f);
    }
    saturated[vi.name] = sat;
    fixed.set(vi.name, { q, f, dims: t.dims.slice() });
  }
  let plans = planCache.get(qm);
  if (!plans) { plans = new Map(); planCache.set(qm, plans); }

  const get = (node: Node, name: string): FixedValue => {
    const v = fixed.get(name);
    if (v) return v;
    const c = qm.constants.get(node.name);
    if (c && g.initializers.has(name)) return { q: c.q, f: c.f, dims: c.dims };
    if (floats.has(name)) throw new CnnaError('E_UNSUPPORTED', `node '${node.name}' (${node.op}) reads '${name}', the float output of a host-side softmax; only graph outputs may follow softmax`);
    throw new CnnaError('E_GRAPH', `node '${node.name}' (${node.op}) reads '${name}', which has no fixed-point value`);
  };
  const fOf = (node: Node, name: string): number => {
    const f = qm.formats.get(name);
    if (f === undefined) throw new CnnaError('E_GRAPH', `node '${node.name}': value '${name}' has no fixed-point format`);
    return f;
  };

  for (const node of g.nodes) {
    const out = node.outputs[0];
    const outDims = dimsFor(g, out, n0, n);
    switch (node.op) {
      case 'conv': {
        const x = get(node, node.inputs[0]);
        const key = `${node.name}`;
        let plan = plans.get(key) as ConvPlan | undefined;
        if (!plan) {
          const w = qm.weights.get(node.name);
          if (!w) throw new CnnaError('E_GRAPH', `conv node '${node.name}' has no quantized weights`);
          plan = compileConv(node, x.dims, outDims, w, qm.biases.get(node.name)?.q ?? null, x.f, fOf(node, out));
          plans.set(key, plan);
        }
        const q = new Int16Array(size(outDims));
        saturated[node.name] = yield { kind: 'conv', node: node.name, plan, x: x.q, N: x.dims[0], out: q };
        fixed.set(out, { q, f: fOf(node, out), dims: outDims });
        break;
      }
      case 'gemm': {
        const a = get(node, node.inputs[0]);
        const key = `${node.name}#${outDims[0]}`;
        let plan = plans.get(key) as GemmPlan | undefined;
        if (!plan) {
          const w = qm.weights.get(node.name);
          if (!w) throw new CnnaError('E_GRAPH', `gemm node '${node.name}' has no quantized weights`);
          plan = compileGemm(node, a.dims, outDims, w, qm.biases.get(node.name)?.q ?? null, a.f, fOf(node, out));
          plans.set(key, plan);
        }
        const q = new Int16Array(size(outDims));
        saturated[node.name] = yield { kind: 'gemm', node: node.name, plan, a: gemmInput(plan, a.q), out: q };
        fixed.set(out, { q, f: fOf(node, out), dims: outDims });
        break;
      }
      case 'pool': {
        const x = get(node, node.inputs[0]);
        const [N, C, H, W] = x.dims;
        const p = compilePool(node.pool, H, W, outDims[2], outDims[3], `pool node '${node.name}'`);
        const q = new Int16Array(size(outDims));
        let sat = 0;
        for (let nc = 0; nc < N * C; nc++) sat += poolPlane(p, x.q, nc * H * W, q, nc * p.OH * p.OW);
        saturated[node.name] = sat;
        fixed.set(out, { q, f: x.f, dims: outDims });
        break;
      }
      case 'activation': {
        const x = get(node, node.inputs[0]);
        const q = x.q.slice();
        applyActivation(q, 0, q.length, compileActivation(node.activation, x.f, `node '${node.name}'`));
        saturated[node.name] = 0;
        fixed.set(out, { q, f: x.f, dims: outDims });
        break;
      }
      case 'add': {
        const a = get(node, node.inputs[0]);
        const b = get(node, node.inputs[1]);
        const fOut = fOf(node, out);
        const sc = qm.addScales?.get(node.name);
        if (node.scales) {
          if (!sc) throw new CnnaError('E_GRAPH', `add node '${node.name}' is scaled but has no quantized scales`);
          const r = scaledAdd(a.q, sc.w[0], b.q, sc.w[1], sc.fAcc - fOut, compileActivation(node.activation, fOut, `add node '${node.name}'`));
          saturated[node.name] = r.sat;
          fixed.set(out, { q: r.q, f: fOut, dims: outDims });
          break;
        }
        const r = addTensors(a.q, a.dims, a.f, b.q, b.dims, b.f, outDims, fOut, compileActivation(node.activation, fOut, `add node '${node.name}'`));
        saturated[node.name] = r.sat;
        fixed.set(out, { q: r.q, f: fOut, dims: outDims });
        break;
      }
      case 'concat': {
        const parts = node.inputs.map((i) => get(node, i));
        const fOut = fOf(node, out);
        const axis = node.axis < 0 ? node.axis + outDims.length : node.axis;
        const r = concatTensors(parts, axis, outDims, fOut);
        saturated[node.name] = r.sat;
        fixed.set(out, { q: r.q, f: fOut, dims: outDims });
        break;
      }
      case 'flatten': case 'reshape': case 'identity': case 'dropout': {
        const x = get(node, node.inputs[0]);
        if (size(outDims) !== x.q.length) throw new CnnaError('E_GRAPH', `node '${node.name}' (${node.op}): ${x.q.length} values cannot take shape [${outDims}]`);
        fixed.set(out, { q: x.q, f: x.f, dims: outDims });
        break;
      }
      case 'transpose': {
        const x = get(node, node.inputs[0]);
        fixed.set(out, { q: transpose(x.q, x.dims, node.perm), f: x.f, dims: outDims });
        break;
      }
      case 'pad': {
        const x = get(node, node.inputs[0]);
        fixed.set(out, { q: pad4(x.q, x.dims, node.pads, node.value, x.f), f: x.f, dims: outDims });
        break;
      }
      case 'unary': {
        const x = get(node, node.inputs[0]);
        const fOut = fOf(node, out);
        fixed.set(out, { q: applyLut(unaryLut(node.fn, x.f, fOut, node.exponent), x.q), f: fOut, dims: outDims });
        saturated[node.name] = 0;
        break;
      }
      case 'binary': {
        const a = get(node, node.inputs[0]);
        const b = get(node, node.inputs[1]);
        const fOut = fOf(node, out);
        const r = binaryFixed(node.fn, a.q, a.f, b.q, b.f, fOut);
        fixed.set(out, { q: r.q, f: fOut, dims: outDims });
        saturated[node.name] = r.sat;
        break;
      }
      case 'softmax': {
        const x = get(node, node.inputs[0]);
        const fOut = qm.formats.get(out);
        if (fOut !== undefined) {
          fixed.set(out, { q: softmaxFixed(x.q, x.f, x.dims, node.axis, node.coerce2d, fOut), f: fOut, dims: outDims });
          saturated[node.name] = 0;
          break;
        }
        const d = new Float64Array(x.q.length);
        const s = 2 ** -x.f;
        for (let i = 0; i < d.length; i++) d[i] = x.q[i] * s;
        floats.set(out, { dims: outDims, data: softmax(d, x.dims, node.axis, node.coerce2d) });
        break;
      }
      case 'matmul': case 'batchnorm':
        throw new CnnaError('E_UNSUPPORTED', `node '${node.name}' (${node.op}) has no fixed-point rule; quantize() lowers it to gemm / depthwise conv, so run the model it returns`);
    }
  }

  const outputs: Record<string, Tensor> = {};
  const raw: Record<string, FixedValue> = {};
  const want = opts.keepAll ? [...fixed.keys(), ...floats.keys()] : g.outputs.map((o) => o.name);
  for (const name of want) {
    const v = fixed.get(name);
    if (v) {
      raw[name] = v;
      const data = new Float32Array(v.q.length);
      const s = 2 ** -v.f;
      for (let i = 0; i < data.length; i++) data[i] = v.q[i] * s;
      outputs[name] = { dims: v.dims, data };
    } else {
      const t = floats.get(name);
      if (!t) throw new CnnaError('E_GRAPH', `graph output '${name}' was not computed`);
      outputs[name] = t;
    }
  }
  return { outputs, raw, saturated };
}
