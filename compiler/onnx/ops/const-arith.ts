// Mul, Sub, Div on constants (shape arithmetic in exported graphs) -> constants. On activations
// these ops are not supported.

import type { ConvertResult, OpContext } from '../op-context.ts';
import { foldBinary } from './const-math.ts';

function constOnly(ctx: OpContext, f: (a: number, b: number) => number): ConvertResult {
  return foldBinary(ctx, f) ?? ctx.unsupported(`${ctx.opType} is supported only on constant inputs (shape computations)`);
}

export const convertMul = (ctx: OpContext): ConvertResult => constOnly(ctx, (a, b) => a * b);
export const convertSub = (ctx: OpContext): ConvertResult => constOnly(ctx, (a, b) => a - b);
export const convertDiv = (ctx: OpContext): ConvertResult => constOnly(ctx, (a, b) => a / b);
