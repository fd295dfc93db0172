// Batch mode on the HLS engine (docs/bundle-format.md "Batch"): one start runs N images, the FC layers as
// BATCH jobs (each streamed weight word applied to every image before the next word; sums carried across
// input chunks with ACC_OUT / ACC_IN, held in the MAC array). In one system-model process per mode, on the
// default config: the default Fashion-MNIST CNN at batch 1, 4 and 8, and an FC-only model whose 9,000-value
// input does not fit the input bank 8 images at a time, so its first FC layer runs in two chunks. Every
// image's int16 outputs, read from the DDR the HLS engine wrote, must equal the golden model and the
// engine model (sim/ref) bit for bit; the clocked cycles stay within 10% of the performance model, which is
// calibrated on the RTL. Both modes: untimed (the HLS top) and clocked (its kernels under clocked threads).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { fcOnlyModel, images } from '../../test/engine/batch-cases.ts';
import { defaultConfig } from '../../boards/ultra96/board.ts';
import { compileBundle } from '../../compiler/backend/compile-bundle.ts';
import { DESC_BYTES, Flag, decodeDescriptor, encodeDescriptor } from '../../compiler/contracts/bundle-format.ts';
import { importOnnx } from '../../compiler/onnx/import-onnx.ts';
import { optimize } from '../../compiler/passes/index.ts';
import { quantize } from '../../compiler/quant/quantize.ts';
import { runFixed } from '../../compiler/golden/fixed/run-fixed.ts';
import type { QuantizedModel } from '../../compiler/golden/fixed/quantized-model.ts';
import type { Tensor } from '../../compiler/ir/graph.ts';
import { modelBundle } from '../perf/model-bundle.ts';
import { runBundle } from '../ref/run-bundle.ts';
import { repoRoot } from './hls-sources.ts';
import { loadBundleLines, loadInputLines } from '../ddr-image.ts';
import { ensureHlsModel } from './build.ts';
import { HLS_BASE, runBundlesHls } from './run-hls.ts';

const config = defaultConfig();

describe('batch mode on the HLS engine', () => {
  it('runs the default CNN at batch 1, 4 and 8 and a chunked FC model at batch 8 bit-exact per image', async () => {
    const cnnQm = quantize(optimize(importOnnx(resolve(repoRoot, 'models/default/fashion_cnn.onnx'))), { calibrationImages: 8, report: false });
    const fcImgs = images([9000], 8, 11);
    const fcQm = quantize(optimize(importOnnx(fcOnlyModel({ name: 'fc_chunked', K: 9000, seed: 9, wScale: 0.03 }))), { calibration: [{ dims: [8, 9000], data: Float32Array.from(fcImgs.flatMap((t) => [...t.data])) }], report: false });
    const cases: { qm: QuantizedModel; batch: number; imgs: Tensor[] }[] = [
      { qm: cnnQm, batch: 1, imgs: images([1, 28, 28], 1, 1) },
      { qm: cnnQm, batch: 4, imgs: images([1, 28, 28], 4, 2) },
      { qm: cnnQm, batch: 8, imgs: images([1, 28, 28], 8, 3) },
      { qm: fcQm, batch: 8, imgs: fcImgs },
    ];
    const bundles = cases.map((c) => compileBundle(c.qm, config, { batch: c.batch }));
    // fc_chunked fc1: 563 channel groups x 8 images > 4,096 entries: two chunks per PO block, the sums held
    // between them (the second block walks the chunks backwards, keeping the one in the bank).
    const fc1 = bundles[3].manifest.layers.find((l) => l.name === 'fc1')!;
    const fv = new DataView(bundles[3].descriptors.buffer, bundles[3].descriptors.byteOffset, bundles[3].descriptors.byteLength);
    const fcFlags = [0, 1, 2, 3].map((k) => decodeDescriptor(fv, (fc1.jobs[0] + k) * DESC_BYTES).flags & ~Flag.LAST);
    expect(fcFlags).toEqual([Flag.BATCH | Flag.SYNC | Flag.ACC_OUT, Flag.BATCH | Flag.ACC_IN, Flag.BATCH | Flag.REUSE_INPUT | Flag.ACC_OUT, Flag.BATCH | Flag.ACC_IN]);

    const inName = (qm: QuantizedModel) => qm.graph.inputs[0].name;
    const items = cases.map((c, b) => ({ bundle: bundles[b], inputSets: [{ images: c.imgs.map((t) => ({ tensors: { [inName(c.qm)]: t } })) }] }));
    // Untimed: the HLS top itself (its dataflow segments); clocked: the same kernels under the clocked threads.
    const untimed = await runBundlesHls(items, { config, mode: 'untimed' });
    const r = await runBundlesHls(items, { config, mode: 'clocked' });
    const perImage: number[] = [];
    cases.forEach((c, b) => {
      const run = r.results[b][0];
      const top = untimed.results[b][0];
      expect(top.images.length).toBe(c.batch);
      c.imgs.forEach((_, n) => expect(Array.from(top.images[n].raw[bundles[b].manifest.outputs[0].name].q), `case ${b} image ${n}: untimed vs clocked`).toEqual(Array.from(run.images[n].raw[bundles[b].manifest.outputs[0].name].q)));
      const out = bundles[b].manifest.outputs[0];
      const src = out.hostTail ? c.qm.graph.nodes.find((n) => n.outputs[0] === out.name)!.inputs[0] : out.name;
      const ref = runBundle(bundles[b], c.imgs.map((t) => ({ [inName(c.qm)]: t })), { config });
      expect(run.images.length).toBe(c.batch);
      expect(run.jobs).toBe(bundles[b].manifest.descriptors.count);
      c.imgs.forEach((t, n) => {
        const gold = runFixed(c.qm, { [inName(c.qm)]: t }, { keepAll: true }).raw[src].q;
        expect(Array.from(run.images[n].raw[out.name].q), `case ${b} image ${n}: HLS vs golden`).toEqual(Array.from(gold));
        expect(Array.from(ref.images[n].raw[out.name].q), `case ${b} image ${n}: ref vs golden`).toEqual(Array.from(gold));
      });
      const modeled = modelBundle(bundles[b], config).cycles;
      expect(Math.abs(run.cycles / modeled - 1), `case ${b}: clocked ${run.cycles} vs modeled ${modeled}`).toBeLessThan(0.1);
      perImage.push(run.cycles / c.batch);
    });
    // The FC weights cross DDR once per start: per image, batch 4 and 8 cost less than batch 1.
    expect(perImage[1]).toBeLessThan(perImage[0]);
    expect(perImage[2]).toBeLessThan(perImage[1]);
  }, 600_000);
});

