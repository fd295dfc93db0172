// ONNX -> graph IR. Decodes the model, checks its structure (opset, inputs, missing values,
// cycles), converts every node through the op table in topological order and infers every
// value's shape. Shape computations on constants fold away. Symbolic or dynamic batch axes
// become `opts.batch` (1 by default); other symbolic axes are rejected.

import { CnnaError } from '../errors/cnna-error.ts';
import type { Graph, Node, Shape, Tensor, ValueInfo } from '../ir/graph.ts';
import { fmt, inferNodeShapes } from '../ir/infer-shape.ts';
import { MAX_NODES } from './limits.ts';
import { readModel } from './read-model.ts';
import { decodeModel, toNumber, type NodeProto, type ValueInfoProto } from './onnx-proto.ts';
import { AttrReader, nodeWhere, type ConstValue, type OpContext } from './op-context.ts';
import { MAX_OPSET, resolveOp } from './op-resolve-rules.ts';
import { checkedElementCount, dataTypeName, tensorFromProto } from './tensor-proto.ts';

export interface ImportOptions {
  /** Size of a symbolic or dynamic batch axis (axis 0 of the graph inputs). Default 1. */
  batch?: number;
}


function opsetsOf(model: { opsetImport?: { domain?: string | null; version?: unknown }[] | null }, what: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const o of model.opsetImport ?? []) {
    const d = o.domain === 'ai.onnx' ? '' : (o.domain ?? '');
    m.set(d, toNumber(o.version));
  }
  const v = m.get('');
  if (v === undefined) throw new CnnaError('E_FORMAT', `${what}: the model declares no opset for the default ONNX domain`);
  if (!Number.isSafeInteger(v) || v < 1) throw new CnnaError('E_FORMAT', `${what}: invalid opset version ${v}`);
  if (v > MAX_OPSET) {
    throw new CnnaError('E_UNSUPPORTED', `${what}: opset ${v} is not supported; supported: opsets 1 to ${MAX_OPSET}`, {
      hint: `re-export the model with opset ${MAX_OPSET} or lower`,
    });
  }
  return m;
}

function inputShape(vi: ValueInfoProto, batch: number): Shape {
  const name = vi.name ?? '';
  const tt = vi.type?.tensorType;
  if (!tt) throw new CnnaError('E_UNSUPPORTED', `graph input '${name}' is not a tensor; supported: float tensors`);
  if (tt.elemType !== 1) {
    throw new CnnaError('E_UNSUPPORTED', `graph input '${name}' has element type ${dataTypeName(tt.elemType ?? 0)}; supported: FLOAT`);
  }
  if (!tt.shape) throw new CnnaError('E_UNSUPPORTED', `graph input '${name}' has no shape; cnna needs static input shapes`, { hint: 'export the model with a fixed input shape' });
  const dims = tt.shape.dim ?? [];
  const shape = dims.map((d, i) => {
    const v = d.dimValue === undefined || d.dimValue === null ? NaN : toNumber(d.dimValue);
    const hasValue = Number.isSafeInteger(v) && v > 0 && !d.dimParam;
    if (hasValue) return v;
    if (i === 0) return batch;
    const label = d.dimParam ? `'${d.dimParam}'` : String(v);
    throw new CnnaError('E_UNSUPPORTED', `graph input '${name}' has a symbolic or unknown dimension ${label} at axis ${i}; cnna supports a dynamic batch axis only`, {
      hint: 'export the model with fixed spatial and channel dimensions',
    });
  });
  checkedElementCount(shape, `graph input '${name}'`);
  return shape;
}

interface NodeItem { proto: NodeProto; name: string; index: number }

