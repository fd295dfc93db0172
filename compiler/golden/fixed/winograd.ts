// Exact-integer Winograd F(2x2, 3x3) (docs/numerics.md "Winograd F(2x2, 3x3)"): with G scaled by 2
// every transform has integer coefficients, the Winograd-domain products are summed exactly, and the
// output transform gives exactly 4x the direct sum Σ w·x, so an arithmetic shift by 2 returns it
// bit for bit. Used by the compiler (weight transform of a Winograd job's block) and the engine model
// (sim/ref) for Winograd jobs; the golden model does not change (its outputs are the direct sums).
//
// Conventions: a 3x3 kernel g is 9 values in (ky, kx) order, a 4x4 input tile d and a transformed
// tile are 16 values in (row, column) order; the 2x2 output tile is (y00, y01, y10, y11). The
// convolution is the ONNX one (cross-correlation): y[oy][ox] = Σ g[ky][kx]·x[oy + ky][ox + kx].

/** B^T of F(2x2, 3x3) (integer already). */
export const WINO_BT: readonly (readonly number[])[] = [[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]];
/** 2·G: G of F(2x2, 3x3) scaled by 2 so that its entries are integers. */
export const WINO_G2: readonly (readonly number[])[] = [[2, 0, 0], [1, 1, 1], [1, -1, 1], [0, 0, 2]];
/** A^T of F(2x2, 3x3). */
export const WINO_AT: readonly (readonly number[])[] = [[1, 1, 1, 0], [0, 1, -1, -1]];

/** Transformed-input range: B^T d B of int16 data lies in [-131072, 131070] (18-bit signed). */
export const WINO_V_MIN = -131072;
export const WINO_V_MAX = 131070;
/** Transformed-weight bound: |(2G) g (2G)^T| <= 9·2^15 = 294912 (20-bit signed). */
export const WINO_U_ABS_MAX = 294912;
/**
 * Largest reduction (input channels, padded lanes included) of a Winograd job: 4·9·C·2^30 < 2^47, so the
 * 4x direct sum, and every Winograd-domain sum, fits the 48-bit accumulator exactly.
 */
export const WINO_MAX_CHANNELS = 3640;

/** U = (2G) g (2G)^T: 16 integers in (row, column) order, |U| <= 9·2^15. */
export function winoWeight(g: ArrayLike<number>, at = 0, out: Int32Array = new Int32Array(16)): Int32Array {
  // t = 2G · g (4x3), then U = t · (2G)^T (4x4).
  const t = new Array<number>(12);
  for (let r = 0; r < 4; r++) {
    const G = WINO_G2[r];
    for (let c = 0; c < 3; c++) t[r * 3 + c] = G[0] * g[at + c] + G[1] * g[at + 3 + c] + G[2] * g[at + 6 + c];
  }
  for (let r = 0; r < 4; r++) {
    for (let c = 0; c < 4; c++) {
      const G = WINO_G2[c];
      out[r * 4 + c] = t[r * 3] * G[0] + t[r * 3 + 1] * G[1] + t[r * 3 + 2] * G[2];
    }
  }
  return out;
}

/** V = B^T d B for one 4x4 input tile (16 values, row-major): 16 integers in [-131072, 131070]. */
export function winoInput(d: ArrayLike<number>, out: Int32Array = new Int32Array(16)): Int32Array {
  // Rows first (B^T d), then columns ((B^T d) B): each output is ±d ± d ± d ± d.
  const t = new Array<number>(16);
  for (let c = 0; c < 4; c++) {
    const d0 = d[c], d1 = d[4 + c], d2 = d[8 + c], d3 = d[12 + c];
    t[c] = d0 - d2; t[4 + c] = d1 + d2; t[8 + c] = d2 - d1; t[12 + c] = d1 - d3;
  }
  for (let r = 0; r < 4; r++) {
    const t0 = t[r * 4], t1 = t[r * 4 + 1], t2 = t[r * 4 + 2], t3 = t[r * 4 + 3];
    out[r * 4] = t0 - t2; out[r * 4 + 1] = t1 + t2; out[r * 4 + 2] = t2 - t1; out[r * 4 + 3] = t1 - t3;
  }
  return out;
}

