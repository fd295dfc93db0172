// The host ops: what runs beside the engine, in host segments (docs/numerics.md "Host ops"). Every
// executor (golden model, the host runtime's segment runner, the board) computes exactly this.
//  - A unary op (Sigmoid, Tanh, Exp) is a 16-bit lookup table: entry i (i = q + 32768) holds
//    quant(fn(q·2^-f_in), f_out), fn evaluated in float64. The compiler writes the table into the
//    bundle, so the board only looks entries up; the golden model builds the same table here.
//  - Mul / Div of two tensors: binaryFixed below.
//  - A softmax followed by other layers is computed in float64 on q·2^-f_in, rounded to float32
//    (ops/softmax.ts, as the softmax tail), then quantized to f_out.
import type { UnaryFn } from '../../../ir/graph.ts';
import { quant, rshr, sat16 } from '../fixed-point.ts';
import { softmax } from './softmax.ts';

/** The float64 function of a unary op (the float executor uses it too); Pow takes its constant exponent. */
export function unaryFn(fn: UnaryFn, exponent = 1): (x: number) => number {
  switch (fn) {
    case 'sigmoid': return (x) => 1 / (1 + Math.exp(-x));
    case 'tanh': return Math.tanh;
    case 'exp': return Math.exp;
    case 'abs': return Math.abs;
    case 'sign': return Math.sign;
    case 'pow': return exponent === 2 ? (x) => x * x : exponent === 1 ? (x) => x : (x) => Math.pow(x, exponent);
  }
}

/** A unary op's name as the bundle and the reports show it: `pow(0.5)` for Pow. */
export function unaryName(fn: UnaryFn, exponent?: number): string {
  return fn === 'pow' ? `pow(${exponent})` : fn;
}

/** Entries of a unary op's table: one per int16 input value. */
export const LUT_ENTRIES = 65536;

const lutCache = new Map<string, Int16Array>();

/** The lookup table of `fn` from format f_in to f_out (entry q + 32768 is the output of input q). */
export function unaryLut(fn: UnaryFn, fIn: number, fOut: number, exponent?: number): Int16Array {
  const key = `${unaryName(fn, exponent)}/${fIn}/${fOut}`;
  let t = lutCache.get(key);
  if (!t) {
    const g = unaryFn(fn, exponent);
    t = new Int16Array(LUT_ENTRIES);
    for (let i = 0; i < LUT_ENTRIES; i++) t[i] = quant(g((i - 32768) * 2 ** -fIn), fOut);
    lutCache.set(key, t);
  }
  return t;
}

/** out[k] = lut[x[k] + 32768]. */
export function applyLut(lut: Int16Array, x: Int16Array): Int16Array {
  const out = new Int16Array(x.length);
  for (let k = 0; k < x.length; k++) out[k] = lut[x[k] + 32768];
  return out;
}

/** Softmax between layers: float64 on the dequantized input, rounded to float32, then quantized to f_out. */
export function softmaxFixed(x: Int16Array, fIn: number, dims: number[], axis: number, coerce2d: boolean, fOut: number): Int16Array {
  const d = new Float64Array(x.length);
  const s = 2 ** -fIn;
  for (let i = 0; i < d.length; i++) d[i] = x[i] * s;
  const y = softmax(d, dims, axis, coerce2d);
  const out = new Int16Array(x.length);
  for (let i = 0; i < out.length; i++) out[i] = quant(y[i], fOut);
  return out;
}

/**
 * Mul or Div of two int16 tensors (same shape). Mul: the exact product a·b, then the requantize rule
 * (rshr by s = f_a + f_b − f_out, or an exact left shift when s < 0) and sat16. Div: the float64
 * quotient (a·2^-f_a) / (b·2^-f_b) (IEEE division, correctly rounded, so every runtime agrees) then
 * quant to f_out: 0/0 gives 0, x/0 saturates to the sign of x.
 */
export function binaryFixed(fn: 'mul' | 'div', a: Int16Array, fa: number, b: Int16Array, fb: number, fOut: number): { q: Int16Array; sat: number } {
  const q = new Int16Array(a.length);
  let sat = 0;
  if (fn === 'mul') {
    const s = fa + fb - fOut;
    for (let k = 0; k < q.length; k++) {
      const p = a[k] * b[k];
      const v = s >= 0 ? rshr(p, s) : p * 2 ** -s;
      const r = sat16(v);
      if (r !== v) sat++;
      q[k] = r;
    }
  } else {
    for (let k = 0; k < q.length; k++) {
      const x = (a[k] * 2 ** -fa) / (b[k] * 2 ** -fb);
      const v = Number.isNaN(x) ? 0 : Math.floor(x * 2 ** fOut + 0.5);
      const r = sat16(v);
      if (r !== v) sat++;
      q[k] = r;
    }
  }
  return { q, sat };
}
