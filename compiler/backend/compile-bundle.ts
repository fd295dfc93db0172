// The back end: QuantizedModel + hardware config -> program bundle (in memory). Walks the graph
// in node order, places every activation in the DDR arena (act-alloc.ts), maps each engine
// layer to JOB descriptors (map-*.ts), lays out the weight blocks and writes the manifest.
//
// Invariants: the bundle alone describes the run (descriptors, params, memory map, formats);
// no engine layer is ever computed differently from docs/bundle-format.md; anything the
// engine cannot do is refused (E_UNSUPPORTED / E_FIT) naming the node.
import { createHash } from 'node:crypto';
import type { Graph, Node } from '../ir/graph.ts';
import type { QuantizedModel } from '../golden/fixed/quantized-model.ts';
import { configHash, type HwConfig } from '../contracts/hw-config.ts';
import {
  DESC_BYTES, FORMAT_NAME, FORMAT_VERSION, Flag, MAX_BUNDLE_BATCH, encodeDescriptor, encodeHeader, jobWeightBlockBytes,
  type ActLayout, type Bundle, type HostOp, type Manifest, type ManifestLayer, type Segment, type TensorIo,
} from '../contracts/bundle-format.ts';
import { LUT_ENTRIES, unaryLut, unaryName } from '../golden/fixed/ops/host-ops.ts';
import { CnnaError } from '../errors/cnna-error.ts';
import { Arena, align, layoutBytes, planeLayout } from './act-alloc.ts';
import { BackendContext, type DdrValue, type LayerCycleModel, type WinogradMode } from './context.ts';
import { mapConv, convOut } from './map-conv.ts';
import { mapGemm } from './map-gemm.ts';
import { isFlatConcat, mapAdd, mapConcat, mapFlatConcat, mapPoolOrAct } from './map-identity.ts';

export type { Bundle } from '../contracts/bundle-format.ts';

const ALIAS_OPS = new Set(['flatten', 'reshape', 'identity', 'dropout']);

function shapeOf(g: Graph, name: string): number[] {
  const s = g.shapes.get(name);
  if (!s) throw new CnnaError('E_GRAPH', `value '${name}' has no inferred shape`);
  return s.map((d, i) => (i === 0 ? 1 : d));
}

function macsOf(node: Node, g: Graph, qm: QuantizedModel): number {
  if (node.op === 'conv') {
    const w = qm.weights.get(node.name)!;
    const x = shapeOf(g, node.inputs[0]);
    const [M, Cg, KH, KW] = w.dims;
    const OH = convOut(x[2], KH, node.strides[0], node.dilations[0], node.pads[0], node.pads[2]);
    const OW = convOut(x[3], KW, node.strides[1], node.dilations[1], node.pads[1], node.pads[3]);
    return M * Cg * KH * KW * OH * OW;
  }
  if (node.op === 'gemm') {
    const w = qm.weights.get(node.name)!;
    return w.dims[0] * w.dims[1];
  }
  return 0;
}

/** Conv output rows and columns of a conv node (before its fused pool). */
function convShape(node: Node & { op: 'conv' }, g: Graph): [number, number] {
  const x = shapeOf(g, node.inputs[0]);
  return [
    convOut(x[2], 3, node.strides[0], node.dilations[0], node.pads[0], node.pads[2]),
    convOut(x[3], 3, node.strides[1], node.dilations[1], node.pads[1], node.pads[3]),
  ];
}

/**
 * Repeat a layer's jobs (ctx.jobs[first..], image 0) for images 1..batch-1: each address inside one of the
 * node's tensors moves by that tensor's imageStride; an address outside them (a temporary the layer writes
 * and reads itself) stays, which is safe because the engine runs jobs in order and each copy keeps the
 * original's SYNC flags.
 */
function repeatPerImage(ctx: BackendContext, node: Node, first: number): void {
  const ts: ActLayout[] = [];
  for (const v of [...node.inputs, node.outputs[0]]) {
    const t = ctx.values.get(v)?.t;
    if (t && !ts.includes(t)) ts.push(t);
  }
  const shift = (addr: number, n: number): number => {
    const t = ts.find((x) => addr >= x.offset && addr < x.offset + layoutBytes(x));
    return t ? addr + n * (t.imageStride ?? 0) : addr;
  };
  const jobs = ctx.jobs.slice(first);
  for (let n = 1; n < ctx.batch; n++) {
    for (const d of jobs) ctx.jobs.push({ ...d, inAddr: shift(d.inAddr, n), outAddr: shift(d.outAddr, n) });
  }
}

