// Layers that are not convolutions run as identity 1x1 conv jobs on the MAC array:
//  - standalone pool / activation: per channel group, weight 1 on the diagonal, shift 0, then
//    act + pool (exactly docs/numerics.md: x -> act(x) -> pool, format unchanged);
//  - residual Add: two groups (a, then b at inCgStride = b - a), diagonal weights 2^(F-f_a+L)
//    and 2^(F-f_b+L), shift max(0, F - f_out), L = max(0, f_out - F), optional activation;
//  - channel concat: per input channel group, a rescaling copy into the output's planes;
//  - concat of flattened tensors (axis 1 of [N, C·H·W] parts): each part is copied, rescaled,
//    as a dense tensor right after the previous one; the FC that reads it follows the parts.
import type { ActivationNode, AddNode, ConcatNode, PoolNode } from '../ir/graph.ts';
import { PoolKind } from '../contracts/bundle-format.ts';
import { CnnaError } from '../errors/cnna-error.ts';
import type { BackendContext, DdrValue } from './context.ts';
import type { ActLayout } from '../contracts/bundle-format.ts';
import { emitSpatial, type Unit } from './emit-spatial.ts';
import { actFields, poolAxes } from './map-conv.ts';
import { planeLayout } from './act-alloc.ts';
import type { AxisGeom } from './tile-spatial.ts';

