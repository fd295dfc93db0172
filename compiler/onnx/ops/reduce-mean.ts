// ReduceMean over the spatial axes [2, 3] of an NCHW tensor with keepdims (tf2onnx's global
// average pooling) -> PoolNode { kind: 'globalavg' }. Other reductions are not supported.

import type { ConvertResult, OpContext } from '../op-context.ts';

export const reduceMeanAttrs = ['axes', 'keepdims', 'noop_with_empty_axes'];

export function convertReduceMean(ctx: OpContext): ConvertResult {
  const x = ctx.needShape(0);
  const axes = (ctx.opset < 18 ? ctx.attrs.ints('axes') : ctx.inputs[1] ? ctx.constInts(1, 'axes') : undefined) ?? [];
  const norm = [...new Set(axes.map((a) => (a < 0 ? a + x.length : a)))].sort();
  if (x.length !== 4 || norm.join() !== '2,3') {
    ctx.unsupported(`axes [${axes.join(', ')}] on a rank-${x.length} input are not supported; supported: axes [2, 3] of a 4-D NCHW tensor (global average pooling)`);
  }
  if (ctx.attrs.int('keepdims', 1) !== 1) ctx.unsupported('attribute keepdims=0 is not supported; supported: keepdims=1 (follow it with Flatten or Reshape)');
  return { node: { op: 'pool', name: ctx.name, inputs: [ctx.inputs[0]], outputs: [ctx.outputs[0]], pool: { kind: 'globalavg' } } };
}
