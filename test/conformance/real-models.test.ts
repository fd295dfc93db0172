// The Fashion-MNIST models in ../shared/models (PyTorch exports, opset 13, dynamic batch)
// import, optimize and run in the float executor equal to onnxruntime-node within 1e-4 on real
// test images. Skipped, with the reason, where ../shared is absent (a user's machine).

import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fashionMnistAvailable, loadFashionMnist } from '../../compiler/data/fashion-mnist.ts';
import { toBatch } from '../../compiler/data/preprocess.ts';
import { runFloat } from '../../compiler/golden/float/run-float.ts';
import { importOnnx } from '../../compiler/onnx/import-onnx.ts';
import { optimize } from '../../compiler/passes/index.ts';
import { describeGraph } from '../../compiler/passes/describe-graph.ts';
import { readFileSync } from 'node:fs';
import { maxAbsDiff, runOrtModel } from './ort-compare.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const shared = process.env.CNNA_SHARED ?? resolve(repoRoot, '../shared');
const modelsDir = join(shared, 'models');
const models = existsSync(modelsDir) ? readdirSync(modelsDir).filter((f) => f.endsWith('.onnx')).sort() : [];
const why = !existsSync(modelsDir) ? `${modelsDir} is absent (reference models exist only on the project machines)`
  : !fashionMnistAvailable() ? 'Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)' : undefined;

describe('real trained models vs onnxruntime-node', () => {
  it.skipIf(why !== undefined)(`finds the shared models${why ? ` (skipped: ${why})` : ''}`, () => {
    expect(models).toEqual(expect.arrayContaining(['fashion_lenet.onnx', 'fashion_vgg.onnx', 'fashion_vgg_bn.onnx']));
  });

  for (const file of models) {
    it.skipIf(why !== undefined)(`${file}: raw and optimized float graphs equal ORT within 1e-4 on 16 test images`, async () => {
      const path = join(modelsDir, file);
      const g = importOnnx(path, { batch: 16 });
      const o = optimize(g);
      expect(o.nodes.filter((n) => n.op === 'batchnorm' || n.op === 'flatten' || n.op === 'activation')).toEqual([]);
      expect(describeGraph(o).at(-1)).toMatch(/gemm\[tB\]/);
      const set = loadFashionMnist('test', { limit: 16 });
      const x = toBatch(set, 0, 16);
      const input = g.inputs[0].name;
      const out = g.outputs[0].name;
      const ref = (await runOrtModel(readFileSync(path), { [input]: x }, [out]))[out];
      const raw = runFloat(g, { [input]: x })[out];
      const opt = runFloat(o, { [input]: x })[out];
      expect(ref.dims).toEqual([16, 10]);
      expect(maxAbsDiff(raw, ref)).toBeLessThan(1e-4);
      expect(maxAbsDiff(opt, ref)).toBeLessThan(1e-4);
    });
  }
});
