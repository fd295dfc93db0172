// The header of a Xilinx bitstream file (.bit, as write_bitstream writes it and PYNQ's Overlay
// loads it), checked before a board agent accepts a file as an overlay. Layout (all big-endian):
//   u16 9 | 0f f0 0f f0 0f f0 0f f0 00 | u16 1 | 'a' u16 n design name (NUL-terminated; Vivado
//   appends ";UserID=…;Version=…") | 'b' u16 n part | 'c' u16 n date | 'd' u16 n time |
//   'e' u32 n | n bytes of configuration data, which hold the sync word AA 99 55 66 after their
//   padding (within the first 256 bytes).
// `parseBitstreamHeader` returns the fields or the reason the bytes are not such a file;
// `encodeBitstreamHeader` writes one (the virtual board's overlay and tests use it). The PYNQ
// agent has the same parser in boards/ultra96/agent/cnna_agent/bitstream.py.

export interface BitstreamHeader {
  design: string;
  part: string;
  date: string;
  time: string;
  /** Offset and length of the configuration data. */
  dataOffset: number;
  dataLength: number;
}

const MAGIC = [0x00, 0x09, 0x0f, 0xf0, 0x0f, 0xf0, 0x0f, 0xf0, 0x0f, 0xf0, 0x00, 0x00, 0x01];
const SYNC = [0xaa, 0x99, 0x55, 0x66];
const SYNC_WITHIN = 256;

/** The header fields, or `{ error }` saying why `bytes` is not a Xilinx .bit file. */
export function parseBitstreamHeader(bytes: Uint8Array): BitstreamHeader | { error: string } {
  if (bytes.length < MAGIC.length || MAGIC.some((b, i) => bytes[i] !== b)) {
    return { error: `it does not start with the Xilinx bitstream header (00 09 0f f0 0f f0 0f f0 0f f0 00 00 01); its first bytes are ${Buffer.from(bytes.subarray(0, 8)).toString('hex').replace(/(..)/g, '$1 ').trim() || '(none: the file is empty)'}` };
  }
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let p = MAGIC.length;
  const fields: Record<string, string> = {};
  for (const key of ['a', 'b', 'c', 'd']) {
    if (p + 3 > bytes.length || bytes[p] !== key.charCodeAt(0)) return { error: `the header lacks its '${key}' field at byte ${p}` };
    const n = v.getUint16(p + 1);
    if (p + 3 + n > bytes.length) return { error: `the header's '${key}' field (${n} bytes at ${p + 3}) runs past the end of the file` };
    fields[key] = new TextDecoder().decode(bytes.subarray(p + 3, p + 3 + n)).replace(/\0+$/, '');
    p += 3 + n;
  }
  if (p + 5 > bytes.length || bytes[p] !== 0x65) return { error: `the header lacks its 'e' field (the configuration data length) at byte ${p}` };
  const dataLength = v.getUint32(p + 1);
  const dataOffset = p + 5;
  if (dataOffset + dataLength !== bytes.length) {
    return { error: `the header announces ${dataLength} bytes of configuration data, the file holds ${bytes.length - dataOffset} after the header` };
  }
  const head = bytes.subarray(dataOffset, dataOffset + Math.min(dataLength, SYNC_WITHIN + 4));
  let sync = -1;
  for (let i = 0; i + 4 <= head.length && sync < 0; i++) if (SYNC.every((b, k) => head[i + k] === b)) sync = i;
  if (sync < 0) return { error: `the configuration data has no sync word (aa 99 55 66) in its first ${SYNC_WITHIN} bytes` };
  return { design: fields.a, part: fields.b, date: fields.c, time: fields.d, dataOffset, dataLength };
}

/** A .bit file: the header for `design` and `part`, then `data` (which should hold the sync word). */
export function encodeBitstreamHeader(o: { design: string; part: string; date?: string; time?: string; data: Uint8Array }): Uint8Array {
  const enc = new TextEncoder();
  const field = (key: string, s: string): number[] => {
    const b = enc.encode(`${s}\0`);
    return [key.charCodeAt(0), b.length >> 8, b.length & 0xff, ...b];
  };
  const head = [...MAGIC, ...field('a', o.design), ...field('b', o.part), ...field('c', o.date ?? '2026/01/01'), ...field('d', o.time ?? '00:00:00'),
    0x65, (o.data.length >>> 24) & 0xff, (o.data.length >>> 16) & 0xff, (o.data.length >>> 8) & 0xff, o.data.length & 0xff];
  const out = new Uint8Array(head.length + o.data.length);
  out.set(head, 0);
  out.set(o.data, head.length);
  return out;
}

/** Configuration data that passes the sync-word check: padding, bus-width pattern, sync, then `body`. */
export function syntheticBitstreamData(body: Uint8Array): Uint8Array {
  const pre = [...new Array(32).fill(0xff), 0x00, 0x00, 0x00, 0xbb, 0x11, 0x22, 0x00, 0x44, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, ...SYNC];
  const out = new Uint8Array(pre.length + body.length);
  out.set(pre, 0);
  out.set(body, pre.length);
  return out;
}
