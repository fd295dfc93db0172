// Seeded random numbers for generated weights: a 32-bit mulberry32 stream and Box–Muller
// normals. The same seed always gives the same weights, on every machine.

import { mulberry32, type Rng } from '../../compiler/util/prng.ts';

export { mulberry32, type Rng };

/** Fills `out` with N(0, std²) samples. */
export function fillNormal(out: Float32Array, std: number, rng: Rng): Float32Array {
  for (let i = 0; i < out.length; i += 2) {
    const u1 = 1 - rng();
    const u2 = rng();
    const r = std * Math.sqrt(-2 * Math.log(u1));
    out[i] = r * Math.cos(2 * Math.PI * u2);
    if (i + 1 < out.length) out[i + 1] = r * Math.sin(2 * Math.PI * u2);
  }
  return out;
}
