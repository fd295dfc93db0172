// Dropout (inference) -> DropoutNode, an identity. Training mode and the mask output are rejected.

import type { ConvertResult, OpContext } from '../op-context.ts';

export const dropoutAttrs = ['ratio', 'seed', 'is_test', 'consumed_inputs'];

export function convertDropout(ctx: OpContext): ConvertResult {
  if (ctx.inputs[2]) {
    const t = ctx.constant(2);
    if (!t || t.data[0] !== 0) ctx.unsupported('input training_mode is not supported unless it is a constant false');
  }
  if (ctx.outputs.length > 1 && ctx.outputs[1] !== '') ctx.unsupported('the mask output is not supported; supported: the output only');
  return { node: { op: 'dropout', name: ctx.name, inputs: [ctx.inputs[0]], outputs: [ctx.outputs[0]] } };
}
