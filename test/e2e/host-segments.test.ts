// Partitioned models: real PyTorch exports (test/fixtures/torch-host-ops, made by
// scripts/export-torch-host-ops.py) with ops the engine cannot run between conv layers: a Sigmoid
// and a Tanh, a channel Softmax, LpPool (p = 2 and 1) and SoftPool. The compiler splits them into engine and host segments (docs/bundle-format.md "Segments");
//  - the float executor agrees with onnxruntime-node on the raw export;
//  - the bundle's segments are the expected ones;
//  - the engine model (sim/ref) runs them bit-exact against the golden model;
//  - every engine segment on the RTL, and `cnna compile` / `cnna simulate --backend rtl` through the CLI;
//  - deployed on the virtual board over TCP (host runtime -> protocol -> agent, which runs the
//    engine segments on its engine and the host ops between them), every output is bit-exact.
// The lookup-table rule is checked on values computed independently (Python's math.exp / tanh).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../boards/ultra96/board.ts';
import { packArchive } from '../../compiler/backend/bundle-archive.ts';
import { bundleFiles } from '../../compiler/backend/bundle-io.ts';
import { compileBundle } from '../../compiler/backend/compile-bundle.ts';
import type { Bundle } from '../../compiler/contracts/bundle-format.ts';
import { quant } from '../../compiler/golden/fixed/fixed-point.ts';
import { binaryFixed, unaryLut } from '../../compiler/golden/fixed/ops/host-ops.ts';
import type { QuantizedModel } from '../../compiler/golden/fixed/quantized-model.ts';
import { runFixed } from '../../compiler/golden/fixed/run-fixed.ts';
import { runFloat } from '../../compiler/golden/float/run-float.ts';
import type { Tensor } from '../../compiler/ir/graph.ts';
import { importOnnx } from '../../compiler/onnx/import-onnx.ts';
import { optimize } from '../../compiler/passes/index.ts';
import { quantize } from '../../compiler/quant/quantize.ts';
import { BoardClient } from '../../host/runtime/board-client.ts';
import { deployModel } from '../../host/runtime/deploy-model.ts';
import { runInference } from '../../host/runtime/run-inference.ts';
import { AgentCore } from '../../host/virtual-board/agent-core.ts';
import { refBackend } from '../../host/virtual-board/backends/ref-backend.ts';
import { serveTcp } from '../../host/virtual-board/serve-tcp.ts';
import { rawGraphInputs, runBundle } from '../../sim/ref/run-bundle.ts';
import { runSegmentsAsync } from '../../sim/run-segments.ts';
import { modelBundle } from '../../sim/perf/model-bundle.ts';
import { runBundleRtl } from '../../sim/verilator/run-rtl.ts';
import { rng } from '../engine/random-layer.ts';
import { cnna } from '../cli/run-cli.ts';
import { writeNpy } from '../../compiler/data/npy.ts';
import { virtualHwh } from './support/shared-paths.ts';
import { FAKE_BITSTREAM } from './support/synthetic-model.ts';
import { fixtureImages, floatVsOrt, torchFixtures } from '../conformance/torch-fixtures.ts';

const { dir, files } = torchFixtures('torch-host-ops');
const IMAGES = 3;
const TOKEN = 'segments-token';
const haveVerilator = (() => { try { return spawnSync('verilator', ['--version']).status === 0; } catch { return false; } })();

const images = (seed: number): Tensor[] => fixtureImages(seed, IMAGES);

interface Compiled { f: string; qm: QuantizedModel; bundle: Bundle; xs: Tensor[]; gold: Int16Array[] }

