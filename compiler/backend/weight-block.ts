// Weight blocks (docs/bundle-format.md "Weight block"): PO biases as int64, PO shifts as u8,
// zero pad to 32 bytes, then kh·kw·cg words of PO×PI int16 in (ky, kx, g) order, word element
// m·PI + ci. The caller supplies the weights as a function so conv, FC, identity and add
// blocks share this one writer.
import { MAX_SHIFT, weightBlockBytes, weightHeaderBytes } from '../contracts/bundle-format.ts';

export interface BlockSpec {
  pi: number;
  po: number;
  kh: number;
  kw: number;
  cg: number;
  /** Words after the header when not kh·kw·cg (a Winograd block: 20·cg, filled by `fill`). */
  words?: number;
  /** int48 bias of lane m (0 for lanes without a channel). */
  bias: (m: number) => number;
  /** Requantize shift of lane m (>= 0; stored as min(s, 63)). */
  shift: (m: number) => number;
  /** int16 weight of lane m, input channel g·PI + ci, tap (ky, kx). */
  weight?: (m: number, g: number, ci: number, ky: number, kx: number) => number;
  /** Alternative to `weight` for big layers: fill the words (zeroed, (ky, kx, g, m, ci) order) directly. */
  fill?: (words: Int16Array) => void;
}

/** Bytes of the block a spec describes. */
export function blockSpecBytes(s: BlockSpec): number {
  return s.words === undefined ? weightBlockBytes(s.pi, s.po, s.kh, s.kw, s.cg) : weightHeaderBytes(s.po) + s.words * s.pi * s.po * 2;
}

export function buildWeightBlock(s: BlockSpec): Uint8Array {
  const bytes = new Uint8Array(blockSpecBytes(s));
  const v = new DataView(bytes.buffer);
  for (let m = 0; m < s.po; m++) {
    v.setBigInt64(m * 8, BigInt(s.bias(m)), true);
    v.setUint8(s.po * 8 + m, Math.min(MAX_SHIFT, s.shift(m)));
  }
  const w = new Int16Array(bytes.buffer, weightHeaderBytes(s.po));
  if (s.fill) { s.fill(w); return bytes; }
  const weight = s.weight!;
  let o = 0;
  for (let ky = 0; ky < s.kh; ky++) {
    for (let kx = 0; kx < s.kw; kx++) {
      for (let g = 0; g < s.cg; g++) {
        for (let m = 0; m < s.po; m++) {
          for (let ci = 0; ci < s.pi; ci++) w[o++] = weight(m, g, ci, ky, kx);
        }
      }
    }
  }
  return bytes;
}
