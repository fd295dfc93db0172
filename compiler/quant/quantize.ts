// The quantizer: turns an optimized float graph into a QuantizedModel (docs/numerics.md).
//
// How `format` interacts with the rest:
//  - 'auto' (default): every activation tensor gets its own power-of-two format from its
//    calibration range (docs/numerics.md "Choosing f"); a tensor the calibration never saw
//    non-zero falls back to Q2.14;
//  - a number f (e.g. 14, the paper's Q2.14): every activation tensor, graph inputs included,
//    gets exactly f. Calibration still runs, for the report (ranges, saturation, SQNR), unless
//    report is false: then no calibration data is needed or read.
//  In both modes weights get their own format per layer (or per output channel with
//  perChannel) unless weightFormat fixes it (14: the paper's Q2.14 weights), biases sit at f_in + f_w, constant operands of Add/Concat get their own
//  format, and a conv/FC output is capped at f_in + min f_w so no requantize shift is negative.
//  Pass-through ops (pool, activation, flatten, reshape, transpose, pad) keep their input's
//  format; softmax outputs are float (host tail).
//
// Calibration data: `calibration` if given (batches for the first graph input); otherwise the
// first `calibrationImages` Fashion-MNIST training images (x = pixel/255) when the input is
// N×1×28×28; otherwise seeded synthetic inputs, uniform in [-2, 2), with a warning: batched on
// axis 0 for a single input of batch 1, else every input at its declared shape, one run per
// sample. Inputs other than the first get seeded synthetic values of their declared shapes.
import { availableParallelism } from 'node:os';
import type { Graph, Node, Tensor } from '../ir/graph.ts';
import { CnnaError } from '../errors/cnna-error.ts';
import { runFloat } from '../golden/float/run-float.ts';
import { runFixed } from '../golden/fixed/run-fixed.ts';
import { fashionMnistAvailable, loadFashionMnist } from '../data/fashion-mnist.ts';
import { toBatch } from '../data/preprocess.ts';
import { chooseF, formatName, quant, quantBias, F_MAX, F_MIN } from '../golden/fixed/fixed-point.ts';
import { calibrationGraph } from './calibration-graph.ts';
import { lowerForFixedPoint } from './lower.ts';
import type { LayerReport, QuantizedBias, QuantizedModel, QuantizedWeights } from '../golden/fixed/quantized-model.ts';
import { mulberry32 } from '../util/prng.ts';

export interface QuantizeOptions {
  /** Calibration batches for the first graph input (N×… float tensors); a multi-input model takes `calibrationByInput`. */
  calibration?: Tensor[];
  /**
   * Calibration data for every graph input, by input name: batches (N×…, the same N in total for
   * every input), or for an input whose axis 0 is not a batch axis, tensors of exactly its shape (one
   * sample each, the same count for every input). Every input must be covered.
   */
  calibrationByInput?: Record<string, Tensor[]>;
  /** 'auto' (default) or a fixed number of fractional bits for every activation. */
  format?: 'auto' | number;
  /** 'auto' (default: from each layer's or channel's weight range) or fixed weight bits, e.g. 14 for the paper's Q2.14 weights. */
  weightFormat?: 'auto' | number;
  perChannel?: boolean;
  /** Number of default calibration images (Fashion-MNIST: 256; synthetic: sized to the model, at most 32). */
  calibrationImages?: number;
  /** Seed of the synthetic calibration inputs (default 1). */
  seed?: number;
  /** Run the fixed-point model on the calibration data to fill saturation and SQNR (default true). */
  report?: boolean;
  /**
   * Threads for the calibration's float convs (default: 2, or 1 on a single-core machine); the
   * formats do not depend on it (the float results are identical for any count).
   */
  threads?: number;
  /**
   * Formats fixed in advance (the ones a model was trained in, `cnna train`): fractional bits per
   * activation value name and per conv/gemm node's weights (one entry, or one per output channel).
   * They replace auto-scaling and `format` / `weightFormat` where given; the accumulator bound
   * still applies. When every activation is given and `report` is false, nothing is calibrated.
   */
  fixedFormats?: FixedFormats;
  onWarning?: (msg: string) => void;
  onProgress?: (done: number, total: number) => void;
}

export interface FixedFormats {
  activations?: Record<string, number>;
  weights?: Record<string, number[]>;
}

