// One line per node ("name: op[details](inputs) -> outputs"), for pass tests that show a graph
// before and after a rewrite, and for debugging output.

import type { Activation, Graph, Node, PoolSpec } from '../ir/graph.ts';

function act(a?: Activation): string {
  if (!a) return '';
  return a.kind === 'relu' ? '+relu' : a.kind === 'leaky' ? `+leaky(${a.alpha})` : `+clip(${a.min},${a.max})`;
}

function pool(p?: PoolSpec): string {
  if (!p) return '';
  if (p.kind === 'globalavg' || p.kind === 'globalmax') return `+${p.kind}`;
  const pads = p.pads.some((v) => v !== 0) ? ` p${p.pads.join(',')}${p.kind === 'avg' && p.countIncludePad ? ' cip' : ''}` : '';
  return `+${p.kind}${p.kernel[0]}x${p.kernel[1]}/${p.strides[0]}${pads}${p.ceilMode ? ' ceil' : ''}`;
}

export function describeNode(n: Node): string {
  let d = '';
  switch (n.op) {
    case 'conv': d = `[k${n.kernel.join('x')} s${n.strides.join(',')} p${n.pads.join(',')}${n.group > 1 ? ` g${n.group}` : ''}${act(n.activation)}${pool(n.pool)}]`; break;
    case 'gemm': d = `[${n.transB ? 'tB' : ''}${n.inputLayout ? ` chw${n.inputLayout.chw.join('x')}` : ''}${act(n.activation)}]`; break;
    case 'pool': d = `[${pool(n.pool).slice(1)}]`; break;
    case 'activation': d = `[${act(n.activation).slice(1)}]`; break;
    case 'add': d = act(n.activation) || n.scales ? `[${n.scales ? `×${n.scales[0]},×${n.scales[1]}` : ''}${act(n.activation)}]` : ''; break;
    case 'pad': d = `[${n.pads.join(',')}]`; break;
    case 'reshape': d = `[${n.shape.join(',')}]`; break;
    default: break;
  }
  return `${n.name}: ${n.op}${d}(${n.inputs.join(', ')}) -> ${n.outputs.join(', ')}`;
}

export function describeGraph(g: Graph): string[] {
  return g.nodes.map(describeNode);
}
