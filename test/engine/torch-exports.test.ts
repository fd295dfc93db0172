// Real PyTorch exports (test/fixtures/torch-exports, made by scripts/export-torch-fixtures.py with
// Debian's python3-torch; CI does not need torch): eleven families (residual, pre-activation
// residual, inverted residual with depthwise + ReLU6, fire-module concat, NiN with GAP, All-Conv
// with AvgPool2d, SPP head, pool modes, mixed pooling, dilated, grouped) at opsets 13 and 17.
//  - the float executor agrees with onnxruntime-node on the raw export (max |diff| <= 1e-5);
//  - each compiles for the default config and runs on the Verilator RTL (all bundles in one
//    simulation process), its int16 outputs bit-exact against the golden model.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../boards/ultra96/board.ts';
import { compileBundle } from '../../compiler/backend/compile-bundle.ts';
import { runFixed } from '../../compiler/golden/fixed/run-fixed.ts';
import { importOnnx } from '../../compiler/onnx/import-onnx.ts';
import { optimize } from '../../compiler/passes/index.ts';
import { quantize } from '../../compiler/quant/quantize.ts';
import { runBundlesRtl } from '../../sim/verilator/run-rtl.ts';
import { fixtureImages, floatVsOrt, torchFixtures } from '../conformance/torch-fixtures.ts';

const { dir, files } = torchFixtures('torch-exports');
const FAMILIES = ['allconv', 'dilated', 'grouped', 'mixed-pool', 'mobilenetv2', 'nin', 'pool-modes', 'preact-resnet', 'resnet', 'spp', 'squeezenet'];
const IMAGES = 3;

const images = (seed: number) => fixtureImages(seed, IMAGES);

describe('real PyTorch exports', () => {
  it('the fixtures hold every family at opsets 13 and 17', () => {
    expect(files).toEqual(FAMILIES.flatMap((f) => [`${f}-opset13.onnx`, `${f}-opset17.onnx`]));
  });

  it('float executor vs onnxruntime-node on every export', async () => {
    expect(await floatVsOrt(dir, files, images(5))).toEqual([]);
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
