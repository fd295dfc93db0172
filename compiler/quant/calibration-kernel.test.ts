// The calibration does not depend on how the float executor computes: the default path (the
// WebAssembly SIMD conv kernel on 2 threads, weights quantized in the gaps) and the reference
// path (the plain TypeScript loop, CNNA_FLOAT_KERNEL=js, 1 thread) give the same float ranges
// bit for bit, hence the same activation formats, and the same int16 weights and weight formats,
// on the project's default model, the sample models and, where ../shared is present, the real
// Fashion-MNIST models, each with its default calibration data.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importOnnx } from '../onnx/import-onnx.ts';
import { SAMPLE_MODELS } from '../onnx/sample-models.ts';
import { optimize } from '../passes/index.ts';
import type { Graph } from '../ir/graph.ts';
import { quantize } from './quantize.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const shared = process.env.CNNA_SHARED ?? resolve(repoRoot, '../shared');
const sharedModels = ['fashion_lenet', 'fashion_vgg', 'fashion_vgg_bn'].map((n) => join(shared, 'models', `${n}.onnx`));
const noShared = existsSync(sharedModels[0]) ? undefined : `${join(shared, 'models')} is absent (reference models exist only on the project machines)`;

/** Formats and float ranges per value, from the reference path and from the default path. */
function bothPaths(g: Graph): { ref: string[]; fast: string[] } {
  const summary = (threads: number) => {
    const qm = quantize(g, { report: false, threads, onWarning: () => {} });
    return [
      ...[...qm.formats].map(([k, f]) => `${k}: f=${f}`),
      ...qm.report.map((r) => `${r.node}: [${r.min}, ${r.max}] ${r.format}`),
      ...[...qm.weights].map(([k, w]) => `${k}: weights f=${w.wf.join(',')} [${w.dims.join('x')}] ${Buffer.from(w.q.buffer, w.q.byteOffset, w.q.byteLength).toString('base64')}`),
    ];
  };
  process.env.CNNA_FLOAT_KERNEL = 'js';
  let ref: string[];
  try { ref = summary(1); } finally { delete process.env.CNNA_FLOAT_KERNEL; }
  return { ref, fast: summary(2) };
}

describe('calibration: same ranges and formats from the WebAssembly kernel on 2 threads as from the plain loop', () => {
  it('the default model (models/default/fashion_cnn.onnx) and the sample models', () => {
    const graphs = [
      optimize(importOnnx(join(repoRoot, 'models/default/fashion_cnn.onnx'))),
      ...Object.values(SAMPLE_MODELS).map((make) => optimize(importOnnx(make()))),
    ];
    for (const g of graphs) {
      const { ref, fast } = bothPaths(g);
      expect(ref.length, g.name).toBeGreaterThan(4);
      expect(fast, g.name).toEqual(ref);
    }
  }, 120_000);

  for (const file of sharedModels) {
    it.skipIf(noShared !== undefined)(`${file.split('/').at(-1)}${noShared ? ` (skipped: ${noShared})` : ''}`, () => {
      const { ref, fast } = bothPaths(optimize(importOnnx(file)));
      expect(ref.length).toBeGreaterThan(4);
      expect(fast).toEqual(ref);
    }, 300_000);
  }
});