export interface CompileOptions {
  /** Model name for the manifest (default: graph name). */
  name?: string;
  /**
   * Descriptors, memory map and manifest only: weight blocks are sized but not built, so `weights` is
   * empty (params.size is still the real size) and the weights hash is ''. For the performance model
   * and design-space sweeps; the descriptors are identical to a full compile's.
   */
  layoutOnly?: boolean;
  /**
   * Winograd or direct for the eligible conv layers (3x3, stride 1, dilation 1, block fits the weight bank)
   * when the config has array.winograd: 'auto' (default) takes the fewer modeled cycles per layer, 'always'
   * every eligible layer (also before the few-channel tap packing), 'never' none. Ignored without array.winograd.
   */
  winograd?: WinogradMode;
  /**
   * The cycle model of the 'auto' Winograd/direct choice: cycles of a layer's planned jobs run alone.
   * The CLI and the sweep pass the performance model's timeline (sim/perf `perfCompileOptions`), so the
   * choice is the one the modeled latency rewards; without it, the per-job formula of planCycles
   * (compiler/backend/map-conv.ts: compute or transfer per job, no DDR latency or controller limit).
   */
  layerCycles?: LayerCycleModel;
  /**
   * Images one start runs (default 1, at most MAX_BUNDLE_BATCH). Every activation gets one copy per image;
   * conv and the other layers run once per image (their jobs repeated on each image's tensors), FC layers
   * as BATCH jobs that apply each weight word to up to MAX_BATCH images (docs/bundle-format.md "Batch").
   */
  batch?: number;
  /**
   * Early exits (BranchyNet-style cascades): graph outputs after which the host may stop. The layers each
   * exit needs run first, then an `exit` host op ends the engine segment; a runtime given a threshold stops
   * there when the exit's softmax maximum reaches it (docs/bundle-format.md "Segments").
   */
  exits?: string[];
}

/** Node order with the layers each exit needs first (in graph order), then the others: still topological. */
function exitOrder(g: Graph, exits: string[]): Node[] {
  const producer = new Map(g.nodes.map((n) => [n.outputs[0], n]));
  const done = new Set<Node>();
  const out: Node[] = [];
  for (const e of exits) {
    const need = new Set<Node>();
    const stack = [e];
    while (stack.length > 0) {
      const n = producer.get(stack.pop()!);
      if (!n || need.has(n)) continue;
      need.add(n);
      stack.push(...n.inputs);
    }
    for (const n of g.nodes) if (need.has(n) && !done.has(n)) { done.add(n); out.push(n); }
  }
  for (const n of g.nodes) if (!done.has(n)) out.push(n);
  return out;
}

/** Refuse a batch that is not an integer in 1..MAX_BUNDLE_BATCH (E_USAGE naming the value). */
export function checkBatch(batch: unknown): number {
  if (typeof batch !== 'number' || !Number.isInteger(batch) || batch < 1 || batch > MAX_BUNDLE_BATCH) {
    throw new CnnaError('E_USAGE', `batch must be an integer in 1..${MAX_BUNDLE_BATCH} (got ${String(batch)})`, {
      hint: `use --batch N with 1 <= N <= ${MAX_BUNDLE_BATCH}; FC weights are shared by up to 8 images per pass`,
    });
  }
  return batch;
}

/** Where the back end places one graph node (what `cnna inspect` shows). */
export interface Placement {
  /** accelerator: engine jobs, or layout only (no job); host: a host op (host segment) or the softmax tail; not mapped: the back end refuses it. */
  target: 'accelerator' | 'host' | 'not mapped';
  /** Why: the back end's refusal, or what the node becomes. */
  reason?: string;
  /** Engine jobs the node compiles to. */
  jobs: number;
}

