// Unsqueeze / Squeeze: axes are an attribute before opset 13 and a constant input from 13 on.
// On a constant they fold; on an activation they become a ReshapeNode.

import type { Shape } from '../../ir/graph.ts';
import type { ConvertResult, OpContext } from '../op-context.ts';

function axesOf(ctx: OpContext): number[] | undefined {
  if (ctx.opset < 13) return ctx.attrs.ints('axes');
  return ctx.inputs[1] ? ctx.constInts(1, 'axes') : undefined;
}

function result(ctx: OpContext, shape: Shape): ConvertResult {
  const c = ctx.constant(0);
  if (c) return { consts: [{ dims: shape, data: c.data, ints: c.ints }] };
  return { node: { op: 'reshape', name: ctx.name, inputs: [ctx.inputs[0]], outputs: [ctx.outputs[0]], shape } };
}

export function convertUnsqueeze(ctx: OpContext): ConvertResult {
  const x = ctx.needShape(0);
  const axes = axesOf(ctx) ?? ctx.invalid('axes are required');
  const r = x.length + axes.length;
  const norm = axes.map((a) => (a < 0 ? a + r : a));
  if (norm.some((a) => a < 0 || a >= r) || new Set(norm).size !== norm.length) ctx.invalid(`axes [${axes.join(', ')}] are invalid for a rank-${x.length} input`);
  const out: Shape = [];
  let j = 0;
  for (let i = 0; i < r; i++) out.push(norm.includes(i) ? 1 : x[j++]);
  return result(ctx, out);
}

export function convertSqueeze(ctx: OpContext): ConvertResult {
  const x = ctx.needShape(0);
  const r = x.length;
  const axes = axesOf(ctx)?.map((a) => (a < 0 ? a + r : a));
  if (axes && axes.some((a) => a < 0 || a >= r || x[a] !== 1)) ctx.invalid(`axes [${axes.join(', ')}] do not name size-1 axes of [${x.join(', ')}]`);
  return result(ctx, x.filter((d, i) => (axes ? !axes.includes(i) : d !== 1)));
}