/**
 * Y = A^T M A for one tile's 16 Winograd-domain sums M (exact integers): the 2x2 outputs, each exactly
 * 4x the direct sum. Numbers stay exact while |M| < 2^49 (every partial sum is below 9·2^49 < 2^53).
 */
export function winoOutput(m: ArrayLike<number>, out: Float64Array = new Float64Array(4)): Float64Array {
  const s = new Array<number>(8);
  for (let c = 0; c < 4; c++) {
    s[c] = m[c] + m[4 + c] + m[8 + c];
    s[4 + c] = m[4 + c] - m[8 + c] - m[12 + c];
  }
  out[0] = s[0] + s[1] + s[2];
  out[1] = s[1] - s[2] - s[3];
  out[2] = s[4] + s[5] + s[6];
  out[3] = s[5] - s[6] - s[7];
  return out;
}

/** Exact Y / 4 of a multiple of 4 (an arithmetic shift right by 2 in two's complement). */
export function winoUnscale(y: number): number {
  if (y % 4 !== 0) throw new Error(`Winograd output ${y} is not a multiple of 4: the transforms were not exact`);
  return y / 4;
}

export interface WinoConvShape {
  /** Input channels, rows, columns; output channels. */
  C: number; H: number; W: number; M: number;
  /** Zero padding at the top and left (bottom/right padding follows from OH, OW). */
  padT: number; padL: number;
  /** Output rows and columns (any, odd included: the last tile's extra row / column is dropped). */
  OH: number; OW: number;
}

/**
 * 3x3 stride-1 convolution by exact-integer Winograd F(2x2, 3x3), without bias: x is C×H×W int16
 * (row-major), w is M×C×3×3 int16; returns the M×OH×OW direct sums Σ w·x (exact integers; inputs
 * outside [0, H)×[0, W) are 0). Refuses C > WINO_MAX_CHANNELS (the 48-bit bound).
 */
export function winoConv3x3(x: ArrayLike<number>, w: ArrayLike<number>, s: WinoConvShape): Float64Array {
  const { C, H, W, M, padT, padL, OH, OW } = s;
  if (C > WINO_MAX_CHANNELS) throw new RangeError(`Winograd conv over ${C} channels exceeds ${WINO_MAX_CHANNELS} (48-bit accumulator bound)`);
  const U = new Int32Array(M * C * 16);
  const u = new Int32Array(16);
  for (let k = 0; k < M * C; k++) { winoWeight(w, k * 9, u); U.set(u, k * 16); }
  const out = new Float64Array(M * OH * OW);
  const d = new Int32Array(16);
  const V = new Int32Array(C * 16);
  const v = new Int32Array(16);
  const acc = new Float64Array(16);
  const y = new Float64Array(4);
  for (let ty = 0; ty < OH; ty += 2) {
    for (let tx = 0; tx < OW; tx += 2) {
      for (let c = 0; c < C; c++) {
        for (let r = 0; r < 4; r++) {
          const iy = ty - padT + r;
          for (let q = 0; q < 4; q++) {
            const ix = tx - padL + q;
            d[r * 4 + q] = iy >= 0 && iy < H && ix >= 0 && ix < W ? x[(c * H + iy) * W + ix] : 0;
          }
        }
        winoInput(d, v);
        V.set(v, c * 16);
      }
      for (let m = 0; m < M; m++) {
        acc.fill(0);
        for (let c = 0; c < C; c++) {
          const ub = (m * C + c) * 16;
          const vb = c * 16;
          for (let t = 0; t < 16; t++) acc[t] += U[ub + t] * V[vb + t];
        }
        winoOutput(acc, y);
        for (let dy = 0; dy < 2; dy++) {
          for (let dx = 0; dx < 2; dx++) {
            if (ty + dy < OH && tx + dx < OW) out[(m * OH + ty + dy) * OW + tx + dx] = winoUnscale(y[dy * 2 + dx]);
          }
        }
      }
    }
  }
  return out;
}
