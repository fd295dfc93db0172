// The project's one seeded PRNG (mulberry32): every "from a seed" in cnna (zoo weights, random
// layers, golden vectors, synthetic calibration, fuzzers) draws from it, so a seed means the
// same numbers everywhere. Returns uniform floats in [0, 1).
export type Rng = () => number;

export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
