// Reader for IDX files (the MNIST format), plain or gzipped. The header is two zero bytes, a
// type code, the number of dimensions, then one big-endian uint32 per dimension; the data
// follows big-endian. Bad input throws CnnaError: E_IO (unreadable), E_FORMAT (bad magic or
// type), E_TRUNCATED (fewer bytes than declared), E_LIMIT (declared size beyond maxBytes).
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { CnnaError } from '../errors/cnna-error.ts';

export type IdxType = 'u8' | 'i8' | 'i16' | 'i32' | 'f32' | 'f64';
export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

export interface IdxArray {
  type: IdxType;
  dims: number[];
  data: IdxData;
}

/** Default cap on the decoded size: 2 GiB. */
export const IDX_MAX_BYTES = 2 ** 31;

const TYPES: Record<number, { type: IdxType; size: number }> = {
  0x08: { type: 'u8', size: 1 },
  0x09: { type: 'i8', size: 1 },
  0x0b: { type: 'i16', size: 2 },
  0x0c: { type: 'i32', size: 4 },
  0x0d: { type: 'f32', size: 4 },
  0x0e: { type: 'f64', size: 8 },
};

export function readIdx(source: string | Uint8Array, opts: { maxBytes?: number; name?: string } = {}): IdxArray {
  const maxBytes = opts.maxBytes ?? IDX_MAX_BYTES;
  const name = opts.name ?? (typeof source === 'string' ? source : 'IDX data');
  let raw: Uint8Array;
  if (typeof source === 'string') {
    try {
      raw = readFileSync(source);
    } catch (e) {
      throw new CnnaError('E_IO', `cannot read IDX file ${source}: ${(e as Error).message}`, { cause: e });
    }
  } else {
    raw = source;
  }
  const bytes = raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b ? gunzip(raw, name, maxBytes) : raw;
  return parseIdx(bytes, name, maxBytes);
}

function gunzip(raw: Uint8Array, name: string, maxBytes: number): Uint8Array {
  try {
    return gunzipSync(raw, { maxOutputLength: maxBytes + 4 * 260 });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ERR_BUFFER_TOO_LARGE' || /too large|exceeds/i.test(err.message)) {
      throw new CnnaError('E_LIMIT', `${name}: decompressed IDX data is larger than ${maxBytes} bytes`, { cause: e });
    }
    if (err.code === 'Z_BUF_ERROR' || /unexpected end/i.test(err.message)) {
      throw new CnnaError('E_TRUNCATED', `${name}: the gzip stream ends early (${err.message})`, {
        hint: 'the file is incomplete; download it again', cause: e,
      });
    }
    throw new CnnaError('E_FORMAT', `${name}: corrupt gzip stream (${err.message})`, { cause: e });
  }
}

function parseIdx(b: Uint8Array, name: string, maxBytes: number): IdxArray {
  if (b.length < 4) throw new CnnaError('E_TRUNCATED', `${name}: ${b.length} bytes, shorter than the 4-byte IDX magic`);
  if (b[0] !== 0 || b[1] !== 0) {
    throw new CnnaError('E_FORMAT', `${name}: not an IDX file (magic starts ${hex(b[0])} ${hex(b[1])}, expected 00 00)`, {
      hint: 'pass MNIST-format IDX files (e.g. t10k-images-idx3-ubyte.gz)',
    });
  }
  const t = TYPES[b[2]];
  if (!t) throw new CnnaError('E_FORMAT', `${name}: unknown IDX data type code ${hex(b[2])} (expected 08, 09, 0b, 0c, 0d or 0e)`);
  const rank = b[3];
  if (rank === 0) throw new CnnaError('E_FORMAT', `${name}: IDX header declares 0 dimensions`);
  const headerLen = 4 + 4 * rank;
  if (b.length < headerLen) {
    throw new CnnaError('E_TRUNCATED', `${name}: header declares ${rank} dimensions but the file ends after ${b.length} bytes`);
  }
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const dims: number[] = [];
  let count = 1;
  for (let i = 0; i < rank; i++) {
    const d = view.getUint32(4 + 4 * i, false);
    dims.push(d);
    count *= d;
  }
  const dataBytes = count * t.size;
  if (dataBytes > maxBytes) {
    throw new CnnaError('E_LIMIT', `${name}: declared size [${dims.join(', ')}] of ${t.type} is ${dataBytes} bytes, above the limit of ${maxBytes}`);
  }
  if (b.length < headerLen + dataBytes) {
    throw new CnnaError('E_TRUNCATED', `${name}: header declares [${dims.join(', ')}] (${dataBytes} data bytes) but only ${b.length - headerLen} follow`, {
      hint: 'the file is incomplete; download it again',
    });
  }
  return { type: t.type, dims, data: decode(view, headerLen, count, t.type) };
}

function decode(v: DataView, off: number, n: number, type: IdxType): IdxData {
  switch (type) {
    case 'u8': return new Uint8Array(v.buffer.slice(v.byteOffset + off, v.byteOffset + off + n));
    case 'i8': return new Int8Array(v.buffer.slice(v.byteOffset + off, v.byteOffset + off + n));
    case 'i16': { const a = new Int16Array(n); for (let i = 0; i < n; i++) a[i] = v.getInt16(off + 2 * i, false); return a; }
    case 'i32': { const a = new Int32Array(n); for (let i = 0; i < n; i++) a[i] = v.getInt32(off + 4 * i, false); return a; }
    case 'f32': { const a = new Float32Array(n); for (let i = 0; i < n; i++) a[i] = v.getFloat32(off + 4 * i, false); return a; }
    case 'f64': { const a = new Float64Array(n); for (let i = 0; i < n; i++) a[i] = v.getFloat64(off + 8 * i, false); return a; }
  }
}

function hex(x: number | undefined): string {
  return (x ?? 0).toString(16).padStart(2, '0');
}
