// Every worked example of docs/numerics.md, by value, plus the primitive rules against an
// independent BigInt formulation.
import { describe, expect, it } from 'vitest';
import {
  addFixed, avgPool, avgPoolMultiplier, chooseF, clip, clipBounds, dequant, formatName, leaky,
  leakyAq, parseFormat, quant, quantBias, relu, requantize, rescale, rshr, sat16, sat48, wrap48,
} from './fixed-point.ts';
import { CnnaError } from '../../errors/cnna-error.ts';

describe('docs/numerics.md worked examples', () => {
  it('1: quant', () => {
    expect(quant(0.7, 14)).toBe(11469);
    expect(quant(0.7, 14)).toBe(0x2ccd);
    expect(quant(-2.5, 14)).toBe(-32768);
  });

  it('2: rshr rounds half toward +infinity', () => {
    expect(rshr(5, 1)).toBe(3);
    expect(rshr(-5, 1)).toBe(-2);
    expect(rshr(-6, 2)).toBe(-1);
    expect(rshr(7, 2)).toBe(2);
  });

  it('3: 1x1 conv with bias, requantize, ReLU and LeakyReLU', () => {
    const xq = quant(0.5, 14);
    expect(xq).toBe(8192);
    expect(chooseF(0.75)).toBe(15);
    const wq = quant(-0.75, 15);
    expect(wq).toBe(-24576);
    const bq = quantBias(0.1, 29);
    expect(bq).toBe(53687091);
    const acc = bq + xq * wq;
    expect(acc).toBe(-147639501);
    const s = 14 + 15 - 13;
    expect(s).toBe(16);
    const y = requantize(acc, s);
    expect(y).toBe(-2253);
    expect(dequant(y, 13)).toBeCloseTo(-0.27502, 5);
    expect(relu(y)).toBe(0);
    const aq = leakyAq(0.1);
    expect(aq).toBe(3277);
    expect(y * aq).toBe(-7383081);
    expect(leaky(y, aq)).toBe(-225);
  });

  it('4: average pools', () => {
    const m4 = avgPoolMultiplier(4);
    expect(m4).toEqual({ n: 4, c: 2, m: 65536, shift: 18 });
    expect(avgPool(100 + 101 + 102 + 104, m4)).toBe(102);
    const m9 = avgPoolMultiplier(9);
    expect(m9.c).toBe(4);
    expect(m9.m).toBe(116508);
    expect(1000 * m9.m).toBe(116508000);
    expect(avgPool(1000, m9)).toBe(111);
  });

  it('5: residual add', () => {
    expect(addFixed(12000, 14, 3000, 12, 13)).toBe(12000);
  });
});

