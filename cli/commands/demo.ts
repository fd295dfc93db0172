// `cnna demo`: the main job of cnna on the default model that ships with the project
// (models/default/fashion_cnn.onnx, trained by models/train/train-fashion.ts). One function
// per step; later steps (compile to a bundle, run on the virtual board, deploy, infer) are
// added as further steps here.
//   1. import + optimize the ONNX model, show its layers and where they run;
//   2. quantize to 16-bit fixed point (calibrated on Fashion-MNIST), print the per-layer report;
//   3. run float and bit-exact fixed point on the first 8 test images: predicted vs true class;
//   4. float and fixed-point top-1 on the first 1000 test images (--limit N);
//   5-8. compile to a bundle, start a virtual board, deploy, infer test images on it (board-demo.ts).
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FASHION_MNIST_CLASSES, loadFashionMnist } from '../../compiler/data/fashion-mnist.ts';
import { toBatch, type ImageSet } from '../../compiler/data/preprocess.ts';
import { CnnaError } from '../../compiler/errors/cnna-error.ts';
import { runFixed } from '../../compiler/golden/fixed/run-fixed.ts';
import { formatReport } from '../../compiler/quant/format-report.ts';
import type { QuantizedModel } from '../../compiler/golden/fixed/quantized-model.ts';
import type { Command, CommandContext } from '../command.ts';
import { QUANT_OPTIONS, argmax, loadModel, quantizeForCli, row, runFloatAnyBatch, type LoadedModel } from '../model-pipeline.ts';
import { progress } from '../progress.ts';
import { stepBoard } from './board-demo.ts';
import { inspectGraph } from './inspect.ts';

export const DEFAULT_MODEL = fileURLToPath(new URL('../../models/default/fashion_cnn.onnx', import.meta.url));
const DEFAULT_INFO = fileURLToPath(new URL('../../models/default/fashion_cnn.json', import.meta.url));

function stepImport(path: string, ctx: CommandContext) {
  const m = loadModel(path, 'demo');
  const layers = inspectGraph(m.graph);
  ctx.log(`1. import ${path}: ${m.imported.nodes.length} ONNX nodes → ${layers.length} layers after optimize`);
  for (const l of layers) ctx.log(`     ${l.name.padEnd(12)} ${l.kind.padEnd(40)} ${l.macs.toLocaleString('en-US').padStart(10)} MACs  ${l.target}`);
  return { m, layers };
}

function stepQuantize(m: LoadedModel, values: Record<string, unknown>, ctx: CommandContext): QuantizedModel {
  const qm = quantizeForCli(m.graph, values, ctx);
  ctx.log('');
  ctx.log(`2. quantize (${qm.options.format === 'auto' ? 'auto-scaled power-of-two formats' : `Q${16 - (qm.options.format as number)}.${qm.options.format}`}, calibration: ${qm.options.calibration})`);
  for (const line of formatReport(qm.report).split('\n')) ctx.log(`     ${line}`);
  return qm;
}

function predict(m: LoadedModel, qm: QuantizedModel, set: ImageSet, start: number, count: number): { float: number[]; fixed: number[] } {
  const input = m.graph.inputs[0].name;
  const out = m.graph.outputs[0].name;
  const x = toBatch(set, start, count);
  const yf = runFloatAnyBatch(m.graph, { [input]: x })[out];
  const yq = runFixed(qm, { [input]: x }).outputs[out];
  const n = x.dims[0];
  return { float: Array.from({ length: n }, (_, i) => argmax(row(yf, i))), fixed: Array.from({ length: n }, (_, i) => argmax(row(yq, i))) };
}

