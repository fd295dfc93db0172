// `cnna inspect <model> [--board B] [--config FILE]`: the layers after optimize(), their shapes,
// MACs and parameters, and where each runs, as the back end answers it (planEngine: the same
// walk as compile, so inspect and compile agree):
//  - accelerator: the layer compiles to engine jobs, or is layout only (a Flatten/Reshape the
//    engine reads in place);
//  - host: a host op between engine segments (Sigmoid, Tanh, Exp, a softmax that feeds other
//    layers; docs/bundle-format.md "Segments") or the softmax tail;
//  - not mapped: the back end refuses it, with its message.
// MACs count one multiply-accumulate per weight use at the model's batch size.
import { defaultConfig, loadConfig } from '../../boards/ultra96/board.ts';
import { planEngine, type Placement } from '../../compiler/backend/compile-bundle.ts';
import type { HwConfig } from '../../compiler/contracts/hw-config.ts';
import { CnnaError } from '../../compiler/errors/cnna-error.ts';
import { DEFAULT_F } from '../../compiler/golden/fixed/fixed-point.ts';
import type { Activation, Graph, Node, PoolSpec } from '../../compiler/ir/graph.ts';
import { quantize } from '../../compiler/quant/quantize.ts';
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
  /** Engine jobs the back end emits for the layer. */
  jobs: number;
  /** The pool (standalone or fused) with its pads, ceil mode and count_include_pad. */
  pool?: PoolSpec;
}

const numel = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

function actName(a: Activation): string {
  return a.kind === 'leaky' ? `leakyrelu(${a.alpha})` : a.kind === 'clip' ? `clip(${a.min}, ${a.max})` : 'relu';
}

function poolName(p: PoolSpec): string {
  if (p.kind === 'globalavg' || p.kind === 'globalmax') return p.kind === 'globalavg' ? 'global avgpool' : 'global maxpool';
  const s = p.strides[0] !== p.kernel[0] || p.strides[1] !== p.kernel[1] ? `/${p.strides.join('×')}` : '';
  const pads = p.pads.some((v) => v !== 0) ? ` pad ${p.pads.every((v) => v === p.pads[0]) ? p.pads[0] : p.pads.join(',')}` : '';
  const cip = p.kind === 'avg' && p.countIncludePad && p.pads.some((v) => v !== 0) ? ' count_include_pad' : '';
  return `${p.kind}pool ${p.kernel.join('×')}${s}${pads}${p.ceilMode ? ' ceil_mode' : ''}${cip}`;
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
    case 'add': return { kind: `add${n.scales ? ` ×${n.scales[0]} ×${n.scales[1]}` : ''}${n.activation ? ` +${actName(n.activation)}` : ''}`, fused: n.activation ? [actName(n.activation)] : [] };
    case 'concat': return { kind: `concat axis ${n.axis}`, fused: [] };
    case 'softmax': return { kind: `softmax axis ${n.axis}`, fused: [] };
    case 'unary': return { kind: n.fn === 'pow' ? `pow ${n.exponent}` : n.fn, fused: [] };
    case 'binary': return { kind: n.fn, fused: [] };
    default: return { kind: n.op, fused: [] };
  }
}

/**
 * Where each node runs, as the back end answers it (planEngine walks the nodes exactly as
 * compileBundle does), with Q2.14 activations (no calibration needed). A model the quantizer
 * refuses has every layer not mapped, with the quantizer's reason.
 */
export function mapping(g: Graph, config: HwConfig): Map<string, Placement> {
  let qm;
  try {
    qm = quantize(g, { format: DEFAULT_F, report: false });
  } catch (e) {
    if (!(e instanceof CnnaError)) throw e;
    return new Map(g.nodes.map((n) => [n.name, { target: 'not mapped', reason: `the model cannot be quantized: ${e.message}`, jobs: 0 }]));
  }
  try {
    return planEngine(qm, config);
  } catch (e) {
    if (!(e instanceof CnnaError)) throw e;
    return new Map(g.nodes.map((n) => [n.name, { target: 'not mapped', reason: e.message, jobs: 0 }]));
  }
}

export function inspectGraph(g: Graph, config: HwConfig = defaultConfig()): LayerInfo[] {
  const plan = mapping(g, config);
  return g.nodes.map((n) => ({
    name: n.name,
    op: n.op,
    ...describe(g, n),
    input: g.shapes.get(n.inputs[0]) ?? null,
    output: g.shapes.get(n.outputs[0]) ?? null,
    macs: macs(g, n),
    params: params(g, n),
    ...poolInfo(n),
    ...placement(plan.get(n.name)),
  }));
}

function placement(p: Placement | undefined): { target: Target; reason?: string; jobs: number } {
  if (!p) return { target: 'not mapped', reason: 'the back end did not reach this node', jobs: 0 };
  return { target: p.target, ...(p.reason ? { reason: p.reason } : {}), jobs: p.jobs };
}

function poolInfo(n: Node): { pool?: PoolSpec } {
  const p = n.op === 'pool' ? n.pool : n.op === 'conv' ? n.pool : undefined;
  return p ? { pool: p } : {};
}

const int = (v: number) => v.toLocaleString('en-US');

export const inspectCommand: Command = {
  name: 'inspect',
  summary: 'show the layers of a model after optimization: shapes, MACs, parameters, and what runs on the accelerator',
  usage: 'inspect <model.onnx> [--board ultra96] [--config FILE]',
  options: {
    board: { type: 'string', default: 'ultra96' },
    config: { type: 'string' },
  },
  async run({ values, positionals }, ctx) {
    const config = loadConfig(values.config as string | undefined, String(values.board));
    const m = loadModel(positionals[0], 'inspect');
    const g = m.graph;
    const layers = inspectGraph(g, config);
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
