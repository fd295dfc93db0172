// An optional WebAssembly SIMD kernel for the hot loop of the float conv (ops/conv.ts): a tile
// of 4 output channels × 4 output pixels over the whole reduction, in float64x2 lanes. Every
// output is computed by exactly the operations of the plain loop in conv.ts, in the same order:
//   acc = bias; for r in 0..red: acc = acc + w[r]·x[r]   (float64, products of float32 values)
// then one rounding to float32. WebAssembly never fuses a multiply-add, so the results are
// bit-identical to the plain loop (wasm-conv.test.ts checks it); set CNNA_FLOAT_KERNEL=js to
// run without it.
//
// The module is assembled below from its opcodes (no toolchain needed), like
// golden/fixed/wasm-dot.ts. Two functions, `conv1` (unit column stride) and `convs` (any
// stride), with the signature (all addresses and strides in bytes):
//   (xp, off, red, wt, bias, out, oh, nx4, rowStep, colStep, sw, chStride)
//   for oy < oh, t < nx4, j < 4, i < 4, with p = xp + oy·rowStep + t·colStep:
//     f32 out[j·chStride + (oy·nx4·4 + 4t + i)·4] =
//       f64 bias[j] + Σ_{r < red} f64 wt[4r + j] · f32 mem[p + off[r] + i·sw]
// off holds red int32 byte offsets; wt holds float64 weights [red][4]; red, oh, nx4 ≥ 1.

const I32 = 0x7f;
const V128 = 0x7b;

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) { out.push(b); return out; }
    out.push(b | 0x80);
  }
}

const get = (i: number) => [0x20, ...uleb(i)];
const set = (i: number) => [0x21, ...uleb(i)];
const i32c = (v: number) => [0x41, ...sleb(v)];
const simd = (op: number, ...imm: number[]) => [0xfd, ...uleb(op), ...imm];
const ADD = 0x6a, MUL = 0x6c, LT_U = 0x49;
const I32_LOAD = (offset: number) => [0x28, 2, ...uleb(offset)];
const F32_LOAD = (offset: number) => [0x2a, 2, ...uleb(offset)];
const F32_STORE = (offset: number) => [0x38, 2, ...uleb(offset)];
const F64_PROMOTE = 0xbb, F32_DEMOTE = 0xb6;
const V_LOAD64_SPLAT = (offset: number) => simd(0x0a, 3, ...uleb(offset));
const V_LOAD64_ZERO = (offset: number) => simd(0x5d, 3, ...uleb(offset));
const F64X2_SPLAT = simd(0x14);
const F64X2_EXTRACT = (lane: number) => simd(0x21, lane);
const F64X2_REPLACE = (lane: number) => simd(0x22, lane);
const F64X2_PROMOTE_LOW = simd(0x5f);
const F64X2_ADD = simd(0xf0), F64X2_MUL = simd(0xf2);
const LOOP = [0x03, 0x40], END = 0x0b;
const BR_IF = (depth: number) => [0x0d, depth];

