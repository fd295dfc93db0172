// Clip -> ActivationNode { kind: 'clip' }: min/max are attributes before opset 11 and constant
// inputs from opset 11 on; an absent bound is infinite. Clip(0, 6) is ReLU6.

import type { ConvertResult, OpContext } from '../op-context.ts';

function bound(ctx: OpContext, i: number, which: string, def: number): number {
  if (!ctx.inputs[i]) return def;
  const c = ctx.constant(i);
  if (!c) ctx.unsupported(`a non-constant ${which} input is not supported; supported: constant min and max`);
  if (c.data.length !== 1) ctx.invalid(`${which} must be a scalar, it has ${c.data.length} values`);
  return c.data[0];
}

export function convertClip(ctx: OpContext): ConvertResult {
  let min: number;
  let max: number;
  if (ctx.opset < 11) {
    min = ctx.attrs.float('min', -Infinity);
    max = ctx.attrs.float('max', Infinity);
  } else {
    min = bound(ctx, 1, 'min', -Infinity);
    max = bound(ctx, 2, 'max', Infinity);
  }
  return { node: { op: 'activation', name: ctx.name, inputs: [ctx.inputs[0]], outputs: [ctx.outputs[0]], activation: { kind: 'clip', min, max } } };
}
