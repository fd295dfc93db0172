// NumPy .npy files (format versions 1.0, 2.0 and 3.0): the header is a Python dict literal
// {'descr': ..., 'fortran_order': ..., 'shape': (...)}, padded so the data starts 16-byte
// (v1: 64-byte in newer NumPy) aligned. Supported dtypes: <f4 <f8 <i8 |u1 <i2 (also |i1, <i4,
// <u2), C order only. Everything else is a typed CnnaError naming the file and the field.
// Invariant: the element count from 'shape' must match the data length exactly.
import { CnnaError } from '../errors/cnna-error.ts';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

export type NpyDtype = '<f4' | '<f8' | '<i8' | '|u1' | '<i2' | '|i1' | '<i4' | '<u2';

const DTYPE_BYTES: Record<NpyDtype, number> = { '<f4': 4, '<f8': 8, '<i8': 8, '|u1': 1, '<i2': 2, '|i1': 1, '<i4': 4, '<u2': 2 };

/** Accepted spellings of each dtype ('=' and no-prefix forms of 1-byte types, as NumPy writes them). */
const DTYPE_ALIASES: Record<string, NpyDtype> = {
  '<f4': '<f4', '<f8': '<f8', '<i8': '<i8', '|u1': '|u1', '<u1': '|u1', 'u1': '|u1', '<i2': '<i2',
  '|i1': '|i1', '<i1': '|i1', 'i1': '|i1', '<i4': '<i4', '<u2': '<u2',
};

export const NPY_MAX_ELEMENTS = 2 ** 28;

export interface NpyArray {
  dtype: NpyDtype;
  shape: number[];
  /** The values converted to float32 (int64 beyond 2^24 loses precision, as float32 does). */
  data: Float32Array;
}

function fail(name: string, what: string, hint = 'write the array with numpy.save (C order, dtype float32, float64, int64, int16 or uint8)'): never {
  throw new CnnaError('E_FORMAT', `${name}: ${what}`, { hint });
}