/**
 * The back end's answer for every node, without stopping at the first refusal: the same walk as
 * compileBundle, so a node is `accelerator` exactly when compileBundle maps it. A node that
 * reads a value of a refused node is refused too (naming that value).
 */
export function planEngine(qm: QuantizedModel, config: HwConfig): Map<string, Placement> {
  const plan = new Map<string, Placement>();
  compileWith(qm, config, {}, plan);
  return plan;
}

export function compileBundle(qm: QuantizedModel, config: HwConfig, opts: CompileOptions = {}): Bundle {
  return compileWith(qm, config, opts, undefined)!;
}

function compileWith(qm: QuantizedModel, config: HwConfig, opts: CompileOptions, plan: Map<string, Placement> | undefined): Bundle | undefined {
  const g = qm.graph;
  const batch = checkBatch(opts.batch ?? 1);
  const ctx = new BackendContext(config, opts.layoutOnly ?? false, opts.winograd ?? 'auto', batch, opts.layerCycles);
  const { pi } = ctx;
  const arena = ctx.arena;
  const fmt = (name: string, where: string): number => {
    const f = qm.formats.get(name);
    if (f === undefined) throw new CnnaError('E_GRAPH', `${where}: value '${name}' has no fixed-point format`);
    return f;
  };

  // Liveness on root buffers (aliases share their input's buffer).
  const root = new Map<string, string>();
  const rootOf = (v: string): string => root.get(v) ?? v;
  const lastUse = new Map<string, number>();
  const exits = opts.exits ?? [];
  for (const e of exits) {
    const p = g.nodes.find((n) => n.outputs[0] === e);
    if (!g.outputs.some((o) => o.name === e) || !p) throw new CnnaError('E_USAGE', `exit '${e}' is not an output of the model (outputs: ${g.outputs.map((o) => o.name).join(', ')})`);
    if (p.op === 'softmax') throw new CnnaError('E_UNSUPPORTED', `exit '${e}' is the output of a softmax; name the logits before it (the host takes the softmax of the exit itself)`);
  }
  const order = exits.length > 0 ? exitOrder(g, exits) : g.nodes;
  order.forEach((n, i) => {
    if (ALIAS_OPS.has(n.op)) root.set(n.outputs[0], rootOf(n.inputs[0]));
    for (const v of n.inputs) lastUse.set(rootOf(v), i);
  });
  const producers = new Map<string, Node>();
  for (const n of g.nodes) producers.set(n.outputs[0], n);
  const outputs = new Set(g.outputs.map((o) => o.name));
  for (const o of g.outputs) {
    const p = producers.get(o.name);
    const src = p?.op === 'softmax' ? p.inputs[0] : o.name;
    lastUse.set(rootOf(src), Infinity);
  }

  const newValue = (name: string, where: string, c: number, h: number, w: number, order: DdrValue['order']): DdrValue => {
    const t = planeLayout(pi, c, h, w);
    ctx.allocTensor(t);
    const v: DdrValue = { t, f: fmt(name, where), shape: shapeOf(g, name), order };
    ctx.values.set(name, v);
    return v;
  };

  const inputs: TensorIo[] = [];
  for (const vi of g.inputs) {
    const b = g.shapes.get(vi.name)?.[0] ?? 1;
    if (b > 1) throw new CnnaError('E_UNSUPPORTED', `input '${vi.name}' has batch ${b}; bundles run batch 1 (the host loops over images)`);
    const s = shapeOf(g, vi.name);
    const v = s.length === 4 ? newValue(vi.name, `input '${vi.name}'`, s[1], s[2], s[3], 'nchw')
      : s.length === 3 ? newValue(vi.name, `input '${vi.name}'`, s[1], 1, s[2], 'nchw')
        : s.length === 2 ? newValue(vi.name, `input '${vi.name}'`, s[1], 1, 1, 'vector')
          : (() => { throw new CnnaError('E_UNSUPPORTED', `input '${vi.name}' has shape [${s}]; the engine takes [N, C, H, W], [N, C, L] or [N, F]`); })();
    inputs.push({ name: vi.name, shape: s, f: v.f, layout: v.t, order: v.order });
  }

  const hostTails = new Map<string, { op: 'softmax'; axis: number; coerce2d: boolean; output: string }>();
  // Segments in execution order: runs of engine nodes between host ops (docs/bundle-format.md "Segments").
  type Draft = { kind: 'engine'; nodes: Node[]; jobs: [number, number]; layers: [number, number] } | { kind: 'host'; nodes: Node[]; ops: HostOp[] };
  const drafts: Draft[] = [];
  const engineDraft = (jobsFrom: number, layersFrom: number): Draft & { kind: 'engine' } => {
    const last = drafts[drafts.length - 1];
    if (last?.kind === 'engine') return last;
    const d: Draft = { kind: 'engine', nodes: [], jobs: [jobsFrom, jobsFrom], layers: [layersFrom, layersFrom] };
    drafts.push(d);
    return d;
  };
  const hostDraft = (): Draft & { kind: 'host' } => {
    const last = drafts[drafts.length - 1];
    if (last?.kind === 'host') return last;
    const d: Draft = { kind: 'host', nodes: [], ops: [] };
    drafts.push(d);
    return d;
  };
  const hostTensor = (name: string, f: number) => ({ name, shape: shapeOf(g, name), f });
  const consumed = new Set(g.nodes.flatMap((n) => n.inputs));
  order.forEach((node, i) => {
    const where = `${node.op} node '${node.name}'`;
    const get = (name: string): DdrValue => {
      const v = ctx.values.get(name);
      if (v) return v;
      if (g.initializers.has(name) || qm.constants.has(name)) {
        throw new CnnaError('E_UNSUPPORTED', `${where} reads the constant '${name}'; the engine takes constants only as conv and FC weights`);
      }
      const p = producers.get(name);
      if (p) throw new CnnaError('E_UNSUPPORTED', `${where} reads '${name}', the output of ${p.op} node '${p.name}', which the engine does not run`);
      throw new CnnaError('E_UNSUPPORTED', `${where} reads '${name}', which is not an activation the engine holds`);
    };
    const outName = node.outputs[0];
    const s = () => shapeOf(g, outName);
    const layerIndex = ctx.layers.length;
    let first = -1;
    const jobsBefore = ctx.jobs.length;
    try {
      switch (node.op) {
        case 'conv': {
          const x = get(node.inputs[0]);
          if (x.order !== 'nchw') throw new CnnaError('E_UNSUPPORTED', `${where}: its input is not a 4-D activation`);
          const o = s();
          first = mapConv(ctx, qm, node, x, newValue(outName, where, o[1], o[2], o[3], 'nchw'), layerIndex);
          break;
        }
        case 'gemm': {
          const x = get(node.inputs[0]);
          const o = s();
          if (o.length !== 2) throw new CnnaError('E_UNSUPPORTED', `${where}: output shape [${o}] is not [1, N]`);
          first = mapGemm(ctx, qm, node, x, newValue(outName, where, o[1], 1, 1, 'vector'), layerIndex);
          break;
        }
        case 'pool': case 'activation': {
          const x = get(node.inputs[0]);
          const o = s();
          const out = o.length === 4 && node.op === 'pool' ? newValue(outName, where, o[1], o[2], o[3], 'nchw') : newValue(outName, where, x.t.c, x.t.h, x.t.w, x.order);
          first = mapPoolOrAct(ctx, node, x, out, layerIndex);
          break;
        }
        case 'add': {
          const a = get(node.inputs[0]);
          const b = get(node.inputs[1]);
          first = mapAdd(ctx, node, a, b, newValue(outName, where, a.t.c, a.t.h, a.t.w, a.order), layerIndex, qm.addScales?.get(node.name));
          break;
        }
        case 'concat': {
          const parts = node.inputs.map(get);
          const o = s();
          if (isFlatConcat(ctx, node, parts, o.length)) {
            const r = mapFlatConcat(ctx, node, parts, fmt(outName, where), o, layerIndex);
            ctx.values.set(outName, r.value);
            first = r.first;
            break;
          }
          const c = parts.reduce((a, p) => a + p.t.c, 0);
          first = mapConcat(ctx, node, parts, newValue(outName, where, c, parts[0].t.h, parts[0].t.w, parts[0].order === 'vector' && o.length === 2 ? 'vector' : 'nchw'), layerIndex);
          break;
        }
        case 'flatten': case 'reshape': case 'identity': case 'dropout': {
          const x = get(node.inputs[0]);
          const o = s();
          let order: DdrValue['order'];
          if (o.length === 4 && o[1] === x.t.c && o[2] === x.t.h && o[3] === x.t.w) order = 'nchw';
          else if (x.order === 'vector' || (x.t.h === 1 && x.t.w === 1)) order = o.length === 4 ? 'nchw' : 'vector';
          else if (o.length === 2) order = 'chw-flat';
          else throw new CnnaError('E_UNSUPPORTED', `${where}: reshaping [${x.shape}] to [${o}] needs a data relayout the engine does not do`);
          if (order === 'nchw' && o.length === 4 && !(o[1] === x.t.c && o[2] === x.t.h && o[3] === x.t.w)) {
            throw new CnnaError('E_UNSUPPORTED', `${where}: reshaping [${x.shape}] to [${o}] needs a data relayout the engine does not do`);
          }
          ctx.values.set(outName, { t: x.t, f: x.f, shape: o, order });
          break;
        }
        case 'unary': {
          const x = get(node.inputs[0]);
          if (x.parts) throw new CnnaError('E_UNSUPPORTED', `${where} reads a concat of flattened tensors, which only an FC layer reads`);
          const out = newValue(outName, where, x.t.c, x.t.h, x.t.w, x.order);
          const table = unaryLut(node.fn, x.f, out.f, node.exponent);
          const fn = unaryName(node.fn, node.exponent);
          const offset = ctx.params.add(opts.layoutOnly ? table.byteLength : new Uint8Array(table.buffer.slice(0)), `lut:${fn}/${x.f}/${out.f}`);
          const h = hostDraft();
          h.nodes.push(node);
          h.ops.push({ op: 'lut', fn, node: node.name, input: hostTensor(node.inputs[0], x.f), output: hostTensor(outName, out.f), table: { offset, entries: LUT_ENTRIES } });
          break;
        }
        case 'binary': {
          const a = get(node.inputs[0]);
          const b = get(node.inputs[1]);
          if (a.parts || b.parts) throw new CnnaError('E_UNSUPPORTED', `${where} reads a concat of flattened tensors, which only an FC layer reads`);
          const out = newValue(outName, where, a.t.c, a.t.h, a.t.w, a.order);
          const h = hostDraft();
          h.nodes.push(node);
          h.ops.push({ op: node.fn, node: node.name, input: hostTensor(node.inputs[0], a.f), input2: hostTensor(node.inputs[1], b.f), output: hostTensor(outName, out.f) });
          break;
        }
        case 'softmax': {
          if (consumed.has(outName)) {
            const x = get(node.inputs[0]);
            if (x.parts) throw new CnnaError('E_UNSUPPORTED', `${where} reads a concat of flattened tensors, which only an FC layer reads`);
            const out = newValue(outName, where, x.t.c, x.t.h, x.t.w, x.order);
            const h = hostDraft();
            h.nodes.push(node);
            h.ops.push({ op: 'softmax', node: node.name, axis: node.axis, coerce2d: node.coerce2d, input: hostTensor(node.inputs[0], x.f), output: hostTensor(outName, out.f) });
            break;
          }
          if (!outputs.has(outName)) throw new CnnaError('E_UNSUPPORTED', `${where}: softmax is only supported as the last step before a graph output (it runs on the host)`);
        get(node.inputs[0]);
          hostTails.set(outName, { op: 'softmax', axis: node.axis, coerce2d: node.coerce2d, output: outName });
          break;
        }
        default:
          throw new CnnaError('E_UNSUPPORTED', `${where}: the engine has no mapping for '${node.op}'`, { hint: 'run the optimize passes first (they fold BatchNorm, pads and constants), or run this model in the golden model' });
      }
    } catch (e) {
      if (!plan || !(e instanceof CnnaError)) throw e;
      ctx.values.delete(outName);
      plan.set(node.name, { target: 'not mapped', reason: e.message, jobs: 0 });
      return;
    }
    const isHostOp = node.op === 'unary' || node.op === 'binary' || (node.op === 'softmax' && consumed.has(outName));
    if (!isHostOp && node.op !== 'softmax') {
      const d = engineDraft(jobsBefore, layerIndex);
      d.nodes.push(node);
    }
    if (plan) {
      const jobs = ctx.jobs.length - jobsBefore;
      plan.set(node.name, isHostOp ? { target: 'host', reason: `host segment: ${node.op === 'unary' ? `${unaryName(node.fn, node.exponent)} as a 16-bit lookup table` : node.op === 'binary' ? `${node.fn} of two tensors` : 'softmax in float64, requantized'}`, jobs: 0 }
        : node.op === 'softmax' ? { target: 'host', reason: 'softmax tail, runs on the host', jobs: 0 }
        : jobs === 0 ? { target: 'accelerator', reason: 'layout only (no job)', jobs: 0 } : { target: 'accelerator', jobs });
    }
    if (first >= 0 && batch > 1 && !(ctx.jobs[first].flags & Flag.BATCH)) repeatPerImage(ctx, node, first);
    if (first >= 0) {
      const blocks = new Map<number, number>();
      for (let j = first; j < ctx.jobs.length; j++) {
        const d = ctx.jobs[j];
        blocks.set(d.wAddr, jobWeightBlockBytes(pi, ctx.po, d));
      }
      const tensors = new Set([...node.inputs.filter((v) => ctx.values.has(v)).map((v) => ctx.values.get(v)!.t), ctx.values.get(outName)!.t]);
      let minDdrBytes = [...blocks.values()].reduce((a, b) => a + b, 0);
      for (const t of tensors) minDdrBytes += layoutBytes(t) * batch;
      const layer: ManifestLayer = { name: node.name, op: node.op, jobs: [first + 1, ctx.jobs.length], macs: macsOf(node, g, qm) * batch, minDdrBytes };
      if (node.op === 'conv' && ctx.jobs[first].flags & Flag.WINOGRAD) {
        const [M, Cg] = qm.weights.get(node.name)!.dims;
        const o = shapeOf(g, outName);
        const pre = node.pool ? convShape(node, g) : [o[2], o[3]];
        layer.winograd = true;
        layer.mults = M * Cg * 16 * Math.ceil(pre[0] / 2) * Math.ceil(pre[1] / 2) * batch;
      }
      ctx.layers.push(layer);
    }
    const cur = drafts[drafts.length - 1];
    if (cur?.kind === 'engine') { cur.jobs[1] = ctx.jobs.length; cur.layers[1] = ctx.layers.length; }
    if (exits.includes(outName) && !plan) {
      const h = hostDraft();
      const t = hostTensor(outName, fmt(outName, where));
      h.ops.push({ op: 'exit', node: `exit ${outName}`, input: t, output: t });
    }
    for (const v of node.inputs) {
      const r = rootOf(v);
      if (lastUse.get(r) === i && ctx.values.has(r) && !g.inputs.some((x) => x.name === r)) {
        const t = ctx.values.get(r)!.t;
        arena.release(t.offset, ctx.tensorBytes(t));
      }
    }
  });
  if (plan) {
    for (const o of g.outputs) {
      const tail = hostTails.get(o.name);
      const src = tail ? producers.get(o.name)!.inputs[0] : o.name;
      const p = producers.get(src);
      if (p && ctx.values.get(src)?.parts) plan.set(p.name, { target: 'not mapped', reason: `graph output '${o.name}' is a concat of flattened tensors, which the engine only feeds to an FC layer`, jobs: 0 });
    }
    for (const d of ctx.jobs) {
      const layer = ctx.layers[d.layer];
      try {
        encodeDescriptor(d, new DataView(new ArrayBuffer(DESC_BYTES)), 0);
      } catch (e) {
        if (layer) plan.set(layer.name, { target: 'not mapped', reason: `layer '${layer.name}': ${(e as Error).message}`, jobs: 0 });
      }
    }
    return undefined;
  }
  if (ctx.jobs.length === 0) throw new CnnaError('E_UNSUPPORTED', 'the model has no layer the engine runs');

  const outs: TensorIo[] = g.outputs.map((o) => {
    const tail = hostTails.get(o.name);
    const src = tail ? producers.get(o.name)!.inputs[0] : o.name;
    const v = ctx.values.get(src);
    if (!v) throw new CnnaError('E_UNSUPPORTED', `graph output '${o.name}' is not an activation the engine writes`);
    if (v.parts) throw new CnnaError('E_UNSUPPORTED', `graph output '${o.name}' is a concat of flattened tensors, which the engine only feeds to an FC layer`);
    return { name: o.name, shape: shapeOf(g, o.name), f: v.f, layout: v.t, order: v.order, ...(tail ? { hostTail: [tail] } : {}) };
  });

  // Segments: an engine run without jobs (layout nodes only, between host ops) becomes host copies.
  const hasHost = drafts.some((d) => d.kind === 'host');
  const segs: Draft[] = [];
  for (const d of drafts) {
    let h: Draft = d;
    if (d.kind === 'engine' && d.jobs[0] === d.jobs[1]) {
      h = {
        kind: 'host', nodes: d.nodes,
        ops: d.nodes.map((n): HostOp => ({ op: 'reshape', node: n.name, input: hostTensor(n.inputs[0], fmt(n.inputs[0], n.name)), output: hostTensor(n.outputs[0], fmt(n.outputs[0], n.name)) })),
      };
    }
    const last = segs[segs.length - 1];
    if (h.kind === 'host' && last?.kind === 'host') { last.nodes.push(...h.nodes); last.ops.push(...h.ops); } else segs.push(h);
  }
  const engineSegs = hasHost ? segs.filter((d): d is Draft & { kind: 'engine' } => d.kind === 'engine')
    : [{ kind: 'engine' as const, nodes: g.nodes, jobs: [0, ctx.jobs.length] as [number, number], layers: [0, ctx.layers.length] as [number, number] }];
  const headers: number[] = [];
  let records = 0;
  for (const d of engineSegs) { headers.push(records); records += d.jobs[1] - d.jobs[0] + 1; }

  // Memory map and relocation.
  const descBytes = records * DESC_BYTES;
  const paramsOffset = align(descBytes);
  const weights = opts.layoutOnly ? new Uint8Array(0) : ctx.params.concat();
  const actOffset = align(paramsOffset + ctx.params.size);
  const ddrBytes = align(actOffset + arena.top);
  if (ddrBytes > 2 ** 32 - 1) throw new CnnaError('E_FIT', `the bundle needs ${ddrBytes} bytes of DDR, beyond the engine's 32-bit addresses`);
  const reloc = (t: ActLayout): ActLayout => ({ ...t, offset: t.offset + actOffset });
  const hash = configHash(config);
  const descriptors = new Uint8Array(descBytes);
  const dv = new DataView(descriptors.buffer);
  engineSegs.forEach((seg, k) => {
    // Every address of a segment is relative to its HEADER (the engine runs it at BASE + 64·header).
    const H = headers[k];
    const base = H * DESC_BYTES;
    encodeHeader({ version: FORMAT_VERSION, count: seg.jobs[1] - seg.jobs[0], ddrBytes: ddrBytes - base, configHash: hash }, dv, base);
    for (let j = seg.jobs[0]; j < seg.jobs[1]; j++) {
      const d = ctx.jobs[j];
      const r = { ...d, inAddr: d.inAddr + actOffset - base, outAddr: d.outAddr + actOffset - base, wAddr: d.wAddr + paramsOffset - base, layer: d.layer - seg.layers[0] };
      if (j === seg.jobs[1] - 1) r.flags |= Flag.LAST;
      try {
        encodeDescriptor(r, dv, base + (j - seg.jobs[0] + 1) * DESC_BYTES);
      } catch (e) {
        const layer = ctx.layers[d.layer]?.name ?? '?';
        throw new CnnaError('E_FIT', `layer '${layer}': ${(e as Error).message}`, { hint: 'the layer is beyond the descriptor format limits' });
      }
    }
    for (let l = seg.layers[0]; l < seg.layers[1]; l++) {
      const L = ctx.layers[l];
      L.jobs = [L.jobs[0] + H - seg.jobs[0], L.jobs[1] + H - seg.jobs[0]];
    }
  });

  let segments: Segment[] | undefined;
  if (hasHost && batch > 1) {
    const ops = segs.filter((d) => d.kind === 'host').flatMap((d) => d.nodes.map((n) => `${n.op} node '${n.name}'`));
    throw new CnnaError('E_UNSUPPORTED', `batch ${batch}: the model has ops that run on the host (${ops.join(', ')}), and batch bundles run as one engine program`, {
      hint: 'compile it without --batch (batch 1), or use a model the engine runs entirely',
    });
  }
  if (hasHost) {
    const segOf = new Map<string, number>();
    segs.forEach((d, k) => { for (const n of d.nodes) segOf.set(n.name, k); });
    const valueSeg = new Map<string, number>();
    for (const n of g.nodes) if (segOf.has(n.name)) valueSeg.set(n.outputs[0], segOf.get(n.name)!);
    const tio = (name: string, as: string, where: string): TensorIo => {
      const v = ctx.values.get(name);
      if (!v) throw new CnnaError('E_GRAPH', `${where}: value '${name}' has no DDR tensor`);
      if (v.parts) throw new CnnaError('E_UNSUPPORTED', `${where}: value '${name}' is a concat of flattened tensors, which cannot cross a host segment; only an FC layer of the same engine segment reads it`);
      return { name: as, shape: shapeOf(g, as), f: v.f, layout: reloc(v.t), order: v.order };
    };
    for (const o of g.outputs) {
      const tail = hostTails.get(o.name);
      const k = tail ? valueSeg.get(producers.get(o.name)!.inputs[0]) : undefined;
      if (tail && (k === undefined || segs[k].kind === 'host')) throw new CnnaError('E_UNSUPPORTED', `graph output '${o.name}': a softmax tail needs an engine layer before it, here it follows a host op`);
    }
    let e = 0;
    segments = segs.map((d, k): Segment => {
      if (d.kind === 'host') return { kind: 'host', ops: d.ops };
      const where = `engine segment ${k}`;
      const ins: TensorIo[] = [];
      const seen = new Set<string>();
      for (const n of d.nodes) {
        for (const v of n.inputs) {
          if (!ctx.values.has(v) || valueSeg.get(v) === k || seen.has(v)) continue;
          seen.add(v);
          ins.push(tio(v, v, where));
        }
      }
      const outs: TensorIo[] = [];
      for (const n of d.nodes) {
        const v = n.outputs[0];
        const usedOutside = g.nodes.some((m) => segOf.has(m.name) && segOf.get(m.name) !== k && m.inputs.includes(v));
        if (outputs.has(v) || usedOutside) outs.push(tio(v, v, where));
        for (const o of g.outputs) if (hostTails.has(o.name) && producers.get(o.name)!.inputs[0] === v) outs.push(tio(v, o.name, where));
      }
      const H = headers[e++];
      return { kind: 'engine', header: H, count: d.jobs[1] - d.jobs[0], layers: [d.layers[0], d.layers[1] - 1], inputs: ins, outputs: outs };
    });
  }
  const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
  const manifest: Manifest = {
    format: FORMAT_NAME,
    version: FORMAT_VERSION,
    model: opts.name ?? g.name,
    configHash: hash,
    hwConfig: config,
    memoryMap: {
      ddrBytes,
      regions: [
        { name: 'descriptors', offset: 0, size: descBytes, file: 'descriptors.bin' },
        { name: 'params', offset: paramsOffset, size: ctx.params.size, file: 'weights.bin' },
        { name: 'activations', offset: actOffset, size: ddrBytes - actOffset },
      ],
    },
    descriptors: { file: 'descriptors.bin', offset: 0, count: ctx.jobs.length },
    params: { file: 'weights.bin', offset: paramsOffset, size: ctx.params.size },
    inputs: inputs.map((t) => ({ ...t, layout: reloc(t.layout) })),
    outputs: outs.map((t) => ({ ...t, layout: reloc(t.layout) })),
    layers: ctx.layers,
    ...(segments ? { segments } : {}),
    ...(batch > 1 ? { batch } : {}),
    files: { 'descriptors.bin': sha(descriptors), 'weights.bin': opts.layoutOnly ? '' : sha(weights) },
  };
  return { manifest, descriptors, weights };
}
