// MaxPool -> PoolNode { kind: 'max' } with ceil_mode, dilations and explicit pads.

import type { ConvertResult, OpContext } from '../op-context.ts';
import { kernelShape, readWindow } from './window-attrs.ts';

export const maxPoolAttrs = ['auto_pad', 'ceil_mode', 'dilations', 'kernel_shape', 'pads', 'storage_order', 'strides'];

export function convertMaxPool(ctx: OpContext): ConvertResult {
  const x = ctx.needShape(0);
  if (ctx.outputs.length > 1 && ctx.outputs[1] !== '') ctx.unsupported('the Indices output is not supported; supported: the Y output only');
  const win = readWindow(ctx, x, kernelShape(ctx));
  const ceilMode = ctx.attrs.int('ceil_mode', 0) !== 0;
  return { node: { op: 'pool', name: ctx.name, inputs: [ctx.inputs[0]], outputs: [ctx.outputs[0]], pool: { kind: 'max', ceilMode, ...win } } };
}
