// `cnna accuracy <model> (--dataset fashion-mnist | --images IDX --labels IDX)
//   [--scale S --mean M --std D] [--limit N]`: float and bit-exact fixed-point top-1 on labelled
// images, preprocessed as x = (pixel·S − M)/D (S = 1/255, M = 0, D = 1 by default). The model
// is quantized once (default calibration, see compiler/quant/quantize.ts), then both executors
// run the same batches. Top-1 reads the first model output, one row of class scores per image.
import { DEFAULT_PREPROCESS, toBatch, type ImageSet, type Preprocess } from '../../compiler/data/preprocess.ts';
import { CnnaError } from '../../compiler/errors/cnna-error.ts';
import { runFixed } from '../../compiler/golden/fixed/run-fixed.ts';
import type { Command } from '../command.ts';
import { IMAGE_OPTIONS, loadImages } from '../image-flags.ts';
import { QUANT_OPTIONS, argmax, loadModel, quantizeForCli, row, runFloatAnyBatch, shapeText } from '../model-pipeline.ts';
import { progress } from '../progress.ts';

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
  summary: 'float and bit-exact fixed-point top-1 accuracy on labelled images (Fashion-MNIST or IDX files)',
  usage: 'accuracy <model.onnx> (--dataset fashion-mnist | --images IDX --labels IDX) [--scale S --mean M --std D] [--limit N] [--format auto|Qm.n] [--per-channel] [--calibration-images N | --calibration FILE ...]',
  options: {
    ...IMAGE_OPTIONS,
    scale: { type: 'string' },
    mean: { type: 'string' },
    std: { type: 'string' },
    limit: { type: 'string' },
    batch: { type: 'string', default: '100' },
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
