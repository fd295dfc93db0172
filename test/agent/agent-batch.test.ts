// Batch mode at the board: the default Fashion-MNIST model compiled with batch 4, deployed through the
// host runtime to the Python PYNQ agent (hw_fake, its engine the TypeScript engine model on the agent's
// DDR image) and to the virtual board (ref backend), both over TCP. One INFER carries 4 images
// (image-major, `images: 4`), the agent lays them out at each tensor's imageStride and runs one start:
// every image's outputs equal the golden model's bit for bit and the engine model's (sim/ref) for the same
// start, and the cycles equal `cnna simulate --batch 4 --backend ref` on the same bundle. Refused with
// BAD_INPUT and the contract's message: another image count on the batch deployment, a batch on a batch-1
// deployment; `cnna infer` sends a batch deployment's inputs 4 at a time and refuses a count that is not a
// multiple of 4.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../boards/ultra96/board.ts';
import { packArchive } from '../../compiler/backend/bundle-archive.ts';
import { bundleFiles } from '../../compiler/backend/bundle-io.ts';
import { compileBundle, type Bundle } from '../../compiler/backend/compile-bundle.ts';
import { fashionMnistAvailable, loadFashionMnist } from '../../compiler/data/fashion-mnist.ts';
import { toBatch } from '../../compiler/data/preprocess.ts';
import { quant } from '../../compiler/golden/fixed/fixed-point.ts';
import { runFixed } from '../../compiler/golden/fixed/run-fixed.ts';
import { importOnnx } from '../../compiler/onnx/import-onnx.ts';
import { optimize } from '../../compiler/passes/index.ts';
import { quantize } from '../../compiler/quant/quantize.ts';
import { encodeBitstreamHeader, syntheticBitstreamData } from '../../host/hwh/bitstream-header.ts';
import { BoardClient } from '../../host/runtime/board-client.ts';
import { deployModel } from '../../host/runtime/deploy-model.ts';
import { runBatchInference, runInference } from '../../host/runtime/run-inference.ts';
import type { WireTensor } from '../../host/virtual-board/engine-backend.ts';
import { AgentCore } from '../../host/virtual-board/agent-core.ts';
import { refBackend } from '../../host/virtual-board/backends/ref-backend.ts';
import { serveTcp } from '../../host/virtual-board/serve-tcp.ts';
import { runBundle } from '../../sim/ref/run-bundle.ts';
import { repoRoot, virtualHwh } from '../e2e/support/shared-paths.ts';
import { FAKE_BITSTREAM } from '../e2e/support/synthetic-model.ts';
import { refEngineCommand, startPythonAgent, type PythonAgent } from './support/python-agent.ts';
import { cnnaAsync } from '../cli/run-cli.ts';

const TOKEN = 'batch-token-0001';
const MODEL = join(repoRoot, 'models/default/fashion_cnn.onnx');
const B = 4;

