// Builds ONNX ModelProto bytes (opset 13, IR version 7) for generated and trained models.
// Small messages are encoded with onnx-proto's protobufjs encoder; initializer data is
// appended as raw_data by hand so a 550 MB VGG16 is never copied into one big buffer:
// `chunks()` returns the file as a list of pieces that reference the weight arrays, and
// `writeFile` streams them to disk (peak memory ≈ the weights themselves).
//
// Invariants: initializers are little-endian raw_data (float32 or int64); every protobuf
// length prefix is computed from the exact sizes of the pieces that follow it.
import { writeSync } from 'node:fs';
import onnxProto from 'onnx-proto';
import type { onnx as Onnx } from 'onnx-proto';
import { CnnaError } from '../compiler/errors/cnna-error.ts';
import { ioError } from '../compiler/errors/io-error.ts';
import { createAtomicFile } from '../compiler/util/atomic-write.ts';

const { onnx } = onnxProto;

export const OPSET = 13;
const IR_VERSION = 7;
const FLOAT = 1;
const INT64 = 7;

export type AttrValue =
  | { kind: 'int'; v: number }
  | { kind: 'ints'; v: number[] }
  | { kind: 'float'; v: number }
  | { kind: 'floats'; v: number[] }
  | { kind: 'string'; v: string };

export const int = (v: number): AttrValue => ({ kind: 'int', v });
export const ints = (v: number[]): AttrValue => ({ kind: 'ints', v });
export const float = (v: number): AttrValue => ({ kind: 'float', v });
export const floats = (v: number[]): AttrValue => ({ kind: 'floats', v });
export const str = (v: string): AttrValue => ({ kind: 'string', v });

/** A dimension is a fixed size or a symbolic name (e.g. 'batch'). */
export type Dim = number | string;

interface Initializer {
  name: string;
  dims: number[];
  data: Float32Array | BigInt64Array;
}

function attributeProto(name: string, a: AttrValue): Onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  switch (a.kind) {
    case 'int': return { name, type: T.INT, i: a.v };
    case 'ints': return { name, type: T.INTS, ints: a.v };
    case 'float': return { name, type: T.FLOAT, f: a.v };
    case 'floats': return { name, type: T.FLOATS, floats: a.v };
    case 'string': return { name, type: T.STRING, s: new TextEncoder().encode(a.v) };
  }
}

function valueInfo(name: string, shape: Dim[], elemType = FLOAT): Onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

function varint(n: number): Uint8Array {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return Uint8Array.from(out);
}

/** Tag byte(s) + length prefix for a length-delimited field. */
function lengthDelimited(field: number, length: number): Uint8Array {
  const tag = varint(field * 8 + 2);
  const len = varint(length);
  const out = new Uint8Array(tag.length + len.length);
  out.set(tag, 0);
  out.set(len, tag.length);
  return out;
}

const TENSOR_RAW_DATA = 9;
const GRAPH_INITIALIZER = 5;
const MODEL_GRAPH = 7;

export class OnnxBuilder {
  private readonly nodes: Onnx.INodeProto[] = [];
  private readonly inputs: Onnx.IValueInfoProto[] = [];
  private readonly outputs: Onnx.IValueInfoProto[] = [];
  private readonly inits: Initializer[] = [];
  private readonly names = new Set<string>();
  private readonly metadata: { key: string; value: string }[] = [];

  constructor(readonly graphName: string, readonly producer = 'cnna') {}

  input(name: string, shape: Dim[]): this {
    this.inputs.push(valueInfo(name, shape));
    return this;
  }

  output(name: string, shape: Dim[]): this {
    this.outputs.push(valueInfo(name, shape));
    return this;
  }

  /** Adds a constant. The array is referenced, not copied, until the bytes are written. */
  initializer(name: string, dims: number[], data: Float32Array | BigInt64Array): this {
    const count = dims.reduce((a, b) => a * b, 1);
    if (count !== data.length) {
      throw new CnnaError('E_GRAPH', `initializer '${name}': dims [${dims.join(', ')}] hold ${count} values but ${data.length} were given`);
    }
    if (this.names.has(name)) throw new CnnaError('E_GRAPH', `initializer '${name}' is defined twice`);
    this.names.add(name);
    this.inits.push({ name, dims, data });
    return this;
  }

  node(op: string, inputs: string[], outputs: string[], attrs: Record<string, AttrValue> = {}, name?: string): this {
    this.nodes.push({
      opType: op,
      name: name ?? `${op}_${this.nodes.length}`,
      input: inputs,
      output: outputs,
      attribute: Object.entries(attrs).map(([k, v]) => attributeProto(k, v)),
    });
    return this;
  }

  /** A ModelProto metadata_props entry (e.g. the formats a model was trained in, `cnna.formats`). */
  meta(key: string, value: string): this {
    this.metadata.push({ key, value });
    return this;
  }

  /** Number of parameters held in float initializers. */
  parameterCount(): number {
    return this.inits.reduce((s, i) => s + (i.data instanceof Float32Array ? i.data.length : 0), 0);
  }

  /** The serialized ModelProto as an ordered list of byte pieces (weights are views, not copies). */
  chunks(): Uint8Array[] {
    const graphHead = onnx.GraphProto.encode({
      name: this.graphName,
      node: this.nodes,
      input: this.inputs,
      output: this.outputs,
    }).finish();
    const graphParts: Uint8Array[] = [graphHead];
    for (const init of this.inits) {
      const meta = onnx.TensorProto.encode({
        name: init.name,
        dims: init.dims,
        dataType: init.data instanceof Float32Array ? FLOAT : INT64,
      }).finish();
      const raw = new Uint8Array(init.data.buffer, init.data.byteOffset, init.data.byteLength);
      const rawHead = lengthDelimited(TENSOR_RAW_DATA, raw.length);
      const tensorLen = meta.length + rawHead.length + raw.length;
      graphParts.push(lengthDelimited(GRAPH_INITIALIZER, tensorLen), meta, rawHead, raw);
    }
    const graphLen = graphParts.reduce((s, p) => s + p.length, 0);
    const modelHead = onnx.ModelProto.encode({
      irVersion: IR_VERSION,
      opsetImport: [{ domain: '', version: OPSET }],
      producerName: this.producer,
      producerVersion: '0.1.0',
      metadataProps: this.metadata,
    }).finish();
    return [modelHead, lengthDelimited(MODEL_GRAPH, graphLen), ...graphParts];
  }

  /** The whole file in one buffer (for small models). */
  toBytes(): Uint8Array {
    const parts = this.chunks();
    const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
    let off = 0;
    for (const p of parts) {
      out.set(p, off);
      off += p.length;
    }
    return out;
  }

  /** Streams the model to `path`, whole or not at all (temporary file, fsync, rename); `onProgress(bytesWritten, totalBytes)` after each piece. Returns the size. */
  writeFile(path: string, onProgress?: (done: number, total: number) => void): number {
    const parts = this.chunks();
    const total = parts.reduce((s, p) => s + p.length, 0);
    const file = createAtomicFile(path);
    const fd = file.fd;
    let done = 0;
    try {
      for (const p of parts) {
        const step = 64 << 20;
        for (let off = 0; off < p.length; off += step) {
          const piece = p.subarray(off, Math.min(p.length, off + step));
          let written = 0;
          while (written < piece.length) written += writeSync(fd, piece, written, piece.length - written);
          done += piece.length;
          onProgress?.(done, total);
        }
      }
    } catch (e) {
      file.abort();
      throw ioError(e, path, 'write');
    }
    file.commit();
    return total;
  }
}
