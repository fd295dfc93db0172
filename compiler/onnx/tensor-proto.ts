// TensorProto <-> float32 tensors. Reads every numeric data type ONNX models and test data use
// (float, double, float16, int64, int32, int16, int8, uint8, uint16, uint32, uint64, bool) from
// raw_data or the typed fields; writes the ONNX test-data .pb format (float, raw_data).
// Invariants: the element count is checked against MAX_TENSOR_ELEMENTS before any allocation;
// float raw_data that is 4-byte aligned becomes a zero-copy Float32Array view.

import { CnnaError } from '../errors/cnna-error.ts';
import { DataType, decodeTensor, onnx, toNumber, type TensorProto } from './onnx-proto.ts';
import { MAX_RANK, MAX_TENSOR_ELEMENTS } from './limits.ts';

export interface DecodedTensor {
  name: string;
  dims: number[];
  dataType: number;
  /** Values as float32 (integers converted). */
  data: Float32Array;
  /** Exact values for integer data types (int64 beyond 2^24 survives here). */
  ints?: Float64Array;
}

const TYPE_NAMES: Record<number, string> = {
  1: 'FLOAT', 2: 'UINT8', 3: 'INT8', 4: 'UINT16', 5: 'INT16', 6: 'INT32', 7: 'INT64', 8: 'STRING',
  9: 'BOOL', 10: 'FLOAT16', 11: 'DOUBLE', 12: 'UINT32', 13: 'UINT64', 14: 'COMPLEX64', 15: 'COMPLEX128', 16: 'BFLOAT16',
};
const BYTES: Record<number, number> = { 1: 4, 2: 1, 3: 1, 4: 2, 5: 2, 6: 4, 7: 8, 9: 1, 10: 2, 11: 8, 12: 4, 13: 8 };

export function dataTypeName(t: number): string {
  return TYPE_NAMES[t] ?? `type ${t}`;
}