/** Largest reduction length the 48-bit accumulator is proven for (docs/numerics.md). */
export const MAX_REDUCTION = 65536;
/** Images per float/fixed calibration run: bounds the memory of keepAll runs. */
const CHUNK = 64;
/** Synthetic calibration budget, in MACs. */
const SYNTHETIC_MACS = 4e9;

/** One calibration run: a value for every graph input, n samples. */
interface FeedSet { feeds: Record<string, Tensor>; n: number }
interface Calib { sets: FeedSet[]; source: string }

export function quantize(graph: Graph, opts: QuantizeOptions = {}): QuantizedModel {
  const format = opts.format ?? 'auto';
  if (format !== 'auto' && !(Number.isInteger(format) && format >= F_MIN && format <= F_MAX)) {
    throw new CnnaError('E_USAGE', `format ${format} is not 'auto' or an integer number of fractional bits in [${F_MIN}, ${F_MAX}]`);
  }
  const perChannel = opts.perChannel ?? false;
  const weightFormat = opts.weightFormat ?? 'auto';
  if (weightFormat !== 'auto' && !(Number.isInteger(weightFormat) && weightFormat >= F_MIN && weightFormat <= F_MAX)) {
    throw new CnnaError('E_USAGE', `weight format ${weightFormat} is not 'auto' or an integer number of fractional bits in [${F_MIN}, ${F_MAX}]`);
  }
  const g = lowerForFixedPoint(graph);
  checkGraph(g);
  const fixedAct = opts.fixedFormats?.activations ?? {};
  const fixedW = opts.fixedFormats?.weights ?? {};
  checkFixedFormats(g, fixedAct, fixedW);
  const allFixed = g.inputs.every((vi) => vi.name in fixedAct) && g.nodes.every((n) => n.op === 'softmax' || n.outputs[0] in fixedAct);
  // A fixed format needs no ranges; without a report there is then nothing to calibrate.
  const calib: Calib = (format !== 'auto' || allFixed) && opts.report === false ? { sets: [], source: 'none (fixed formats, no report)' } : calibrationData(g, opts);
  const { graph: cg, rangeSource } = calibrationGraph(g);
  const total = calib.sets.reduce((a, b) => a + b.n, 0) * (opts.report === false ? 1 : 2);
  let done = 0;

  // The weights do not depend on the calibration: they are quantized in the gaps of pass 1 (while
  // a helper thread runs a float conv), and whatever is left in the node loop below.
  const weightSteps = new Map<string, Generator<void, QuantizedWeights>>();
  for (const n of g.nodes) if (n.op === 'conv' || n.op === 'gemm') weightSteps.set(n.name, quantizeWeightsSteps(g, n, perChannel, fixedW[n.name] ?? weightFormat));
  const weightDone = new Map<string, QuantizedWeights>();
  const pendingWeights = [...weightSteps.keys()];
  const background = (): boolean => {
    while (pendingWeights.length > 0) {
      const name = pendingWeights[0];
      const r = weightSteps.get(name)!.next();
      if (!r.done) return true;
      weightDone.set(name, r.value);
      pendingWeights.shift();
    }
    return false;
  };
  const weightsOf = (n: Node): QuantizedWeights => weightDone.get(n.name) ?? finish(weightSteps.get(n.name)!);

  // Pass 1: float ranges of every value.
  const stats = new Map<string, { min: number; max: number; amax: number }>();
  const kept: Record<string, Tensor>[] = [];
  let keptBytes = 0;
  const threads = opts.threads ?? Math.min(2, availableParallelism());
  for (const set of calib.sets) {
    const vals = runFloatBatch(cg, set.feeds, threads, background);
    let bytes = 0;
    for (const [name, t] of Object.entries(vals)) {
      let s = stats.get(name);
      if (!s) { s = { min: Infinity, max: -Infinity, amax: 0 }; stats.set(name, s); }
      const d = t.data;
      for (let i = 0; i < d.length; i++) {
        const v = d[i];
        if (v < s.min) s.min = v;
        if (v > s.max) s.max = v;
      }
      s.amax = Math.max(s.amax, Math.abs(s.min), Math.abs(s.max));
      bytes += d.byteLength;
    }
    keptBytes += bytes;
    kept.push(keptBytes <= 512 * 2 ** 20 ? vals : {});
    opts.onProgress?.((done += set.n), total);
  }

  const amaxOf = (name: string): number => {
    const s = stats.get(rangeSource.get(name) ?? name);
    return s && Number.isFinite(s.amax) ? s.amax : 0;
  };
  const actF = (name: string): number => fixedAct[name] ?? (format === 'auto' ? chooseF(amaxOf(name)) : format);

  const formats = new Map<string, number>();
  const weights = new Map<string, QuantizedWeights>();
  const biases = new Map<string, QuantizedBias>();
  const constants = new Map<string, { q: Int16Array; dims: number[]; f: number }>();
  const addScales = new Map<string, { w: [number, number]; fAcc: number }>();
  for (const vi of g.inputs) formats.set(vi.name, actF(vi.name));
  const fIn = (n: Node, name: string): number => {
    const f = formats.get(name);
    if (f === undefined) throw new CnnaError('E_UNSUPPORTED', `node '${n.name}' (${n.op}) reads '${name}', which has no fixed-point value (a constant operand or a softmax output)`);
    return f;
  };
  const floatValues = new Set<string>();
  const capped = new Set<string>();

  for (const n of g.nodes) {
    const out = n.outputs[0];
    for (const i of n.inputs) {
      if (floatValues.has(i)) throw new CnnaError('E_UNSUPPORTED', `node '${n.name}' (${n.op}) reads '${i}', the float output of a softmax; softmax must be the last step of the model`);
    }
    switch (n.op) {
      case 'conv': case 'gemm': {
        const xf = fIn(n, n.inputs[0]);
        let wq = weightsOf(n);
        const cap = accFracCap(g, n);
        if (cap !== undefined && xf + Math.max(...wq.wf) > cap) {
          // The bias plus the largest product sum would not fit the 48-bit accumulator: lower f_w.
          wq = finish(quantizeWeightsSteps(g, n, perChannel, fixedW[n.name] ?? weightFormat, cap - xf));
          opts.onWarning?.(`layer '${n.name}' (${n.op}): f_acc capped at ${cap} (f_in ${xf} + f_w ${Math.max(...wq.wf)}) so that bias and product sum fit the 48-bit accumulator (docs/numerics.md "Accumulator bound"); the layer's weights lose precision`);
          capped.add(n.name);
        }
        weights.set(n.name, wq);
        const f = Math.min(actF(out), xf + Math.min(...wq.wf));
        formats.set(out, f);
        const b = biasOf(g, n, wq, xf);
        if (b) biases.set(n.name, b);
        break;
      }
      case 'add': case 'concat': {
        const constIn = n.inputs.filter((i) => g.initializers.has(i));
        if (constIn.length > 1 || (constIn.length === 1 && n.inputs.length < 2)) {
          throw new CnnaError('E_UNSUPPORTED', `node '${n.name}' (${n.op}) has ${constIn.length} constant operands; the fixed-point model supports at most one`);
        }
        if (constIn.length === 1) {
          const c = g.initializers.get(constIn[0])!;
          let amax = 0;
          for (const v of c.data) amax = Math.max(amax, Math.abs(v));
          const f = chooseF(amax);
          const q = new Int16Array(c.data.length);
          for (let i = 0; i < q.length; i++) q[i] = quant(c.data[i], f);
          constants.set(n.name, { q, dims: c.dims.slice(), f });
        }
        for (const i of n.inputs) if (!g.initializers.has(i)) fIn(n, i);
        if (n.op === 'add' && n.scales) {
          // Both products a·w_a and b·w_b at one accumulator format: the largest that keeps each
          // weight in int16 (w_i = quant(s_i, fAcc − f_i)); the output is capped at fAcc.
          const fa = fIn(n, n.inputs[0]);
          const fb = fIn(n, n.inputs[1]);
          const fAcc = Math.min(fa + chooseF(Math.abs(n.scales[0])), fb + chooseF(Math.abs(n.scales[1])));
          addScales.set(n.name, { w: [quant(n.scales[0], fAcc - fa), quant(n.scales[1], fAcc - fb)], fAcc });
          formats.set(out, Math.min(actF(out), fAcc));
          break;
        }
        formats.set(out, actF(out));
        break;
      }
      case 'pool': case 'activation': case 'flatten': case 'reshape': case 'transpose': case 'pad': case 'identity': case 'dropout':
        formats.set(out, fIn(n, n.inputs[0]));
        break;
      case 'softmax':
        fIn(n, n.inputs[0]);
        // A softmax that only feeds graph outputs is the float host tail; one that feeds other
        // layers runs as a host op and quantizes its result (docs/numerics.md "Host ops").
        if (g.nodes.some((m) => m.inputs.includes(out))) formats.set(out, actF(out));
        else floatValues.add(out);
        break;
      case 'unary':
        fIn(n, n.inputs[0]);
        formats.set(out, actF(out));
        break;
      case 'binary':
        fIn(n, n.inputs[0]);
        fIn(n, n.inputs[1]);
        formats.set(out, actF(out));
        break;
      case 'matmul': case 'batchnorm':
        throw new CnnaError('E_GRAPH', `node '${n.name}' (${n.op}) survived lowering`);
    }
  }

  const qm: QuantizedModel = {
    graph: g, formats, weights, biases, constants, ...(addScales.size > 0 ? { addScales } : {}),
    options: {
      format, perChannel, calibration: calib.source, ...(weightFormat === 'auto' ? {} : { weightFormat }),
      ...(opts.fixedFormats?.activations && Object.keys(opts.fixedFormats.activations).length > 0 ? { trainedFormats: true } : {}),
    },
    report: [],
  };

  // Pass 2: the report (float ranges, fixed-point saturation and SQNR per node).
  const acc = new Map<string, { sat: number; total: number; sig: number; noise: number }>();
  if (opts.report !== false) {
    calib.sets.forEach((set, bi) => {
      const fl = Object.keys(kept[bi]).length > 0 ? kept[bi] : runFloatBatch(cg, set.feeds, threads);
      const fx = runFixed(qm, set.feeds, { keepAll: true });
      const owners: [string, string][] = [...g.inputs.map((i) => [i.name, i.name] as [string, string]), ...g.nodes.map((n) => [n.name, n.outputs[0]] as [string, string])];
      for (const [owner, value] of owners) {
        const a = acc.get(owner) ?? { sat: 0, total: 0, sig: 0, noise: 0 };
        a.sat += fx.saturated[owner] ?? 0;
        const x = fl[value];
        const y = fx.outputs[value];
        if (x && y) {
          a.total += x.data.length;
          for (let i = 0; i < x.data.length; i++) {
            const d = x.data[i] - y.data[i];
            a.sig += x.data[i] * x.data[i];
            a.noise += d * d;
          }
        }
        acc.set(owner, a);
      }
      opts.onProgress?.((done += set.n), total);
    });
  }
  const row = (owner: string, op: string, value: string, n?: Node): LayerReport => {
    const s = stats.get(value) ?? { min: 0, max: 0, amax: 0 };
    const f = formats.get(value);
    const a = acc.get(owner);
    const w = n ? weights.get(n.name) : undefined;
    return {
      node: owner, op, format: f === undefined ? 'float' : formatName(f), f: f ?? NaN,
      ...(w ? { weightF: w.wf } : {}),
      ...(n && capped.has(n.name) ? { accCapped: true } : {}),
      min: s.min, max: s.max, saturated: a?.sat ?? 0, total: a?.total ?? 0,
      sqnrDb: a ? (a.noise === 0 ? Infinity : 10 * Math.log10(a.sig / a.noise)) : NaN,
    };
  };
  qm.report = [
    ...g.inputs.map((i) => row(i.name, 'input', i.name)),
    ...g.nodes.map((n) => row(n.name, describeOp(n), n.outputs[0], n)),
  ];
  return qm;
}

