// Identity -> IdentityNode (removed by the remove-identity-dropout pass); constants pass through.

import type { ConvertResult, OpContext } from '../op-context.ts';

export function convertIdentity(ctx: OpContext): ConvertResult {
  const c = ctx.constant(0);
  if (c) return { consts: [c] };
  return { node: { op: 'identity', name: ctx.name, inputs: [ctx.inputs[0]], outputs: [ctx.outputs[0]] } };
}
