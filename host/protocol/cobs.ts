// Consistent Overhead Byte Stuffing (Cheshire and Baker 1999): removes every 0x00 from a
// frame so 0x00 can delimit frames on a serial line. Blocks hold at most 254 data bytes;
// code 0xFF means "254 data bytes, no zero follows".
// Invariant: cobsDecode(cobsEncode(x)) = x, and cobsEncode(x) contains no 0x00.

/** Upper bound of the encoded length of n bytes (without the delimiter). */
export function cobsMaxEncodedLength(n: number): number {
  return n + Math.ceil(n / 254) + 1;
}

/** Encodes `data`; when `delimit` is set, appends the 0x00 frame delimiter. */
export function cobsEncode(data: Uint8Array, delimit = false): Uint8Array {
  const out = new Uint8Array(cobsMaxEncodedLength(data.length) + (delimit ? 1 : 0));
  let codeAt = 0;
  let o = 1;
  let code = 1;
  for (let i = 0; i < data.length; i++) {
    const b = data[i];
    if (b === 0) {
      out[codeAt] = code;
      codeAt = o++;
      code = 1;
    } else {
      out[o++] = b;
      if (++code === 0xff) {
        out[codeAt] = code;
        codeAt = o++;
        code = 1;
      }
    }
  }
  out[codeAt] = code;
  if (delimit) out[o++] = 0;
  return out.subarray(0, o);
}

/** Decodes one COBS frame (delimiter removed); returns undefined when the encoding is invalid. */
export function cobsDecode(data: Uint8Array): Uint8Array | undefined {
  const out = new Uint8Array(data.length);
  let o = 0;
  let i = 0;
  const n = data.length;
  while (i < n) {
    const code = data[i];
    if (code === 0 || i + code > n) return undefined;
    out.set(data.subarray(i + 1, i + code), o);
    o += code - 1;
    i += code;
    if (code < 0xff && i < n) out[o++] = 0;
  }
  return out.subarray(0, o);
}
