// Cast: folds on constants; on activations only a cast to float (an identity) is supported.

import { DataType } from '../onnx-proto.ts';
import type { ConvertResult, OpContext } from '../op-context.ts';

export const castAttrs = ['to', 'saturate'];

export function convertCast(ctx: OpContext): ConvertResult {
  const to = ctx.attrs.int('to', 0);
  const c = ctx.constant(0);
  if (c) {
    const isInt = to !== DataType.FLOAT && to !== DataType.DOUBLE && to !== DataType.FLOAT16;
    const v = Float64Array.from(c.ints ?? c.data, (x) => (isInt ? Math.trunc(x) : x));
    return { consts: [{ dims: c.dims, data: Float32Array.from(v), ints: isInt ? v : undefined }] };
  }
  if (to !== DataType.FLOAT) ctx.unsupported(`attribute to=${to} is not supported on activations; supported: 1 (FLOAT)`);
  return { node: { op: 'identity', name: ctx.name, inputs: [ctx.inputs[0]], outputs: [ctx.outputs[0]] } };
}
