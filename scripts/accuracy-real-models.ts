// Full real-model accuracy report on all 10,000 Fashion-MNIST test images (the CI test
// test/accuracy/real-models.test.ts checks the same cnna float and default fixed-point figures;
// this script adds timings and two more quantization variants): for each model in
// ../shared/models, float top-1 from onnxruntime-node and from cnna's float executor
// (FloatThreads, 2 threads, batches of 1000), and fixed-point golden top-1 with auto formats
// (the default), with the paper's Q2.14 weights (activations auto), and with every activation
// forced to Q2.14.
// Usage: node --import tsx scripts/accuracy-real-models.ts [--limit N] [--skip-cnna-float]
import { join } from 'node:path';
import { importOnnx } from '../compiler/onnx/import-onnx.ts';
import { optimize } from '../compiler/passes/index.ts';
import { quantize } from '../compiler/quant/quantize.ts';
import { fixedTop1 } from '../compiler/golden/fixed/top1.ts';
import { loadFashionMnist } from '../compiler/data/fashion-mnist.ts';
import { MODELS_DIR, MODEL_NAMES, cnnaFloatPredictionsThreaded, haveModels, ortPredictions, statedTop1, top1 } from '../test/accuracy/real-models.ts';

const args = process.argv.slice(2);
const limit = args.includes('--limit') ? Number(args[args.indexOf('--limit') + 1]) : 10000;
if (!haveModels()) {
  console.error(`no models in ${MODELS_DIR} (set CNNA_SHARED)`);
  process.exit(1);
}
const test = loadFashionMnist('test', { limit });
const labels = test.labels;
const sec = (t: number) => `${((performance.now() - t) / 1000).toFixed(1)} s`;
for (const name of MODEL_NAMES) {
  const row: string[] = [name, `stated ${statedTop1(name)}`];
  let t = performance.now();
  row.push(`ort ${top1(await ortPredictions(name, test), labels).toFixed(4)} (${sec(t)})`);
  const g = optimize(importOnnx(join(MODELS_DIR, `${name}.onnx`)));
  if (!args.includes('--skip-cnna-float')) {
    t = performance.now();
    row.push(`cnna float ${top1(await cnnaFloatPredictionsThreaded(g, test, test.count, 2, 1000), labels).toFixed(4)} (${sec(t)})`);
  }
  const variants = [
    ['auto', { format: 'auto' }],
    ['weights Q2.14 + auto activations', { format: 'auto', weightFormat: 14 }],
    ['all activations Q2.14', { format: 14 }],
  ] as const;
  for (const [label, q] of variants) {
    t = performance.now();
    const qm = quantize(g, { ...q, report: false });
    const r = await fixedTop1(qm, test, { threads: 2 });
    row.push(`fixed ${label} ${r.top1.toFixed(4)} (${sec(t)})`);
  }
  console.log(row.join(' | '));
}
