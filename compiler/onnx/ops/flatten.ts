// Flatten -> FlattenNode with a non-negative axis.

import type { ConvertResult, OpContext } from '../op-context.ts';

export function convertFlatten(ctx: OpContext): ConvertResult {
  const r = ctx.needShape(0).length;
  let axis = ctx.attrs.int('axis', 1);
  if (axis < -r || axis > r) ctx.invalid(`attribute axis=${axis} is out of range for a rank-${r} input`);
  if (axis < 0) axis += r;
  return { node: { op: 'flatten', name: ctx.name, inputs: [ctx.inputs[0]], outputs: [ctx.outputs[0]], axis } };
}
