// Sigmoid, Tanh, Exp, Abs, Sign, Pow (constant exponent) -> UnaryNode. The engine has no mapping for them: the back end places them
// in host segments (docs/bundle-format.md "Segments"), computed by a 16-bit lookup table.

import type { UnaryFn } from '../../ir/graph.ts';
import type { ConvertResult, OpContext } from '../op-context.ts';
import { foldBinary } from './const-math.ts';

export const convertUnary = (fn: UnaryFn) => (ctx: OpContext): ConvertResult =>
  ({ node: { op: 'unary', fn, name: ctx.name, inputs: [ctx.inputs[0]], outputs: [ctx.outputs[0]] } });

/** Pow with a constant scalar exponent -> UnaryNode pow (a table like the others); two constants fold. */
export function convertPow(ctx: OpContext): ConvertResult {
  const folded = foldBinary(ctx, (a, b) => a ** b);
  if (folded) return folded;
  const e = ctx.constant(1);
  if (!e || e.data.length !== 1 || ctx.constant(0)) ctx.unsupported('Pow is supported with a constant scalar exponent only');
  return { node: { op: 'unary', fn: 'pow', exponent: e!.data[0], name: ctx.name, inputs: [ctx.inputs[0]], outputs: [ctx.outputs[0]] } };
}
