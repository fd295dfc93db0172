// `cnna accuracy <model> (--dataset fashion-mnist | --images IDX --labels IDX)
//   [--scale S --mean M --std D] [--limit N]`: float and bit-exact fixed-point top-1 on labelled
// images, preprocessed as x = (pixel·S − M)/D (S = 1/255, M = 0, D = 1 by default). The model
// is quantized once (default calibration, see compiler/quant/quantize.ts), then both executors
// run the same batches. Top-1 reads the first model output, one row of class scores per image.
// Given a bundle (`cnna compile` output), the images run on the TypeScript engine model (sim/ref) one
// by one through the segment walk of sim/run-segments.ts: fixed-point top-1 of the engine, and with
// --exit-threshold T a bundle compiled with early exits runs as a cascade, reported per exit (the
// images that left there, their top-1, their mean engine cycles and latency; cli/early-exit.ts).
import { isBundlePath, readBundle } from '../../compiler/backend/bundle-io.ts';
import { bundleBatch } from '../../compiler/contracts/bundle-format.ts';
import { DEFAULT_PREPROCESS, toBatch, type ImageSet, type Preprocess } from '../../compiler/data/preprocess.ts';
import { CnnaError } from '../../compiler/errors/cnna-error.ts';
import { runFixed } from '../../compiler/golden/fixed/run-fixed.ts';
import type { Command } from '../command.ts';
import { IMAGE_OPTIONS, loadImages } from '../image-flags.ts';
import { QUANT_OPTIONS, argmax, loadModel, quantizeForCli, row, runFloatAnyBatch, shapeText } from '../model-pipeline.ts';
import { progress } from '../progress.ts';
import { CascadeTally, EXIT_THRESHOLD_OPTIONS, answerOutput, cascadeExits, cascadeLines, exitThresholdFlag } from '../early-exit.ts';
import { rawGraphInputs, runBundle } from '../../sim/ref/run-bundle.ts';
import { runSegments } from '../../sim/run-segments.ts';
import { validateConfig } from '../../compiler/contracts/hw-config.ts';

/** A number, or a fraction 'a/b' (so --scale 1/255 works). */
export function parseNumber(option: string, v: unknown, fallback: number): number {
  if (v === undefined) return fallback;
  const s = String(v).trim();
  const m = /^(-?[\d.eE+-]+)\s*\/\s*([\d.eE+-]+)$/.exec(s);
  const n = m ? Number(m[1]) / Number(m[2]) : s === '' ? NaN : Number(s);
  if (!Number.isFinite(n)) throw new CnnaError('E_USAGE', `--${option} '${s}' is not a number`, { hint: `e.g. --${option} 0.5 or --${option} 1/255` });
  return n;
}

function positiveInt(option: string, v: unknown): number | undefined {
  if (v === undefined) return undefined;
  const s = String(v);
  const n = /^\d+$/.test(s) ? Number(s) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw new CnnaError('E_USAGE', `--${option} '${s}' is not a positive integer`);
  return n;
}

/** The images must have the model's one input shape (C×H×W); otherwise E_USAGE with what to pass instead. */
export function checkImagesFit(inputs: readonly { name: string; shape: number[] }[], set: ImageSet, name: string, command: string): void {
  const input = inputs[0];
  const want = input.shape.slice(1);
  const have = [set.channels, set.rows, set.cols];
  if (inputs.length !== 1 || want.join() !== have.join()) {
    throw new CnnaError('E_USAGE', `model input '${input.name}' is ${shapeText(input.shape)} but the images of ${name} are ${shapeText(have)} (C×H×W)`, {
      hint: inputs.length !== 1 ? `${command} with images needs a model with one image input; pass --input FILE per model input instead`
        : `use images of the size the model was trained on: --images IDX --labels IDX holding ${want.join('×')} images, or --input FILE with tensors of shape ${shapeText([1, ...want])}`,
    });
  }
}

