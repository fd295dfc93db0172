// `cnna inspect <model>`: the layers after optimize(), their shapes, MACs and parameters, and
// where each runs. Mapping rules (what the back end can place on the engine):
//  - accelerator: conv and FC (Gemm, or MatMul with a constant right operand) with constant
//    weights, with their fused post-ops (activation, pool); standalone pools; residual Add of
//    two same-shape activations; Concat on channels; a standalone BatchNormalization (lowered
//    to a depthwise 1×1 conv);
//  - host: softmax (the host tail), and layout ops left after optimize (flatten, reshape,
//    transpose), a standalone activation;
//  - not mapped: everything else, with the reason.
// MACs count one multiply-accumulate per weight use at the model's batch size.
import type { Activation, Graph, Node, PoolSpec } from '../../compiler/ir/graph.ts';
import { windowOutSize } from '../../compiler/ir/window.ts';
import type { Command } from '../command.ts';
import { loadModel, shapeText } from '../model-pipeline.ts';

export type Target = 'accelerator' | 'host' | 'not mapped';

export interface LayerInfo {
  name: string;
  op: string;
  /** Human-readable kind, e.g. 'conv 3×3 pad 1 +relu +maxpool 2×2'. */
  kind: string;
  fused: string[];
  input: number[] | null;
  output: number[] | null;
  macs: number;
  params: number;
  target: Target;
  reason?: string;
}

const numel = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

function actName(a: Activation): string {
  return a.kind === 'leaky' ? `leakyrelu(${a.alpha})` : a.kind === 'clip' ? `clip(${a.min}, ${a.max})` : 'relu';
}

function poolName(p: PoolSpec): string {
  if (p.kind === 'globalavg' || p.kind === 'globalmax') return p.kind === 'globalavg' ? 'global avgpool' : 'global maxpool';
  const s = p.strides[0] !== p.kernel[0] || p.strides[1] !== p.kernel[1] ? `/${p.strides.join('×')}` : '';
  return `${p.kind}pool ${p.kernel.join('×')}${s}`;
}

function params(g: Graph, n: Node): number {
  return n.inputs.reduce((s, i) => s + (g.initializers.get(i)?.data.length ?? 0), 0);
}

function macs(g: Graph, n: Node): number {
  const x = g.shapes.get(n.inputs[0]);
  if (!x) return 0;
  if (n.op === 'conv') {
    const w = g.shapes.get(n.inputs[1]) ?? g.initializers.get(n.inputs[1])?.dims;
    if (!w || x.length !== 4) return 0;
    const oh = windowOutSize(x[2], n.kernel[0], n.strides[0], n.pads[0], n.pads[2], n.dilations[0]);
    const ow = windowOutSize(x[3], n.kernel[1], n.strides[1], n.pads[1], n.pads[3], n.dilations[1]);
    return x[0] * w[0] * oh * ow * w[1] * w[2] * w[3];
  }
  if (n.op === 'gemm' || n.op === 'matmul') {
    const y = g.shapes.get(n.outputs[0]);
    const w = g.shapes.get(n.inputs[1]) ?? g.initializers.get(n.inputs[1])?.dims;
    if (!y || !w) return 0;
    const k = n.op === 'gemm' && n.transB ? w[1] : w[0];
    return numel(y) * k;
  }
  return 0;
}

function describe(g: Graph, n: Node): { kind: string; fused: string[] } {
  switch (n.op) {
    case 'conv': {
      const fused = [...(n.activation ? [actName(n.activation)] : []), ...(n.pool ? [poolName(n.pool)] : [])];
      const w = g.initializers.get(n.inputs[1])?.dims;
      const extra = [
        n.strides.some((s) => s !== 1) ? `stride ${n.strides.join('×')}` : '',
        n.pads.some((p) => p !== 0) ? `pad ${n.pads.every((p) => p === n.pads[0]) ? n.pads[0] : n.pads.join(',')}` : '',
        n.dilations.some((d) => d !== 1) ? `dilation ${n.dilations.join('×')}` : '',
        n.group > 1 ? (w && n.group === w[0] && w[1] === 1 ? 'depthwise' : `group ${n.group}`) : '',
      ].filter(Boolean);
      return { kind: [`conv ${n.kernel.join('×')}`, ...extra].join(' ') + fused.map((f) => ` +${f}`).join(''), fused };
    }
    case 'gemm': {
      const fused = n.activation ? [actName(n.activation)] : [];
      return { kind: `fc${n.inputLayout ? ' (flattened CHW input)' : ''}` + fused.map((f) => ` +${f}`).join(''), fused };
    }
    case 'pool': return { kind: poolName(n.pool), fused: [] };
    case 'activation': return { kind: actName(n.activation), fused: [] };
    case 'add': return { kind: `add${n.activation ? ` +${actName(n.activation)}` : ''}`, fused: n.activation ? [actName(n.activation)] : [] };
    case 'concat': return { kind: `concat axis ${n.axis}`, fused: [] };
    case 'softmax': return { kind: `softmax axis ${n.axis}`, fused: [] };
    default: return { kind: n.op, fused: [] };
  }
}