function diagBlock(ctx: BackendContext, gains: number[], shift: number): number {
  const { pi, po } = ctx;
  const block = ctx.weightBlock({
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

export function mapAdd(ctx: BackendContext, node: AddNode, a: DdrValue, b: DdrValue, out: DdrValue, layerIndex: number, scaled?: { w: [number, number]; fAcc: number }): number {
  const where = `add node '${node.name}'`;
  const same = a.t.c === b.t.c && a.t.h === b.t.h && a.t.w === b.t.w;
  if (!same) throw new CnnaError('E_UNSUPPORTED', `${where}: broadcasting add ([${a.shape}] + [${b.shape}]) is not supported by the engine`);
  if (node.scales && !scaled) throw new CnnaError('E_GRAPH', `${where} is scaled but has no quantized scales`);
  const F = Math.max(a.f, b.f);
  const L = Math.max(0, out.f - F);
  let s = Math.max(0, F - out.f);
  let lo = a;
  let hi = b;
  const swap = b.t.offset < a.t.offset;
  if (swap) { lo = b; hi = a; }
  let ga = 2 ** (F - lo.f + L);
  let gb = 2 ** (F - hi.f + L);
  if (scaled) {
    // The scaled-add rule: w_a, w_b at fAcc − f_in, shift fAcc − f_out (a 2-input 1×1 conv).
    [ga, gb] = swap ? [scaled.w[1], scaled.w[0]] : scaled.w;
    s = scaled.fAcc - out.f;
  } else if (ga > 16384 || gb > 16384) {
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

/** One rescaling copy job set: tensor p (format p.f) into the dense tensor `dst` (format fOut), plane by plane. */
function copyRescaled(ctx: BackendContext, node: ConcatNode, i: number, p: DdrValue, dst: ActLayout, dstPlane: number, fOut: number, layerIndex: number): number {
  const where = `concat node '${node.name}'`;
  const up = Math.max(0, fOut - p.f);
  if (2 ** up > 16384) throw new CnnaError('E_FIT', `layer '${node.name}': rescaling input ${i} from f=${p.f} to f=${fOut} needs a gain of 2^${up}, the identity weights hold at most 2^14`);
  const wAddr = diagBlock(ctx, [2 ** up], Math.max(0, p.f - fOut));
  const t = p.t;
  const units: Unit[] = [];
  for (let g = 0; g < t.cg; g++) {
    units.push({ inBase: t.offset + g * t.cgStride, wAddr, outBase: dst.offset + (dstPlane + g) * dst.cgStride, outGroups: 1 });
  }
  const pa = poolAxes(undefined, t.h, t.w, t.h, t.w, where);
  return emitSpatial(ctx, {
    name: node.name, layerIndex, input: t, output: dst, cg: 1, inCgStride: t.cgStride, kh: 1, kw: 1,
    rows: { size: t.h, k: 1, s: 1, d: 1, p: 0, out: t.h, ...pa.r }, cols: { size: t.w, k: 1, s: 1, d: 1, p: 0, out: t.w, ...pa.c },
    poolKind: PoolKind.NONE, countPad: false, act: 0, actA: 0, actB: 0, units, sharedInput: false, weightWords: 1,
  });
}

/**
 * Channel concat (axis 1) of NCHW tensors: each input's channel groups are copied (rescaled to
 * the output format: weight 1 and shift f_in - f_out, or weight 2^(f_out - f_in) and shift 0)
 * into the output's planes. Every input but the last must have a multiple of PI channels, so
 * that its planes land on whole output planes.
 */
export function mapConcat(ctx: BackendContext, node: ConcatNode, parts: DdrValue[], out: DdrValue, layerIndex: number): number {
  const where = `concat node '${node.name}'`;
  const { pi } = ctx;
  const rank = out.shape.length;
  const axis = node.axis < 0 ? node.axis + rank : node.axis;
  if (axis !== 1 || parts.some((p) => p.order === 'chw-flat')) throw new CnnaError('E_UNSUPPORTED', `${where}: only channel concat (axis 1) of activations is supported by the engine`);
  let first = -1;
  let plane = 0;
  parts.forEach((p, i) => {
    if (i < parts.length - 1 && p.t.c % pi !== 0) {
      throw new CnnaError('E_UNSUPPORTED', `${where}: input ${i} has ${p.t.c} channels, not a multiple of ${pi} (array.pi), so its channels do not start whole output planes`);
    }
    if (p.t.h !== out.t.h || p.t.w !== out.t.w) throw new CnnaError('E_GRAPH', `${where}: input ${i} is ${p.t.h}x${p.t.w}, the output ${out.t.h}x${out.t.w}`);
    const f0 = copyRescaled(ctx, node, i, p, out.t, plane, out.f, layerIndex);
    if (first < 0) first = f0;
    plane += p.t.cg;
  });
  return first;
}

/** True when a concat is one of flattened tensors ([N, K_i] parts, one of them flattened from C×H×W or not plane-aligned). */
export function isFlatConcat(ctx: BackendContext, node: ConcatNode, parts: DdrValue[], outRank: number): boolean {
  const axis = node.axis < 0 ? node.axis + outRank : node.axis;
  return outRank === 2 && axis === 1 && parts.every((p) => p.order !== 'nchw')
    && parts.some((p, i) => p.order === 'chw-flat' || (i < parts.length - 1 && p.t.c % ctx.pi !== 0));
}

/**
 * Concat of flattened tensors: part i is copied (rescaled to fOut) as a dense C_i×H_i×W_i
 * NCHW16c tensor starting at channel group G_i = sum of cg_j·H_j·W_j over j < i of one flat
 * buffer. The value carries the parts; mapGemm lays the FC weights out in the same order.
 */
export function mapFlatConcat(ctx: BackendContext, node: ConcatNode, parts: DdrValue[], fOut: number, shape: number[], layerIndex: number): { first: number; value: DdrValue } {
  const where = `concat node '${node.name}'`;
  const { pi } = ctx;
  if (parts.some((p) => p.parts)) throw new CnnaError('E_UNSUPPORTED', `${where}: a concat of concatenated flattened tensors is not supported by the engine`, { hint: 'concatenate all parts in one Concat' });
  let group = 0;
  const layout = parts.map((p) => {
    const e = { c: p.t.c, h: p.t.h, w: p.t.w, group };
    group += p.t.cg * p.t.h * p.t.w;
    return e;
  });
  const t = planeLayout(pi, group * pi, 1, 1);
  ctx.allocTensor(t);
  const value: DdrValue = { t, f: fOut, shape, order: 'chw-flat', parts: layout };
  let first = -1;
  parts.forEach((p, i) => {
    const dst = planeLayout(pi, p.t.c, p.t.h, p.t.w);
    dst.offset = t.offset + layout[i].group * pi * 2;
    const f0 = copyRescaled(ctx, node, i, p, dst, 0, fOut, layerIndex);
    if (first < 0) first = f0;
  });
  return { first, value };
}
