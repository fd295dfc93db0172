// Sigmoid, Tanh, Exp -> UnaryNode. The engine has no mapping for them: the back end places them
// in host segments (docs/bundle-format.md "Segments"), computed by a 16-bit lookup table.

import type { UnaryFn } from '../../ir/graph.ts';
import type { ConvertResult, OpContext } from '../op-context.ts';

export const convertUnary = (fn: UnaryFn) => (ctx: OpContext): ConvertResult =>
  ({ node: { op: 'unary', fn, name: ctx.name, inputs: [ctx.inputs[0]], outputs: [ctx.outputs[0]] } });
