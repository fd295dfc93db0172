// Runs a partitioned bundle (docs/bundle-format.md "Segments") on any engine executor: engine
// segments on the executor (each as its own bundle, compiler/backend/bundle-segments.ts), host
// segments here, on int16 tensors in ONNX element order with the rules of docs/numerics.md
// "Host ops" (lookup tables read from the bundle's weights.bin). The virtual board, `cnna simulate`
// and the tests share it; a bundle without segments is one engine run.
import type { Bundle, HostOp, Segment } from '../compiler/contracts/bundle-format.ts';
import { CnnaError } from '../compiler/errors/cnna-error.ts';
import { applyLut, binaryFixed, LUT_ENTRIES, softmaxFixed } from '../compiler/golden/fixed/ops/host-ops.ts';
import { engineViews } from '../compiler/backend/bundle-segments.ts';
import { softmax } from '../compiler/golden/fixed/ops/softmax.ts';

export interface SegmentRun { raw: Record<string, { q: Int16Array }>; cycles: number }

/** One engine segment's run: its view bundle and raw inputs by name in, raw outputs by name and cycles out. */
export type SegmentExecutor = (view: Bundle, raw: Record<string, Int16Array>, index: number) => SegmentRun;
export type AsyncSegmentExecutor = (view: Bundle, raw: Record<string, Int16Array>, index: number) => Promise<SegmentRun>;

export interface SegmentedResult {
  /** int16 values by name: every graph output (a softmax tail's output holds its input), and every value passed between segments. */
  values: Map<string, Int16Array>;
  cycles: number;
  /** Cycles of each engine segment, in order. */
  segmentCycles: number[];
  /** The early exit taken (its graph output's name), when an exit op's confidence reached the threshold. */
  exit?: string;
}

export interface SegmentRunOptions {
  /** Early exits: stop at an exit op whose softmax maximum is at least this (absent: run every segment). */
  exitThreshold?: number;
}

/** An exit's confidence: the largest softmax probability of its int16 logits (the host tail rule, float32). */
export function exitConfidence(q: Int16Array, f: number): number {
  const d = Float64Array.from(q, (v) => v * 2 ** -f);
  let best = 0;
  for (const p of softmax(d, [1, q.length], 1, false)) if (p > best) best = p;
  return best;
}

/** The early exits of a bundle: the graph outputs its `exit` host ops name, in segment order (none for a bundle compiled without `--exit`). */
export function exitOutputs(bundle: Bundle): string[] {
  return (bundle.manifest.segments ?? []).flatMap((s) => (s.kind === 'host' ? s.ops.filter((o) => o.op === 'exit').map((o) => o.input.name) : []));
}

/** The exit op of a host segment that stops the run at this threshold, if any. */
function exitTaken(s: Segment, values: Map<string, Int16Array>, t: number | undefined): string | undefined {
  if (t === undefined || s.kind !== 'host') return undefined;
  for (const op of s.ops) if (op.op === 'exit' && exitConfidence(values.get(op.input.name)!, op.input.f) >= t) return op.input.name;
  return undefined;
}

const lutCache = new WeakMap<Bundle, Map<number, Int16Array>>();

function table(bundle: Bundle, offset: number, entries: number): Int16Array {
  let m = lutCache.get(bundle);
  if (!m) { m = new Map(); lutCache.set(bundle, m); }
  let t = m.get(offset);
  if (!t) {
    if (entries !== LUT_ENTRIES || offset < 0 || offset + 2 * entries > bundle.weights.length) {
      throw new CnnaError('E_BUNDLE', `bundle '${bundle.manifest.model}': a host lookup table (${entries} entries at params offset ${offset}) does not lie in weights.bin (${bundle.weights.length} bytes)`);
    }
    t = new Int16Array(bundle.weights.slice(offset, offset + 2 * entries).buffer);
    m.set(offset, t);
  }
  return t;
}