function describeOp(n: Node): string {
  if (n.op === 'conv') return ['conv', n.activation?.kind, n.pool?.kind === undefined ? undefined : `${n.pool.kind}pool`].filter(Boolean).join('+');
  if (n.op === 'gemm' || n.op === 'add') return [n.op, n.activation?.kind].filter(Boolean).join('+');
  if (n.op === 'pool') return `${n.pool.kind}pool`;
  if (n.op === 'activation') return n.activation.kind;
  return n.op;
}

function checkGraph(g: Graph): void {
  if (g.inputs.length === 0) throw new CnnaError('E_GRAPH', 'the model has no inputs');
  for (const n of g.nodes) {
    if (n.op !== 'conv' && n.op !== 'gemm') continue;
    const w = g.initializers.get(n.inputs[1]);
    if (!w) {
      throw new CnnaError('E_UNSUPPORTED', `${n.op} node '${n.name}': weight '${n.inputs[1]}' is not a constant; the fixed-point engine multiplies activations by constant weights only`, {
        hint: 'export the model with its weights as initializers',
      });
    }
    if (n.inputs[2] && !g.initializers.has(n.inputs[2])) {
      throw new CnnaError('E_UNSUPPORTED', `${n.op} node '${n.name}': bias '${n.inputs[2]}' is not a constant`);
    }
    const K = n.op === 'conv' ? w.dims[1] * w.dims[2] * w.dims[3] : (n.transB ? w.dims[1] : w.dims[0]);
    if (K > MAX_REDUCTION) {
      throw new CnnaError('E_UNSUPPORTED', `${n.op} node '${n.name}' sums ${K} products per output; the 48-bit accumulator is exact only up to ${MAX_REDUCTION}`);
    }
  }
}

