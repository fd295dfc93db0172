// Must-show "Real trained models": the Fashion-MNIST CNNs in ../shared/models (PyTorch exports).
//  - cnna's own float executor (FloatThreads, 2 threads, batches of 1000) classifies all 10,000
//    test images (pixel/255); its top-1 matches the figure in each model's .json within ±0.1 pt.
//  - independent cross-check: onnxruntime-node on the same 10,000 images also scores within
//    ±0.1 pt of the stated figure and its arg-max agrees with cnna's on at least 99.9 % of images.
//  - the fixed-point golden model (default quantization: auto formats, Q2.14 fallback, one
//    weight scale per layer, calibrated on 256 training images) scores within 0.5 pt of cnna's
//    float top-1 on all 10,000 test images, on 2 worker threads.
// Cost: fashion_vgg and fashion_vgg_bn are 22.2 M MAC/image, so the float pass is ~222 GMAC per
// model; this is the longest test of the suite (wall and CPU seconds are printed per model;
// CPU counts every thread of this process, so it shows the cost on an idle machine).
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { importOnnx } from '../../compiler/onnx/import-onnx.ts';
import { optimize } from '../../compiler/passes/index.ts';
import { quantize } from '../../compiler/quant/quantize.ts';
import { fixedTop1 } from '../../compiler/golden/fixed/top1.ts';
import { fashionMnistAvailable, loadFashionMnist } from '../../compiler/data/fashion-mnist.ts';
import { MODELS_DIR, MODEL_NAMES, agreement, cnnaFloatPredictionsThreaded, haveModels, ortPredictions, statedTop1, top1 } from './real-models.ts';

const ready = haveModels() && fashionMnistAvailable();
const why = !haveModels() ? `../shared/models not found at ${MODELS_DIR} (set CNNA_SHARED)` : 'Fashion-MNIST not installed (apt-get install dataset-fashion-mnist)';

describe.skipIf(!ready)(`real trained models${ready ? '' : ` (skipped: ${why})`}`, () => {
  for (const name of MODEL_NAMES) {
    it(`${name}: cnna float top-1 = stated ±0.1 pt (onnxruntime-node agrees), fixed-point top-1 within 0.5 pt of float`, async () => {
      const test = loadFashionMnist('test');
      const stated = statedTop1(name);
      const g = optimize(importOnnx(join(MODELS_DIR, `${name}.onnx`)));

      let t = performance.now();
      let cpu = process.cpuUsage();
      const mine = await cnnaFloatPredictionsThreaded(g, test, test.count, 2, 1000);
      const floatSec = (performance.now() - t) / 1000;
      const floatCpu = process.cpuUsage(cpu).user / 1e6;
      expect(mine.length).toBe(10000);
      const floatTop1 = top1(mine, test.labels);
      expect(Math.abs(floatTop1 - stated)).toBeLessThanOrEqual(0.001 + 1e-9);

      const ort = await ortPredictions(name, test);
      const ortTop1 = top1(ort, test.labels);
      const agree = agreement(mine, ort);
      expect(Math.abs(ortTop1 - stated)).toBeLessThanOrEqual(0.001 + 1e-9);
      expect(agree).toBeGreaterThanOrEqual(0.999);

      t = performance.now();
      cpu = process.cpuUsage();
      const qm = quantize(g, { report: false });
      const fixed = await fixedTop1(qm, test, { threads: 2 });
      const fixedSec = (performance.now() - t) / 1000;
      const fixedCpu = process.cpuUsage(cpu).user / 1e6;
      expect(fixed.n).toBe(10000);
      console.log(`${name}: stated ${stated}, cnna float ${floatTop1} (${floatSec.toFixed(0)} s wall, ${floatCpu.toFixed(0)} s CPU), onnxruntime-node ${ortTop1} (arg-max agreement ${agree}), fixed-point ${fixed.top1} (${qm.options.calibration}, ${fixedSec.toFixed(0)} s wall, ${fixedCpu.toFixed(0)} s CPU)`);
      expect(Math.abs(fixed.top1 - floatTop1)).toBeLessThanOrEqual(0.005);
    }, 3_600_000);
  }
});
