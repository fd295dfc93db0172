// LeakyRelu -> ActivationNode { kind: 'leaky', alpha } (alpha defaults to 0.01).

import type { ConvertResult, OpContext } from '../op-context.ts';

export function convertLeakyRelu(ctx: OpContext): ConvertResult {
  const alpha = ctx.attrs.float('alpha', 0.01);
  return { node: { op: 'activation', name: ctx.name, inputs: [ctx.inputs[0]], outputs: [ctx.outputs[0]], activation: { kind: 'leaky', alpha } } };
}