/** Parses the header dict. Only the three keys NumPy writes are accepted. */
function parseHeader(text: string, name: string): { descr: string; fortran: boolean; shape: number[] } {
  const t = text.trim();
  if (!t.startsWith('{') || !t.endsWith('}')) fail(name, `.npy header is not a dict literal: ${JSON.stringify(t.slice(0, 80))}`);
  const descr = /['"]descr['"]\s*:\s*['"]([^'"]*)['"]/.exec(t);
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(t);
  const shape = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(t);
  if (!descr) fail(name, `.npy header has no 'descr' string (structured dtypes are not supported)`);
  if (!fortran) fail(name, `.npy header has no 'fortran_order' True/False`);
  if (!shape) fail(name, `.npy header has no 'shape' tuple`);
  const dims = shape[1].split(',').map((s) => s.trim()).filter((s) => s.length > 0).map((s) => {
    const v = /^\d+L?$/.test(s) ? Number.parseInt(s, 10) : NaN;
    if (!Number.isSafeInteger(v)) fail(name, `.npy shape has an invalid dimension '${s}'`);
    return v;
  });
  return { descr: descr[1], fortran: fortran[1] === 'True', shape: dims };
}

export function readNpy(bytes: Uint8Array, name = '.npy file'): NpyArray {
  if (bytes.length < 10 || !MAGIC.every((b, i) => bytes[i] === b)) {
    fail(name, 'not a .npy file (it does not start with \\x93NUMPY)');
  }
  const major = bytes[6];
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLen: number;
  let headerStart: number;
  if (major === 1) {
    headerLen = dv.getUint16(8, true);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new CnnaError('E_TRUNCATED', `${name}: .npy file ends inside its header`);
    headerLen = dv.getUint32(8, true);
    headerStart = 12;
  } else {
    throw new CnnaError('E_UNSUPPORTED', `${name}: .npy format version ${major}.${bytes[7]} is not supported (versions 1.0, 2.0 and 3.0 are)`);
  }
  const dataStart = headerStart + headerLen;
  if (dataStart > bytes.length) throw new CnnaError('E_TRUNCATED', `${name}: .npy file ends inside its header (${bytes.length} bytes, header needs ${dataStart})`);
  const headerBytes = bytes.subarray(headerStart, dataStart);
  const header = major === 1 || major === 2 ? new TextDecoder('latin1').decode(headerBytes) : new TextDecoder('utf-8').decode(headerBytes);
  const h = parseHeader(header, name);
  const dtype = DTYPE_ALIASES[h.descr];
  if (!dtype) {
    throw new CnnaError('E_UNSUPPORTED', `${name}: .npy dtype '${h.descr}' is not supported`, {
      hint: "use <f4, <f8, <i8, <i2 or |u1 (little-endian), e.g. numpy.save(f, a.astype('float32'))",
    });
  }
  if (h.fortran) {
    throw new CnnaError('E_UNSUPPORTED', `${name}: .npy array is in Fortran order; only C order is supported`, {
      hint: 'save numpy.ascontiguousarray(a) instead',
    });
  }
  let count = 1;
  for (const d of h.shape) {
    count *= d;
    if (count > NPY_MAX_ELEMENTS) {
      throw new CnnaError('E_LIMIT', `${name}: .npy shape (${h.shape.join(', ')}) declares more than ${NPY_MAX_ELEMENTS} elements`);
    }
  }
  const size = DTYPE_BYTES[dtype];
  const need = count * size;
  const have = bytes.length - dataStart;
  if (have < need) {
    throw new CnnaError('E_TRUNCATED', `${name}: .npy data is truncated: shape (${h.shape.join(', ')}) of ${dtype} needs ${need} bytes, the file has ${have}`);
  }
  if (have > need) fail(name, `.npy file has ${have - need} bytes after the data of shape (${h.shape.join(', ')})`);
  const data = new Float32Array(count);
  const at = dataStart + bytes.byteOffset;
  const v = new DataView(bytes.buffer, at, need);
  switch (dtype) {
    case '<f4': for (let i = 0; i < count; i++) data[i] = v.getFloat32(i * 4, true); break;
    case '<f8': for (let i = 0; i < count; i++) data[i] = v.getFloat64(i * 8, true); break;
    case '<i8': for (let i = 0; i < count; i++) data[i] = Number(v.getBigInt64(i * 8, true)); break;
    case '<i4': for (let i = 0; i < count; i++) data[i] = v.getInt32(i * 4, true); break;
    case '<i2': for (let i = 0; i < count; i++) data[i] = v.getInt16(i * 2, true); break;
    case '<u2': for (let i = 0; i < count; i++) data[i] = v.getUint16(i * 2, true); break;
    case '|u1': for (let i = 0; i < count; i++) data[i] = v.getUint8(i); break;
    case '|i1': for (let i = 0; i < count; i++) data[i] = v.getInt8(i); break;
  }
  return { dtype, shape: h.shape, data };
}

/** Writes a version 1.0 .npy (float32 by default); used by tests and by `cnna run` users' scripts. */
export function writeNpy(shape: number[], values: ArrayLike<number>, dtype: NpyDtype = '<f4', version: 1 | 2 | 3 = 1): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== values.length) throw new CnnaError('E_USAGE', `writeNpy: shape (${shape.join(', ')}) holds ${count} values, got ${values.length}`);
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const dict = `{'descr': '${dtype}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const pre = version === 1 ? 10 : 12;
  const total = Math.ceil((pre + dict.length + 1) / 64) * 64;
  const header = dict + ' '.repeat(total - pre - dict.length - 1) + '\n';
  const size = DTYPE_BYTES[dtype];
  const out = new Uint8Array(total + count * size);
  out.set(MAGIC, 0);
  out[6] = version;
  out[7] = 0;
  const dv = new DataView(out.buffer);
  if (version === 1) dv.setUint16(8, header.length, true);
  else dv.setUint32(8, header.length, true);
  out.set(new TextEncoder().encode(header), pre);
  for (let i = 0; i < count; i++) {
    const o = total + i * size;
    const x = values[i];
    switch (dtype) {
      case '<f4': dv.setFloat32(o, x, true); break;
      case '<f8': dv.setFloat64(o, x, true); break;
      case '<i8': dv.setBigInt64(o, BigInt(Math.trunc(x)), true); break;
      case '<i4': dv.setInt32(o, x, true); break;
      case '<i2': dv.setInt16(o, x, true); break;
      case '<u2': dv.setUint16(o, x, true); break;
      case '|u1': dv.setUint8(o, x); break;
      case '|i1': dv.setInt8(o, x); break;
    }
  }
  return out;
}