describe('primitive rules', () => {
  it('saturates', () => {
    expect(sat16(40000)).toBe(32767);
    expect(sat16(-40000)).toBe(-32768);
    expect(sat16(-32768)).toBe(-32768);
    expect(sat48(2 ** 47)).toBe(2 ** 47 - 1);
    expect(sat48(-(2 ** 47) - 5)).toBe(-(2 ** 47));
    expect(quant(2, 14)).toBe(32767);
    expect(quant(2 - 2 ** -14, 14)).toBe(32767);
    expect(quant(-2, 14)).toBe(-32768);
    expect(quant(Number.NaN, 14)).toBe(0);
    expect(quant(Infinity, 14)).toBe(32767);
    expect(quantBias(1e30, 20)).toBe(2 ** 47 - 1);
  });

  it('quant rounds half up', () => {
    expect(quant(0.5 * 2 ** -14, 14)).toBe(1);
    expect(quant(-0.5 * 2 ** -14, 14)).toBe(0);
    expect(quant(-1.5 * 2 ** -14, 14)).toBe(-1);
  });

  it('rshr matches a BigInt reference on random 48-bit values', () => {
    let seed = 12345;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let i = 0; i < 5000; i++) {
      const a = Math.floor((rnd() * 2 - 1) * 2 ** 47);
      const s = Math.floor(rnd() * 40);
      const ba = BigInt(a);
      // BigInt >> is an arithmetic (floor) shift.
      const ref = s === 0 ? ba : (ba + (1n << BigInt(s - 1))) >> BigInt(s);
      expect(rshr(a, s)).toBe(Number(ref));
    }
  });

  it('rescale shifts right with rounding or left with saturation', () => {
    expect(rescale(12000, 14, 13)).toBe(6000);
    expect(rescale(3, 14, 13)).toBe(2);
    expect(rescale(-3, 14, 13)).toBe(-1);
    expect(rescale(3000, 12, 14)).toBe(12000);
    expect(rescale(10000, 12, 14)).toBe(32767);
    expect(rescale(-10000, 12, 14)).toBe(-32768);
    expect(rescale(123, 9, 9)).toBe(123);
  });

  it('avg multiplier stays in [2^16, 2^17) and n = 1 is identity', () => {
    expect(avgPoolMultiplier(1)).toEqual({ n: 1, c: 0, m: 65536, shift: 16 });
    expect(avgPool(-777, avgPoolMultiplier(1))).toBe(-777);
    for (let n = 1; n <= 4096; n++) {
      const { m } = avgPoolMultiplier(n);
      expect(m).toBeGreaterThanOrEqual(2 ** 16);
      expect(m).toBeLessThan(2 ** 17);
    }
    expect(avgPoolMultiplier(2 ** 18 - 1).m).toBeLessThan(2 ** 17);
    expect(() => avgPoolMultiplier(2 ** 18 + 1)).toThrow('average pool over 262145 values: the window must hold 1 to 262144 values');
    // 3 -> c = 2, M = floor(65536·4/3 + 0.5) = 87381; three values of 32767 average to 32767.
    expect(avgPoolMultiplier(3).m).toBe(87381);
    expect(avgPool(3 * 32767, avgPoolMultiplier(3))).toBe(32767);
  });

  it('leaky slope must lie in [0, 1)', () => {
    expect(leakyAq(0)).toBe(0);
    expect(leakyAq(0.01)).toBe(328);
    expect(() => leakyAq(1)).toThrow(CnnaError);
    expect(() => leakyAq(-0.1, 'node lrelu')).toThrow('node lrelu: alpha -0.1 is outside [0, 1)');
    expect(leaky(100, 3277)).toBe(100);
    expect(leaky(-1, 3277)).toBe(0);
  });

  it('clip quantizes its bounds at the output format', () => {
    const [lo, hi] = clipBounds(0, 6, 12);
    expect([lo, hi]).toEqual([0, 24576]);
    expect(clip(30000, lo, hi)).toBe(24576);
    expect(clip(-5, lo, hi)).toBe(0);
    expect(clipBounds(0, 6, 14)).toEqual([0, 32767]);
  });

  it('add widens to the finer format first, then rounds or shifts up', () => {
    // F = 14, t = 1 + 1·2 = 3, rshr(3, 2) = floor(5/4) = 1.
    expect(addFixed(1, 14, 1, 13, 12)).toBe(1);
    // f_out above both: t = 100 + 50 = 150 at 10, times 2^2.
    expect(addFixed(100, 10, 50, 10, 12)).toBe(600);
    expect(addFixed(30000, 14, 30000, 14, 14)).toBe(32767);
  });

  it('chooseF picks the largest non-saturating power-of-two format', () => {
    expect(chooseF(0)).toBe(14);
    expect(chooseF(0.75)).toBe(15);
    expect(chooseF(1)).toBe(14);
    expect(chooseF(0.9999)).toBe(15);
    expect(chooseF(1.5)).toBe(14);
    expect(chooseF(2)).toBe(13);
    expect(chooseF(255)).toBe(7);
    expect(chooseF(256)).toBe(6);
    expect(chooseF(0.5)).toBe(15);
    expect(chooseF(0.4999)).toBe(16);
    expect(chooseF(2 ** -40)).toBe(31);
    expect(chooseF(2 ** 40)).toBe(-16);
  });

  it('names and parses Qm.n', () => {
    expect(formatName(14)).toBe('Q2.14');
    expect(formatName(7)).toBe('Q9.7');
    expect(formatName(16)).toBe('Q0.16');
    expect(parseFormat('Q2.14')).toBe(14);
    expect(parseFormat('q4.12')).toBe(12);
    expect(parseFormat('11')).toBe(11);
    expect(() => parseFormat('Q3.14')).toThrow("format 'Q3.14' is not a 16-bit Qm.n format");
  });
  it('wraps to 48 bits like the RTL adder (two\'s complement, exact below 2^53)', () => {
    expect(wrap48(0)).toBe(0);
    expect(wrap48(2 ** 47 - 1)).toBe(2 ** 47 - 1);
    expect(wrap48(2 ** 47)).toBe(-(2 ** 47));
    expect(wrap48(-(2 ** 47))).toBe(-(2 ** 47));
    expect(wrap48(-(2 ** 47) - 1)).toBe(2 ** 47 - 1);
    // The unbounded accumulator case: bias 2^47 - 1 plus 2^46 + 2^26 wraps to a negative value.
    expect(wrap48(2 ** 47 - 1 + 2 ** 46 + 2 ** 26)).toBe(2 ** 47 - 1 + 2 ** 46 + 2 ** 26 - 2 ** 48);
    expect(wrap48(2 ** 52 + 5)).toBe(5);
  });
});
