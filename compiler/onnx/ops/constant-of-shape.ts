// ConstantOfShape (a shape vector -> a tensor filled with one value) -> a constant. PyTorch emits it
// when it exports F.pad: the pads vector is built from ConstantOfShape, Concat, Slice and Transpose.

import { numel } from '../../ir/infer-shape.ts';
import { MAX_TENSOR_ELEMENTS } from '../limits.ts';
import type { ConvertResult, OpContext } from '../op-context.ts';

export function convertConstantOfShape(ctx: OpContext): ConvertResult {
  const dims = ctx.constInts(0, 'shape');
  if (dims.some((d) => d < 0)) ctx.invalid(`shape [${dims.join(', ')}] has a negative dimension`);
  const n = numel(dims);
  if (n > MAX_TENSOR_ELEMENTS) ctx.invalid(`shape [${dims.join(', ')}] has more than ${MAX_TENSOR_ELEMENTS} elements`);
  const v = ctx.attrs.tensor('value');
  const fill = v ? (v.ints ?? v.data)[0] ?? 0 : 0;
  const ints = v ? v.ints !== undefined : false;
  return { consts: [{ dims, data: new Float32Array(n).fill(fill), ints: ints || !v ? new Float64Array(n).fill(fill) : undefined }] };
}
