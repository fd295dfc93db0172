// The few encoders every hand-assembled WebAssembly module of cnna needs (the golden models'
// SIMD kernels are assembled from opcodes: no toolchain). Encodings per the WebAssembly core
// spec, binary format: LEB128 integers and length-prefixed sections.

/** Value types. */
export const I32 = 0x7f;
export const V128 = 0x7b;

/** Unsigned LEB128. */
export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 (i32 constants). */
export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) { out.push(b); return out; }
    out.push(b | 0x80);
  }
}

/** A module section: id, byte length, body. */
export function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}