// The engine's own checks, without the driver's (which refuses these bundles first, E_BUNDLE): a job the HLS
// engine cannot run stops it with status BAD_OPCODE after the jobs before it, in both modes, never with a
// wrong result. The system model is driven directly with a script, as runBundlesHls does.
describe('the HLS engine stops on jobs it cannot run', () => {
  it('a WINOGRAD job on an engine without array.winograd, and a BATCH job of 9 rows: status 4 BAD_OPCODE', async () => {
    const cnnQm = quantize(optimize(importOnnx(resolve(repoRoot, 'models/default/fashion_cnn.onnx'))), { calibrationImages: 8, report: false });
    const bundle = compileBundle(cnnQm, config, { batch: 4 });
    const model = await ensureHlsModel(config);
    const work = mkdtempSync(join(tmpdir(), 'cnna-hls-opcode-'));
    const v = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);
    const fc1 = bundle.manifest.layers.find((l) => l.name === 'fc1')!.jobs[0];
    const wino = new Uint8Array(bundle.descriptors);
    const d1 = decodeDescriptor(v(wino), DESC_BYTES);
    d1.flags |= Flag.WINOGRAD;
    encodeDescriptor(d1, v(wino), DESC_BYTES);
    const rows = new Uint8Array(bundle.descriptors);
    const df = decodeDescriptor(v(rows), fc1 * DESC_BYTES);
    Object.assign(df, { hin: 9, hc: 9, hp: 9 });
    encodeDescriptor(df, v(rows), fc1 * DESC_BYTES);
    const imgs = images([1, 28, 28], 4, 5).map((t) => ({ tensors: { [cnnQm.graph.inputs[0].name]: t } }));
    const S: string[] = [`ddr ${HLS_BASE + bundle.manifest.memoryMap.ddrBytes + 4096}`, 'timing 40 16 2'];
    for (const mode of ['untimed', 'clocked']) {
      for (const [k, descriptors] of [wino, rows].entries()) {
        S.push(`mode ${mode}`, ...loadBundleLines(work, k, { ...bundle, descriptors }, HLS_BASE), ...loadInputLines(work, k, 0, bundle.manifest, { images: imgs }, HLS_BASE, config.array.pi), `run ${HLS_BASE} 100000000`);
      }
    }
    writeFileSync(join(work, 'script.txt'), `${S.join('\n')}\n`);
    const r = await execa(model.exe, ['--script', join(work, 'script.txt'), '--mhz', '200'], { reject: false });
    rmSync(work, { recursive: true, force: true });
    expect(r.exitCode, r.stderr).toBe(0);
    const runs = r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { status: number; jobs: number; timeout: boolean });
    // WINOGRAD at job 1: nothing runs; the 9-row BATCH job (fc1's first): the jobs before it run.
    expect(runs.map((x) => [x.status, x.jobs, x.timeout])).toEqual([[4, 0, false], [4, fc1 - 1, false], [4, 0, false], [4, fc1 - 1, false]]);
  }, 300_000);
});