/** Orders nodes so every value is produced before it is read; E_GRAPH on a missing value or a cycle. */
function topoSort(nodes: NodeItem[], available: Set<string>): NodeItem[] {
  const producer = new Map<string, number>();
  nodes.forEach((n, i) => {
    for (const o of n.proto.output ?? []) {
      if (!o) continue;
      if (producer.has(o) || available.has(o)) {
        throw new CnnaError('E_GRAPH', `${nodeWhere(n.proto, n.name)}: value '${o}' is produced more than once`);
      }
      producer.set(o, i);
    }
  });
  const indeg = new Array<number>(nodes.length).fill(0);
  const users: number[][] = nodes.map(() => []);
  nodes.forEach((n, i) => {
    for (const x of n.proto.input ?? []) {
      if (!x || available.has(x)) continue;
      const p = producer.get(x);
      if (p === undefined) {
        throw new CnnaError('E_GRAPH', `${nodeWhere(n.proto, n.name)}: input '${x}' is missing: no node, graph input or initializer produces it`);
      }
      indeg[i]++;
      users[p].push(i);
    }
  });
  const ready: number[] = [];
  indeg.forEach((d, i) => d === 0 && ready.push(i));
  const order: NodeItem[] = [];
  for (let k = 0; k < ready.length; k++) {
    const i = ready[k];
    order.push(nodes[i]);
    for (const u of users[i]) if (--indeg[u] === 0) ready.push(u);
  }
  if (order.length !== nodes.length) {
    const stuck = nodes.filter((_, i) => indeg[i] > 0).map((n) => `'${n.name}'`);
    throw new CnnaError('E_GRAPH', `the graph has a cycle through nodes ${stuck.slice(0, 5).join(', ')}${stuck.length > 5 ? ', ...' : ''}`);
  }
  return order;
}

