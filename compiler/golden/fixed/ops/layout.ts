// Layout ops that move int16 values unchanged (docs/numerics.md "Other operators"):
// Transpose and spatial Pad (the pad value is quantized at the tensor's format; zero in all
// models cnna maps). Flatten, Reshape, Identity and Dropout reuse the data as is.
import { quant } from '../fixed-point.ts';

export function transpose(x: Int16Array, dims: number[], perm: number[]): Int16Array {
  const r = dims.length;
  const out = new Int16Array(x.length);
  const outDims = perm.map((p) => dims[p]);
  const inStrides = new Array<number>(r);
  let s = 1;
  for (let i = r - 1; i >= 0; i--) { inStrides[i] = s; s *= dims[i]; }
  const st = perm.map((p) => inStrides[p]);
  const idx = new Array<number>(r).fill(0);
  let src = 0;
  for (let i = 0; i < x.length; i++) {
    out[i] = x[src];
    for (let d = r - 1; d >= 0; d--) {
      idx[d]++;
      src += st[d];
      if (idx[d] < outDims[d]) break;
      src -= st[d] * outDims[d];
      idx[d] = 0;
    }
  }
  return out;
}

export function pad4(x: Int16Array, dims: number[], pads: [number, number, number, number], value: number, f: number): Int16Array {
  const [N, C, H, W] = dims;
  const [pt, pl, pb, pr] = pads;
  const OH = H + pt + pb;
  const OW = W + pl + pr;
  const out = new Int16Array(N * C * OH * OW).fill(quant(value, f));
  for (let nc = 0; nc < N * C; nc++) {
    for (let y = 0; y < H; y++) {
      out.set(x.subarray((nc * H + y) * W, (nc * H + y + 1) * W), (nc * OH + y + pt) * OW + pl);
    }
  }
  return out;
}
