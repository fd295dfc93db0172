// The default Fashion-MNIST model compiled for the Ultra96 config, as the bundle archive the
// host deploys, with the golden model's int16 outputs (runFixed) for test images.
import { bundleFiles } from '../../../compiler/backend/bundle-io.ts';
import { packArchive } from '../../../compiler/backend/bundle-archive.ts';
import { compileBundle } from '../../../compiler/backend/compile-bundle.ts';
import type { Bundle } from '../../../compiler/contracts/bundle-format.ts';
import { loadFashionMnist } from '../../../compiler/data/fashion-mnist.ts';
import { toBatch } from '../../../compiler/data/preprocess.ts';
import { runFixed } from '../../../compiler/golden/fixed/run-fixed.ts';
import { importOnnx } from '../../../compiler/onnx/import-onnx.ts';
import { optimize } from '../../../compiler/passes/index.ts';
import { quant } from '../../../compiler/golden/fixed/fixed-point.ts';
import { quantize } from '../../../compiler/quant/quantize.ts';
import type { QuantizedModel } from '../../../compiler/golden/fixed/quantized-model.ts';
import { defaultConfig } from '../../../boards/ultra96/board.ts';
import { repoRoot } from './shared-paths.ts';

export const DEFAULT_MODEL = `${repoRoot}/models/default/fashion_cnn.onnx`;

export interface FashionCase { index: number; label: number; input: Int16Array; golden: Int16Array }

export interface CompiledFashion {
  qm: QuantizedModel;
  bundle: Bundle;
  archive: Uint8Array;
  cases: FashionCase[];
}

/** Compiles the default model and computes the golden int16 outputs of test images [0, n). */
export function compileFashion(n: number): CompiledFashion {
  const qm = quantize(optimize(importOnnx(DEFAULT_MODEL)));
  const bundle = compileBundle(qm, defaultConfig('ultra96'), { name: 'fashion_cnn' });
  const archive = packArchive(bundleFiles(bundle));
  const set = loadFashionMnist('test', { limit: n });
  const inIo = bundle.manifest.inputs[0];
  const outIo = bundle.manifest.outputs[0];
  const src = outIo.hostTail ? qm.graph.nodes.find((x) => x.outputs[0] === outIo.name)?.inputs[0] ?? outIo.name : outIo.name;
  const cases: FashionCase[] = [];
  for (let i = 0; i < n; i++) {
    const x = toBatch(set, i, 1);
    const gold = runFixed(qm, { [qm.graph.inputs[0].name]: x }, { keepAll: true });
    cases.push({ index: i, label: set.labels[i], input: Int16Array.from(x.data, (v) => quant(v, inIo.f)), golden: gold.raw[src].q });
  }
  return { qm, bundle, archive, cases };
}
