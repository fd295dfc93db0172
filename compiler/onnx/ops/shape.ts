// Shape -> the (static) shape of its input as an int64 constant, with opset-15 start/end.

import type { ConvertResult, OpContext } from '../op-context.ts';
import { intConst } from './const-math.ts';

export function convertShape(ctx: OpContext): ConvertResult {
  const x = ctx.needShape(0);
  const r = x.length;
  const clamp = (v: number): number => Math.min(r, Math.max(0, v < 0 ? v + r : v));
  const start = clamp(ctx.attrs.int('start', 0));
  const end = clamp(ctx.attrs.int('end', r));
  return { consts: [intConst(x.slice(start, Math.max(start, end)))] };
}
