// Softmax, the host tail of the fixed-point pipeline: float on the dequantized input q·2^-f,
// computed in float64 and rounded once to float32 (docs/numerics.md "Softmax").
export function softmax(x: Float64Array, dims: number[], axis: number, coerce2d: boolean): Float32Array {
  const out = new Float32Array(x.length);
  const r = dims.length;
  const ax = axis < 0 ? axis + r : axis;
  const outer = dims.slice(0, ax).reduce((a, b) => a * b, 1);
  const len = coerce2d ? dims.slice(ax).reduce((a, b) => a * b, 1) : dims[ax];
  const inner = coerce2d ? 1 : dims.slice(ax + 1).reduce((a, b) => a * b, 1);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * len * inner + i;
      let m = -Infinity;
      for (let k = 0; k < len; k++) m = Math.max(m, x[base + k * inner]);
      let s = 0;
      for (let k = 0; k < len; k++) s += Math.exp(x[base + k * inner] - m);
      for (let k = 0; k < len; k++) out[base + k * inner] = Math.exp(x[base + k * inner] - m) / s;
    }
  }
  return out;
}
