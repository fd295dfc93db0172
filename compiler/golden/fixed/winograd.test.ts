// Exact-integer Winograd F(2x2, 3x3) against the direct sum computed independently in BigInt: random
// shapes and data, int16 extremes, every top/left/bottom/right pad 0..2, odd and even output sizes (the
// last tile's dropped row / column), and the width bounds of docs/numerics.md, attained.
import { describe, expect, it } from 'vitest';
import {
  WINO_MAX_CHANNELS, WINO_U_ABS_MAX, WINO_V_MAX, WINO_V_MIN, winoConv3x3, winoInput, winoOutput, winoWeight,
} from './winograd.ts';
import { mulberry32 } from '../../util/prng.ts';

/** Direct 3x3 stride-1 correlation in BigInt: M×OH×OW sums of w·x, zero outside the input. */
function directBig(x: ArrayLike<number>, w: ArrayLike<number>, C: number, H: number, W: number, M: number, padT: number, padL: number, OH: number, OW: number): bigint[] {
  const out: bigint[] = [];
  for (let m = 0; m < M; m++) {
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        let s = 0n;
        for (let c = 0; c < C; c++) {
          for (let ky = 0; ky < 3; ky++) {
            const iy = oy - padT + ky;
            if (iy < 0 || iy >= H) continue;
            for (let kx = 0; kx < 3; kx++) {
              const ix = ox - padL + kx;
              if (ix < 0 || ix >= W) continue;
              s += BigInt(w[((m * C + c) * 3 + ky) * 3 + kx]) * BigInt(x[(c * H + iy) * W + ix]);
            }
          }
        }
        out.push(s);
      }
    }
  }
  return out;
}

const int16 = (r: () => number): number => Math.floor(r() * 65536) - 32768;
const extreme = (r: () => number): number => {
  const k = Math.floor(r() * 5);
  return k === 0 ? -32768 : k === 1 ? 32767 : k === 2 ? 0 : k === 3 ? -1 : int16(r);
};

function check(C: number, H: number, W: number, M: number, pads: [number, number, number, number], gen: () => number): void {
  const [pt, pl, pb, pr] = pads;
  const OH = H + pt + pb - 2;
  const OW = W + pl + pr - 2;
  const x = Int16Array.from({ length: C * H * W }, gen);
  const w = Int16Array.from({ length: M * C * 9 }, gen);
  const got = winoConv3x3(x, w, { C, H, W, M, padT: pt, padL: pl, OH, OW });
  const want = directBig(x, w, C, H, W, M, pt, pl, OH, OW);
  expect(got.length).toBe(want.length);
  const bad: string[] = [];
  for (let i = 0; i < want.length; i++) if (BigInt(got[i]) !== want[i]) bad.push(`${i}: ${got[i]} vs ${want[i]}`);
  expect(bad, `C${C} H${H} W${W} M${M} pads ${pads}`).toEqual([]);
}

