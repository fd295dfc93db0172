// Early-exit cascade on Fashion-MNIST (models/early-exit/fashion_early_exit.onnx, trained by
// scripts/train-early-exit.py): accuracy and mean modeled latency at several exit thresholds,
// with the fixed-point golden model (auto formats) and the performance model of the default
// Ultra96 config. docs/engine.md "Early exit" quotes its output.
// Usage: node --import tsx scripts/early-exit.ts [--limit N] [--thresholds 0.5,0.8,0.95] [--json]
import { defaultConfig } from '../boards/ultra96/board.ts';
import { compileBundle } from '../compiler/backend/compile-bundle.ts';
import { loadFashionMnist } from '../compiler/data/fashion-mnist.ts';
import { importOnnx } from '../compiler/onnx/import-onnx.ts';
import { optimize } from '../compiler/passes/index.ts';
import { quantize } from '../compiler/quant/quantize.ts';
import { cascadeImages, cascadePaths, evaluateCascade } from '../sim/perf/early-exit.ts';

const args = process.argv.slice(2);
const opt = (name: string, d: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : d);
const limit = Number(opt('--limit', '10000'));
const thresholds = opt('--thresholds', '0.5,0.8,0.95').split(',').map(Number);
const model = new URL('../models/early-exit/fashion_early_exit.onnx', import.meta.url).pathname;

const t0 = performance.now();
const qm = quantize(optimize(importOnnx(model)), { report: false });
const config = defaultConfig();
const bundle = compileBundle(qm, config, { name: 'fashion_early_exit' });
const paths = cascadePaths(qm, bundle, config, 'exit1');
const images = cascadeImages(qm, loadFashionMnist('test', { limit }), 0, limit, 'exit1', 'logits');
const rows = evaluateCascade(images, [0, ...thresholds, 2], paths);
if (args.includes('--json')) {
  console.log(JSON.stringify({ paths, rows }, null, 2));
} else {
  console.log(`fashion_early_exit, ${images.length} Fashion-MNIST test images, golden fixed point (auto formats), ${config.clockMhz} MHz default config`);
  console.log(`exit path (${paths.exitLayers.join(', ')}): ${paths.exitCycles} cycles = ${(paths.exitCycles / paths.clockHz * 1e3).toFixed(4)} ms; whole model: ${paths.fullCycles} cycles = ${(paths.fullCycles / paths.clockHz * 1e3).toFixed(4)} ms`);
  console.log('threshold  exited   accuracy  mean cycles  mean latency');
  for (const r of rows) {
    const label = r.threshold === 0 ? '0 (exit)' : r.threshold > 1 ? 'none' : String(r.threshold);
    console.log(`${label.padEnd(10)} ${(100 * r.exited / r.images).toFixed(1).padStart(5)}%   ${(100 * r.accuracy).toFixed(2).padStart(6)}%  ${r.meanCycles.toFixed(0).padStart(11)}  ${r.meanLatencyMs.toFixed(4)} ms`);
  }
  console.log(`(${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}
