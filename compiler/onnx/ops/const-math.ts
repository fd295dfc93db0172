// Arithmetic on import-time constants, used to fold the shape computations that exporters emit
// (Shape -> Gather -> Unsqueeze -> Concat -> Reshape). Integer values stay exact in `ints`.

import { broadcastShapes, numel } from '../../ir/infer-shape.ts';
import { MAX_TENSOR_ELEMENTS } from '../limits.ts';
import type { ConstValue, ConvertResult, OpContext } from '../op-context.ts';

export function intConst(values: number[], dims: number[] = [values.length]): ConstValue {
  const ints = Float64Array.from(values);
  return { dims, data: Float32Array.from(ints), ints };
}

function values(c: ConstValue): ArrayLike<number> {
  return c.ints ?? c.data;
}

/** Folds an elementwise binary op when both inputs are constants; otherwise undefined. */
export function foldBinary(ctx: OpContext, f: (a: number, b: number) => number): ConvertResult | undefined {
  const a = ctx.constant(0);
  const b = ctx.constant(1);
  if (!a || !b) return undefined;
  const dims = broadcastShapes(a.dims, b.dims) ?? ctx.invalid(`shapes [${a.dims.join(', ')}] and [${b.dims.join(', ')}] do not broadcast`);
  const n = numel(dims);
  if (n > MAX_TENSOR_ELEMENTS) ctx.invalid(`folding [${a.dims.join(', ')}] with [${b.dims.join(', ')}] gives more than ${MAX_TENSOR_ELEMENTS} elements`);
  const av = values(a);
  const bv = values(b);
  const out = new Float64Array(n);
  const idx = (c: ConstValue, flat: number): number => {
    let off = 0;
    let stride = 1;
    let rest = flat;
    const r = dims.length;
    for (let ax = r - 1; ax >= 0; ax--) {
      const coord = rest % dims[ax];
      rest = Math.floor(rest / dims[ax]);
      const cax = ax - (r - c.dims.length);
      if (cax >= 0) {
        if (c.dims[cax] !== 1) off += coord * stride;
        stride *= c.dims[cax];
      }
    }
    return off;
  };
  for (let i = 0; i < n; i++) out[i] = f(av[idx(a, i)], bv[idx(b, i)]);
  const integral = a.ints !== undefined && b.ints !== undefined;
  return { consts: [{ dims, data: Float32Array.from(out), ints: integral ? out.map(Math.trunc) : undefined }] };
}

export function concatConsts(cs: ConstValue[]): ConstValue {
  const all: number[] = [];
  for (const c of cs) all.push(...Array.from(values(c)));
  const integral = cs.every((c) => c.ints !== undefined);
  return integral ? intConst(all) : { dims: [all.length], data: Float32Array.from(all) };
}