export function importOnnx(source: Uint8Array | string, opts: ImportOptions = {}): Graph {
  const batch = opts.batch ?? 1;
  if (!Number.isSafeInteger(batch) || batch < 1 || batch > 65_536) throw new CnnaError('E_USAGE', `batch must be an integer in [1, 65536], got ${batch}`);
  const what = typeof source === 'string' ? source : 'model';
  const model = typeof source === 'string' ? readModel(source) : decodeModel(source, what);
  const opsets = opsetsOf(model, what);
  const g = model.graph!;
  const protoNodes = g.node ?? [];
  if (protoNodes.length > MAX_NODES) throw new CnnaError('E_LIMIT', `${what}: ${protoNodes.length} nodes exceed the limit of ${MAX_NODES}`);
  if ((g.sparseInitializer ?? []).length) throw new CnnaError('E_UNSUPPORTED', `${what}: sparse initializers are not supported`);

  const consts = new Map<string, ConstValue>();
  const shapes = new Map<string, Shape>();
  for (const t of g.initializer ?? []) {
    const name = t.name ?? '';
    if (!name) throw new CnnaError('E_FORMAT', `${what}: an initializer has no name`);
    if (consts.has(name)) {
      throw new CnnaError('E_GRAPH', `${what}: initializer '${name}' is defined twice (ONNX value names must be unique)`, { hint: 'rename or remove one of them; onnx.checker.check_model reports this too' });
    }
    const d = tensorFromProto(t, `initializer '${name}'`);
    consts.set(name, { dims: d.dims, data: d.data, ints: d.ints });
    shapes.set(name, d.dims);
  }

  const inputs: ValueInfo[] = [];
  for (const vi of g.input ?? []) {
    const name = vi.name ?? '';
    if (consts.has(name)) continue;
    if (!name) throw new CnnaError('E_FORMAT', `${what}: a graph input has no name`);
    if (shapes.has(name)) throw new CnnaError('E_GRAPH', `graph input '${name}' is declared twice`);
    const shape = inputShape(vi, batch);
    inputs.push({ name, shape });
    shapes.set(name, shape);
  }

  const usedNames = new Set<string>();
  const items: NodeItem[] = protoNodes.map((proto, index) => {
    let name = proto.name || `${proto.opType || 'node'}_${index}`;
    if (usedNames.has(name)) name = `${name}_${index}`;
    usedNames.add(name);
    return { proto, name, index };
  });
  const order = topoSort(items, new Set(shapes.keys()));

  const nodes: Node[] = [];
  for (const { proto, name } of order) {
    const opType = proto.opType ?? '';
    const domain = proto.domain ?? '';
    const where = nodeWhere(proto, name);
    const opset = opsets.get(domain === 'ai.onnx' ? '' : domain) ?? 0;
    const rule = resolveOp(opType, domain, opset);
    if ('error' in rule) throw new CnnaError('E_UNSUPPORTED', `${where}: ${rule.error}`);
    const inNames = (proto.input ?? []).slice();
    const outNames = (proto.output ?? []).slice();
    if (outNames.length === 0 || !outNames[0]) throw new CnnaError('E_GRAPH', `${where}: the node has no output`);
    const attrs = new AttrReader(where, proto.attribute ?? [], rule[3]);
    const ctx: OpContext = {
      name, opType, opset, inputs: inNames, outputs: outNames, attrs,
      shape: (i) => (inNames[i] ? shapes.get(inNames[i]) : undefined),
      needShape: (i) => {
        const s = inNames[i] ? shapes.get(inNames[i]) : undefined;
        if (!s) throw new CnnaError('E_GRAPH', `${where}: input ${i} is missing`);
        return s;
      },
      constant: (i) => (inNames[i] ? consts.get(inNames[i]) : undefined),
      constInts: (i, label) => {
        const c = inNames[i] ? consts.get(inNames[i]) : undefined;
        if (!c) throw new CnnaError('E_UNSUPPORTED', `${where}: a non-constant ${label} input is not supported; supported: a constant ${label}`);
        const v = Array.from(c.ints ?? c.data);
        if (v.some((x) => !Number.isSafeInteger(x))) throw new CnnaError('E_GRAPH', `${where}: ${label} holds a value that is not an integer`);
        return v;
      },
      unsupported: (msg) => { throw new CnnaError('E_UNSUPPORTED', `${where}: ${msg}`); },
      invalid: (msg) => { throw new CnnaError('E_GRAPH', `${where}: ${msg}`); },
    };
    const res = rule[4](ctx);
    if ('consts' in res) {
      res.consts.forEach((c, i) => {
        const o = outNames[i];
        if (!o) return;
        checkedElementCount(c.dims, `${where}: output '${o}'`);
        if (c.data.length !== c.dims.reduce((a, b) => a * b, 1)) throw new CnnaError('E_GRAPH', `${where}: constant output '${o}' has ${c.data.length} values for dims ${fmt(c.dims)}`);
        consts.set(o, c);
        shapes.set(o, c.dims);
      });
      continue;
    }
    const node = res.node;
    for (const [k, c] of Object.entries(res.newConsts ?? {})) {
      if (shapes.has(k) || consts.has(k)) throw new CnnaError('E_GRAPH', `${where}: value name '${k}' that cnna generates is already used in the model`);
      consts.set(k, c);
      shapes.set(k, c.dims);
    }
    const outShapes = inferNodeShapes(node, node.inputs.map((x) => (x ? shapes.get(x) : undefined)));
    node.outputs.forEach((o, i) => shapes.set(o, outShapes[i]));
    nodes.push(node);
  }

  const outputs: ValueInfo[] = (g.output ?? []).map((vi) => {
    const name = vi.name ?? '';
    const shape = shapes.get(name);
    if (!shape) throw new CnnaError('E_GRAPH', `graph output '${name}' is missing: no node, graph input or initializer produces it`);
    return { name, shape };
  });
  if (outputs.length === 0) throw new CnnaError('E_GRAPH', `${what}: the graph has no outputs`);

  const initializers = new Map<string, Tensor>();
  const referenced = new Set<string>([...nodes.flatMap((n) => n.inputs), ...outputs.map((o) => o.name)]);
  for (const name of referenced) {
    const c = consts.get(name);
    if (c) initializers.set(name, { dims: c.dims, data: c.data });
  }
  const keptShapes = new Map<string, Shape>();
  for (const [k, v] of shapes) if (!consts.has(k) || initializers.has(k)) keptShapes.set(k, v);

  const metadata: Record<string, string> = {};
  for (const e of model.metadataProps ?? []) if (e.key) metadata[e.key] = e.value ?? '';
  return {
    name: g.name ?? '', opset: opsets.get('')!, inputs, outputs, initializers, nodes, shapes: keptShapes,
    ...(Object.keys(metadata).length > 0 ? { metadata } : {}),
  };
}
