// MatMul -> MatMulNode (2-D operands). The matmul-add-to-gemm pass turns MatMul + Add into Gemm.

import type { ConvertResult, OpContext } from '../op-context.ts';

export function convertMatMul(ctx: OpContext): ConvertResult {
  return { node: { op: 'matmul', name: ctx.name, inputs: ctx.inputs.slice(0, 2), outputs: [ctx.outputs[0]] } };
}