describe('partitioned models (engine + host segments)', () => {
  let models: Compiled[];
  let tmp: string;
  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'cnna-segments-'));
    models = files.map((f, k) => {
      const qm = quantize(optimize(importOnnx(readFileSync(resolve(dir, f)))), { calibrationImages: 8, report: false, onWarning: () => {} });
      const bundle = compileBundle(qm, defaultConfig(), { name: f });
      const xs = images(300 + k);
      return { f, qm, bundle, xs, gold: xs.map((x) => runFixed(qm, { input: x }).raw.logits.q) };
    });
  });
  afterAll(() => { if (tmp) rmSync(tmp, { recursive: true, force: true }); });

  it('the fixtures hold every model at opsets 13 and 17', () => {
    expect(files).toEqual(['channel-softmax', 'lppool', 'sigmoid-tanh', 'softpool'].flatMap((f) => [`${f}-opset13.onnx`, `${f}-opset17.onnx`]));
  });

  it('a unary op is a 16-bit table: quant(fn(q·2^-f_in), f_out), round half up, saturated', () => {
    const qs = [-32768, -4096, -1, 0, 1, 4096, 10000, 32767];
    const at = (t: Int16Array) => qs.map((q) => t[q + 32768]);
    expect(at(unaryLut('sigmoid', 12, 14))).toEqual([5, 4406, 8191, 8192, 8193, 11978, 15072, 16379]);
    expect(at(unaryLut('tanh', 12, 14))).toEqual([-16384, -12478, -4, 0, 4, 12478, 16138, 16384]);
    expect(at(unaryLut('exp', 12, 12))).toEqual([1, 1507, 4095, 4096, 4097, 11134, 32767, 32767]);
    // Mul: rshr(a·b, f_a + f_b − f_out); Div: quant(float64 quotient), x/0 saturates (docs/numerics.md worked values)
    const a = Int16Array.from([8192, -8192, 0, 100]);
    const b = Int16Array.from([24576, 24576, 5, 0]);
    expect(Array.from(binaryFixed('mul', a, 14, b, 15, 14).q)).toEqual([6144, -6144, 0, 0]);
    expect(Array.from(binaryFixed('div', a, 14, b, 15, 14).q)).toEqual([10923, -10923, 0, 32767]);
  });

  it('float executor vs onnxruntime-node on every export', async () => {
    expect(await floatVsOrt(dir, files, images(5))).toEqual([]);
  });

  it('the compiler splits each model where the engine cannot run an op', () => {
    const shape = (b: Bundle) => b.manifest.segments!.map((s) => (s.kind === 'host' ? s.ops.map((o) => (o.op === 'lut' ? `${o.fn}` : o.op)).join('+') : `engine(${s.count} jobs)`));
    const byName = Object.fromEntries(models.map((m) => [m.f.replace(/-opset\d+\.onnx$/, ''), m.bundle]));
    expect(shape(byName['sigmoid-tanh'])).toEqual(['engine(2 jobs)', 'sigmoid', 'engine(1 jobs)', 'tanh', 'engine(2 jobs)']);
    expect(shape(byName['channel-softmax'])).toEqual(['engine(1 jobs)', 'softmax', 'engine(3 jobs)']);
    // SoftPool: Exp and x·e^x on the host, both average pools on the engine, the quotient on the host
    expect(shape(byName.softpool)).toEqual(['engine(1 jobs)', 'exp+mul', 'engine(2 jobs)', 'div', 'engine(1 jobs)', 'exp+mul', 'engine(2 jobs)', 'div', 'engine(1 jobs)']);
    // LpPool as torch exports it: |x|^p on the host, the average pool, sign and abs on the host, the ReLU
    // and the Mul by kw·kh on the engine, the sign product and the p-th root on the host
    const lp = (p: number) => [`pow(${p})`, 'engine(1 jobs)', 'sign+abs', 'engine(1 jobs)', 'mul', 'engine(1 jobs)', `pow(${1 / p})`];
    expect(shape(byName.lppool)).toEqual(['engine(1 jobs)', ...lp(2), 'engine(1 jobs)', ...lp(1), 'engine(1 jobs)']);
    const st = byName['sigmoid-tanh'].manifest;
    // each engine segment is its own program: a HEADER record before its jobs
    expect(st.segments!.flatMap((s) => (s.kind === 'engine' ? [s.header] : []))).toEqual([0, 3, 5]);
    expect(st.descriptors.count).toBe(5);
    expect(byName['sigmoid-tanh'].descriptors.length).toBe(8 * 64);
    for (const m of models) {
      // the first engine segment reads the graph input; the last writes the logits
      const segs = m.bundle.manifest.segments!.filter((s) => s.kind === 'engine');
      if (segs[0].kind === 'engine' && m.f.startsWith('sigmoid')) expect(segs[0].inputs.map((i) => i.name)).toEqual(['input']);
      const last = segs[segs.length - 1];
      expect(last.kind === 'engine' && last.outputs.map((o) => o.name)).toEqual(['logits']);
    }
  });

  it('the fixed-point model tracks float: max |float − fixed| within 1% of the largest float logit', () => {
    const bad: string[] = [];
    for (const m of models) {
      const g = optimize(importOnnx(readFileSync(resolve(dir, m.f))));
      let worst = 0;
      let scale = 0;
      for (const x of m.xs) {
        const a = runFloat(g, { input: x }).logits.data;
        const b = runFixed(m.qm, { input: x }).outputs.logits.data;
        a.forEach((v, i) => { worst = Math.max(worst, Math.abs(v - b[i])); scale = Math.max(scale, Math.abs(v)); });
      }
      if (!(worst <= 0.01 * scale)) bad.push(`${m.f}: max |float - fixed| ${worst} vs max |float| ${scale}`);
    }
    expect(bad).toEqual([]);
  });

  it(`the engine model runs every segment bit-exact against the golden model (${IMAGES} images each)`, () => {
    const bad: string[] = [];
    for (const m of models) {
      m.xs.forEach((x, i) => {
        const r = runBundle(m.bundle, { input: x });
        if (!(r.raw.logits.q.length === 10 && r.raw.logits.q.every((q, j) => q === m.gold[i][j]))) bad.push(`${m.f} image ${i}: [${r.raw.logits.q}] vs golden [${m.gold[i]}]`);
        // the performance model sums the engine segments (host ops take no engine cycles)
        if (!(r.cycles > 0 && modelBundle(m.bundle, defaultConfig()).cycles === r.cycles)) bad.push(`${m.f}: ${r.cycles} cycles, modeled ${modelBundle(m.bundle, defaultConfig()).cycles}`);
      });
    }
    expect(bad).toEqual([]);
  });

  it.skipIf(!haveVerilator)('every engine segment runs bit-exact on the RTL (Verilator), host ops between them (opset 17, image 0)', async () => {
    const bad: string[] = [];
    for (const m of models.filter((x) => x.f.includes('opset17'))) {
      const r = await runSegmentsAsync(m.bundle, rawGraphInputs(m.bundle, { input: m.xs[0] }), async (view, raw) => (await runBundleRtl(view, [{ raw }])).runs[0]);
      const q = r.values.get('logits')!;
      if (!(q.length === 10 && q.every((v, j) => v === m.gold[0][j]))) bad.push(`${m.f}: RTL [${q}] vs golden [${m.gold[0]}]`);
      if (r.segmentCycles.length !== m.bundle.manifest.segments!.filter((s) => s.kind === 'engine').length) bad.push(`${m.f}: ${r.segmentCycles.length} engine runs`);
    }
    expect(bad).toEqual([]);
  }, 900_000);

  it.skipIf(!haveVerilator)('cnna compile names the host ops; cnna simulate --backend rtl runs the bundle bit-exact (CLI)', () => {
    const f = resolve(dir, 'sigmoid-tanh-opset17.onnx');
    const c = cnna(['compile', f, '-o', join(tmp, 'cli-bundle')]);
    expect(c.code, c.stderr).toBe(0);
    const lines = c.stdout.split('\n');
    const at = lines.findIndex((l) => l.startsWith('partitioned:'));
    expect(lines.slice(at, at + 3).map((l) => l.replace(/\s+/g, ' ').trim())).toEqual([
      'partitioned: 3 engine segments, 2 host ops (run beside the engine, docs/numerics.md "Host ops"):',
      'host /Sigmoid sigmoid (16-bit table)',
      'host /Tanh tanh (16-bit table)',
    ]);
    const r = rng(77);
    writeFileSync(join(tmp, 'x.npy'), writeNpy([2, 3, 16, 16], Float32Array.from({ length: 1536 }, () => r() * 2 - 1)));
    const s = cnna(['simulate', join(tmp, 'cli-bundle'), '--model', f, '--backend', 'rtl', '--input', join(tmp, 'x.npy')]);
    expect(s.code, s.stderr).toBe(0);
    expect(s.stdout).toContain('bit-exact vs golden model: yes over 20 values');
  }, 900_000);

  it('end to end on the virtual board over TCP: deploy, infer, bit-exact', async () => {
    const core = new AgentCore({ cacheDir: join(tmp, 'cache'), token: TOKEN, backend: refBackend });
    const agent = await serveTcp(core, { port: 0 });
    const client = await BoardClient.connect({ transport: { kind: 'tcp', host: '127.0.0.1', port: agent.port }, token: TOKEN, keepalive: false });
    const hwh = new Uint8Array(readFileSync(virtualHwh));
    try {
      for (const m of models) {
        const dep = await deployModel(client, { bitstream: FAKE_BITSTREAM, hwh, bundle: packArchive(bundleFiles(m.bundle)) });
        const io = m.bundle.manifest.inputs[0];
        expect(dep.inputs).toEqual([{ name: 'input', dtype: 'int16', shape: [1, 3, 16, 16], f: io.f }]);
        for (let i = 0; i < IMAGES; i++) {
          const r = await runInference(client, [{ name: 'input', shape: io.shape, data: Int16Array.from(m.xs[i].data, (v) => quant(v, io.f)) }], { timeoutMs: 120_000 });
          expect(Array.from(r.outputs[0].data), `${m.f} image ${i}`).toEqual(Array.from(m.gold[i]));
          expect(r.cycles).toBe(runBundle(m.bundle, { input: m.xs[i] }).cycles);
        }
      }
    } finally {
      await client.close();
      await agent.close();
      core.close();
    }
  }, 120_000);
});