describe.skipIf(!fashionMnistAvailable())('batch mode at the board (INFER images)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cnna-agent-batch-'));
  let py: PythonAgent | undefined;
  let batch: Bundle;
  let single: Bundle;
  const xs: Int16Array[] = [];
  const golden: number[][] = [];
  afterAll(async () => {
    await py?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  beforeAll(() => {
    const config = defaultConfig();
    const qm = quantize(optimize(importOnnx(MODEL)), { calibrationImages: 8, report: false });
    batch = compileBundle(qm, config, { batch: B });
    single = compileBundle(qm, config);
    const inIo = batch.manifest.inputs[0];
    const outIo = batch.manifest.outputs[0];
    const src = outIo.hostTail ? qm.graph.nodes.find((n) => n.outputs[0] === outIo.name)!.inputs[0] : outIo.name;
    const set = loadFashionMnist('test', { limit: B });
    for (let i = 0; i < B; i++) {
      const x = toBatch(set, i, 1);
      golden.push(Array.from(runFixed(qm, { [qm.graph.inputs[0].name]: x }, { keepAll: true }).raw[src].q));
      xs.push(Int16Array.from(x.data, (v) => quant(v, inIo.f)));
    }
    writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
    writeFileSync(join(dir, 'batch4.cnnab'), packArchive(bundleFiles(batch)));
  }, 120_000);

  it('4 images in one INFER on the Python agent and the virtual board: bit-exact per image, one start, the cycles of cnna simulate', async () => {
    expect(batch.manifest.batch).toBe(B);
    const io = batch.manifest.inputs[0];
    const images: WireTensor[][] = xs.map((x) => [{ name: io.name, shape: io.shape, data: x }]);
    // the engine model on the same start, and the CLI on the same bundle (it checks against the golden model itself)
    const ref = runBundle(batch, {}, { rawInputs: xs.map((x) => ({ [io.name]: x })) });
    const outName = batch.manifest.outputs[0].name;
    expect(ref.images.map((im) => Array.from(im.raw[outName].q))).toEqual(golden);
    const sim = await cnnaAsync(['simulate', join(dir, 'batch4.cnnab'), '--model', MODEL, '--backend', 'ref', '--dataset', 'fashion-mnist', '--limit', String(B), '--batch', String(B), '--calibration-images', '8', '--json']);
    expect(sim.code, sim.stderr).toBe(0);
    const sj = JSON.parse(sim.stdout);
    expect(sj).toMatchObject({ bitExact: true, batch: B, starts: 1, inferences: B, cycles: ref.cycles });
    expect(sj.mismatches).toMatchObject({ images: 0, values: 0, compared: 10 * B });
    expect(new Set(golden.map((g) => g.join(','))).size).toBe(B);

    py = await startPythonAgent({ cache: join(dir, 'cache'), engine: refEngineCommand(join(dir, 'config.json')), token: TOKEN });
    const core = new AgentCore({ cacheDir: join(dir, 'virtual-cache'), token: TOKEN, backend: refBackend });
    const virtual = await serveTcp(core, { port: 0 });
    const boards = [
      {
        name: 'python agent', port: py.port,
        files: { bitstream: encodeBitstreamHeader({ design: 'batch', part: 'xczu3eg-sbva484-1-e', data: syntheticBitstreamData(new TextEncoder().encode('test overlay\n'.repeat(100))) }), hwh: readFileSync(join(repoRoot, 'host/hwh/fixtures/mini-z7.hwh')) },
      },
      { name: 'virtual board', port: virtual.port, files: { bitstream: FAKE_BITSTREAM, hwh: new Uint8Array(readFileSync(virtualHwh)) } },
    ];
    const model = batch.manifest.model;
    // the inputs of one INFER travel in one frame: the client refuses a batch the board's maxFrame cannot carry
    const small = { hello: { limits: { maxFrame: 6000 } }, description: 'tcp 127.0.0.1:1' } as unknown as BoardClient;
    await expect(runBatchInference(small, images)).rejects.toThrow("INFER: 4 images of inputs are 6,272 bytes, one frame to tcp 127.0.0.1:1 carries at most 4,976 (maxFrame 6,000 less 1,024 for the header and body)");
    try {
      for (const b of boards) {
        const client = await BoardClient.connect({ transport: { kind: 'tcp', host: '127.0.0.1', port: b.port }, token: TOKEN, keepalive: false, longTimeoutMs: 120_000, retransmitMs: 60_000 });
        try {
          const dep = await deployModel(client, { ...b.files, bundle: packArchive(bundleFiles(batch)) });
          expect(dep.batch, b.name).toBe(B);
          expect(((await client.request('INFO')).body.io as { batch?: number }).batch, b.name).toBe(B);
          const r = await runBatchInference(client, images, { timeoutMs: 120_000 });
          expect(r.images.map((outs) => outs.map((o) => [o.name, o.f, Array.from(o.data)])), b.name).toEqual(golden.map((g) => [[outName, batch.manifest.outputs[0].f, g]]));
          expect(r.cycles, b.name).toBe(ref.cycles);
          expect(r.timeNs, b.name).toBe(Math.round((ref.cycles * 1e9) / dep.clockHz));
          // the refusals: 3 images, 1 image (no `images` field), on the batch-4 deployment
          const refused: string[] = [];
          await runBatchInference(client, images.slice(0, 3)).catch((e: Error) => refused.push(e.message));
          await runInference(client, images[0]).catch((e: Error) => refused.push(e.message));
          // raw requests: `images` out of 1..64, and 4 images declared with the bytes of 3
          const desc = [{ name: io.name, dtype: 'int16', shape: io.shape, length: 2 * xs[0].length }];
          const three = new Uint8Array(3 * 2 * xs[0].length);
          for (const images of [0, 65]) await client.request('INFER', { inputs: desc, images }, three).catch((e: Error) => refused.push(e.message));
          await client.request('INFER', { inputs: desc, images: B }, three).catch((e: Error) => refused.push(e.message));
          expect(refused, b.name).toEqual([
            `INFER: board error BAD_INPUT: INFER: bundle '${model}' runs 4 images per start (compiled with --batch 4), the request carries 3; send exactly 4 images per INFER (a batch bundle has no padding images)`,
            `INFER: board error BAD_INPUT: INFER: bundle '${model}' runs 4 images per start (compiled with --batch 4), the request carries 1; send exactly 4 images per INFER (a batch bundle has no padding images)`,
            ...(b.name === 'python agent' ? [
              'INFER: board error BAD_REQUEST: field images = 0 is out of range',
              'INFER: board error BAD_REQUEST: field images = 65 is out of range',
              'INFER: board error BAD_INPUT: the blob holds 4704 bytes, the inputs declare 6272',
            ] : [
              "INFER: board error BAD_REQUEST: INFER: field 'images' must be an integer in [1, 64]",
              "INFER: board error BAD_REQUEST: INFER: field 'images' must be an integer in [1, 64]",
              'INFER: board error BAD_INPUT: INFER: the blob holds 4704 bytes, fewer than the inputs declare for 4 images',
            ]),
          ]);
        } finally {
          await client.close();
        }
      }
      // `cnna infer` on the virtual board's batch deployment: 4 inputs in one start, the top-1 of each the golden argmax
      const cli = await cnnaAsync(['infer', 'fashion-mnist:0', 'fashion-mnist:1', 'fashion-mnist:2', 'fashion-mnist:3', '--tcp', `127.0.0.1:${virtual.port}`, '--token', TOKEN, '--json']);
      expect([cli.code, cli.stderr]).toEqual([0, '']);
      const cj = JSON.parse(cli.stdout) as { batch: number; results: { top: { index: number }[]; cycles: number; outputs: { q: number[] }[] }[] };
      expect(cj.batch).toBe(B);
      expect(cj.results.map((r) => [r.outputs[0].q, r.cycles])).toEqual(golden.map((g) => [g, ref.cycles]));
      expect(cj.results.map((r) => r.top[0].index)).toEqual(golden.map((g) => g.indexOf(Math.max(...g))));
      // `cnna bench` on the batch deployment: 4 images per run, images/s on board = 4 / the start's board time
      const bench = await cnnaAsync(['bench', '--runs', '2', '--input', 'fashion-mnist:0', '--tcp', `127.0.0.1:${virtual.port}`, '--token', TOKEN, '--json']);
      expect([bench.code, bench.stderr]).toEqual([0, '']);
      const bj = JSON.parse(bench.stdout) as { batch: number; cycles: number; boardTimeMs: number; boardImagesPerS: number; imagesPerS: number; throughputPerS: number };
      expect([bj.batch, bj.cycles]).toEqual([B, ref.cycles]);
      expect(bj.boardImagesPerS).toBeCloseTo(B / (Math.round((ref.cycles * 1e9) / (defaultConfig().clockMhz * 1e6)) / 1e9), 6);
      expect(bj.imagesPerS).toBeCloseTo(B * bj.throughputPerS, 6);
      const few = await cnnaAsync(['infer', 'fashion-mnist:0', 'fashion-mnist:1', '--tcp', `127.0.0.1:${virtual.port}`, '--token', TOKEN]);
      expect([few.code, few.stderr.split('\n')[0]]).toEqual([2, 'cnna: error [E_USAGE]: infer: the deployed bundle runs 4 images per start; give a multiple of 4 inputs (got 2)']);

      // a batch on a batch-1 deployment is refused by both agents
      for (const b of boards) {
        const client = await BoardClient.connect({ transport: { kind: 'tcp', host: '127.0.0.1', port: b.port }, token: TOKEN, keepalive: false, longTimeoutMs: 120_000, retransmitMs: 60_000 });
        try {
          const dep = await deployModel(client, { ...b.files, bundle: packArchive(bundleFiles(single)) });
          expect(dep.batch, b.name).toBe(1);
          await expect(runBatchInference(client, images), b.name).rejects.toThrow(
            `INFER: board error BAD_INPUT: INFER: bundle '${single.manifest.model}' runs 1 image per start (compiled without --batch), the request carries 4 images; compile it with --batch 4 and deploy that to run them in one start, or send one image per INFER`);
          // the batch-1 bundle still answers one image, bit-exact
          expect(Array.from((await runInference(client, images[2])).outputs[0].data), b.name).toEqual(golden[2]);
        } finally {
          await client.close();
        }
      }
    } finally {
      await virtual.close();
      core.close();
    }
  }, 120_000);
});
