// BatchNormalization (inference form) -> BatchNormNode. Training mode is rejected.

import type { ConvertResult, OpContext } from '../op-context.ts';

export const batchNormAttrs = ['epsilon', 'momentum', 'spatial', 'is_test', 'consumed_inputs', 'training_mode'];

export function convertBatchNorm(ctx: OpContext): ConvertResult {
  const a = ctx.attrs;
  if (a.int('training_mode', 0) !== 0) ctx.unsupported('attribute training_mode=1 is not supported; supported: training_mode=0 (inference)');
  if (a.int('spatial', 1) !== 1) ctx.unsupported('attribute spatial=0 is not supported; supported: spatial=1');
  if (ctx.outputs.slice(1).some((o) => o !== '')) ctx.unsupported('the running mean/variance outputs are not supported; supported: the Y output only');
  if (ctx.inputs.length < 5) ctx.invalid(`needs 5 inputs (X, scale, B, mean, var), it has ${ctx.inputs.length}`);
  return { node: { op: 'batchnorm', name: ctx.name, inputs: ctx.inputs.slice(0, 5), outputs: [ctx.outputs[0]], epsilon: a.float('epsilon', 1e-5) } };
}
