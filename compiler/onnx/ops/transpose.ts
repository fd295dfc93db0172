// Transpose -> TransposeNode (perm defaults to reversing the axes). tf2onnx puts one after an
// NHWC input. On a constant (shape arithmetic, as in PyTorch's F.pad export) it folds.

import { numel } from '../../ir/infer-shape.ts';
import type { ConvertResult, OpContext } from '../op-context.ts';

export function convertTranspose(ctx: OpContext): ConvertResult {
  const r = ctx.needShape(0).length;
  const perm = ctx.attrs.ints('perm') ?? Array.from({ length: r }, (_, i) => r - 1 - i);
  const c = ctx.constant(0);
  if (c) {
    if (perm.length !== r || [...perm].sort((a, b) => a - b).some((p, i) => p !== i)) ctx.invalid(`perm [${perm.join(', ')}] is not a permutation of ${r} axes`);
    const dims = perm.map((p) => c.dims[p]);
    const inStrides = c.dims.map((_, i) => numel(c.dims.slice(i + 1)));
    const src = c.ints ?? c.data;
    const out = new Float64Array(src.length);
    const idx = new Array<number>(r).fill(0);
    for (let o = 0; o < out.length; o++) {
      let k = 0;
      for (let a = 0; a < r; a++) k += idx[a] * inStrides[perm[a]];
      out[o] = src[k];
      for (let a = r - 1; a >= 0; a--) { if (++idx[a] < dims[a]) break; idx[a] = 0; }
    }
    return { consts: [{ dims, data: Float32Array.from(out), ints: c.ints ? out : undefined }] };
  }
  return { node: { op: 'transpose', name: ctx.name, inputs: [ctx.inputs[0]], outputs: [ctx.outputs[0]], perm } };
}
