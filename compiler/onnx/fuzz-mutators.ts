// Seeded mutators for the import fuzz test: byte-level (bit flips, truncation, overwrites,
// splices) and field-level (dims, attribute values and types, op_type strings, value names,
// opsets, data types, raw_data lengths) on a decoded ModelProto.

import { onnx, type ModelProto } from './onnx-proto.ts';

type Rand = () => number;
const int = (r: Rand, n: number): number => Math.floor(r() * n);
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[int(r, xs.length)];

const WILD_INTS = [0, -1, 1, 2, 3, 7, 64, 65535, 65536, 1 << 20, 2 ** 31 - 1, -(2 ** 31), 2 ** 40];
const OP_TYPES = ['Conv', 'MaxPool', 'AveragePool', 'Gemm', 'MatMul', 'Relu', 'Add', 'Concat', 'Softmax', 'Flatten', 'Reshape', 'Transpose',
  'BatchNormalization', 'Pad', 'Clip', 'Identity', 'Dropout', 'GlobalAveragePool', 'Shape', 'Gather', 'Unsqueeze', 'LSTM', '', 'conv', 'Resize'];
const AUTO_PADS = ['NOTSET', 'SAME_UPPER', 'SAME_LOWER', 'VALID', 'FOO', ''];

export function mutateBytes(src: Uint8Array, r: Rand): { bytes: Uint8Array; how: string } {
  const b = Uint8Array.from(src);
  switch (int(r, 4)) {
    case 0: {
      const flips = 1 + int(r, 8);
      for (let i = 0; i < flips; i++) b[int(r, b.length)] ^= 1 << int(r, 8);
      return { bytes: b, how: `flip ${flips} bits` };
    }
    case 1: {
      const n = int(r, b.length);
      return { bytes: b.subarray(0, n), how: `truncate to ${n}` };
    }
    case 2: {
      const at = int(r, b.length);
      const n = 1 + int(r, 6);
      for (let i = 0; i < n && at + i < b.length; i++) b[at + i] = int(r, 256);
      return { bytes: b, how: `overwrite ${n} bytes at ${at}` };
    }
    default: {
      const at = int(r, b.length);
      const from = int(r, b.length);
      const n = 1 + int(r, 32);
      const out = new Uint8Array(b.length + n);
      out.set(b.subarray(0, at));
      out.set(src.subarray(from, from + n), at);
      out.set(b.subarray(at), at + n);
      return { bytes: out.subarray(0, b.length + Math.min(n, src.length - from)), how: `splice ${n} bytes at ${at}` };
    }
  }
}

export function mutateFields(src: Uint8Array, r: Rand): { bytes: Uint8Array; how: string } {
  const m: ModelProto = onnx.ModelProto.decode(src);
  const g = m.graph!;
  const nodes = g.node ?? [];
  const inits = g.initializer ?? [];
  const names = [...nodes.flatMap((n) => [...(n.input ?? []), ...(n.output ?? [])]), ...inits.map((t) => t.name ?? ''), 'missing', ''];
  let how = '';
  switch (int(r, 10)) {
    case 0: if (inits.length) {
      const t = pick(r, inits);
      const dims = (t.dims ?? []).slice();
      if (dims.length && r() < 0.8) dims[int(r, dims.length)] = pick(r, WILD_INTS); else dims.push(pick(r, WILD_INTS));
      t.dims = dims;
      how = `initializer ${t.name} dims [${dims.join(',')}]`;
    } break;
    case 1: if (nodes.length) {
      const n = pick(r, nodes);
      const a = (n.attribute ?? []).filter((x) => x.ints?.length || x.i !== undefined);
      if (a.length) {
        const at = pick(r, a);
        if (at.ints?.length) at.ints = at.ints.map((v) => (r() < 0.5 ? pick(r, WILD_INTS) : v)); else at.i = pick(r, WILD_INTS);
        how = `attribute ${at.name} of ${n.name}`;
      }
    } break;
    case 2: if (nodes.length) {
      const n = pick(r, nodes);
      n.opType = pick(r, OP_TYPES);
      how = `op_type of ${n.name} = ${n.opType}`;
    } break;
    case 3: if (nodes.length) {
      const n = pick(r, nodes);
      const io = r() < 0.6 ? (n.input ??= []) : (n.output ??= []);
      if (io.length) io[int(r, io.length)] = pick(r, names); else io.push(pick(r, names));
      how = `value name of ${n.name}`;
    } break;
    case 4: {
      const n = pick(r, nodes);
      if (n) {
        const attrs = (n.attribute ??= []);
        const A = onnx.AttributeProto.AttributeType;
        const name = pick(r, ['auto_pad', 'kernel_shape', 'pads', 'strides', 'group', 'axis', 'perm', 'alpha', 'transB', 'dilations', 'ceil_mode', 'mode', 'bogus']);
        attrs.push(pick(r, [
          { name, type: A.INTS, ints: Array.from({ length: int(r, 9) }, () => pick(r, WILD_INTS)) },
          { name, type: A.INT, i: pick(r, WILD_INTS) },
          { name, type: A.STRING, s: new TextEncoder().encode(pick(r, AUTO_PADS)) },
          { name, type: A.FLOAT, f: pick(r, [0, -1, 1e30, NaN, 0.5]) },
          { name, type: int(r, 12) },
        ]));
        how = `add attribute ${name} to ${n.name}`;
      }
    } break;
    case 5: {
      const v = pick(r, [0, 1, 6, 7, 10, 11, 12, 13, 18, 21, 22, 1000, -1]);
      m.opsetImport = [{ domain: r() < 0.9 ? '' : 'com.microsoft', version: v }];
      how = `opset ${v}`;
    } break;
    case 6: if (inits.length) {
      const t = pick(r, inits);
      t.dataType = pick(r, [0, 1, 2, 3, 6, 7, 8, 9, 10, 11, 13, 16, 99]);
      how = `data_type of ${t.name} = ${t.dataType}`;
    } break;
    case 7: if (inits.length) {
      const t = pick(r, inits);
      const raw = t.rawData ?? new Uint8Array();
      t.rawData = raw.subarray(0, Math.max(0, raw.length - 1 - int(r, 8)));
      how = `raw_data of ${t.name} shortened`;
    } break;
    case 8: {
      const vi = pick(r, g.input ?? []);
      const dims = vi?.type?.tensorType?.shape?.dim;
      if (dims && dims.length) {
        const d = dims[int(r, dims.length)];
        if (r() < 0.3) { d.dimParam = 'sym'; d.dimValue = undefined; } else { d.dimValue = pick(r, WILD_INTS); d.dimParam = undefined; }
        how = `graph input dims of ${vi.name}`;
      }
    } break;
    default: if (nodes.length > 1) {
      const i = int(r, nodes.length);
      if (r() < 0.5) nodes.splice(i, 1); else nodes.push(nodes[i]);
      how = `remove or duplicate node ${i}`;
    } break;
  }
  return { bytes: onnx.ModelProto.encode(m).finish(), how: how || 'no-op' };
}
