// Layers that are not convolutions run as identity 1x1 conv jobs on the MAC array:
//  - standalone pool / activation: per channel group, weight 1 on the diagonal, shift 0, then
//    act + pool (exactly docs/numerics.md: x -> act(x) -> pool, format unchanged);
//  - residual Add: two groups (a, then b at inCgStride = b - a), diagonal weights 2^(F-f_a+L)
//    and 2^(F-f_b+L), shift max(0, F - f_out), L = max(0, f_out - F), optional activation.
import type { ActivationNode, AddNode, PoolNode } from '../ir/graph.ts';
import { PoolKind } from '../contracts/bundle-format.ts';
import { CnnaError } from '../errors/cnna-error.ts';
import type { BackendContext, DdrValue } from './context.ts';
import { buildWeightBlock } from './weight-block.ts';
import { emitSpatial, type Unit } from './emit-spatial.ts';
import { actFields, poolAxes } from './map-conv.ts';
import type { AxisGeom } from './tile-spatial.ts';

function diagBlock(ctx: BackendContext, gains: number[], shift: number): number {
  const { pi, po } = ctx;
  const block = buildWeightBlock({
    pi, po, kh: 1, kw: 1, cg: gains.length,
    bias: () => 0,
    shift: (m) => (m < pi ? shift : 0),
    weight: (m, g, ci) => (m === ci ? gains[g] : 0),
  });
  return ctx.params.add(block, `diag:${gains.join(',')}:${shift}`);
}

export function mapPoolOrAct(ctx: BackendContext, node: PoolNode | ActivationNode, x: DdrValue, out: DdrValue, layerIndex: number): number {
  const where = `${node.op} node '${node.name}'`;
  if (x.order !== 'nchw' && node.op === 'pool') throw new CnnaError('E_UNSUPPORTED', `${where}: pooling needs a 4-D input`);
  const t = x.t;
  const wAddr = diagBlock(ctx, [1], 0);
  const units: Unit[] = [];
  for (let g = 0; g < t.cg; g++) {
    units.push({ inBase: t.offset + g * t.cgStride, wAddr, outBase: out.t.offset + g * out.t.cgStride, outGroups: 1 });
  }
  const pa = node.op === 'pool' ? poolAxes(node.pool, t.h, t.w, out.t.h, out.t.w, where) : poolAxes(undefined, t.h, t.w, t.h, t.w, where);
  const rows: AxisGeom = { size: t.h, k: 1, s: 1, d: 1, p: 0, out: t.h, ...pa.r };
  const cols: AxisGeom = { size: t.w, k: 1, s: 1, d: 1, p: 0, out: t.w, ...pa.c };
  const af = node.op === 'activation' ? actFields(node.activation, x.f, where) : { act: 0, actA: 0, actB: 0 };
  return emitSpatial(ctx, {
    name: node.name, layerIndex, input: t, output: out.t, cg: 1, inCgStride: t.cgStride, kh: 1, kw: 1, rows, cols,
    poolKind: pa.kind, countPad: pa.countPad, ...af, units, sharedInput: false, weightWords: 1,
  });
}

export function mapAdd(ctx: BackendContext, node: AddNode, a: DdrValue, b: DdrValue, out: DdrValue, layerIndex: number): number {
  const where = `add node '${node.name}'`;
  const same = a.t.c === b.t.c && a.t.h === b.t.h && a.t.w === b.t.w;
  if (!same) throw new CnnaError('E_UNSUPPORTED', `${where}: broadcasting add ([${a.shape}] + [${b.shape}]) is not supported by the engine`);
  const F = Math.max(a.f, b.f);
  const L = Math.max(0, out.f - F);
  const s = Math.max(0, F - out.f);
  let lo = a;
  let hi = b;
  if (b.t.offset < a.t.offset) { lo = b; hi = a; }
  const ga = 2 ** (F - lo.f + L);
  const gb = 2 ** (F - hi.f + L);
  if (ga > 16384 || gb > 16384) {
    throw new CnnaError('E_FIT', `layer '${node.name}': the add needs an input gain of ${Math.max(ga, gb)}, the engine's identity weights hold at most 16384`, {
      hint: 'the formats of the add inputs and output are more than 14 bits apart; requantize with a common format',
    });
  }
  const wAddr = diagBlock(ctx, [ga, gb], s);
  const t = lo.t;
  const units: Unit[] = [];
  for (let g = 0; g < t.cg; g++) {
    units.push({ inBase: t.offset + g * t.cgStride, wAddr, outBase: out.t.offset + g * out.t.cgStride, outGroups: 1 });
  }
  const pa = poolAxes(undefined, t.h, t.w, t.h, t.w, where);
  const rows: AxisGeom = { size: t.h, k: 1, s: 1, d: 1, p: 0, out: t.h, ...pa.r };
  const cols: AxisGeom = { size: t.w, k: 1, s: 1, d: 1, p: 0, out: t.w, ...pa.c };
  return emitSpatial(ctx, {
    name: node.name, layerIndex, input: t, output: out.t, cg: 2, inCgStride: hi.t.offset - lo.t.offset, kh: 1, kw: 1, rows, cols,
    poolKind: PoolKind.NONE, countPad: false, ...actFields(node.activation, out.f, where), units, sharedInput: false, weightWords: 2,
  });
}
