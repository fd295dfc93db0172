// Must-show "Real trained models": the Fashion-MNIST CNNs in ../shared/models (PyTorch exports).
//  - float top-1 on all 10,000 test images (pixel/255) matches the figure in each model's .json
//    within ±0.1 points. The 10k float pass uses onnxruntime-node; cnna's own float executor
//    (runFloat, ~0.3 GMAC/s today) must give the same arg-max as onnxruntime-node on the first
//    FLOAT_SUBSET images. The full 10k run through runFloat is scripts/accuracy-real-models.ts.
//  - the fixed-point golden model (default quantization: auto formats, Q2.14 fallback, one
//    weight scale per layer, calibrated on 256 training images) scores within 0.5 points of
//    float top-1 on all 10,000 test images, on 2 worker threads.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { importOnnx } from '../../compiler/onnx/import-onnx.ts';
import { optimize } from '../../compiler/passes/index.ts';
import { quantize } from '../../compiler/quant/quantize.ts';
import { fixedTop1 } from '../../compiler/golden/fixed/top1.ts';
import { fashionMnistAvailable, loadFashionMnist } from '../../compiler/data/fashion-mnist.ts';
import { MODELS_DIR, MODEL_NAMES, cnnaFloatPredictions, haveModels, ortPredictions, statedTop1, top1 } from './real-models.ts';

const FLOAT_SUBSET: Record<string, number> = { fashion_lenet: 500, fashion_vgg: 100, fashion_vgg_bn: 100 };
const ready = haveModels() && fashionMnistAvailable();
const why = !haveModels() ? `../shared/models not found at ${MODELS_DIR} (set CNNA_SHARED)` : 'Fashion-MNIST not installed (apt-get install dataset-fashion-mnist)';

describe.skipIf(!ready)(`real trained models${ready ? '' : ` (skipped: ${why})`}`, () => {
  for (const name of MODEL_NAMES) {
    it(`${name}: float top-1 = stated ±0.1 pt, fixed-point top-1 within 0.5 pt of float`, async () => {
      const test = loadFashionMnist('test');
      const ort = await ortPredictions(name, test);
      const floatTop1 = top1(ort, test.labels);
      expect(Math.abs(floatTop1 - statedTop1(name))).toBeLessThanOrEqual(0.001 + 1e-9);

      const g = optimize(importOnnx(join(MODELS_DIR, `${name}.onnx`)));
      const n = FLOAT_SUBSET[name];
      const mine = cnnaFloatPredictions(g, test, 0, n);
      expect(Array.from(mine)).toEqual(Array.from(ort.subarray(0, n)));

      const qm = quantize(g, { report: false });
      const fixed = await fixedTop1(qm, test, { threads: 2 });
      expect(fixed.n).toBe(10000);
      console.log(`${name}: stated ${statedTop1(name)}, float (onnxruntime-node) ${floatTop1}, fixed-point ${fixed.top1} (${qm.options.calibration})`);
      expect(Math.abs(fixed.top1 - floatTop1)).toBeLessThanOrEqual(0.005);
    }, 600_000);
  }
});
