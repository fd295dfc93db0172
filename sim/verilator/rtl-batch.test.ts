// Batch mode on the RTL engine: one start runs N images, the FC layers as BATCH jobs (each weight word
// applied to every image before the next word). Two models in one simulation process on the default
// config: the default Fashion-MNIST CNN at batch 4 (two starts), and an FC-only model whose 22,400-value
// input does not fit the input bank three images at a time, so its first FC layer runs in two input
// chunks whose sums carry from job to job (ACC_OUT, ACC_IN). Every image's int16 outputs must equal the
// golden model (runFixed) and the TypeScript engine model (sim/ref) bit for bit, and the harness counts
// the bytes read from the FC layers' weight blocks: each block exactly once per start.
import { describe, expect, it } from 'vitest';
import { fcOnlyModel, images } from '../../test/engine/batch-cases.ts';
import { defaultConfig } from '../../boards/ultra96/board.ts';
import { compileBundle } from '../../compiler/backend/compile-bundle.ts';
import { decodeDescriptor, weightBlockBytes, DESC_BYTES, Flag, type Bundle } from '../../compiler/contracts/bundle-format.ts';
import { importOnnx } from '../../compiler/onnx/import-onnx.ts';
import { optimize } from '../../compiler/passes/index.ts';
import { quantize } from '../../compiler/quant/quantize.ts';
import { runFixed } from '../../compiler/golden/fixed/run-fixed.ts';
import type { QuantizedModel } from '../../compiler/golden/fixed/quantized-model.ts';
import type { Tensor } from '../../compiler/ir/graph.ts';
import { runBundle } from '../ref/run-bundle.ts';
import { repoRoot } from './rtl-sources.ts';
import { runBundlesRtl, type RtlRunResult } from './run-rtl.ts';
import { resolve } from 'node:path';

const config = defaultConfig();

/** Bundle offsets spanned by the FC layers' weight blocks, and the bytes of those blocks (each once). */
function fcWeights(b: Bundle): { from: number; to: number; bytes: number } {
  const v = new DataView(b.descriptors.buffer, b.descriptors.byteOffset, b.descriptors.byteLength);
  const blocks = new Map<number, number>();
  for (const l of b.manifest.layers.filter((x) => x.op === 'gemm')) {
    for (let j = l.jobs[0]; j <= l.jobs[1]; j++) {
      const d = decodeDescriptor(v, j * DESC_BYTES);
      expect(d.flags & Flag.BATCH).toBe(Flag.BATCH);
      blocks.set(d.wAddr, weightBlockBytes(config.array.pi, config.array.po, d.kh, d.kw, d.cg));
    }
  }
  const from = Math.min(...blocks.keys());
  const to = Math.max(...[...blocks].map(([a, n]) => a + n));
  return { from, to, bytes: [...blocks.values()].reduce((a, n) => a + n, 0) };
}

describe('batch mode on the RTL engine', () => {
  it('runs the default CNN at batch 4 and a chunked FC model at batch 3 bit-exact per image, FC weights read once per start', async () => {
    const cnn = optimize(importOnnx(resolve(repoRoot, 'models/default/fashion_cnn.onnx')));
    const cnnQm = quantize(cnn, { calibrationImages: 8, report: false });
    const fcG = optimize(importOnnx(fcOnlyModel({ name: 'fc_wide', K: 22400, seed: 7, wScale: 0.02 })));
    const fcImgs = images([22400], 3, 11);
    const fcQm = quantize(fcG, { calibration: [{ dims: [3, 22400], data: Float32Array.from(fcImgs.flatMap((t) => [...t.data])) }], report: false });
    const cases: { qm: QuantizedModel; batch: number; starts: Tensor[][] }[] = [
      { qm: cnnQm, batch: 4, starts: [images([1, 28, 28], 4, 1), images([1, 28, 28], 4, 2)] },
      { qm: fcQm, batch: 3, starts: [fcImgs] },
    ];
    const bundles = cases.map((c) => compileBundle(c.qm, config, { batch: c.batch }));
    // The FC-only model's first layer: 1,400 channel groups x 3 images > 4,096 entries: two chunks per block.
    const fc1 = bundles[1].manifest.layers.find((l) => l.name === 'fc1')!;
    expect(fc1.jobs[1] - fc1.jobs[0] + 1).toBe(4);
    // The second PO block walks the chunks backwards and keeps the chunk already in the bank.
    const fv = new DataView(bundles[1].descriptors.buffer, bundles[1].descriptors.byteOffset, bundles[1].descriptors.byteLength);
    const fcFlags = [0, 1, 2, 3].map((k) => decodeDescriptor(fv, (fc1.jobs[0] + k) * DESC_BYTES).flags & ~Flag.LAST);
    expect(fcFlags).toEqual([Flag.BATCH | Flag.SYNC | Flag.ACC_OUT, Flag.BATCH | Flag.ACC_IN, Flag.BATCH | Flag.REUSE_INPUT | Flag.ACC_OUT, Flag.BATCH | Flag.ACC_IN]);
    // FC weight bytes, from the layer shapes (docs/bundle-format.md: 160-byte header, 512-byte words):
    // default CNN fc1 16x7x7 -> 64: 4 blocks x (160 + 49 words); fc2 64 -> 10: 1 block x (160 + 4 words);
    // fc_wide fc1 22400 -> 24: 2 blocks x 2 chunks x (160 + 700 words); fc2 24 -> 10: 1 block x (160 + 2 words).
    const expectFc = [4 * (160 + 49 * 512) + (160 + 4 * 512), 2 * 2 * (160 + 700 * 512) + (160 + 2 * 512)];
    const watch = bundles.map(fcWeights);
    expect(watch.map((w) => w.bytes)).toEqual(expectFc);

    const inName = (qm: QuantizedModel) => qm.graph.inputs[0].name;
    const results: RtlRunResult[][] = [];
    for (let b = 0; b < 2; b++) {
      // One process per bundle: the watch range is per bundle.
      const r = await runBundlesRtl([{ bundle: bundles[b], inputSets: cases[b].starts.map((s) => ({ images: s.map((t) => ({ tensors: { [inName(cases[b].qm)]: t } })) })) }], { config, watch: watch[b] });
      results.push(r.results[0]);
    }
    cases.forEach((c, b) => {
      const out = bundles[b].manifest.outputs[0];
      const src = out.hostTail ? c.qm.graph.nodes.find((n) => n.outputs[0] === out.name)!.inputs[0] : out.name;
      c.starts.forEach((imgs, s) => {
        const run = results[b][s];
        const ref = runBundle(bundles[b], imgs.map((t) => ({ [inName(c.qm)]: t })), { config });
        expect(run.images.length).toBe(c.batch);
        imgs.forEach((t, n) => {
          const gold = runFixed(c.qm, { [inName(c.qm)]: t }, { keepAll: true }).raw[src].q;
          expect(Array.from(run.images[n].raw[out.name].q), `bundle ${b} start ${s} image ${n}: RTL vs golden`).toEqual(Array.from(gold));
          expect(Array.from(ref.images[n].raw[out.name].q), `bundle ${b} start ${s} image ${n}: ref vs golden`).toEqual(Array.from(gold));
        });
        // Every FC weight block crossed DDR exactly once in this start.
        expect(run.axi.watchBytes, `bundle ${b} start ${s}: FC weight bytes read`).toBe(expectFc[b]);
      });
    });
  }, 600_000);
});