function convBody(unitStride: boolean): number[] {
  // parameters
  const [XP, OFF, RED, WT, BIAS, OUT, OH, NX4, ROWSTEP, COLSTEP, SW, CHSTRIDE] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
  // i32 locals
  const [oy, t, rowp, p, q, rp, rend, wq, o, orow] = [12, 13, 14, 15, 16, 17, 18, 19, 20, 21];
  // v128 locals: acc[2j] pixels 0-1 and acc[2j + 1] pixels 2-3 of channel j; xa, xb, w
  const acc = (j: number, half: number) => 22 + 2 * j + half;
  const [xa, xb, w] = [30, 31, 32];
  const xLane = (i: number) => [...get(q), ...(i === 0 ? [] : [...get(SW), ...i32c(i), MUL, ADD]), ...F32_LOAD(0), F64_PROMOTE];
  const loadX = unitStride
    ? [
      ...get(q), ...V_LOAD64_ZERO(0), ...F64X2_PROMOTE_LOW, ...set(xa),
      ...get(q), ...V_LOAD64_ZERO(8), ...F64X2_PROMOTE_LOW, ...set(xb),
    ]
    : [
      ...xLane(0), ...F64X2_SPLAT, ...xLane(1), ...F64X2_REPLACE(1), ...set(xa),
      ...xLane(2), ...F64X2_SPLAT, ...xLane(3), ...F64X2_REPLACE(1), ...set(xb),
    ];
  const mac: number[] = [];
  for (let j = 0; j < 4; j++) {
    mac.push(...get(wq), ...V_LOAD64_SPLAT(8 * j), ...set(w));
    mac.push(...get(acc(j, 0)), ...get(w), ...get(xa), ...F64X2_MUL, ...F64X2_ADD, ...set(acc(j, 0)));
    mac.push(...get(acc(j, 1)), ...get(w), ...get(xb), ...F64X2_MUL, ...F64X2_ADD, ...set(acc(j, 1)));
  }
  const init: number[] = [];
  for (let j = 0; j < 4; j++) {
    init.push(...get(BIAS), ...V_LOAD64_SPLAT(8 * j), ...set(acc(j, 0)), ...get(acc(j, 0)), ...set(acc(j, 1)));
  }
  const store: number[] = [];
  for (let j = 0; j < 4; j++) {
    for (let i = 0; i < 4; i++) {
      store.push(...get(o), ...(j === 0 ? [] : [...get(CHSTRIDE), ...i32c(j), MUL, ADD]));
      store.push(...get(acc(j, i >> 1)), ...F64X2_EXTRACT(i & 1), F32_DEMOTE, ...F32_STORE(4 * i));
    }
  }
  return [
    // locals: 10 i32, 11 v128
    2, 10, I32, 11, V128,
    ...get(OFF), ...get(RED), ...i32c(4), MUL, ADD, ...set(rend),
    ...get(XP), ...set(rowp),
    ...get(OUT), ...set(orow),
    ...i32c(0), ...set(oy),
    ...LOOP, // oy
    ...get(rowp), ...set(p),
    ...get(orow), ...set(o),
    ...i32c(0), ...set(t),
    ...LOOP, // t
    ...init,
    ...get(OFF), ...set(rp),
    ...get(WT), ...set(wq),
    ...LOOP, // r
    ...get(p), ...get(rp), ...I32_LOAD(0), ADD, ...set(q),
    ...loadX,
    ...mac,
    ...get(rp), ...i32c(4), ADD, ...set(rp),
    ...get(wq), ...i32c(32), ADD, ...set(wq),
    ...get(rp), ...get(rend), LT_U, ...BR_IF(0),
    END,
    ...store,
    ...get(p), ...get(COLSTEP), ADD, ...set(p),
    ...get(o), ...i32c(16), ADD, ...set(o),
    ...get(t), ...i32c(1), ADD, ...set(t),
    ...get(t), ...get(NX4), LT_U, ...BR_IF(0),
    END,
    ...get(rowp), ...get(ROWSTEP), ADD, ...set(rowp),
    ...get(orow), ...get(NX4), ...i32c(16), MUL, ADD, ...set(orow),
    ...get(oy), ...i32c(1), ADD, ...set(oy),
    ...get(oy), ...get(OH), LT_U, ...BR_IF(0),
    END,
    END,
  ];
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

function moduleBytes(): Uint8Array<ArrayBuffer> {
  const name = (s: string) => [...uleb(s.length), ...Buffer.from(s)];
  const code = [convBody(true), convBody(false)].flatMap((b) => [...uleb(b.length), ...b]);
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, 12, ...new Array(12).fill(I32), 0]),
    ...section(2, [1, ...name('env'), ...name('mem'), 0x02, 0x00, 1]),
    ...section(3, [2, 0, 0]),
    ...section(7, [2, ...name('conv1'), 0x00, 0, ...name('convs'), 0x00, 1]),
    ...section(10, [2, ...code]),
  ]);
}

type ConvFn = (xp: number, off: number, red: number, wt: number, bias: number, out: number,
  oh: number, nx4: number, rowStep: number, colStep: number, sw: number, chStride: number) => void;

/** The kernel and its memory; one per thread, created on first use. */
export class ConvKernel {
  private constructor(private mem: WebAssembly.Memory, readonly conv1: ConvFn, readonly convs: ConvFn) {}

  /** A kernel, or null when WebAssembly SIMD is unavailable or disabled (CNNA_FLOAT_KERNEL=js). */
  static create(): ConvKernel | null {
    try {
      const mem = new WebAssembly.Memory({ initial: 1 });
      const inst = new WebAssembly.Instance(new WebAssembly.Module(moduleBytes()), { env: { mem } });
      return new ConvKernel(mem, inst.exports.conv1 as ConvFn, inst.exports.convs as ConvFn);
    } catch {
      return null;
    }
  }

  /** Grows the memory to at least `bytes`; returns its buffer (views made before may detach). */
  buffer(bytes: number): ArrayBuffer {
    const have = this.mem.buffer.byteLength;
    if (bytes > have) this.mem.grow(Math.ceil((bytes - have) / 65536));
    return this.mem.buffer;
  }
}

let kernel: ConvKernel | null | undefined;

/** This thread's kernel (null when unavailable, or disabled by CNNA_FLOAT_KERNEL=js at the call). */
export function convKernel(): ConvKernel | null {
  if (process.env.CNNA_FLOAT_KERNEL === 'js') return null;
  if (kernel === undefined) kernel = ConvKernel.create();
  return kernel;
}
