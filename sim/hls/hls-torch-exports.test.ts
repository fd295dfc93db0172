// The real PyTorch exports (test/fixtures/torch-exports: residual, pre-activation residual, MobileNetV2-style
// inverted residual, SqueezeNet-style fire modules, NiN, All-Conv, SPP, pool modes, dilated, grouped; opsets
// 13 and 17) on the HLS engine, untimed, all bundles in one process: 3 images each (the inputs of
// test/engine/torch-exports.test.ts), int16 outputs bit-exact against the golden model.
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../boards/ultra96/board.ts';
import { compileBundle } from '../../compiler/backend/compile-bundle.ts';
import { runFixed } from '../../compiler/golden/fixed/run-fixed.ts';
import { importOnnx } from '../../compiler/onnx/import-onnx.ts';
import { optimize } from '../../compiler/passes/index.ts';
import { quantize } from '../../compiler/quant/quantize.ts';
import { rng } from '../../test/engine/random-layer.ts';
import { repoRoot } from './hls-sources.ts';
import { runBundlesHls } from './run-hls.ts';

const dir = resolve(repoRoot, 'test/fixtures/torch-exports');
const IMAGES = 3;

describe('real PyTorch exports on the HLS engine', () => {
  it(`compile and run bit-exact against the golden model (${IMAGES} images each)`, async () => {
    const files = readdirSync(dir).filter((f) => f.endsWith('.onnx')).sort();
    expect(files.length).toBeGreaterThanOrEqual(20);
    const config = defaultConfig();
    const items = files.map((f, k) => {
      const g = optimize(importOnnx(readFileSync(resolve(dir, f))));
      const qm = quantize(g, { calibrationImages: 8, report: false, onWarning: () => {} });
      const bundle = compileBundle(qm, config, { name: f });
      const r = rng(100 + k);
      const xs = Array.from({ length: IMAGES }, () => ({ dims: [1, 3, 16, 16], data: Float32Array.from({ length: 768 }, () => r() * 2 - 1) }));
      const gold = xs.map((x) => runFixed(qm, { input: x }).raw.logits.q);
      return { f, bundle, inputSets: xs.map((x) => ({ tensors: { input: x } })), gold };
    });
    const r = await runBundlesHls(items.map(({ bundle, inputSets }) => ({ bundle, inputSets })), { config });
    const report = items.map((it, b) => {
      const exact = r.results[b].filter((run, i) => run.raw.logits.q.length === 10 && run.raw.logits.q.every((q, j) => q === it.gold[i][j])).length;
      return `${it.f}: ${exact}/${IMAGES} bit-exact, ${it.bundle.manifest.descriptors.count} jobs`;
    });
    console.log(`PyTorch exports on the HLS engine:\n  ${report.join('\n  ')}`);
    expect(report.filter((l) => !l.includes(`${IMAGES}/${IMAGES} bit-exact`))).toEqual([]);
  }, 900_000);
});
