// Gemm -> GemmNode: Y = alpha * A' * B' + beta * C, with C unidirectionally broadcast.

import type { ConvertResult, OpContext } from '../op-context.ts';

export const gemmAttrs = ['alpha', 'beta', 'transA', 'transB', 'broadcast'];

export function convertGemm(ctx: OpContext): ConvertResult {
  const a = ctx.attrs;
  const inputs = ctx.inputs.slice(0, 3).filter((s, i) => i < 2 || s !== '');
  return {
    node: {
      op: 'gemm', name: ctx.name, inputs, outputs: [ctx.outputs[0]],
      alpha: a.float('alpha', 1), beta: a.float('beta', 1),
      transA: a.int('transA', 0) !== 0, transB: a.int('transB', 0) !== 0,
    },
  };
}
