// Real PyTorch exports (test/fixtures/torch-exports, made by scripts/export-torch-fixtures.py with
// Debian's python3-torch; CI does not need torch): eleven families (residual, pre-activation
// residual, inverted residual with depthwise + ReLU6, fire-module concat, NiN with GAP, All-Conv
// with AvgPool2d, SPP head, pool modes, mixed pooling, dilated, grouped) at opsets 13 and 17.
//  - the float executor agrees with onnxruntime-node on the raw export (max |diff| <= 1e-5);
//  - each compiles for the default config and runs on the Verilator RTL (all bundles in one
//    simulation process), its int16 outputs bit-exact against the golden model.
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../boards/ultra96/board.ts';
import { compileBundle } from '../../compiler/backend/compile-bundle.ts';
import { runFixed } from '../../compiler/golden/fixed/run-fixed.ts';
import { runFloat } from '../../compiler/golden/float/run-float.ts';
import { importOnnx } from '../../compiler/onnx/import-onnx.ts';
import { optimize } from '../../compiler/passes/index.ts';
import { quantize } from '../../compiler/quant/quantize.ts';
import { runBundlesRtl } from '../../sim/verilator/run-rtl.ts';
import { repoRoot } from '../../sim/verilator/rtl-sources.ts';
import { maxAbsDiff, runOrtModel } from '../conformance/ort-compare.ts';
import { rng } from './random-layer.ts';

const dir = resolve(repoRoot, 'test/fixtures/torch-exports');
const files = readdirSync(dir).filter((f) => f.endsWith('.onnx')).sort();
const FAMILIES = ['allconv', 'dilated', 'grouped', 'mixed-pool', 'mobilenetv2', 'nin', 'pool-modes', 'preact-resnet', 'resnet', 'spp', 'squeezenet'];
const IMAGES = 3;

function images(seed: number) {
  const r = rng(seed);
  return Array.from({ length: IMAGES }, () => ({ dims: [1, 3, 16, 16], data: Float32Array.from({ length: 768 }, () => r() * 2 - 1) }));
}

describe('real PyTorch exports', () => {
  it('the fixtures hold every family at opsets 13 and 17', () => {
    expect(files).toEqual(FAMILIES.flatMap((f) => [`${f}-opset13.onnx`, `${f}-opset17.onnx`]));
  });

  it('float executor vs onnxruntime-node on every export', async () => {
    const worst: string[] = [];
    for (const f of files) {
      const bytes = readFileSync(resolve(dir, f));
      const g = importOnnx(bytes);
      for (const x of images(5)) {
        const ref = (await runOrtModel(bytes, { input: x }, ['logits'])).logits;
        const raw = runFloat(g, { input: x }).logits;
        const opt = runFloat(optimize(g), { input: x }).logits;
        const d = Math.max(maxAbsDiff(raw, ref), maxAbsDiff(opt, ref));
        if (!(d <= 1e-5)) worst.push(`${f}: max |float - ORT| = ${d}`);
      }
    }
    expect(worst).toEqual([]);
  });

  it(`compile and run on the RTL bit-exact against the golden model (${IMAGES} images each)`, async () => {
    const config = defaultConfig();
    const items = files.map((f, k) => {
      const g = optimize(importOnnx(readFileSync(resolve(dir, f))));
      const qm = quantize(g, { calibrationImages: 8, report: false, onWarning: () => {} });
      const bundle = compileBundle(qm, config, { name: f });
      const xs = images(100 + k);
      const gold = xs.map((x) => runFixed(qm, { input: x }).raw.logits.q);
      return { f, bundle, inputSets: xs.map((x) => ({ tensors: { input: x } })), gold };
    });
    const r = await runBundlesRtl(items.map(({ bundle, inputSets }) => ({ bundle, inputSets })), { config });
    const report = items.map((it, b) => {
      const exact = r.results[b].filter((run, i) => run.raw.logits.q.length === 10 && run.raw.logits.q.every((q, j) => q === it.gold[i][j])).length;
      return `${it.f}: ${exact}/${IMAGES} bit-exact, ${it.bundle.manifest.descriptors.count} jobs, ${r.results[b][0].cycles} cycles`;
    });
    console.log(`PyTorch exports on the RTL:\n  ${report.join('\n  ')}`);
    expect(report.filter((l) => !l.includes(`${IMAGES}/${IMAGES} bit-exact`))).toEqual([]);
  }, 1_200_000);
});
