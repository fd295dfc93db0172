// Slice on a constant (shape arithmetic, any steps including negative ones) -> a constant.
// Slice on activations is not supported. Opsets 1-9 take starts/ends/axes as attributes, 10+
// as inputs (starts, ends, axes?, steps?).

import { numel } from '../../ir/infer-shape.ts';
import type { ConvertResult, OpContext } from '../op-context.ts';

export function convertSlice(ctx: OpContext): ConvertResult {
  const data = ctx.constant(0);
  if (!data) ctx.unsupported('Slice is supported only on constant inputs (shape computations)');
  const r = data.dims.length;
  const legacy = ctx.opset < 10;
  // starts/ends may be INT64_MIN/MAX ("to the end"); they only get clamped, so any huge value will do.
  const bounds = (i: number, what: string): number[] => {
    const c = ctx.constant(i) ?? ctx.unsupported(`${what} must be a constant`);
    return Array.from(c.ints ?? c.data, (v) => Math.max(-(2 ** 53), Math.min(2 ** 53, Math.trunc(v))));
  };
  const starts = legacy ? ctx.attrs.ints('starts') ?? ctx.invalid('attribute starts is required') : bounds(1, 'starts');
  const ends = legacy ? ctx.attrs.ints('ends') ?? ctx.invalid('attribute ends is required') : bounds(2, 'ends');
  const axes = (legacy ? ctx.attrs.ints('axes') : ctx.inputs[3] ? ctx.constInts(3, 'axes') : undefined) ?? starts.map((_, i) => i);
  const steps = (!legacy && ctx.inputs[4] ? ctx.constInts(4, 'steps') : undefined) ?? starts.map(() => 1);
  if (ends.length !== starts.length || axes.length !== starts.length || steps.length !== starts.length) ctx.invalid('starts, ends, axes and steps differ in length');
  // Per axis: first index, step, count (ONNX clamping rules).
  const sel = data.dims.map((d) => ({ start: 0, step: 1, count: d }));
  axes.forEach((a0, i) => {
    const a = a0 < 0 ? a0 + r : a0;
    if (a < 0 || a >= r) ctx.invalid(`axis ${a0} is out of range for a rank-${r} input`);
    const d = data.dims[a];
    const step = steps[i];
    if (step === 0) ctx.invalid('a step is 0');
    let s = starts[i] < 0 ? starts[i] + d : starts[i];
    let e = ends[i] < 0 ? ends[i] + d : ends[i];
    if (step > 0) {
      s = Math.min(Math.max(s, 0), d);
      e = Math.min(Math.max(e, 0), d);
    } else {
      s = Math.min(Math.max(s, -1), d - 1);
      e = Math.min(Math.max(e, -1), d - 1);
    }
    sel[a] = { start: s, step, count: Math.max(0, Math.ceil((e - s) / step)) };
  });
  const dims = sel.map((x) => x.count);
  const src = data.ints ?? data.data;
  const strides = data.dims.map((_, i) => numel(data.dims.slice(i + 1)));
  const out = new Float64Array(numel(dims));
  const idx = new Array<number>(r).fill(0);
  for (let o = 0; o < out.length; o++) {
    let k = 0;
    for (let a = 0; a < r; a++) k += (sel[a].start + idx[a] * sel[a].step) * strides[a];
    out[o] = src[k];
    for (let a = r - 1; a >= 0; a--) { if (++idx[a] < dims[a]) break; idx[a] = 0; }
  }
  return { consts: [{ dims, data: Float32Array.from(out), ints: data.ints ? out : undefined }] };
}
