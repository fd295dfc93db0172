// Early exit at the board: the Fashion-MNIST cascade (models/early-exit/fashion_early_exit.onnx, a
// real PyTorch model) compiled with its exit (`exits: ['exit1']`), deployed on the Python PYNQ agent
// (hw_fake, its engine the TypeScript engine model on the agent's DDR image) and on the virtual board
// (ref backend), both over TCP. INFER with exitThreshold answers at the exit when its softmax maximum
// reaches the threshold: the exit taken, the outputs and the cycles equal the simulate path's
// (sim/run-segments.ts runSegments on the engine model with the same threshold), bit for bit; without
// a threshold every segment runs; a threshold outside [0, 1] is refused by the client and by both agents.
// `cnna infer --exit-threshold` names the exit per input and sums up per exit (inputs, top-1, mean
// on-board cycles) as runSegments gives them.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../boards/ultra96/board.ts';
import { packArchive } from '../../compiler/backend/bundle-archive.ts';
import { bundleFiles } from '../../compiler/backend/bundle-io.ts';
import { compileBundle } from '../../compiler/backend/compile-bundle.ts';
import { fashionMnistAvailable, loadFashionMnist } from '../../compiler/data/fashion-mnist.ts';
import { toBatch } from '../../compiler/data/preprocess.ts';
import { quant } from '../../compiler/golden/fixed/fixed-point.ts';
import { importOnnx } from '../../compiler/onnx/import-onnx.ts';
import { optimize } from '../../compiler/passes/index.ts';
import { quantize } from '../../compiler/quant/quantize.ts';
import { encodeBitstreamHeader, syntheticBitstreamData } from '../../host/hwh/bitstream-header.ts';
import { BoardClient } from '../../host/runtime/board-client.ts';
import { deployModel } from '../../host/runtime/deploy-model.ts';
import { runInference, type InferResult } from '../../host/runtime/run-inference.ts';
import { AgentCore } from '../../host/virtual-board/agent-core.ts';
import { refBackend } from '../../host/virtual-board/backends/ref-backend.ts';
import { serveTcp } from '../../host/virtual-board/serve-tcp.ts';
import { runBundle } from '../../sim/ref/run-bundle.ts';
import { runSegments } from '../../sim/run-segments.ts';
import { repoRoot, virtualHwh } from '../e2e/support/shared-paths.ts';
import { FAKE_BITSTREAM } from '../e2e/support/synthetic-model.ts';
import { refEngineCommand, startPythonAgent, type PythonAgent } from './support/python-agent.ts';
import { cnnaAsync } from '../cli/run-cli.ts';

const TOKEN = 'early-exit-token-01';
const MODEL = join(repoRoot, 'models/early-exit/fashion_early_exit.onnx');
const IMAGES = 12;
const T = 0.8;

