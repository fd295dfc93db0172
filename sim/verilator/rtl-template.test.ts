// The engine is a template: configs spread over the whole range validateConfig accepts (array shapes
// with one to fifteen lane groups, AXI 64/128/256 bits, one or two ports, bursts of 1 to 256 beats,
// buffer depths that are not powers of two, the smallest output FIFO). For each config, the real RTL
// (lint-clean for each of them: lint.test.ts):
//  - builds under Verilator and runs, in one simulation process, seeded random single-layer programs
//    (random-bundle.ts) bit-exact against the executable spec (sim/ref) and two small real models
//    (the default Fashion-MNIST CNN and the PyTorch ResNet export) bit-exact against the golden model.
// Every run has the performance model's watchdog, so a hang fails in seconds (E_SIM).
// Cost (measured on the shared 2-core machine, see docs/engine.md "Template test"): the Verilator
// builds dominate; configs and programs are kept small for that reason.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../boards/ultra96/board.ts';
import { compileBundle } from '../../compiler/backend/compile-bundle.ts';
import { runFixed } from '../../compiler/golden/fixed/run-fixed.ts';
import type { QuantizedModel } from '../../compiler/golden/fixed/quantized-model.ts';
import type { Tensor } from '../../compiler/ir/graph.ts';
import { importOnnx } from '../../compiler/onnx/import-onnx.ts';
import { optimize } from '../../compiler/passes/index.ts';
import { quantize } from '../../compiler/quant/quantize.ts';
import { mulberry32 } from '../../compiler/util/prng.ts';
import { modelBundle } from '../perf/model-bundle.ts';
import { runBundle } from '../ref/run-bundle.ts';
import { randomCase } from './random-bundle.ts';
import { repoRoot } from './rtl-sources.ts';
import { runBundlesRtl } from './run-rtl.ts';
import { BURST1, TEMPLATE_CONFIGS } from './template-configs.ts';

const RANDOM_PROGRAMS = 10;
const IMAGES = 2;

interface RealModel { name: string; qm: QuantizedModel; input: string; output: string; images: Tensor[]; gold: Int16Array[] }

function realModel(name: string, path: string, dims: number[], seed: number): RealModel {
  const g = optimize(importOnnx(readFileSync(path)));
  const qm = quantize(g, { calibrationImages: 8, report: false, onWarning: () => {} });
  const r = mulberry32(seed);
  const n = dims.reduce((a, b) => a * b, 1);
  const images = Array.from({ length: IMAGES }, () => ({ dims, data: Float32Array.from({ length: n }, () => r()) }));
  const input = g.inputs[0].name;
  // The engine's last output (before a host softmax, if any) is what the golden model is compared on.
  const bundle = compileBundle(qm, defaultConfig());
  const out = bundle.manifest.outputs[0];
  const output = out.hostTail ? qm.graph.nodes.find((nd) => nd.outputs[0] === out.name)!.inputs[0] : out.name;
  const gold = images.map((x) => runFixed(qm, { [input]: x }, { keepAll: true }).raw[output].q);
  return { name, qm, input, output: out.name, images, gold };
}

describe('the engine template on the RTL', () => {
  const models = [
    realModel('default Fashion-MNIST CNN', resolve(repoRoot, 'models/default/fashion_cnn.onnx'), [1, 1, 28, 28], 11),
    realModel('PyTorch ResNet (opset 17)', resolve(repoRoot, 'test/fixtures/torch-exports/resnet-opset17.onnx'), [1, 3, 16, 16], 12),
  ];

  it.each(TEMPLATE_CONFIGS)('%s: random programs and two real models bit-exact', async (name, config) => {
    const cases = Array.from({ length: RANDOM_PROGRAMS }, (_, i) => randomCase(config, 7000 + i));
    const bundles = models.map((m) => compileBundle(m.qm, config, { name: m.name }));
    const r = await runBundlesRtl([
      ...cases.map((c) => ({ bundle: c.bundle, inputSets: [{ raw: { x: c.input } }] })),
      ...bundles.map((bundle, k) => ({ bundle, inputSets: models[k].images.map((x) => ({ tensors: { [models[k].input]: x } })) })),
    ], { config });

    const bad: string[] = [];
    cases.forEach((c, k) => {
      const ref = runBundle(c.bundle, {}, { config, rawInputs: { x: c.input } });
      for (const out of Object.keys(ref.raw)) {
        const a = ref.raw[out].q, b = r.results[k][0].raw[out].q;
        let diff = 0;
        for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) diff++;
        if (diff) bad.push(`${c.summary}: output ${out} differs in ${diff}/${a.length} values`);
      }
    });
    models.forEach((m, k) => {
      r.results[cases.length + k].forEach((run, i) => {
        const q = run.raw[m.output].q, want = m.gold[i];
        let diff = q.length === want.length ? 0 : want.length;
        for (let e = 0; e < Math.min(q.length, want.length); e++) if (q[e] !== want[e]) diff++;
        if (diff) bad.push(`${m.name}, image ${i}: ${diff}/${want.length} outputs differ from the golden model`);
      });
    });
    expect(bad, name).toEqual([]);
    // Something ran: every random program's jobs completed, and the models took real cycles.
    cases.forEach((c, k) => expect(r.results[k][0].jobs).toBe(c.bundle.manifest.descriptors.count));
    for (let k = 0; k < models.length; k++) expect(r.results[cases.length + k][0].cycles).toBeGreaterThan(1000);
  }, 1_800_000);

  // Short bursts keep the read port streaming. Program random-7005 on the 1-beat-burst config is three
  // streamed FC jobs: 2,100 weight words of 24 beats, 50,400 beats over the one port. With a read FIFO of
  // 4 x burstBeats beats (4 beats in flight over a 40-cycle DDR latency) it ran 562,933 cycles, 11 cycles
  // per beat, and the watchdog (4 x the model's 51,577 + 20,000) stopped it as a hang. The FIFO now holds
  // at least 64 beats, so the port's 16 outstanding bursts bound it (16 beats per 44 cycles), and the
  // model knows that bound.
  it(`${BURST1}: a streamed FC program keeps the read port busy, within 10% of the model`, async () => {
    const config = TEMPLATE_CONFIGS.find(([n]) => n === BURST1)![1];
    const c = randomCase(config, 7005);
    expect(c.summary).toBe('seed 7005: fc cin 5600 cout 50 in 1x1 k 1x1 s 1,1 d 1,1 pad 0,0 pool 0 1x1/1,1/0,0 act 0 jobs 3');
    const r = await runBundlesRtl([{ bundle: c.bundle, inputSets: [{ raw: { x: c.input } }] }], { config });
    const run = r.results[0][0];
    const ref = runBundle(c.bundle, {}, { config, rawInputs: { x: c.input } });
    for (const out of Object.keys(ref.raw)) expect(run.raw[out].q).toEqual(ref.raw[out].q);
    expect(run.axi.rdPortBeats[0]).toBeGreaterThanOrEqual(50_400);
    expect(run.cycles).toBeLessThan(50_400 * 3);  // was 562,933
    // The model is the performance model of the day (sim/perf); the RTL must stay within 10 % of it.
    const model = modelBundle(c.bundle, config).cycles;
    expect(model).toBeGreaterThan(50_400);  // at least one cycle per weight beat
    expect(Math.abs(run.cycles / model - 1)).toBeLessThan(0.1);
  }, 1_800_000);
});
