// Gather on constants (shape vectors) -> a constant. Gather on activations is not supported.

import { numel } from '../../ir/infer-shape.ts';
import type { ConvertResult, OpContext } from '../op-context.ts';

export function convertGather(ctx: OpContext): ConvertResult {
  const data = ctx.constant(0);
  const idx = ctx.constant(1);
  if (!data || !idx) ctx.unsupported('Gather is supported only on constant inputs (shape computations)');
  const r = data.dims.length;
  let axis = ctx.attrs.int('axis', 0);
  if (axis < -r || axis >= r) ctx.invalid(`attribute axis=${axis} is out of range for a rank-${r} input`);
  if (axis < 0) axis += r;
  const outer = numel(data.dims.slice(0, axis));
  const inner = numel(data.dims.slice(axis + 1));
  const n = data.dims[axis];
  const iv = idx.ints ?? idx.data;
  const src = data.ints ?? data.data;
  const out = new Float64Array(outer * iv.length * inner);
  let o = 0;
  for (let a = 0; a < outer; a++) {
    for (let j = 0; j < iv.length; j++) {
      let k = iv[j];
      if (k < 0) k += n;
      if (!(k >= 0 && k < n)) ctx.invalid(`index ${iv[j]} is out of range for axis ${axis} of size ${n}`);
      for (let b = 0; b < inner; b++) out[o++] = src[(a * n + k) * inner + b];
    }
  }
  const dims = [...data.dims.slice(0, axis), ...idx.dims, ...data.dims.slice(axis + 1)];
  return { consts: [{ dims, data: Float32Array.from(out), ints: data.ints ? out : undefined }] };
}
