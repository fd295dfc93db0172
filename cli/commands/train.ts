// `cnna train <model.onnx> (--dataset fashion-mnist | --images IDX --labels IDX) -o out.onnx`:
// quantization-aware training in cnna's own fixed-point arithmetic (models/train/qat.ts), with
// the formats the model is trained in written into the exported ONNX (metadata `cnna.formats`),
// so that compile, run, accuracy and simulate use them. A checkpoint beside the output
// (out.onnx.ckpt.json) is written after every epoch and resumed from when present.
import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import cliProgress from 'cli-progress';
import { rmSync } from 'node:fs';
import { DEFAULT_PREPROCESS, type ImageSet } from '../../compiler/data/preprocess.ts';
import { CnnaError } from '../../compiler/errors/cnna-error.ts';
import { parseFormat, formatName } from '../../compiler/golden/fixed/fixed-point.ts';
import { checkOutputFile, writeFileAtomic } from '../../compiler/util/atomic-write.ts';
import { exportTrained, formatTable, train, type EpochRecord } from '../../models/train/train-loop.ts';
import { writeTrainReport } from '../../models/train/train-report.ts';
import type { Command } from '../command.ts';
import { IMAGE_OPTIONS, imageSource, readImages } from '../image-flags.ts';
import { loadModel, shapeText } from '../model-pipeline.ts';

function int(option: string, v: unknown, min: number): number {
  const s = String(v);
  const n = /^\d+$/.test(s) ? Number(s) : NaN;
  if (!Number.isSafeInteger(n) || n < min) throw new CnnaError('E_USAGE', `--${option} '${s}' is not an integer >= ${min}`);
  return n;
}

function formatOption(option: string, v: unknown): 'auto' | number {
  const s = String(v);
  return s === 'auto' ? 'auto' : parseFormat(s);
}

function datasets(values: Record<string, unknown>): { trainSet: ImageSet; val: ImageSet; name: string } {
  const src = imageSource(values, 'train');
  if ('missing' in src) throw new CnnaError('E_USAGE', 'train: no training images given', { hint: 'pass --dataset fashion-mnist, or --images IDX --labels IDX' });
  if ('dataset' in src) {
    return { trainSet: readImages(src, 'train').set, val: readImages(src, 'test').set, name: `${src.dataset} (train split; validation: test split)` };
  }
  // Without a separate test split, the last images are held out for validation (see --val).
  const { set, name } = readImages(src, 'train');
  return { trainSet: set, val: set, name };
}

