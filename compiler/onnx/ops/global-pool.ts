// GlobalAveragePool / GlobalMaxPool -> PoolNode { kind: 'globalavg' | 'globalmax' } on NCHW.

import type { ConvertResult, OpContext } from '../op-context.ts';

function globalPool(ctx: OpContext, kind: 'globalavg' | 'globalmax'): ConvertResult {
  const x = ctx.needShape(0);
  if (x.length !== 4) ctx.unsupported(`only 4-D NCHW inputs are supported, the input is [${x.join(', ')}]`);
  return { node: { op: 'pool', name: ctx.name, inputs: [ctx.inputs[0]], outputs: [ctx.outputs[0]], pool: { kind } } };
}

export const convertGlobalAveragePool = (ctx: OpContext): ConvertResult => globalPool(ctx, 'globalavg');
export const convertGlobalMaxPool = (ctx: OpContext): ConvertResult => globalPool(ctx, 'globalmax');
