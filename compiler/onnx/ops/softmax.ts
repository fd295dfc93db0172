// Softmax -> SoftmaxNode. Before opset 13 the input is coerced to 2-D at `axis` (default 1);
// from 13 on softmax runs along `axis` alone (default -1).

import type { ConvertResult, OpContext } from '../op-context.ts';

export function convertSoftmax(ctx: OpContext): ConvertResult {
  const r = ctx.needShape(0).length;
  const coerce2d = ctx.opset < 13;
  let axis = ctx.attrs.int('axis', coerce2d ? 1 : -1);
  if (axis < -r || axis >= r) ctx.invalid(`attribute axis=${axis} is out of range for a rank-${r} input`);
  if (axis < 0) axis += r;
  return { node: { op: 'softmax', name: ctx.name, inputs: [ctx.inputs[0]], outputs: [ctx.outputs[0]], axis, coerce2d } };
}
