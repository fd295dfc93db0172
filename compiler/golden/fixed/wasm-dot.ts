// An optional WebAssembly SIMD kernel for the one hot loop of the golden model: the exact
// int16 dot products of conv and FC layers. acc[m][p] = Σ_k w[m][k] · c[p][k], in 64-bit
// integers: i32x4.dot_i16x8_s adds two int16 products per lane, each pair is widened to i64
// before it is accumulated, and the final sum (|acc| < 2^48) converts to float64 exactly.
// The only int32 overflow of dot_i16x8_s is (-32768)·(-32768) + (-32768)·(-32768) = 2^31,
// so a weight block holding -32768 is refused here and takes the plain TypeScript loop.
// The kernel is checked bit for bit against the plain loop (wasm-dot.test.ts); set
// CNNA_GOLDEN_KERNEL=js to run without it.
//
// The module is assembled below from its opcodes (no toolchain needed). Signature:
//   dot(w, c, out, M, P, rowBytes, cStride): for m < M, p < P:
//     f64 out[m·P + p] = Σ_{b < rowBytes/16} dot8(w + m·rowBytes + 16b, c + p·cStride + 16b)
// (all pointers and strides in bytes; rowBytes a multiple of 16).
import { I32, V128, section, uleb } from '../../util/wasm-asm.ts';

function moduleBytes(): Uint8Array<ArrayBuffer> {
  const get = (i: number) => [0x20, i];
  const set = (i: number) => [0x21, i];
  const tee = (i: number) => [0x22, i];
  const simd = (op: number, ...imm: number[]) => [0xfd, ...uleb(op), ...imm];
  const i32c = (v: number) => [0x41, v & 0x7f];
  const [W, C, OUT, M, P, ROW, CST, m, p, k, wrow, crow, acc, o, tmp, ostride] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];
  // Pixel-outer, channel-inner: one unrolled input row stays in cache while the M weight rows
  // (a block small enough for L2) run over it.
  const body = [
    ...uleb(5), 5, I32, 1, V128, 1, I32, 1, V128, 1, I32,
    ...get(P), ...i32c(8), 0x6c, ...set(ostride),
    ...get(C), ...set(crow),
    ...i32c(0), ...set(p),
    0x02, 0x40, 0x03, 0x40,
    ...get(p), ...get(P), 0x4e, 0x0d, 1,
    ...get(W), ...set(wrow),
    ...get(OUT), ...get(p), ...i32c(8), 0x6c, 0x6a, ...set(o),
    ...i32c(0), ...set(m),
    0x02, 0x40, 0x03, 0x40,
    ...get(m), ...get(M), 0x4e, 0x0d, 1,
    ...simd(0x0c, ...new Array(16).fill(0)), ...set(acc),
    ...i32c(0), ...set(k),
    0x02, 0x40, 0x03, 0x40,
    ...get(k), ...get(ROW), 0x4e, 0x0d, 1,
    ...get(wrow), ...get(k), 0x6a, ...simd(0x00, 0, 0),
    ...get(crow), ...get(k), 0x6a, ...simd(0x00, 0, 0),
    ...simd(186), ...tee(tmp),
    ...simd(199), ...get(acc), ...simd(206), ...set(acc),
    ...get(tmp), ...simd(200), ...get(acc), ...simd(206), ...set(acc),
    ...get(k), ...i32c(16), 0x6a, ...set(k),
    0x0c, 0, 0x0b, 0x0b,
    ...get(o),
    ...get(acc), ...simd(29, 0), ...get(acc), ...simd(29, 1), 0x7c, 0xb9,
    0x39, 3, 0,
    ...get(o), ...get(ostride), 0x6a, ...set(o),
    ...get(wrow), ...get(ROW), 0x6a, ...set(wrow),
    ...get(m), ...i32c(1), 0x6a, ...set(m),
    0x0c, 0, 0x0b, 0x0b,
    ...get(crow), ...get(CST), 0x6a, ...set(crow),
    ...get(p), ...i32c(1), 0x6a, ...set(p),
    0x0c, 0, 0x0b, 0x0b,
    0x0b,
  ];
  const name = (s: string) => [...uleb(s.length), ...Buffer.from(s)];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, 7, I32, I32, I32, I32, I32, I32, I32, 0]),
    ...section(2, [1, ...name('env'), ...name('mem'), 0x02, 0x00, 1]),
    ...section(3, [1, 0]),
    ...section(7, [1, ...name('dot'), 0x00, 0]),
    ...section(10, [1, ...uleb(body.length), ...body]),
  ]);
}

type DotFn = (w: number, c: number, out: number, M: number, P: number, rowBytes: number, cStride: number) => void;

/** Round a reduction length up to the SIMD width (8 int16). */
export function pad8(k: number): number {
  return (k + 7) & ~7;
}

export class DotKernel {
  private mem: WebAssembly.Memory;
  private fn: DotFn;
  private colsBytes = 0;

  private constructor(mem: WebAssembly.Memory, fn: DotFn) {
    this.mem = mem;
    this.fn = fn;
  }

  /** A kernel, or null when SIMD is unavailable or disabled (CNNA_GOLDEN_KERNEL=js). */
  static create(): DotKernel | null {
    if (process.env.CNNA_GOLDEN_KERNEL === 'js') return null;
    try {
      const mem = new WebAssembly.Memory({ initial: 16 });
      const inst = new WebAssembly.Instance(new WebAssembly.Module(moduleBytes()), { env: { mem } });
      return new DotKernel(mem, inst.exports.dot as DotFn);
    } catch {
      return null;
    }
  }

  private ensure(bytes: number): void {
    const have = this.mem.buffer.byteLength;
    if (bytes > have) this.mem.grow(Math.ceil((bytes - have) / 65536));
  }

  /** Copy the unrolled input (rows padded to multiples of 8 int16) into the kernel's memory. */
  setCols(cols: Int16Array): void {
    this.colsBytes = (cols.length * 2 + 15) & ~15;
    this.ensure(this.colsBytes);
    new Int16Array(this.mem.buffer, 0, cols.length).set(cols);
  }

  /**
   * acc[j·P + p] = Σ_k w[(m0 + j)·Kp + k] · cols[p·cStride + cOff + k] for j < M, p < P.
   * Kp is a multiple of 8; cStride and cOff are in int16 elements (cOff a multiple of 8).
   * Returns a view that the next call overwrites. w must not hold -32768 (see header).
   */
  dot(w: Int16Array, m0: number, M: number, Kp: number, cOff: number, cStride: number, P: number): Float64Array {
    const wBytes = M * Kp * 2;
    const outAt = this.colsBytes + ((wBytes + 15) & ~15);
    this.ensure(outAt + M * P * 8);
    new Int16Array(this.mem.buffer, this.colsBytes, M * Kp).set(w.subarray(m0 * Kp, (m0 + M) * Kp));
    this.fn(this.colsBytes, cOff * 2, outAt, M, P, Kp * 2, cStride * 2);
    return new Float64Array(this.mem.buffer, outAt, M * P);
  }
}