export interface AccuracyResult {
  n: number;
  float: { top1: number; correct: number };
  fixed: { top1: number; correct: number };
  /** Images on which float and fixed point predict the same class. */
  agree: number;
}

export const accuracyCommand: Command = {
  name: 'accuracy',
  summary: 'float and bit-exact fixed-point top-1 accuracy on labelled images (Fashion-MNIST or IDX files); a bundle\'s on the engine model, per early exit with --exit-threshold',
  usage: 'accuracy <model.onnx | bundle> (--dataset fashion-mnist | --images IDX --labels IDX) [--scale S --mean M --std D] [--limit N] [--format auto|Qm.n] [--per-channel] [--calibration-images N | --calibration FILE ...] [--exit-threshold T (bundle)]',
  options: {
    ...IMAGE_OPTIONS,
    scale: { type: 'string' },
    mean: { type: 'string' },
    std: { type: 'string' },
    limit: { type: 'string' },
    batch: { type: 'string', default: '100' },
    ...EXIT_THRESHOLD_OPTIONS,
    ...QUANT_OPTIONS,
  },
  async run({ values, positionals }, ctx) {
    const pp: Preprocess = {
      scale: parseNumber('scale', values.scale, DEFAULT_PREPROCESS.scale),
      mean: parseNumber('mean', values.mean, DEFAULT_PREPROCESS.mean),
      std: parseNumber('std', values.std, DEFAULT_PREPROCESS.std),
    };
    if (pp.std === 0) throw new CnnaError('E_USAGE', '--std must not be 0');
    const limit = positiveInt('limit', values.limit);
    const batchSize = positiveInt('batch', values.batch) ?? 100;
    const exitThreshold = exitThresholdFlag(values);
    if (positionals[0] !== undefined && isBundlePath(positionals[0])) return bundleAccuracy(positionals[0], values, pp, limit, exitThreshold, ctx);
    if (exitThreshold !== undefined) {
      throw new CnnaError('E_USAGE', `accuracy: --exit-threshold runs a bundle compiled with early exits, and ${positionals[0] ?? 'no bundle'} is not one`, {
        hint: 'compile the model with its exit first (cnna compile model.onnx --exit OUTPUT -o DIR), then: cnna accuracy DIR --exit-threshold T',
      });
    }
    const m = loadModel(positionals[0], 'accuracy', values);
    const { set, name } = loadImages(values, 'accuracy');
    const input = m.graph.inputs[0];
    checkImagesFit(m.graph.inputs, set, name, 'accuracy');
    const n = Math.min(limit ?? set.count, set.count);
    if (n === 0) throw new CnnaError('E_USAGE', `accuracy: ${name} holds no images`);
    const qm = quantizeForCli(m.graph, values, ctx);
    const outName = m.graph.outputs[0].name;
    const bar = progress('accuracy', n, { json: ctx.json });
    const t0 = performance.now();
    let cf = 0;
    let cq = 0;
    let agree = 0;
    let warned = false;
    for (let s = 0; s < n; s += batchSize) {
      const x = toBatch(set, s, Math.min(batchSize, n - s), pp);
      const feeds = { [input.name]: x };
      const yf = runFloatAnyBatch(m.graph, feeds)[outName];
      const yq = runFixed(qm, feeds).outputs[outName];
      for (let i = 0; i < x.dims[0]; i++) {
        const label = set.labels[s + i];
        const pf = argmax(row(yf, i));
        const pq = argmax(row(yq, i));
        if (!warned && label >= row(yf, i).length) {
          ctx.warn(`label ${label} of image ${s + i} is beyond the model's ${row(yf, i).length} output classes`);
          warned = true;
        }
        if (pf === label) cf++;
        if (pq === label) cq++;
        if (pf === pq) agree++;
      }
      bar.tick(x.dims[0]);
    }
    bar.stop();
    const seconds = (performance.now() - t0) / 1000;
    const pct = (c: number) => `${((100 * c) / n).toFixed(2)}%`;
    ctx.log(`${m.path} on ${n} images of ${name}`);
    ctx.log(`  float top-1: ${pct(cf)} (${cf}/${n})`);
    ctx.log(`  fixed top-1: ${pct(cq)} (${cq}/${n})  [${qm.options.trainedFormats ? 'trained formats' : qm.options.format === 'auto' ? 'auto-scaled' : `Q${16 - (qm.options.format as number)}.${qm.options.format}`}${qm.options.perChannel ? ', per-channel weights' : ''}]`);
    ctx.log(`  float and fixed agree on ${pct(agree)} (${agree}/${n}); ${seconds.toFixed(1)} s`);
    const result: AccuracyResult & Record<string, unknown> = {
      n,
      float: { top1: cf / n, correct: cf },
      fixed: { top1: cq / n, correct: cq },
      agree: agree / n,
      model: m.path,
      dataset: name,
      preprocess: pp,
      quantization: { format: qm.options.format, perChannel: qm.options.perChannel, calibration: qm.options.calibration },
      seconds: Number(seconds.toFixed(3)),
    };
    return result;
  },
};