function stepSamples(m: LoadedModel, qm: QuantizedModel, set: ImageSet, ctx: CommandContext) {
  const p = predict(m, qm, set, 0, 8);
  const name = (c: number) => FASHION_MNIST_CLASSES[c] ?? `class ${c}`;
  ctx.log('');
  ctx.log('3. the first 8 Fashion-MNIST test images');
  ctx.log(`     ${'#'.padEnd(3)}${'true'.padEnd(14)}${'float'.padEnd(14)}fixed point`);
  const samples = p.float.map((f, i) => ({ index: i, label: set.labels[i], float: f, fixed: p.fixed[i] }));
  for (const s of samples) {
    const mark = s.float === s.label && s.fixed === s.label ? '' : s.fixed === s.float ? '  (wrong, both)' : '  (float and fixed differ)';
    ctx.log(`     ${String(s.index).padEnd(3)}${name(s.label).padEnd(14)}${name(s.float).padEnd(14)}${name(s.fixed).padEnd(14)}${mark}`.trimEnd());
  }
  return samples.map((s) => ({ ...s, labelName: name(s.label), floatName: name(s.float), fixedName: name(s.fixed) }));
}

function stepAccuracy(m: LoadedModel, qm: QuantizedModel, set: ImageSet, n: number, ctx: CommandContext) {
  const bar = progress('accuracy', n, { json: ctx.json });
  let cf = 0;
  let cq = 0;
  for (let s = 0; s < n; s += 100) {
    const k = Math.min(100, n - s);
    const p = predict(m, qm, set, s, k);
    for (let i = 0; i < k; i++) {
      if (p.float[i] === set.labels[s + i]) cf++;
      if (p.fixed[i] === set.labels[s + i]) cq++;
    }
    bar.tick(k);
  }
  bar.stop();
  ctx.log('');
  ctx.log(`4. top-1 on the first ${n} test images: float ${((100 * cf) / n).toFixed(1)}%, fixed point ${((100 * cq) / n).toFixed(1)}% (${cq - cf >= 0 ? '+' : ''}${((100 * (cq - cf)) / n).toFixed(1)} points)`);
  return { n, float: { top1: cf / n, correct: cf }, fixed: { top1: cq / n, correct: cq } };
}

export const demoCommand: Command = {
  name: 'demo',
  summary: 'the main job on the default model: import, quantize, float vs bit-exact fixed point, compile, deploy to a virtual board and infer',
  usage: 'demo [--model FILE] [--limit N] [--format auto|Qm.n] [--per-channel] [--calibration-images N]',
  options: {
    model: { type: 'string' },
    limit: { type: 'string', default: '1000' },
    ...QUANT_OPTIONS,
  },
  async run({ values }, ctx) {
    const limitText = String(values.limit);
    const limit = /^\d+$/.test(limitText) ? Number(limitText) : NaN;
    if (!(limit >= 8 && limit <= 10000)) throw new CnnaError('E_USAGE', `--limit '${limitText}' is not an integer in [8, 10000]`);
    const path = (values.model as string | undefined) ?? DEFAULT_MODEL;
    let stated: number | undefined;
    if (path === DEFAULT_MODEL) {
      if (!existsSync(DEFAULT_MODEL)) {
        throw new CnnaError('E_IO', `the default model ${DEFAULT_MODEL} is missing`, { hint: 'restore it with git checkout, or train it again: node --import tsx models/train/train-fashion.ts' });
      }
      stated = existsSync(DEFAULT_INFO) ? JSON.parse(readFileSync(DEFAULT_INFO, 'utf8')).float_test_accuracy : undefined;
      ctx.log(`cnna demo: the default model, a small CNN cnna trained on Fashion-MNIST${stated ? ` (float top-1 ${stated} on all 10,000 test images)` : ''}`);
      ctx.log('');
    }
    const { m, layers } = stepImport(path, ctx);
    const set = loadFashionMnist('test');
    const qm = stepQuantize(m, values, ctx);
    const samples = stepSamples(m, qm, set, ctx);
    const accuracy = stepAccuracy(m, qm, set, Math.min(limit, set.count), ctx);
    const board = await stepBoard(qm, set, 8, 5, ctx);
    return { model: path, statedFloatAccuracy: stated, layers, report: qm.report, samples, accuracy, board };
  },
};
