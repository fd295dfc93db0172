// Conv -> ConvNode: any 2-D kernel, strides, pads or auto_pad, dilations, group (depthwise too).

import { MAX_GROUP } from '../limits.ts';
import type { ConvertResult, OpContext } from '../op-context.ts';
import { kernelShape, readWindow } from './window-attrs.ts';

export const convAttrs = ['auto_pad', 'dilations', 'group', 'kernel_shape', 'pads', 'strides'];

export function convertConv(ctx: OpContext): ConvertResult {
  const x = ctx.needShape(0);
  const w = ctx.needShape(1);
  const win = readWindow(ctx, x, kernelShape(ctx, w));
  const group = ctx.attrs.int('group', 1);
  if (group < 1 || group > MAX_GROUP) ctx.invalid(`attribute group=${group} must be in [1, ${MAX_GROUP}]`);
  const inputs = ctx.inputs.slice(0, 3).filter((s, i) => i < 2 || s !== '');
  return { node: { op: 'conv', name: ctx.name, inputs, outputs: [ctx.outputs[0]], ...win, group } };
}
