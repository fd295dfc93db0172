// AveragePool -> PoolNode { kind: 'avg' } with count_include_pad, ceil_mode and explicit pads.

import type { ConvertResult, OpContext } from '../op-context.ts';
import { kernelShape, readWindow } from './window-attrs.ts';

export const averagePoolAttrs = ['auto_pad', 'ceil_mode', 'count_include_pad', 'dilations', 'kernel_shape', 'pads', 'strides'];

export function convertAveragePool(ctx: OpContext): ConvertResult {
  const x = ctx.needShape(0);
  const win = readWindow(ctx, x, kernelShape(ctx));
  const ceilMode = ctx.attrs.int('ceil_mode', 0) !== 0;
  const countIncludePad = ctx.attrs.int('count_include_pad', 0) !== 0;
  return {
    node: { op: 'pool', name: ctx.name, inputs: [ctx.inputs[0]], outputs: [ctx.outputs[0]], pool: { kind: 'avg', ceilMode, countIncludePad, ...win } },
  };
}