/** A bundle on the engine model (sim/ref), image by image through runSegments: fixed-point top-1, and per early exit with a threshold. */
function bundleAccuracy(path: string, values: Record<string, unknown>, pp: Preprocess, limit: number | undefined, exitThreshold: number | undefined, ctx: Parameters<Command['run']>[1]): Record<string, unknown> {
  const bundle = readBundle(path);
  const man = bundle.manifest;
  const exits = cascadeExits(bundle, exitThreshold, 'accuracy');
  const batch = bundleBatch(man);
  if (batch > 1) throw new CnnaError('E_USAGE', `accuracy: bundle '${man.model}' runs ${batch} images per start; accuracy runs one image at a time`, { hint: 'compile it without --batch, or use cnna simulate --batch' });
  const { set, name } = loadImages(values, 'accuracy');
  checkImagesFit(man.inputs, set, name, 'accuracy');
  const n = Math.min(limit ?? set.count, set.count);
  if (n === 0) throw new CnnaError('E_USAGE', `accuracy: ${name} holds no images`);
  const clockMhz = validateConfig(man.hwConfig, `${path}/manifest.json`).clockMhz;
  const tally = exitThreshold === undefined ? undefined : new CascadeTally(man.outputs, exits, exitThreshold, clockMhz, true);
  const bar = progress('accuracy', n, { json: ctx.json });
  const t0 = performance.now();
  let correct = 0;
  for (let i = 0; i < n; i++) {
    const raw = rawGraphInputs(bundle, { [man.inputs[0].name]: toBatch(set, i, 1, pp) });
    const r = runSegments(bundle, raw, (view, x) => runBundle(view, {}, { rawInputs: x }), { exitThreshold });
    const answer = r.values.get(answerOutput(man.outputs, exits, r.exit))!;
    const right = argmax(answer) === set.labels[i];
    if (right) correct++;
    tally?.add(r.exit, r.cycles, right);
    bar.tick(1);
  }
  bar.stop();
  const seconds = (performance.now() - t0) / 1000;
  const cascade = tally?.report();
  ctx.log(`${path} (bundle '${man.model}') on ${n} images of ${name}, on the engine model`);
  ctx.log(`  fixed top-1: ${((100 * correct) / n).toFixed(2)}% (${correct}/${n})${exitThreshold === undefined && exits.length ? '  [every segment run; --exit-threshold T stops at an early exit]' : ''}`);
  if (cascade) for (const l of cascadeLines(cascade)) ctx.log(l);
  ctx.log(`  ${seconds.toFixed(1)} s`);
  return {
    n,
    bundle: path,
    model: man.model,
    engine: 'ref',
    fixed: { top1: correct / n, correct },
    ...(cascade ? { cascade } : {}),
    dataset: name,
    preprocess: pp,
    seconds: Number(seconds.toFixed(3)),
  };
}
