// The fixed-point primitives of docs/numerics.md, the one place in TypeScript that implements
// them. Integers are carried in JS numbers (float64): every value these functions see or
// return is an exact integer below 2^53 in magnitude, so arithmetic on them is exact.
//
// Invariants:
//  - sat16 / sat48 clamp to [-2^15, 2^15-1] / [-2^47, 2^47-1];
//  - rshr rounds half toward +infinity (floor((a + 2^(s-1)) / 2^s)), an arithmetic shift;
//  - quant rounds half up (floor(x·2^f + 0.5)) and saturates; NaN quantizes to 0.
import { CnnaError } from '../../errors/cnna-error.ts';

export const INT16_MIN = -32768;
export const INT16_MAX = 32767;
export const INT48_MIN = -(2 ** 47);
export const INT48_MAX = 2 ** 47 - 1;
/** Fractional bits of the default format, Q2.14. */
export const DEFAULT_F = 14;
export const F_MIN = -16;
export const F_MAX = 31;
/** Fractional bits of the LeakyReLU slope a_q. */
export const LEAKY_F = 15;
/** Largest average-pool divisor: keeps M_n below 2^17 and S · M_n below 2^50. */
export const AVG_N_MAX = 2 ** 18;

export function sat16(v: number): number {
  return v > INT16_MAX ? INT16_MAX : v < INT16_MIN ? INT16_MIN : v;
}

/**
 * Two's-complement wrap of an integer to 48 bits, as the RTL's 48-bit adder does: the result is in
 * [-2^47, 2^47 - 1] and congruent to v mod 2^48. Exact for |v| < 2^53 (every step is a power-of-two
 * division, a floor or an integer product / difference below 2^53).
 */
export function wrap48(v: number): number {
  return v - Math.floor((v + 2 ** 47) / 2 ** 48) * 2 ** 48;
}

export function sat48(v: number): number {
  return v > INT48_MAX ? INT48_MAX : v < INT48_MIN ? INT48_MIN : v;
}

/** Float to int16 at f fractional bits: sat16(floor(x·2^f + 0.5)). */
export function quant(x: number, f: number): number {
  if (Number.isNaN(x)) return 0;
  return sat16(Math.floor(x * 2 ** f + 0.5));
}

/** Float to a 48-bit bias at f fractional bits: sat48(floor(x·2^f + 0.5)). */
export function quantBias(x: number, f: number): number {
  if (Number.isNaN(x)) return 0;
  return sat48(Math.floor(x * 2 ** f + 0.5));
}

/** Rounding arithmetic right shift: round half toward +infinity. s >= 0. */
export function rshr(a: number, s: number): number {
  if (s === 0) return a;
  const p = 2 ** s;
  return Math.floor((a + p / 2) / p);
}

/** Move an int16 value from f_from to f_to fractional bits (rounding shift or exact left shift), saturating. */
export function rescale(q: number, fFrom: number, fTo: number): number {
  if (fTo <= fFrom) return sat16(rshr(q, fFrom - fTo));
  return sat16(q * 2 ** (fTo - fFrom));
}

/** x = q · 2^-f (exact in float64). */
export function dequant(q: number, f: number): number {
  return q * 2 ** -f;
}

/** Requantize an accumulator at f_acc to int16 at f_out: sat16(rshr(acc, s)), s = f_acc - f_out >= 0. */
export function requantize(acc: number, s: number): number {
  return sat16(rshr(acc, s));
}

/** Average-pool divisor as an integer multiplier: y = sat16(rshr(S · M, 16 + c)). */
export interface AvgMultiplier {
  n: number;
  /** c_n = ceil(log2 n). */
  c: number;
  /** M_n = floor(2^(16 + c) / n + 0.5), in [2^16, 2^17) for n <= 2^18. */
  m: number;
  /** The total shift 16 + c. */
  shift: number;
}

export function avgPoolMultiplier(n: number): AvgMultiplier {
  if (!Number.isInteger(n) || n < 1 || n > AVG_N_MAX) {
    throw new CnnaError('E_UNSUPPORTED', `average pool over ${n} values: the window must hold 1 to ${AVG_N_MAX} values`);
  }
  let c = 0;
  while (2 ** c < n) c++;
  const m = Math.floor(2 ** (16 + c) / n + 0.5);
  return { n, c, m, shift: 16 + c };
}

/** y = sat16(rshr(S · M_n, 16 + c_n)) for a window sum S of n int16 values. */
export function avgPool(sum: number, mult: AvgMultiplier): number {
  return sat16(rshr(sum * mult.m, mult.shift));
}

/** LeakyReLU slope as Q0.15: a_q = quant(alpha, 15); alpha must lie in [0, 1). */
export function leakyAq(alpha: number, where = 'LeakyRelu'): number {
  if (!(alpha >= 0 && alpha < 1)) {
    throw new CnnaError('E_UNSUPPORTED', `${where}: alpha ${alpha} is outside [0, 1), which the fixed-point engine supports`, {
      hint: 'retrain with a LeakyReLU slope in [0, 1) or run the model in float',
    });
  }
  return quant(alpha, LEAKY_F);
}

export function leaky(y: number, aq: number): number {
  return y >= 0 ? y : rshr(y * aq, LEAKY_F);
}

export function relu(y: number): number {
  return y > 0 ? y : 0;
}

/** Clip bounds at f: [quant(min, f), quant(max, f)]. */
export function clipBounds(min: number, max: number, f: number): [number, number] {
  return [quant(min, f), quant(max, f)];
}

export function clip(y: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, y));
}

/** Residual add of a (f_a) and b (f_b) into f_out, per docs/numerics.md "Add". */
export function addFixed(a: number, fa: number, b: number, fb: number, fOut: number): number {
  const F = Math.max(fa, fb);
  const t = a * 2 ** (F - fa) + b * 2 ** (F - fb);
  return F >= fOut ? sat16(rshr(t, F - fOut)) : sat16(t * 2 ** (fOut - F));
}

/**
 * Auto-scaling: f = 15 - e with e the smallest integer such that amax < 2^e, clamped to
 * [F_MIN, F_MAX]; amax = 0 (or not finite-positive) gives Q2.14.
 */
export function chooseF(amax: number): number {
  if (!(amax > 0)) return DEFAULT_F;
  if (!Number.isFinite(amax)) return F_MIN;
  let e = Math.floor(Math.log2(amax)) + 1;
  while (amax >= 2 ** e) e++;
  while (amax < 2 ** (e - 1)) e--;
  return Math.min(F_MAX, Math.max(F_MIN, 15 - e));
}

/** 'Q2.14' for f = 14: Qm.n with m + n = 16. */
export function formatName(f: number): string {
  return `Q${16 - f}.${f}`;
}

/** Inverse of formatName; also accepts a bare integer f. Throws E_USAGE otherwise. */
export function parseFormat(s: string): number {
  const m = /^Q(-?\d+)\.(-?\d+)$/i.exec(s.trim());
  if (m) {
    const a = Number(m[1]);
    const b = Number(m[2]);
    if (a + b === 16 && b >= F_MIN && b <= F_MAX) return b;
  } else if (/^-?\d+$/.test(s.trim())) {
    const f = Number(s.trim());
    if (f >= F_MIN && f <= F_MAX) return f;
  }
  throw new CnnaError('E_USAGE', `format '${s}' is not a 16-bit Qm.n format`, {
    hint: `use Qm.n with m + n = 16 and n in [${F_MIN}, ${F_MAX}], e.g. Q2.14, or 'auto'`,
  });
}