/** Applies one host op to the values map. */
export function runHostOp(bundle: Bundle, op: HostOp, values: Map<string, Int16Array>): void {
  const x = values.get(op.input.name);
  const n = op.input.shape.reduce((a, b) => a * b, 1);
  if (!x || x.length !== n) throw new CnnaError('E_BUNDLE', `host op '${op.node}' (${op.op}) reads '${op.input.name}', which ${x ? `has ${x.length} values, not ${n}` : 'no earlier segment wrote'}`);
  switch (op.op) {
    case 'lut': values.set(op.output.name, applyLut(table(bundle, op.table.offset, op.table.entries), x)); break;
    case 'softmax': values.set(op.output.name, softmaxFixed(x, op.input.f, op.input.shape, op.axis, op.coerce2d, op.output.f)); break;
    case 'reshape': case 'exit': values.set(op.output.name, x); break;
    case 'mul': case 'div': {
      const y = values.get(op.input2.name);
      if (!y || y.length !== n) throw new CnnaError('E_BUNDLE', `host op '${op.node}' (${op.op}) reads '${op.input2.name}', which ${y ? `has ${y.length} values, not ${n}` : 'no earlier segment wrote'}`);
      values.set(op.output.name, binaryFixed(op.op, x, op.input.f, y, op.input2.f, op.output.f).q);
      break;
    }
    default: throw new CnnaError('E_BUNDLE', `bundle '${bundle.manifest.model}' has a host op '${(op as { op: string }).op}' this runtime does not know`, { hint: 'update cnna, or recompile the model with this version' });
  }
}

function engineInputs(view: Bundle, values: Map<string, Int16Array>): Record<string, Int16Array> {
  const raw: Record<string, Int16Array> = {};
  for (const io of view.manifest.inputs) {
    const v = values.get(io.name);
    if (!v) throw new CnnaError('E_BUNDLE', `engine segment of '${view.manifest.model}' reads '${io.name}', which no earlier segment wrote`);
    raw[io.name] = v;
  }
  return raw;
}

function plan(bundle: Bundle): { segs: Segment[]; views: Bundle[] } {
  const views = engineViews(bundle).map((e) => e.view);
  const segs = bundle.manifest.segments ?? [{ kind: 'engine', header: 0, count: bundle.manifest.descriptors.count, layers: [0, bundle.manifest.layers.length - 1], inputs: bundle.manifest.inputs, outputs: bundle.manifest.outputs }];
  return { segs, views };
}

/** One engine segment to run: its view (a bundle of its own), its raw inputs, its index among engine segments. */
interface EngineStep { view: Bundle; raw: Record<string, Int16Array>; index: number }

/**
 * The segment walk shared by the synchronous and asynchronous runners: host ops run here, each engine
 * segment is yielded to the caller, which sends back its run; stops early at a taken exit.
 */
function* walkSegments(bundle: Bundle, rawInputs: Record<string, Int16Array>, opts: SegmentRunOptions): Generator<EngineStep, SegmentedResult, SegmentRun> {
  const { segs, views } = plan(bundle);
  const values = new Map(Object.entries(rawInputs));
  const segmentCycles: number[] = [];
  const total = (): number => segmentCycles.reduce((a, b) => a + b, 0);
  let e = 0;
  for (const s of segs) {
    if (s.kind === 'host') {
      for (const op of s.ops) runHostOp(bundle, op, values);
      const exit = exitTaken(s, values, opts.exitThreshold);
      if (exit) return { values, cycles: total(), segmentCycles, exit };
      continue;
    }
    const view = views[e];
    const r = yield { view, raw: engineInputs(view, values), index: e++ };
    for (const io of view.manifest.outputs) values.set(io.name, r.raw[io.name].q);
    segmentCycles.push(r.cycles);
  }
  return { values, cycles: total(), segmentCycles };
}

/** Runs every segment in order on raw graph inputs (by name); engine segments on `exec`. */
export function runSegments(bundle: Bundle, rawInputs: Record<string, Int16Array>, exec: SegmentExecutor, opts: SegmentRunOptions = {}): SegmentedResult {
  const walk = walkSegments(bundle, rawInputs, opts);
  for (let step = walk.next(); ; ) {
    if (step.done) return step.value;
    step = walk.next(exec(step.value.view, step.value.raw, step.value.index));
  }
}

/** runSegments with an asynchronous engine executor (the RTL and HLS simulators, the virtual board). */
export async function runSegmentsAsync(bundle: Bundle, rawInputs: Record<string, Int16Array>, exec: AsyncSegmentExecutor, opts: SegmentRunOptions = {}): Promise<SegmentedResult> {
  const walk = walkSegments(bundle, rawInputs, opts);
  for (let step = walk.next(); ; ) {
    if (step.done) return step.value;
    step = walk.next(await exec(step.value.view, step.value.raw, step.value.index));
  }
}