export const trainCommand: Command = {
  name: 'train',
  summary: 'quantization-aware training in the engine\'s fixed-point arithmetic; exports ONNX with the trained formats',
  usage: 'train <model.onnx> (--dataset fashion-mnist | --images IDX --labels IDX) -o out.onnx [--epochs N] [--batch B] [--lr LR] [--format auto|Qm.n] [--weights-format auto|Qm.n] [--per-channel] [--from-scratch] [--val N] [--limit N] [--seed S] [--threads T] [--forward fake|golden] [--report FILE.html]',
  options: {
    ...IMAGE_OPTIONS,
    out: { type: 'string', short: 'o' },
    epochs: { type: 'string', default: '1' },
    batch: { type: 'string', default: '64' },
    lr: { type: 'string', default: '0.0001' },
    format: { type: 'string', default: 'auto' },
    'weights-format': { type: 'string', default: 'auto' },
    'per-channel': { type: 'boolean', default: false },
    'from-scratch': { type: 'boolean', default: false },
    val: { type: 'string', default: '1000' },
    limit: { type: 'string' },
    seed: { type: 'string', default: '1' },
    threads: { type: 'string' },
    forward: { type: 'string', default: 'fake' },
    report: { type: 'string' },
  },
  async run({ values, positionals }, ctx) {
    if (positionals.length > 1) throw new CnnaError('E_USAGE', `train: expected one model, got ${positionals.length}`);
    const out = values.out as string | undefined;
    if (!out) throw new CnnaError('E_USAGE', 'train: missing -o out.onnx (the trained model to write)');
    checkOutputFile(out);
    const lr = Number(values.lr);
    if (!(lr > 0 && lr < 1)) throw new CnnaError('E_USAGE', `--lr '${String(values.lr)}' is not a number in (0, 1)`);
    const forward = String(values.forward);
    if (forward !== 'fake' && forward !== 'golden') throw new CnnaError('E_USAGE', `--forward '${forward}' is not fake or golden`, { hint: 'fake: the fixed-point arithmetic emulated in float32 (fast); golden: the golden model\'s exact values (bit for bit, slower)' });
    const opts = {
      forward: forward as 'fake' | 'golden',
      epochs: int('epochs', values.epochs, 1),
      batch: int('batch', values.batch, 1),
      lr,
      format: formatOption('format', values.format),
      weightFormat: formatOption('weights-format', values['weights-format']),
      perChannel: Boolean(values['per-channel']),
      fromScratch: Boolean(values['from-scratch']),
      valCount: int('val', values.val, 1),
      seed: int('seed', values.seed, 0),
      threads: values.threads === undefined ? Math.min(2, availableParallelism()) : int('threads', values.threads, 1),
      ...(values.limit === undefined ? {} : { limit: int('limit', values.limit, 1) }),
      checkpoint: `${out}.ckpt.json`,
    };
    const m = loadModel(positionals[0], 'train');
    const { trainSet, val, name } = datasets(values);
    const input = m.graph.inputs[0];
    const have = [trainSet.channels, trainSet.rows, trainSet.cols];
    if (m.graph.inputs.length !== 1 || input.shape.slice(1).join() !== have.join()) {
      throw new CnnaError('E_USAGE', `model input '${input.name}' is ${shapeText(input.shape)} but the images are ${shapeText(have)} (C×H×W)`, { hint: 'train a model whose input has the images\' size' });
    }
    await tf.setBackend('wasm');
    await tf.ready();
    const useBar = !ctx.json && process.stderr.isTTY;
    const bar = useBar ? new cliProgress.SingleBar({ format: 'epoch {epoch} [{bar}] {value}/{total} loss {loss} acc {acc} eta {eta_formatted}', stream: process.stderr, hideCursor: true }, cliProgress.Presets.shades_classic) : undefined;
    let started = 0;
    const t0 = performance.now();
    ctx.log(`training ${m.path} on ${name}: ${opts.epochs} epoch(s), batch ${opts.batch}, lr ${opts.lr}, activations ${opts.format === 'auto' ? 'auto' : formatName(opts.format)}, weights ${opts.weightFormat === 'auto' ? 'auto' : formatName(opts.weightFormat)}${opts.perChannel ? ' per channel' : ''}, seed ${opts.seed}`);
    const r = await train(m.graph, trainSet, val, {
      ...opts,
      onStep: (s) => {
        // Without a terminal (a log file), a progress line every 100 steps instead of the bar.
        if (!bar && !ctx.json && (s.step % 100 === 0 || s.step === s.steps)) ctx.log(`epoch ${s.epoch}: step ${s.step}/${s.steps}, loss ${s.loss.toFixed(4)}, running train accuracy ${s.runningAcc.toFixed(4)}, ${((performance.now() - t0) / 1000).toFixed(0)} s`);
        if (!bar) return;
        if (started !== s.epoch) { if (started) bar.stop(); bar.start(s.steps, 0, { epoch: s.epoch, loss: '-', acc: '-' }); started = s.epoch; }
        bar.update(s.step, { epoch: s.epoch, loss: s.loss.toFixed(4), acc: s.runningAcc.toFixed(4) });
      },
      onEpoch: (e: EpochRecord) => {
        bar?.stop();
        started = 0;
        ctx.log(`epoch ${e.epoch}: loss ${e.meanLoss.toFixed(4)}, train (fixed) ${(100 * e.trainFixedTop1).toFixed(2)}%, val float ${(100 * e.valFloatTop1).toFixed(2)}%, val fixed ${(100 * e.valFixedTop1).toFixed(2)}%, ${e.imagesPerSecond.toFixed(1)} images/s${e.formatChanges.length ? `; formats changed: ${e.formatChanges.join(', ')}` : ''}`);
      },
    });
    if (r.resumedFromEpoch > 0) ctx.log(`resumed from the checkpoint after epoch ${r.resumedFromEpoch}`);
    const bytes = exportTrained(r.model, `cnna train ${m.path}`);
    writeFileAtomic(out, bytes);
    const formats = formatTable(r.model);
    if (values.report) writeTrainReport(String(values.report), { model: m.path, dataset: name, options: opts, initial: r.initial, history: r.history, formats });
    rmSync(opts.checkpoint, { force: true });
    const last = r.history[r.history.length - 1];
    ctx.log(`before: val float ${(100 * r.initial.valFloatTop1).toFixed(2)}%, val fixed ${(100 * r.initial.valFixedTop1).toFixed(2)}%; after: val float ${(100 * (last?.valFloatTop1 ?? NaN)).toFixed(2)}%, val fixed ${(100 * (last?.valFixedTop1 ?? NaN)).toFixed(2)}%`);
    ctx.log(`wrote ${out} (${bytes.length} bytes, formats in metadata 'cnna.formats'); ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    r.model.dispose();
    return {
      model: m.path, out, dataset: name, options: { ...opts, checkpoint: undefined },
      initial: r.initial, history: r.history, resumedFromEpoch: r.resumedFromEpoch,
      formats, preprocess: DEFAULT_PREPROCESS,
    };
  },
};
