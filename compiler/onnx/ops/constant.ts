// Constant -> an import-time constant (value, value_float(s), value_int(s)).

import type { ConvertResult, OpContext } from '../op-context.ts';
import { intConst } from './const-math.ts';

export const constantAttrs = ['value', 'value_float', 'value_floats', 'value_int', 'value_ints', 'sparse_value', 'value_string', 'value_strings'];

export function convertConstant(ctx: OpContext): ConvertResult {
  const a = ctx.attrs;
  for (const unsupported of ['sparse_value', 'value_string', 'value_strings']) {
    if (a.has(unsupported)) ctx.unsupported(`attribute ${unsupported} is not supported; supported: value, value_float, value_floats, value_int, value_ints`);
  }
  const t = a.tensor('value');
  if (t) return { consts: [t] };
  if (a.has('value_float')) return { consts: [{ dims: [], data: Float32Array.of(a.float('value_float', 0)) }] };
  const fs = a.floats('value_floats');
  if (fs) return { consts: [{ dims: [fs.length], data: Float32Array.from(fs) }] };
  if (a.has('value_int')) return { consts: [intConst([a.int('value_int', 0)], [])] };
  const is = a.ints('value_ints');
  if (is) return { consts: [intConst(is)] };
  return ctx.invalid('has no value attribute');
}