/** Checks dims (non-negative integers, bounded rank) and returns the element count. */
export function checkedElementCount(dims: readonly number[], what: string): number {
  if (dims.length > MAX_RANK) throw new CnnaError('E_LIMIT', `${what}: rank ${dims.length} exceeds the limit of ${MAX_RANK}`);
  let n = 1;
  for (const d of dims) {
    if (!Number.isSafeInteger(d) || d < 0) throw new CnnaError('E_FORMAT', `${what}: invalid dimension ${d} in dims [${dims.join(', ')}]`);
    n *= d;
    if (n > MAX_TENSOR_ELEMENTS) {
      throw new CnnaError('E_LIMIT', `${what}: dims [${dims.join(', ')}] declare more than ${MAX_TENSOR_ELEMENTS} elements, the limit for one tensor`);
    }
  }
  return n;
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

function fromRaw(raw: Uint8Array, dt: number, n: number): { data: Float32Array; ints?: Float64Array } {
  if (dt === DataType.FLOAT) {
    if (raw.byteOffset % 4 === 0) return { data: new Float32Array(raw.buffer, raw.byteOffset, n) };
    const copy = new Float32Array(n);
    new Uint8Array(copy.buffer).set(raw);
    return { data: copy };
  }
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const out = new Float64Array(n);
  switch (dt) {
    case DataType.DOUBLE: for (let i = 0; i < n; i++) out[i] = dv.getFloat64(i * 8, true); return { data: Float32Array.from(out) };
    case DataType.FLOAT16: for (let i = 0; i < n; i++) out[i] = halfToFloat(dv.getUint16(i * 2, true)); return { data: Float32Array.from(out) };
    case DataType.INT64: for (let i = 0; i < n; i++) out[i] = Number(dv.getBigInt64(i * 8, true)); break;
    case DataType.UINT64: for (let i = 0; i < n; i++) out[i] = Number(dv.getBigUint64(i * 8, true)); break;
    case DataType.INT32: for (let i = 0; i < n; i++) out[i] = dv.getInt32(i * 4, true); break;
    case DataType.UINT32: for (let i = 0; i < n; i++) out[i] = dv.getUint32(i * 4, true); break;
    case DataType.INT16: for (let i = 0; i < n; i++) out[i] = dv.getInt16(i * 2, true); break;
    case DataType.UINT16: for (let i = 0; i < n; i++) out[i] = dv.getUint16(i * 2, true); break;
    case DataType.INT8: for (let i = 0; i < n; i++) out[i] = dv.getInt8(i); break;
    case DataType.UINT8: case DataType.BOOL: for (let i = 0; i < n; i++) out[i] = dv.getUint8(i); break;
  }
  return { data: Float32Array.from(out), ints: out };
}

function fromTyped(tp: TensorProto, dt: number, n: number, what: string): { data: Float32Array; ints?: Float64Array } {
  let src: ArrayLike<unknown>;
  let field: string;
  switch (dt) {
    case DataType.FLOAT: src = tp.floatData ?? []; field = 'float_data'; break;
    case DataType.DOUBLE: src = tp.doubleData ?? []; field = 'double_data'; break;
    case DataType.INT64: src = tp.int64Data ?? []; field = 'int64_data'; break;
    case DataType.UINT32: case DataType.UINT64: src = tp.uint64Data ?? []; field = 'uint64_data'; break;
    default: src = tp.int32Data ?? []; field = 'int32_data'; break;
  }
  if (src.length !== n) {
    throw new CnnaError('E_FORMAT', `${what}: ${field} holds ${src.length} values but dims [${(tp.dims ?? []).map(toNumber).join(', ')}] need ${n}`);
  }
  if (dt === DataType.FLOAT || dt === DataType.DOUBLE) return { data: Float32Array.from(src as ArrayLike<number>) };
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = toNumber(src[i]);
  if (dt === DataType.FLOAT16) return { data: Float32Array.from(out, halfToFloat) };
  return { data: Float32Array.from(out), ints: out };
}

/** Converts a decoded TensorProto to float32 (and exact integers where the type is integral). */
export function tensorFromProto(tp: TensorProto, what: string): DecodedTensor {
  const name = tp.name ?? '';
  const dt = tp.dataType ?? 0;
  const dims = (tp.dims ?? []).map(toNumber);
  const n = checkedElementCount(dims, what);
  if (tp.dataLocation === 1) {
    throw new CnnaError('E_UNSUPPORTED', `${what}: tensor data is stored in an external file, which cnna does not read`, {
      hint: 'save the model with all tensors inside it (onnx.save_model(..., save_as_external_data=False))',
    });
  }
  if (BYTES[dt] === undefined) {
    throw new CnnaError('E_UNSUPPORTED', `${what}: data type ${dataTypeName(dt)} is not supported; supported: FLOAT, DOUBLE, FLOAT16, INT64, INT32, INT16, INT8, UINT8, UINT16, UINT32, UINT64, BOOL`);
  }
  const raw = tp.rawData;
  let values: { data: Float32Array; ints?: Float64Array };
  if (raw && raw.length > 0) {
    if (raw.length !== n * BYTES[dt]) {
      throw new CnnaError('E_FORMAT', `${what}: raw_data has ${raw.length} bytes but dims [${dims.join(', ')}] of ${dataTypeName(dt)} need ${n * BYTES[dt]}`);
    }
    values = fromRaw(raw, dt, n);
  } else {
    values = fromTyped(tp, dt, n, what);
  }
  return { name, dims, dataType: dt, ...values };
}

/** Reads one ONNX test-data .pb file (a serialized TensorProto). */
export function readTensorProto(bytes: Uint8Array, what = 'tensor .pb'): { name: string; dims: number[]; data: Float32Array; dataType: number } {
  const t = tensorFromProto(decodeTensor(bytes, what), what);
  return { name: t.name, dims: t.dims, data: t.data, dataType: t.dataType };
}

/** Builds a float TensorProto message (raw_data, little-endian) for a model or a .pb file. */
export function tensorProtoOf(name: string, t: { dims: number[]; data: Float32Array }): TensorProto {
  const raw = new Uint8Array(t.data.buffer.slice(t.data.byteOffset, t.data.byteOffset + t.data.byteLength));
  return { name, dims: t.dims, dataType: DataType.FLOAT, rawData: raw };
}

/** Writes one ONNX test-data .pb file (a serialized float TensorProto). */
export function writeTensorProto(name: string, t: { dims: number[]; data: Float32Array }): Uint8Array {
  return onnx.TensorProto.encode(onnx.TensorProto.create(tensorProtoOf(name, t))).finish();
}