export function mapping(g: Graph, n: Node): { target: Target; reason?: string } {
  const isConst = (name: string | undefined) => name !== undefined && g.initializers.has(name);
  switch (n.op) {
    case 'conv':
      return isConst(n.inputs[1]) ? { target: 'accelerator' } : { target: 'not mapped', reason: 'the conv weights are not a constant' };
    case 'gemm':
      if (!isConst(n.inputs[1])) return { target: 'not mapped', reason: 'the FC weights (Gemm B) are not a constant' };
      if (n.inputs[2] && !isConst(n.inputs[2])) return { target: 'not mapped', reason: 'the FC bias (Gemm C) is not a constant' };
      if (n.transA) return { target: 'not mapped', reason: 'Gemm with transA = 1' };
      return { target: 'accelerator' };
    case 'matmul':
      return isConst(n.inputs[1]) && g.initializers.get(n.inputs[1])!.dims.length === 2
        ? { target: 'accelerator', reason: 'runs as an FC layer' }
        : { target: 'not mapped', reason: 'MatMul of two activations (no constant weight)' };
    case 'pool': return { target: 'accelerator' };
    case 'batchnorm': return { target: 'accelerator', reason: 'not folded; runs as a depthwise 1×1 conv' };
    case 'add': {
      const [a, b] = n.inputs.map((i) => g.shapes.get(i));
      if (n.inputs.some(isConst)) return { target: 'not mapped', reason: 'Add with a constant operand' };
      return a && b && a.join() === b.join()
        ? { target: 'accelerator', reason: 'residual add' }
        : { target: 'not mapped', reason: `Add with broadcasting (${shapeText(a)} + ${shapeText(b)})` };
    }
    case 'concat':
      return n.axis === 1 ? { target: 'accelerator', reason: 'channel concat: outputs placed side by side' } : { target: 'not mapped', reason: `Concat on axis ${n.axis} (only channels, axis 1, map)` };
    case 'softmax': return { target: 'host', reason: 'softmax runs on the host' };
    case 'activation': return { target: 'host', reason: 'standalone activation (not fused into a conv or FC)' };
    case 'flatten': case 'reshape': return { target: 'host', reason: `${n.op} not folded into an FC input layout` };
    case 'transpose': return { target: 'host', reason: 'transpose' };
    case 'pad': return { target: 'not mapped', reason: 'Pad not folded into a conv (non-zero value or no conv follows)' };
    default: return { target: 'not mapped', reason: `${n.op} is not an accelerator op` };
  }
}

export function inspectGraph(g: Graph): LayerInfo[] {
  return g.nodes.map((n) => ({
    name: n.name,
    op: n.op,
    ...describe(g, n),
    input: g.shapes.get(n.inputs[0]) ?? null,
    output: g.shapes.get(n.outputs[0]) ?? null,
    macs: macs(g, n),
    params: params(g, n),
    ...mapping(g, n),
  }));
}

const int = (v: number) => v.toLocaleString('en-US');

export const inspectCommand: Command = {
  name: 'inspect',
  summary: 'show the layers of a model after optimization: shapes, MACs, parameters, and what runs on the accelerator',
  usage: 'inspect <model.onnx>',
  options: {},
  async run({ positionals }, ctx) {
    const m = loadModel(positionals[0], 'inspect');
    const g = m.graph;
    const layers = inspectGraph(g);
    const totalMacs = layers.reduce((s, l) => s + l.macs, 0);
    const accMacs = layers.filter((l) => l.target === 'accelerator').reduce((s, l) => s + l.macs, 0);
    const totals = {
      macs: totalMacs,
      params: layers.reduce((s, l) => s + l.params, 0),
      layers: layers.length,
      accelerator: { layers: layers.filter((l) => l.target === 'accelerator').length, macs: accMacs },
      host: layers.filter((l) => l.target === 'host').length,
      notMapped: layers.filter((l) => l.target === 'not mapped').length,
    };
    const io = (v: { name: string; shape: number[] }[]) => v.map((x) => `${x.name} ${shapeText(x.shape)}`).join(', ');
    ctx.log(`${m.path}: opset ${g.opset}, ${m.imported.nodes.length} nodes imported, ${layers.length} layers after optimize`);
    ctx.log(`inputs: ${io(g.inputs)}   outputs: ${io(g.outputs)}`);
    ctx.log('');
    const head = ['#', 'layer', 'op', 'input', 'output', 'MACs', 'params', 'runs on'];
    const rows = layers.map((l, i) => [String(i), l.name, l.kind, shapeText(l.input ?? undefined), shapeText(l.output ?? undefined), int(l.macs), int(l.params),
      l.target + (l.reason && l.target !== 'accelerator' ? ` (${l.reason})` : '')]);
    const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (r: string[]) => r.map((c, i) => (i === 5 || i === 6 ? c.padStart(w[i]) : c.padEnd(w[i]))).join('  ').trimEnd();
    ctx.log(line(head));
    for (const r of rows) ctx.log(line(r));
    ctx.log('');
    const pct = totalMacs > 0 ? ((100 * accMacs) / totalMacs).toFixed(1) : '100.0';
    ctx.log(`total: ${int(totalMacs)} MACs (${pct}% on the accelerator), ${int(totals.params)} parameters; ` +
      `${totals.accelerator.layers} of ${layers.length} layers on the accelerator, ${totals.host} on the host, ${totals.notMapped} not mapped`);
    return {
      model: m.path,
      opset: g.opset,
      importedNodes: m.imported.nodes.length,
      inputs: g.inputs,
      outputs: g.outputs,
      layers,
      totals,
    };
  },
};
