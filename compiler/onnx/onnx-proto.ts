// The ONNX protobuf schema (package onnx-proto, protobufjs 6 static code) and a decoder that
// turns every protobuf failure into a typed CnnaError. Invariant: bytes fields (raw_data) are
// returned as zero-copy views into the input buffer, so decoding a 550 MB model copies nothing.

import onnxProto from 'onnx-proto';
import type { onnx as OnnxNs } from 'onnx-proto';
import { CnnaError } from '../errors/cnna-error.ts';

export const onnx = onnxProto.onnx;
export type ModelProto = OnnxNs.ModelProto;
export type GraphProto = OnnxNs.IGraphProto;
export type NodeProto = OnnxNs.INodeProto;
export type TensorProto = OnnxNs.ITensorProto;
export type AttributeProto = OnnxNs.IAttributeProto;
export type ValueInfoProto = OnnxNs.IValueInfoProto;

/** TensorProto.DataType values that cnna reads. */
export const DataType = {
  FLOAT: 1, UINT8: 2, INT8: 3, UINT16: 4, INT16: 5, INT32: 6, INT64: 7, STRING: 8, BOOL: 9,
  FLOAT16: 10, DOUBLE: 11, UINT32: 12, UINT64: 13,
} as const;

/** AttributeProto.AttributeType values. */
export const AttrType = {
  UNDEFINED: 0, FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, FLOATS: 6, INTS: 7, STRINGS: 8,
  TENSORS: 9, GRAPHS: 10,
} as const;

/** Converts a protobufjs int64 (number or Long) to a JS number; NaN when it is not exactly representable. */
export function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v && typeof v === 'object' && 'low' in v && 'high' in v) {
    const l = v as { low: number; high: number; unsigned?: boolean };
    const hi = l.unsigned ? l.high >>> 0 : l.high | 0;
    const n = hi * 4294967296 + (l.low >>> 0);
    return Number.isSafeInteger(n) ? n : NaN;
  }
  if (typeof v === 'string') return Number(v);
  return NaN;
}

/** Decodes ONNX ModelProto bytes. `what` names the file for the error message. */
export function decodeModel(bytes: Uint8Array, what = 'model'): ModelProto {
  let model: ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    if (/index out of range/.test(msg)) {
      throw new CnnaError('E_TRUNCATED', `${what}: the file ends early (${msg}); it is truncated or not an ONNX model`, { cause: e });
    }
    throw new CnnaError('E_FORMAT', `${what}: not a valid ONNX protobuf (${msg})`, { cause: e });
  }
  if (!model.graph) {
    throw new CnnaError('E_FORMAT', `${what}: not an ONNX model: it has no graph`, {
      hint: 'pass an .onnx file exported by torch.onnx, tf2onnx or onnx.helper',
    });
  }
  return model;
}

/** Decodes a single TensorProto (the ONNX test-data .pb format). */
export function decodeTensor(bytes: Uint8Array, what = 'tensor'): OnnxNs.TensorProto {
  try {
    return onnx.TensorProto.decode(bytes);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    if (/index out of range/.test(msg)) {
      throw new CnnaError('E_TRUNCATED', `${what}: the file ends early (${msg}); it is truncated or not a TensorProto`, { cause: e });
    }
    throw new CnnaError('E_FORMAT', `${what}: not a valid ONNX TensorProto (${msg})`, { cause: e });
  }
}
