// A small ONNX model builder (the subset of onnx.helper that tests, the zoo and the fuzzer
// need): float tensors as raw_data initializers, nodes with int/float/string/ints/floats
// attributes, and float graph inputs/outputs with fixed or symbolic dims.

import { DataType, onnx, type AttributeProto, type TensorProto, type ModelProto, type NodeProto, type ValueInfoProto } from './onnx-proto.ts';
import { tensorProtoOf } from './tensor-proto.ts';

export type AttrValue = number | string | number[] | { floats: number[] } | { int: number } | { float: number };

export interface ModelSpec {
  name?: string;
  opset?: number;
  inputs: { name: string; dims: (number | string)[] }[];
  outputs: { name: string; dims?: (number | string)[] }[];
  /** `int64: true` stores the values as INT64 (shape vectors, pads, axes). */
  initializers?: { name: string; dims: number[]; data: Float32Array | number[]; int64?: boolean }[];
  nodes: { op: string; name?: string; inputs: string[]; outputs: string[]; attrs?: Record<string, AttrValue>; domain?: string }[];
}

/** Integers become INT(S), other numbers FLOAT; force a kind with { int }, { float } or { floats }. */
export function attribute(name: string, v: AttrValue): AttributeProto {
  const A = onnx.AttributeProto.AttributeType;
  if (typeof v === 'string') return { name, type: A.STRING, s: new TextEncoder().encode(v) };
  if (typeof v === 'number') return Number.isInteger(v) ? { name, type: A.INT, i: v } : { name, type: A.FLOAT, f: v };
  if (Array.isArray(v)) return { name, type: A.INTS, ints: v };
  if ('floats' in v) return { name, type: A.FLOATS, floats: v.floats };
  if ('int' in v) return { name, type: A.INT, i: v.int };
  return { name, type: A.FLOAT, f: v.float };
}

function valueInfo(name: string, dims?: (number | string)[]): ValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType: 1, shape: dims ? { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) } : undefined } },
  };
}

export function int64Tensor(name: string, dims: number[], values: number[]): TensorProto {
  const raw = new Uint8Array(BigInt64Array.from(values.map((v) => BigInt(v))).buffer);
  return { name, dims, dataType: DataType.INT64, rawData: raw };
}

export function buildModelProto(spec: ModelSpec): ModelProto {
  const nodes: NodeProto[] = spec.nodes.map((n, i) => ({
    opType: n.op, name: n.name ?? `${n.op.toLowerCase()}${i}`, input: n.inputs, output: n.outputs, domain: n.domain ?? '',
    attribute: Object.entries(n.attrs ?? {}).map(([k, v]) => attribute(k, v)),
  }));
  return onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'cnna-build-model',
    opsetImport: [{ domain: '', version: spec.opset ?? 13 }],
    graph: {
      name: spec.name ?? 'graph',
      node: nodes,
      initializer: (spec.initializers ?? []).map((t) => (t.int64 ? int64Tensor(t.name, t.dims, Array.from(t.data)) : tensorProtoOf(t.name, { dims: t.dims, data: Float32Array.from(t.data) }))),
      input: spec.inputs.map((i) => valueInfo(i.name, i.dims)),
      output: spec.outputs.map((o) => valueInfo(o.name, o.dims)),
    },
  });
}

export function buildModel(spec: ModelSpec): Uint8Array {
  return onnx.ModelProto.encode(buildModelProto(spec)).finish();
}