describe('Winograd F(2x2, 3x3), exact integers', () => {
  it('matches the direct sum for every pad 0..2 on each side, odd and even output sizes', () => {
    const r = mulberry32(8);
    let cases = 0;
    for (let pt = 0; pt <= 2; pt++) {
      for (let pl = 0; pl <= 2; pl++) {
        for (let pb = 0; pb <= 2; pb++) {
          for (let pr = 0; pr <= 2; pr++) {
            // H, W from 1 to 6 (OH, OW >= 1): odd and even outputs, tiles cut by the edge.
            const H = Math.max(1, 3 - pt - pb) + Math.floor(r() * 4);
            const W = Math.max(1, 3 - pl - pr) + Math.floor(r() * 4);
            check(1 + Math.floor(r() * 3), H, W, 1 + Math.floor(r() * 2), [pt, pl, pb, pr], () => int16(r));
            cases++;
          }
        }
      }
    }
    expect(cases).toBe(81);
  });

  it('matches on random shapes with int16 extremes (-32768, 32767, 0, -1) mixed in', () => {
    const r = mulberry32(81);
    for (let k = 0; k < 60; k++) {
      const pads: [number, number, number, number] = [0, 0, 0, 0].map(() => Math.floor(r() * 3)) as [number, number, number, number];
      const H = Math.max(1, 3 - pads[0] - pads[2]) + Math.floor(r() * 7);
      const W = Math.max(1, 3 - pads[1] - pads[3]) + Math.floor(r() * 7);
      check(1 + Math.floor(r() * 5), H, W, 1 + Math.floor(r() * 3), pads, () => extreme(r));
    }
  });

  it('is exact at the channel bound: 3640 channels of (-32768)·(-32768), 4x the sum = 131040·2^30 < 2^47', () => {
    const C = WINO_MAX_CHANNELS;
    const x = new Int16Array(C * 4 * 4).fill(-32768);
    const w = new Int16Array(C * 9).fill(-32768);
    const got = winoConv3x3(x, w, { C, H: 4, W: 4, M: 1, padT: 0, padL: 0, OH: 2, OW: 2 });
    // Every output sees the full 3x3 window over all channels: 9·3640·2^30.
    expect([...got]).toEqual([1, 2, 3, 4].map(() => 9 * 3640 * 2 ** 30));
    expect(4 * 9 * 3640 * 2 ** 30).toBeLessThan(2 ** 47);
    expect(4 * 9 * 3641 * 2 ** 30).toBeGreaterThan(2 ** 47);
    expect(() => winoConv3x3(x, w, { C: C + 1, H: 4, W: 4, M: 1, padT: 0, padL: 0, OH: 2, OW: 2 }))
      .toThrow('Winograd conv over 3641 channels exceeds 3640 (48-bit accumulator bound)');
  });

  it('transformed inputs span exactly [-131072, 131070] over int16 tiles (18-bit signed)', () => {
    // Each V element is ±d±d±d±d of four distinct inputs, so its extremes are reached on tiles of
    // -32768 / 32767 only: all 2^16 such tiles are enumerated.
    let lo = Infinity;
    let hi = -Infinity;
    const d = new Int32Array(16);
    const v = new Int32Array(16);
    for (let bits = 0; bits < 1 << 16; bits++) {
      for (let i = 0; i < 16; i++) d[i] = bits & (1 << i) ? 32767 : -32768;
      winoInput(d, v);
      for (let t = 0; t < 16; t++) { if (v[t] < lo) lo = v[t]; if (v[t] > hi) hi = v[t]; }
    }
    expect([lo, hi]).toEqual([WINO_V_MIN, WINO_V_MAX]);
    expect([lo, hi]).toEqual([-131072, 131070]);
    expect(lo).toBeGreaterThanOrEqual(-(2 ** 17));
    expect(hi).toBeLessThan(2 ** 17);
  });

  it('transformed weights span exactly [-294912, 294907] (20-bit signed; 19 bits would not do)', () => {
    let lo = Infinity;
    let hi = -Infinity;
    const g = new Int32Array(9);
    const perPos = new Array<number>(16).fill(0);
    for (let bits = 0; bits < 1 << 9; bits++) {
      for (let i = 0; i < 9; i++) g[i] = bits & (1 << i) ? 32767 : -32768;
      const u = winoWeight(g);
      for (let t = 0; t < 16; t++) {
        lo = Math.min(lo, u[t]); hi = Math.max(hi, u[t]);
        perPos[t] = Math.max(perPos[t], Math.abs(u[t]));
      }
    }
    expect([lo, hi]).toEqual([-294912, 294907]);
    expect(WINO_U_ABS_MAX).toBe(294912);
    expect(lo).toBeLessThan(-(2 ** 18));
    expect(lo).toBeGreaterThanOrEqual(-(2 ** 19));
    // Per position, (row L1 norm of 2G) x (column L1 norm) x 2^15, norms [2, 3, 3, 2],
    const norms = [2, 3, 3, 2];
    // is a bound on |U| at each position (mixed signs reach it only up to a few units), reached at (1, 1).
    const bound = norms.flatMap((a) => norms.map((b) => a * b * 32768));
    expect(perPos.every((p, t) => p <= bound[t] && p >= bound[t] - 8)).toBe(true);
    expect(perPos[5]).toBe(WINO_U_ABS_MAX);
    // Products: |U·V| <= 9·2^15 · 2^17 = 9·2^32 < 2^36 (37-bit signed).
    expect(WINO_U_ABS_MAX * 131072).toBe(9 * 2 ** 32);
    expect(9 * 2 ** 32).toBeLessThan(2 ** 36);
  });

  it('the output transform of a single product tile is 4x the direct 2x2 result (worked example)', () => {
    // d = 1..16 row-major, g = 1..9: direct y00 = Σ g[k]·d[...] computed by hand below.
    const d = Array.from({ length: 16 }, (_, i) => i + 1);
    const g = Array.from({ length: 9 }, (_, i) => i + 1);
    const u = winoWeight(g);
    const v = winoInput(d);
    const y = winoOutput(Array.from(u, (a, t) => a * v[t]));
    // y00 = 1·1+2·2+3·3+4·5+5·6+6·7+7·9+8·10+9·11 = 348; y01 = 348 + 45 = 393; y10 = 348 + 4·45 = 528; y11 = 573.
    expect([...y]).toEqual([4 * 348, 4 * 393, 4 * 528, 4 * 573]);
  });
});
