// What an op converter sees: the ONNX node, typed attribute readers that reject wrong types and
// unknown attributes, the shapes of its inputs and the values of its constant inputs.
// Converters return an IR node, or constant values when the op folds away (shape helpers).

import { CnnaError } from '../errors/cnna-error.ts';
import type { Node, Shape } from '../ir/graph.ts';
import { AttrType, toNumber, type AttributeProto, type NodeProto } from './onnx-proto.ts';
import { tensorFromProto } from './tensor-proto.ts';
import { MAX_WINDOW } from './limits.ts';

/** A value known at import time (initializer, Constant, or folded shape arithmetic). */
export interface ConstValue {
  dims: number[];
  data: Float32Array;
  /** Exact values for integer tensors. */
  ints?: Float64Array;
}

/** An IR node (with any new constants it reads, by name), or folded constant outputs. */
export type ConvertResult = { node: Node; newConsts?: Record<string, ConstValue> } | { consts: ConstValue[] };

export interface OpContext {
  readonly name: string;
  readonly opType: string;
  readonly opset: number;
  readonly inputs: string[];
  readonly outputs: string[];
  readonly attrs: AttrReader;
  /** Shape of input i, or undefined when the optional input is absent. */
  shape(i: number): Shape | undefined;
  /** Shape of input i; fails with E_GRAPH when absent. */
  needShape(i: number): Shape;
  /** Value of input i when known at import time. */
  constant(i: number): ConstValue | undefined;
  /** Integer values of a constant input i, or a clear error when it is not constant. */
  constInts(i: number, what: string): number[];
  /** Fails with E_UNSUPPORTED naming the node and op. */
  unsupported(msg: string): never;
  /** Fails with E_GRAPH naming the node and op. */
  invalid(msg: string): never;
}

const TYPE_LABEL: Record<number, string> = {
  1: 'float', 2: 'int', 3: 'string', 4: 'tensor', 5: 'graph', 6: 'floats', 7: 'ints', 8: 'strings',
};

function attrType(a: AttributeProto): number {
  if (a.type) return a.type;
  if (a.ints && a.ints.length) return AttrType.INTS;
  if (a.floats && a.floats.length) return AttrType.FLOATS;
  if (a.t) return AttrType.TENSOR;
  if (a.s && a.s.length) return AttrType.STRING;
  return AttrType.UNDEFINED;
}

export class AttrReader {
  private readonly map = new Map<string, AttributeProto>();

  constructor(private readonly where: string, attrs: AttributeProto[], allowed: readonly string[]) {
    for (const a of attrs) {
      const n = a.name ?? '';
      if (!allowed.includes(n)) {
        throw new CnnaError('E_UNSUPPORTED', `${where}: attribute ${n || "''"} is not supported; supported: ${allowed.length ? allowed.join(', ') : '(none)'}`);
      }
      this.map.set(n, a);
    }
  }

  has(name: string): boolean {
    return this.map.has(name);
  }

  private get(name: string, type: number): AttributeProto | undefined {
    const a = this.map.get(name);
    if (!a) return undefined;
    const t = attrType(a);
    if (t !== type && !(t === AttrType.UNDEFINED && (type === AttrType.INTS || type === AttrType.FLOATS))) {
      throw new CnnaError('E_FORMAT', `${this.where}: attribute ${name} must be of type ${TYPE_LABEL[type]}, it is ${TYPE_LABEL[t] ?? `type ${t}`}`);
    }
    return a;
  }

  int(name: string, def: number): number {
    const a = this.get(name, AttrType.INT);
    if (!a) return def;
    const v = toNumber(a.i ?? 0);
    if (!Number.isSafeInteger(v)) throw new CnnaError('E_FORMAT', `${this.where}: attribute ${name} is not a valid integer`);
    return v;
  }

  float(name: string, def: number): number {
    const a = this.get(name, AttrType.FLOAT);
    return a ? (a.f ?? 0) : def;
  }

  string(name: string, def: string): string {
    const a = this.get(name, AttrType.STRING);
    if (!a) return def;
    return Buffer.from(a.s ?? new Uint8Array()).toString('utf8');
  }

  ints(name: string): number[] | undefined {
    const a = this.get(name, AttrType.INTS);
    if (!a) return undefined;
    const v = (a.ints ?? []).map(toNumber);
    if (v.some((x) => !Number.isSafeInteger(x))) throw new CnnaError('E_FORMAT', `${this.where}: attribute ${name} holds a value that is not a valid integer`);
    return v;
  }

  floats(name: string): number[] | undefined {
    const a = this.get(name, AttrType.FLOATS);
    return a ? [...(a.floats ?? [])] : undefined;
  }

  tensor(name: string): ConstValue | undefined {
    const a = this.get(name, AttrType.TENSOR);
    if (!a || !a.t) return undefined;
    const t = tensorFromProto(a.t, `${this.where}: attribute ${name}`);
    return { dims: t.dims, data: t.data, ints: t.ints };
  }

  /** ints attribute of exactly `len` values each in [min, MAX_WINDOW]. */
  windowInts(name: string, len: number, def: number[], min: number): number[] {
    const v = this.ints(name);
    if (!v) return def;
    if (v.length !== len) throw new CnnaError('E_UNSUPPORTED', `${this.where}: attribute ${name}=[${v.join(', ')}] must have ${len} values (cnna supports 2-D windows)`);
    for (const x of v) {
      if (x < min || x > MAX_WINDOW) throw new CnnaError(x > MAX_WINDOW ? 'E_LIMIT' : 'E_GRAPH', `${this.where}: attribute ${name}=[${v.join(', ')}] must hold values in [${min}, ${MAX_WINDOW}]`);
    }
    return v;
  }
}

export function nodeWhere(node: NodeProto, name: string): string {
  return `node '${name}' (${node.opType ?? ''})`;
}
