// Concat -> ConcatNode with a non-negative axis; all-constant inputs (shape vectors) fold.

import type { ConvertResult, OpContext } from '../op-context.ts';
import { concatConsts } from './const-math.ts';

export function convertConcat(ctx: OpContext): ConvertResult {
  const r = ctx.needShape(0).length;
  let axis = ctx.attrs.int('axis', ctx.opset < 4 ? 1 : NaN);
  if (Number.isNaN(axis)) ctx.invalid('attribute axis is required');
  if (axis < -r || axis >= r) ctx.invalid(`attribute axis=${axis} is out of range for a rank-${r} input`);
  if (axis < 0) axis += r;
  const consts = ctx.inputs.map((_, i) => ctx.constant(i));
  if (consts.every((c) => c !== undefined) && r === 1) return { consts: [concatConsts(consts as NonNullable<(typeof consts)[0]>[])] };
  return { node: { op: 'concat', name: ctx.name, inputs: ctx.inputs.slice(), outputs: [ctx.outputs[0]], axis } };
}
