// Relu -> ActivationNode { kind: 'relu' }.

import type { ConvertResult, OpContext } from '../op-context.ts';

export function convertRelu(ctx: OpContext): ConvertResult {
  return { node: { op: 'activation', name: ctx.name, inputs: [ctx.inputs[0]], outputs: [ctx.outputs[0]], activation: { kind: 'relu' } } };
}