/** Fixed formats must name values and layers of the graph, in the format range, one weight format per layer or per output channel. */
function checkFixedFormats(g: Graph, act: Record<string, number>, w: Record<string, number[]>): void {
  const bad = (what: string, hint: string): never => {
    throw new CnnaError('E_FORMAT', `fixed formats: ${what}`, { hint });
  };
  for (const [name, f] of Object.entries(act)) {
    if (!g.shapes.has(name)) bad(`activation '${name}' is not a value of the graph`, 'the formats were recorded for another model; re-run cnna train on this model, or pass --format');
    if (!(Number.isInteger(f) && f >= F_MIN && f <= F_MAX)) bad(`activation '${name}' has format ${f}, not an integer in [${F_MIN}, ${F_MAX}]`, 'the recorded formats are damaged; re-run cnna train');
  }
  for (const [name, fs] of Object.entries(w)) {
    const n = g.nodes.find((k) => k.name === name);
    if (!n || (n.op !== 'conv' && n.op !== 'gemm')) bad(`'${name}' is not a conv or gemm layer of the graph`, 'the formats were recorded for another model; re-run cnna train on this model');
    const nn = n as Node & { op: 'conv' | 'gemm' };
    const wt = g.initializers.get(nn.inputs[1])!;
    const M = nn.op === 'conv' || nn.transB ? wt.dims[0] : wt.dims[1];
    if (!Array.isArray(fs) || (fs.length !== 1 && fs.length !== M)) bad(`layer '${name}' has ${Array.isArray(fs) ? fs.length : 'no'} weight formats; it needs 1 or ${M}`, 'the recorded formats are damaged; re-run cnna train');
    for (const f of fs) if (!(Number.isInteger(f) && f >= F_MIN && f <= F_MAX)) bad(`layer '${name}' has weight format ${f}, not an integer in [${F_MIN}, ${F_MAX}]`, 'the recorded formats are damaged; re-run cnna train');
  }
}