describe.skipIf(!fashionMnistAvailable())('early exit at the board (INFER exitThreshold)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cnna-agent-early-exit-'));
  let py: PythonAgent | undefined;
  afterAll(async () => {
    await py?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`Python agent and virtual board leave at the exit exactly where the simulate path does (T = ${T}, ${IMAGES} images)`, async () => {
    const config = defaultConfig();
    const qm = quantize(optimize(importOnnx(MODEL)), { report: false });
    const cascade = compileBundle(qm, config, { name: 'fashion_early_exit', exits: ['exit1'] });
    const io = cascade.manifest.inputs[0];
    const set = loadFashionMnist('test', { limit: IMAGES });
    const xs = Array.from({ length: IMAGES }, (_, i) => Int16Array.from(toBatch(set, i, 1).data, (v) => quant(v, io.f)));
    // the simulate path: engine segments on the TypeScript engine model, host ops and the exit decision in run-segments
    const simulate = (x: Int16Array, t?: number) => runSegments(cascade, { [io.name]: x }, (view, raw) => runBundle(view, {}, { rawInputs: raw }), { exitThreshold: t });
    const expected = (x: Int16Array, t?: number) => {
      const r = simulate(x, t);
      const names = r.exit ? ['exit1'] : ['exit1', 'logits'];
      return { exit: r.exit ?? null, outputs: names.map((n) => ({ name: n, q: Array.from(r.values.get(n)!) })), cycles: r.cycles };
    };
    const got = (r: InferResult) => ({ exit: r.exit, outputs: r.outputs.map((o) => ({ name: o.name, q: Array.from(o.data) })), cycles: r.cycles });

    writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
    py = await startPythonAgent({ cache: join(dir, 'cache'), engine: refEngineCommand(join(dir, 'config.json')), token: TOKEN });
    const core = new AgentCore({ cacheDir: join(dir, 'virtual-cache'), token: TOKEN, backend: refBackend });
    const virtual = await serveTcp(core, { port: 0 });
    const boards = [
      {
        name: 'python agent', port: py.port,
        files: { bitstream: encodeBitstreamHeader({ design: 'early-exit', part: 'xczu3eg-sbva484-1-e', data: syntheticBitstreamData(new TextEncoder().encode('test overlay\n'.repeat(100))) }), hwh: readFileSync(join(repoRoot, 'host/hwh/fixtures/mini-z7.hwh')) },
      },
      { name: 'virtual board', port: virtual.port, files: { bitstream: FAKE_BITSTREAM, hwh: new Uint8Array(readFileSync(virtualHwh)) } },
    ];
    try {
      for (const b of boards) {
        const client = await BoardClient.connect({ transport: { kind: 'tcp', host: '127.0.0.1', port: b.port }, token: TOKEN, keepalive: false, longTimeoutMs: 120_000, retransmitMs: 60_000 });
        try {
          const dep = await deployModel(client, { ...b.files, bundle: packArchive(bundleFiles(cascade)) });
          // DEPLOY marks the early exit's output
          expect(dep.outputs.map((o) => [o.name, o.exit ?? false]), b.name).toEqual([['exit1', true], ['logits', false]]);
          const exits: (string | null)[] = [];
          for (let i = 0; i < IMAGES; i++) {
            const r = await runInference(client, [{ name: io.name, shape: io.shape, data: xs[i] }], { timeoutMs: 120_000, exitThreshold: T });
            expect(got(r), `${b.name} image ${i}`).toEqual(expected(xs[i], T));
            exits.push(r.exit);
          }
          // recorded: which of the first 12 test images leave at T = 0.8 (the simulate path agrees above)
          expect(exits.map((e) => (e ? 'x' : '.')).join(''), b.name).toBe(EXITS_AT_T);
          // T = 0 always leaves at the exit; without a threshold every segment runs
          expect(got(await runInference(client, [{ name: io.name, shape: io.shape, data: xs[0] }], { exitThreshold: 0 })), b.name).toEqual(expected(xs[0], 0));
          const all = await runInference(client, [{ name: io.name, shape: io.shape, data: xs[1] }]);
          expect(got(all), b.name).toEqual(expected(xs[1]));
          expect([all.exit, all.outputs.map((o) => o.exit ?? false)]).toEqual([null, [true, false]]);
        } finally {
          await client.close();
        }
      }
      // `cnna infer --exit-threshold` on the virtual board: image 0 runs every segment, image 1 leaves at the exit
      const cli = await cnnaAsync(['infer', 'fashion-mnist:0', 'fashion-mnist:1', '--exit-threshold', String(T), '--tcp', `127.0.0.1:${virtual.port}`, '--token', TOKEN, '--json']);
      expect([cli.code, cli.stderr]).toEqual([0, '']);
      const cj = JSON.parse(cli.stdout) as { results: { answer: string; exit: string | null; top: { index: number }[]; cycles: number }[]; cascade: { exits: Record<string, unknown>[] } & Record<string, unknown> };
      const rows = cj.results;
      const want = [0, 1].map((i) => expected(xs[i], T));
      const argmax = (q: number[]) => q.indexOf(Math.max(...q));
      expect(rows.map((r) => [r.exit, r.answer, r.top[0].index, r.cycles])).toEqual([
        [null, 'logits', argmax(want[0].outputs[1].q), want[0].cycles],
        ['exit1', 'exit1', argmax(want[1].outputs[0].q), want[1].cycles],
      ]);
      // the summary per exit: one input each, right when the answering head's argmax is the label, its on-board cycles
      const right = [argmax(want[0].outputs[1].q) === set.labels[0] ? 1 : 0, argmax(want[1].outputs[0].q) === set.labels[1] ? 1 : 0];
      const ms = (c: number) => c / (config.clockMhz * 1e3);
      expect(cj.cascade.exits).toEqual([
        { exit: 'exit1', answer: 'exit1', images: 1, correct: right[1], accuracy: right[1], meanCycles: want[1].cycles, meanLatencyMs: ms(want[1].cycles) },
        { exit: null, answer: 'logits', images: 1, correct: right[0], accuracy: right[0], meanCycles: want[0].cycles, meanLatencyMs: ms(want[0].cycles) },
      ]);
      expect([cj.cascade.threshold, cj.cascade.images, cj.cascade.correct, cj.cascade.meanCycles]).toEqual([T, 2, right[0] + right[1], (want[0].cycles + want[1].cycles) / 2]);
      const badCli = await cnnaAsync(['infer', 'fashion-mnist:0', '--exit-threshold', '1.5', '--tcp', `127.0.0.1:${virtual.port}`, '--token', TOKEN]);
      expect([badCli.code, badCli.stderr]).toEqual([2, "cnna: error [E_USAGE]: --exit-threshold '1.5' is not a number in [0, 1]\n  hint: an image leaves at an early exit when the exit's softmax maximum is at least T: 0 always exits, 1 only when certain\n"]);

      // a threshold outside [0, 1] is a bad request on both agents (and the client refuses it before sending)
      await expect(runInference({} as BoardClient, [], { exitThreshold: 1.5 })).rejects.toThrow('INFER: exit threshold 1.5 is not a number in [0, 1]');
      const refusals: string[] = [];
      for (const b of boards) {
        const client = await BoardClient.connect({ transport: { kind: 'tcp', host: '127.0.0.1', port: b.port }, token: TOKEN, keepalive: false });
        try {
          const body = { inputs: [{ name: io.name, dtype: 'int16', shape: io.shape, length: 2 * xs[0].length }], exitThresholdPpm: 1_500_000 };
          await client.request('INFER', body, new Uint8Array(xs[0].buffer)).catch((e: Error) => refusals.push(e.message));
        } finally {
          await client.close();
        }
      }
      expect(refusals).toEqual([
        'INFER: board error BAD_REQUEST: field exitThresholdPpm = 1500000 is out of range',
        "INFER: board error BAD_REQUEST: INFER: field 'exitThresholdPpm' must be an integer in [0, 1000000]",
      ]);
    } finally {
      await virtual.close();
      core.close();
    }
  }, 300_000);
});

const EXITS_AT_T = '.xxx.x..xx.x'; // 7 of 12 leave at the exit
