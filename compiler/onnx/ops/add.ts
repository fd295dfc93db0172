// Add -> AddNode (NumPy broadcasting; opset < 7 only with suffix broadcasting, no axis).
// Two constant inputs fold to a constant (shape arithmetic).

import type { ConvertResult, OpContext } from '../op-context.ts';
import { foldBinary } from './const-math.ts';

export const addAttrs = ['broadcast', 'axis', 'consumed_inputs'];

export function convertAdd(ctx: OpContext): ConvertResult {
  if (ctx.attrs.has('axis')) ctx.unsupported('attribute axis (legacy broadcasting) is not supported; supported: NumPy-style broadcasting');
  const folded = foldBinary(ctx, (a, b) => a + b);
  if (folded) return folded;
  return { node: { op: 'add', name: ctx.name, inputs: ctx.inputs.slice(0, 2), outputs: [ctx.outputs[0]] } };
}