/** Weight elements per step of quantizeWeightsSteps (a few milliseconds of work). */
const WEIGHT_STEP = 1 << 20;

/**
 * Weights as int16, alpha folded in; one format per layer or per output channel. A generator
 * that yields every WEIGHT_STEP elements, so that the work can fill the gaps of the calibration
 * (runFloat's `background`); every element is computed on its own and the maximum is exact in
 * any order, so the steps give what one pass would.
 */
function* quantizeWeightsSteps(g: Graph, n: Node & { op: 'conv' | 'gemm' }, perChannel: boolean, weightFormat: 'auto' | number | number[], fwMax = Infinity): Generator<void, QuantizedWeights> {
  const w = g.initializers.get(n.inputs[1])!;
  const d = w.data;
  const alpha = n.op === 'gemm' ? n.alpha : 1;
  // Output channel of element i: conv [M, ...] and gemm transB [N, K] -> floor(i / per);
  // gemm [K, N] -> i % M.
  const M = n.op === 'conv' || n.transB ? w.dims[0] : w.dims[1];
  const rowMajor = !(n.op === 'gemm' && !n.transB);
  const per = d.length / M;
  if (Array.isArray(weightFormat)) perChannel = weightFormat.length > 1;
  const amax = new Float64Array(perChannel ? M : 1);
  const len = d.length;
  if (Array.isArray(weightFormat)) {
    // Given formats: no ranges needed.
  } else if (!perChannel) {
    let a = 0;
    for (let s = 0; s < len; s += WEIGHT_STEP) {
      const e = Math.min(len, s + WEIGHT_STEP);
      if (alpha === 1) for (let i = s; i < e; i++) { const v = Math.abs(d[i]); if (v > a) a = v; }
      else for (let i = s; i < e; i++) { const v = Math.abs(d[i] * alpha); if (v > a) a = v; }
      yield;
    }
    amax[0] = a;
  } else {
    for (let s = 0; s < len; s += WEIGHT_STEP) {
      const e = Math.min(len, s + WEIGHT_STEP);
      for (let i = s; i < e; i++) {
        const c = rowMajor ? Math.floor(i / per) : i % M;
        const v = Math.abs(d[i] * alpha);
        if (v > amax[c]) amax[c] = v;
      }
      yield;
    }
  }
  const wf = Array.isArray(weightFormat)
    ? weightFormat.map((f) => Math.min(fwMax, f))
    : Array.from(amax, (a) => Math.min(fwMax, weightFormat === 'auto' ? chooseF(a) : weightFormat));
  const scale = Float64Array.from(wf, (f) => alpha * 2 ** f);
  const q = new Int16Array(len);
  // quant(w·alpha, f) = sat16(floor(w·alpha·2^f + 0.5)); NaN stores as 0 in an Int16Array.
  // (w·alpha)·2^f and w·(alpha·2^f) are the same single rounding, 2^f being exact.
  for (let s = 0; s < len; s += WEIGHT_STEP) {
    const e = Math.min(len, s + WEIGHT_STEP);
    if (!perChannel) {
      const sc = scale[0];
      for (let i = s; i < e; i++) {
        const v = Math.floor(d[i] * sc + 0.5);
        q[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
      }
    } else {
      for (let i = s; i < e; i++) {
        const v = Math.floor(d[i] * scale[rowMajor ? Math.floor(i / per) : i % M] + 0.5);
        q[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
      }
    }
    yield;
  }
  return { q, dims: w.dims.slice(), wf };
}

/** Runs a generator to its end. */
function finish<T>(it: Generator<void, T>): T {
  for (;;) {
    const r = it.next();
    if (r.done) return r.value;
  }
}

/**
 * Largest f_acc at which the layer's bias and product sum provably fit the 48-bit accumulator, or
 * undefined when the layer has no bias (no cap needed). With K products of int16 × int16 per output,
 * |Σ| ≤ K·2^30, and |bias_q| ≤ bmax·2^f_acc + 1/2; both fit when K·2^30 + bmax·2^f_acc + 1/2 ≤ 2^47 − 1,
 * i.e. f_acc ≤ floor(log2((2^47 − 3/2 − K·2^30) / bmax)) (docs/numerics.md "Accumulator bound").
 */
export function accFracCap(g: Graph, n: Node & { op: 'conv' | 'gemm' }): number | undefined {
  const name = n.inputs[2];
  if (!name) return undefined;
  const b = g.initializers.get(name)!;
  const w = g.initializers.get(n.inputs[1])!;
  const M = n.op === 'conv' || n.transB ? w.dims[0] : w.dims[1];
  const K = w.data.length / M;
  let bmax = 0;
  for (const v of b.data) bmax = Math.max(bmax, Math.abs(v));
  if (n.op === 'gemm') bmax *= Math.abs(n.beta);
  const room = 2 ** 47 - 1.5 - K * 2 ** 30;
  if (!(bmax > 0) || room <= 0) return undefined;
  let f = Math.floor(Math.log2(room / bmax));
  while (bmax * 2 ** (f + 1) <= room) f++;
  while (f > -64 && bmax * 2 ** f > room) f--;
  return f;
}

/** Bias at f_in + f_w[m]: per output channel, or a full [R, N] matrix for a Gemm C that varies by row. */
function biasOf(g: Graph, n: Node & { op: 'conv' | 'gemm' }, w: QuantizedWeights, fIn: number): QuantizedBias | undefined {
  const name = n.inputs[2];
  if (!name) return undefined;
  const b = g.initializers.get(name)!;
  const fw = (m: number) => fIn + (w.wf.length === 1 ? w.wf[0] : w.wf[m]);
  if (n.op === 'conv') {
    const q = new Float64Array(w.dims[0]);
    for (let m = 0; m < q.length; m++) q[m] = quantBias(b.data[m], fw(m));
    return { q };
  }
  const N = n.transB ? w.dims[0] : w.dims[1];
  const outShape = g.shapes.get(n.outputs[0]);
  const R = outShape?.[0] ?? 1;
  const cd = b.dims.length === 0 ? [1, 1] : b.dims.length === 1 ? [1, b.dims[0]] : b.dims.slice(-2);
  const at = (r: number, j: number) => b.data[(cd[0] === 1 ? 0 : r) * cd[1] + (cd[1] === 1 ? 0 : j)] * n.beta;
  const rows = cd[0] === 1 ? 1 : R;
  const q = new Float64Array(rows * N);
  for (let r = 0; r < rows; r++) for (let j = 0; j < N; j++) q[r * N + j] = quantBias(at(r, j), fw(j));
  return { q };
}

function runFloatBatch(g: Graph, feeds: Record<string, Tensor>, threads: number, background?: () => boolean): Record<string, Tensor> {
  const withBatch: Graph = { ...g, inputs: g.inputs.map((vi) => (feeds[vi.name] ? { ...vi, shape: feeds[vi.name].dims.slice() } : vi)) };
  return runFloat(withBatch, feeds, { keepAll: true, threads, background });
}

/** A batch for the first input; every other input gets seeded synthetic values of its declared shape. */
function withOthers(g: Graph, batch: Tensor): FeedSet {
  const feeds: Record<string, Tensor> = { [g.inputs[0].name]: batch };
  for (const vi of g.inputs.slice(1)) feeds[vi.name] = synthetic(vi.shape, 7);
  return { feeds, n: batch.dims[0] };
}

/** Seeded uniform values in [-2, 2) (mulberry32). */
export function synthetic(dims: number[], seed: number): Tensor {
  const rand = mulberry32(seed);
  const n = dims.reduce((x, y) => x * y, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = rand() * 4 - 2;
  return { dims, data };
}

function macsPerImage(g: Graph): number {
  let macs = 0;
  for (const n of g.nodes) {
    if (n.op !== 'conv' && n.op !== 'gemm') continue;
    const w = g.initializers.get(n.inputs[1]);
    const out = g.shapes.get(n.outputs[0]);
    if (!w || !out) continue;
    if (n.op === 'gemm') macs += w.data.length;
    else {
      // pre-pool output size is not in shapes; the post-pool size is a lower bound
      const per = w.data.length / w.dims[0];
      macs += per * out.slice(1).reduce((a, b) => a * b, 1) * (n.pool ? 4 : 1);
    }
  }
  return Math.max(1, macs);
}

/** User calibration data for every input (QuantizeOptions.calibrationByInput), checked against the inputs. */
function calibrationByInput(g: Graph, by: Record<string, Tensor[]>): Calib {
  const names = g.inputs.map((vi) => `'${vi.name}' [${vi.shape.join(', ')}]`).join(', ');
  for (const k of Object.keys(by)) {
    if (!g.inputs.some((vi) => vi.name === k)) throw new CnnaError('E_USAGE', `calibration data is given for '${k}', which is not an input of the model (inputs: ${names})`);
  }
  const missing = g.inputs.filter((vi) => !(by[vi.name]?.length > 0));
  if (missing.length > 0) {
    throw new CnnaError('E_USAGE', `calibration data covers ${g.inputs.length - missing.length} of the model's ${g.inputs.length} inputs; missing: ${missing.map((vi) => `'${vi.name}' [${vi.shape.join(', ')}]`).join(', ')}`, {
      hint: `give every input its data: --calibration NAME=FILE for each of ${g.inputs.map((vi) => vi.name).join(', ')}`,
    });
  }
  // A batch axis is axis 0 of size 1 in the graph (the importer's batch); otherwise each tensor is one sample of exactly the input's shape.
  const batched = g.inputs.every((vi) => vi.shape[0] === 1);
  for (const vi of g.inputs) {
    for (const t of by[vi.name]) {
      const ok = t.dims.length === vi.shape.length && t.dims.every((d, i) => (i === 0 && batched) || vi.shape[i] <= 0 || d === vi.shape[i]);
      if (!ok) throw new CnnaError('E_USAGE', `calibration data for input '${vi.name}' has shape [${t.dims.join(', ')}], the input is [${vi.shape.join(', ')}]`);
    }
  }
  const count = (vi: { name: string }) => (batched ? by[vi.name].reduce((a, t) => a + t.dims[0], 0) : by[vi.name].length);
  const n0 = count(g.inputs[0]);
  for (const vi of g.inputs.slice(1)) {
    if (count(vi) !== n0) throw new CnnaError('E_USAGE', `calibration data has ${n0} sample(s) for input '${g.inputs[0].name}' and ${count(vi)} for '${vi.name}'; every input needs the same number (sample i of each input runs together)`);
  }
  const source = `user data for every input (${n0} samples)`;
  if (!batched) return { sets: by[g.inputs[0].name].map((_, k) => ({ feeds: Object.fromEntries(g.inputs.map((vi) => [vi.name, by[vi.name][k]])), n: 1 })), source };
  const whole = Object.fromEntries(g.inputs.map((vi) => [vi.name, concat0(by[vi.name])]));
  const sets: FeedSet[] = [];
  for (let s = 0; s < n0; s += CHUNK) {
    const k = Math.min(CHUNK, n0 - s);
    sets.push({ feeds: Object.fromEntries(g.inputs.map((vi) => [vi.name, slice0(whole[vi.name], s, k)])), n: k });
  }
  return { sets, source };
}

function concat0(ts: Tensor[]): Tensor {
  if (ts.length === 1) return ts[0];
  const data = new Float32Array(ts.reduce((a, t) => a + t.data.length, 0));
  let at = 0;
  for (const t of ts) { data.set(t.data, at); at += t.data.length; }
  return { dims: [ts.reduce((a, t) => a + t.dims[0], 0), ...ts[0].dims.slice(1)], data };
}

function slice0(t: Tensor, start: number, n: number): Tensor {
  const per = t.data.length / t.dims[0];
  return { dims: [n, ...t.dims.slice(1)], data: t.data.subarray(start * per, (start + n) * per) };
}

function calibrationData(g: Graph, opts: QuantizeOptions): Calib {
  if (opts.calibrationByInput) return calibrationByInput(g, opts.calibrationByInput);
  const vi = g.inputs[0];
  const shape = vi.shape;
  if (opts.calibration && opts.calibration.length > 0) {
    for (const t of opts.calibration) {
      if (t.dims.length !== shape.length || t.dims.some((d, i) => i > 0 && shape[i] > 0 && d !== shape[i])) {
        throw new CnnaError('E_USAGE', `calibration batch has shape [${t.dims.join(', ')}], the model input '${vi.name}' is [${shape.join(', ')}]`);
      }
    }
    const n = opts.calibration.reduce((a, b) => a + b.dims[0], 0);
    return { sets: opts.calibration.flatMap((t) => split(t, CHUNK)).map((b) => withOthers(g, b)), source: `user batch (${n} samples)` };
  }
  const is28 = shape.length === 4 && shape[1] === 1 && shape[2] === 28 && shape[3] === 28;
  if (is28 && fashionMnistAvailable()) {
    const n = opts.calibrationImages ?? 256;
    const set = loadFashionMnist('train', { limit: n });
    const batches: Tensor[] = [];
    for (let s = 0; s < set.count; s += CHUNK) batches.push(toBatch(set, s, CHUNK));
    return { sets: batches.map((b) => withOthers(g, b)), source: `fashion-mnist train[0:${set.count}] (pixel/255)` };
  }
  const seed = opts.seed ?? 1;
  const count = opts.calibrationImages ?? Math.max(1, Math.min(32, Math.floor(SYNTHETIC_MACS / macsPerImage(g))));
  const per = shape.slice(1).map((d) => Math.max(1, d));
  const why = is28 ? 'Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)' : `input '${vi.name}' has shape [${shape.join(', ')}], not N×1×28×28`;
  opts.onWarning?.(`${why}: calibrating on ${count} synthetic input${count === 1 ? '' : 's'}, uniform in [-2, 2) (seed ${seed}); formats may be off for real data, so pass a calibration batch for accurate ones`);
  const sets: FeedSet[] = [];
  if (g.inputs.length === 1 && shape[0] === 1) {
    for (let s = 0; s < count; s += CHUNK) {
      const k = Math.min(CHUNK, count - s);
      sets.push({ feeds: { [vi.name]: synthetic([k, ...per], seed + s) }, n: k });
    }
  } else {
    // Several inputs, or an axis 0 that is not a batch of 1 (it may be a data axis, as in
    // [3, 4, 5] + [3, 4, 5]): every input at its declared shape, one run per sample.
    for (let s = 0; s < count; s++) {
      const feeds: Record<string, Tensor> = {};
      g.inputs.forEach((x, j) => { feeds[x.name] = synthetic(x.shape.map((d) => Math.max(1, d)), seed + s * g.inputs.length + j); });
      sets.push({ feeds, n: 1 });
    }
  }
  return { sets, source: `synthetic uniform [-2, 2), ${count} inputs, seed ${seed}` };
}

function split(t: Tensor, chunk: number): Tensor[] {
  const n = t.dims[0];
  if (n <= chunk) return [t];
  const per = t.data.length / n;
  const out: Tensor[] = [];
  for (let s = 0; s < n; s += chunk) {
    const k = Math.min(chunk, n - s);
    out.push({ dims: [k, ...t.dims.slice(1)], data: t.data.subarray(s * per, (s + k) * per) });
  }
  return out;
}
