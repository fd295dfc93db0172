// Transpose -> TransposeNode (perm defaults to reversing the axes). tf2onnx puts one after an
// NHWC input.

import type { ConvertResult, OpContext } from '../op-context.ts';

export function convertTranspose(ctx: OpContext): ConvertResult {
  const r = ctx.needShape(0).length;
  const perm = ctx.attrs.ints('perm') ?? Array.from({ length: r }, (_, i) => r - 1 - i);
  return { node: { op: 'transpose', name: ctx.name, inputs: [ctx.inputs[0]], outputs: [ctx.outputs[0]], perm } };
}
