// The training loop behind `cnna train`: epochs of shuffled batches through QatModel, a held-out
// evaluation (float and fixed-point top-1) after every epoch, checkpoints that a later run resumes
// from, and the export of the trained model as ONNX with its formats in metadata_props.
import { existsSync, readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { CnnaError } from '../../compiler/errors/cnna-error.ts';
import type { Graph, Tensor } from '../../compiler/ir/graph.ts';
import { DEFAULT_PREPROCESS, toBatch, type ImageSet, type Preprocess } from '../../compiler/data/preprocess.ts';
import { argmaxRows } from '../../compiler/golden/fixed/top1.ts';
import { formatName } from '../../compiler/golden/fixed/fixed-point.ts';
import { quantize } from '../../compiler/quant/quantize.ts';
import { TRAINED_FORMATS_KEY, trainedFormatsText } from '../../compiler/quant/trained-formats.ts';
import { mulberry32 } from '../../compiler/util/prng.ts';
import { QatModel, type QatOptions } from './qat.ts';
import { graphToOnnx } from './export-graph.ts';
import { writeFileAtomic } from '../../compiler/util/atomic-write.ts';

export interface TrainOptions extends QatOptions {
  epochs: number;
  batch: number;
  seed: number;
  /** Held-out images evaluated after every epoch (from `val`). */
  valCount: number;
  /** Re-initialise every weight (He normal, seeded) instead of starting from the model's. */
  fromScratch: boolean;
  /** Threads of the golden model (1: this thread only); the weights do not depend on it. */
  threads?: number;
  /** GoldenThreads' threshold: layers below this many MACs stay on one thread (tests lower it to split small models). */
  goldenSplitMacs?: number;
  /** Stop after this many training images per epoch (for tests and quick runs). */
  limit?: number;
  preprocess?: Preprocess;
  /** Checkpoint file: written after every epoch, resumed from when it exists. */
  checkpoint?: string;
  onStep?: (s: { epoch: number; step: number; steps: number; loss: number; runningAcc: number }) => void;
  onEpoch?: (e: EpochRecord) => void;
}

export interface EpochRecord {
  epoch: number;
  meanLoss: number;
  /** Top-1 of the fixed-point forward passes during the epoch (on the training batches). */
  trainFixedTop1: number;
  valFloatTop1: number;
  valFixedTop1: number;
  seconds: number;
  imagesPerSecond: number;
  /** Activation formats that changed at the end of the epoch. */
  formatChanges: string[];
}

export interface TrainResult {
  model: QatModel;
  history: EpochRecord[];
  /** Before training: the same held-out evaluation. */
  initial: { valFloatTop1: number; valFixedTop1: number };
  resumedFromEpoch: number;
}

/** Float and fixed-point top-1 of the current weights on `count` images of `set`. */
export async function evaluate(m: QatModel, set: ImageSet, count: number, pp: Preprocess = DEFAULT_PREPROCESS): Promise<{ float: number; fixed: number }> {
  const input = m.graph.inputs[0].name;
  const output = m.graph.outputs[0].name;
  let fl = 0, fx = 0;
  const n = Math.min(count, set.count);
  for (let s = 0; s < n; s += 250) {
    const x = toBatch(set, s, Math.min(250, n - s), pp);
    const b = x.dims[0];
    const pf = argmaxRows(m.floatLogits(x), b);
    const px = argmaxRows((await m.runGolden({ [input]: x })).outputs[output].data, b);
    for (let i = 0; i < b; i++) {
      if (pf[i] === set.labels[s + i]) fl++;
      if (px[i] === set.labels[s + i]) fx++;
    }
  }
  return { float: fl / n, fixed: fx / n };
}

/** The activation formats to start from: auto-scaled by the quantizer's calibration, or the fixed one everywhere. */
export function initialFormats(g: Graph, opts: QatOptions, calibration?: Tensor): Map<string, number> {
  if (opts.format !== 'auto') {
    const f = opts.format;
    return new Map([...g.shapes.keys()].map((k) => [k, f]));
  }
  const qm = quantize(g, { perChannel: opts.perChannel, weightFormat: opts.weightFormat, report: false, ...(calibration ? { calibration: [calibration] } : {}) });
  return new Map(qm.formats);
}

function heInit(g: Graph, seed: number): Graph {
  const rand = mulberry32(seed);
  const normal = (): number => {
    const u = Math.max(rand(), 1e-12), v = rand();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
  const initializers = new Map(g.initializers);
  for (const n of g.nodes) {
    if (n.op !== 'conv' && n.op !== 'gemm') continue;
    const w = g.initializers.get(n.inputs[1]);
    if (!w) continue;
    const fanIn = n.op === 'conv' ? w.dims[1] * w.dims[2] * w.dims[3] : n.transB ? w.dims[1] : w.dims[0];
    const s = Math.sqrt(2 / fanIn);
    initializers.set(n.inputs[1], { dims: w.dims.slice(), data: Float32Array.from(w.data, () => normal() * s) });
    if (n.inputs[2] && g.initializers.has(n.inputs[2])) {
      const b = g.initializers.get(n.inputs[2])!;
      initializers.set(n.inputs[2], { dims: b.dims.slice(), data: new Float32Array(b.data.length) });
    }
  }
  return { ...g, initializers };
}

interface Checkpoint {
  version: 1;
  epoch: number;
  seed: number;
  state: ReturnType<QatModel['state']>;
  optimizer: { name: string; dims: number[]; data: number[] }[];
  history: EpochRecord[];
  initial: TrainResult['initial'];
}

export async function train(optimized: Graph, trainSet: ImageSet, val: ImageSet, opts: TrainOptions): Promise<TrainResult> {
  const pp = opts.preprocess ?? DEFAULT_PREPROCESS;
  const g = opts.fromScratch ? heInit(optimized, opts.seed) : optimized;
  const calib = opts.format === 'auto' ? toBatch(trainSet, 0, Math.min(256, trainSet.count), pp) : undefined;
  const m = new QatModel(g, initialFormats(g, opts, calib), opts);
  try {
    await m.useThreads(opts.threads ?? 1, opts.goldenSplitMacs);
    return await trainModel(m, trainSet, val, opts, pp);
  } finally {
    await m.close();
  }
}

async function trainModel(m: QatModel, trainSet: ImageSet, val: ImageSet, opts: TrainOptions, pp: Preprocess): Promise<TrainResult> {
  let history: EpochRecord[] = [];
  let start = 1;
  let initial: TrainResult['initial'];
  const ck = opts.checkpoint && existsSync(opts.checkpoint) ? readCheckpoint(opts.checkpoint) : undefined;
  if (ck) {
    if (ck.seed !== opts.seed) throw new CnnaError('E_USAGE', `checkpoint '${opts.checkpoint}' was made with --seed ${ck.seed}, not ${opts.seed}`, { hint: 'pass the same --seed to resume, or remove the checkpoint' });
    m.restore(ck.state);
    await m.syncWorkers();
    await m.setOptimizerState(ck.optimizer);
    history = ck.history;
    initial = ck.initial;
    start = ck.epoch + 1;
  } else {
    const e = await evaluate(m, val, opts.valCount, pp);
    initial = { valFloatTop1: e.float, valFixedTop1: e.fixed };
  }
  const nTrain = Math.min(trainSet.count, opts.limit ?? trainSet.count);
  const steps = Math.floor(nTrain / opts.batch);
  if (steps < 1) throw new CnnaError('E_USAGE', `${nTrain} training images make no batch of ${opts.batch}`, { hint: 'lower --batch' });
  for (let epoch = start; epoch <= opts.epochs; epoch++) {
    // The order of epoch e depends only on the seed and e, so a resumed run sees the same batches.
    const rand = mulberry32(opts.seed * 1000 + epoch);
    const order = Array.from({ length: trainSet.count }, (_, i) => i);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    const t0 = performance.now();
    let lossSum = 0, correct = 0;
    const per = trainSet.channels * trainSet.rows * trainSet.cols;
    for (let s = 0; s < steps; s++) {
      const idx = order.slice(s * opts.batch, (s + 1) * opts.batch);
      const x = gather(trainSet, idx, per, pp);
      const labels = idx.map((k) => trainSet.labels[k]);
      const r = await m.step(x, labels);
      lossSum += r.loss;
      correct += r.correct;
      opts.onStep?.({ epoch, step: s + 1, steps, loss: r.loss, runningAcc: correct / ((s + 1) * opts.batch) });
    }
    const seconds = (performance.now() - t0) / 1000;
    const formatChanges = m.endEpoch();
    await m.syncWorkers();
    const e = await evaluate(m, val, opts.valCount, pp);
    const rec: EpochRecord = {
      epoch, meanLoss: lossSum / steps, trainFixedTop1: correct / (steps * opts.batch), valFloatTop1: e.float, valFixedTop1: e.fixed,
      seconds, imagesPerSecond: (steps * opts.batch) / seconds, formatChanges,
    };
    history.push(rec);
    opts.onEpoch?.(rec);
    if (opts.checkpoint) {
      const c: Checkpoint = { version: 1, epoch, seed: opts.seed, state: m.state(), optimizer: await m.optimizerState(), history, initial };
      writeFileAtomic(opts.checkpoint, JSON.stringify(c));
    }
  }
  return { model: m, history, initial, resumedFromEpoch: start - 1 };
}

function gather(set: ImageSet, idx: number[], per: number, pp: Preprocess): Tensor {
  const lut = new Float32Array(256);
  for (let p = 0; p < 256; p++) lut[p] = (p * pp.scale - pp.mean) / pp.std;
  const out = new Float32Array(idx.length * per);
  idx.forEach((k, i) => {
    const src = set.images.subarray(k * per, (k + 1) * per);
    for (let j = 0; j < per; j++) out[i * per + j] = lut[src[j]];
  });
  return { dims: [idx.length, set.channels, set.rows, set.cols], data: out };
}

function readCheckpoint(path: string): Checkpoint {
  let c: Checkpoint;
  try {
    c = JSON.parse(readFileSync(path, 'utf8')) as Checkpoint;
  } catch (e) {
    throw new CnnaError('E_FORMAT', `checkpoint '${path}' cannot be read: ${(e as Error).message}`, { hint: 'remove it to start over' });
  }
  if (c.version !== 1 || !Number.isInteger(c.epoch) || !c.state) throw new CnnaError('E_FORMAT', `checkpoint '${path}' is not a cnna train checkpoint`, { hint: 'remove it to start over' });
  return c;
}

/** The trained model as ONNX bytes: master weights, and the formats it was trained in as metadata. */
export function exportTrained(m: QatModel, producer: string): Uint8Array {
  const qm = m.quantized();
  const weights: Record<string, number[]> = {};
  for (const [k, w] of qm.weights) weights[k] = w.wf.slice();
  const activations: Record<string, number> = {};
  for (const [k, f] of qm.formats) activations[k] = f;
  return graphToOnnx(m.currentGraph(), producer, { [TRAINED_FORMATS_KEY]: trainedFormatsText({ activations, weights }) }).toBytes();
}

/** One line per value: its trained format. */
export function formatTable(m: QatModel): { value: string; format: string }[] {
  return [...m.quantized().formats].map(([value, f]) => ({ value, format: formatName(f) }));
}

void tf;
