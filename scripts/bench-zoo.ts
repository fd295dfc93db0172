// Zoo benchmark of the engine (batch 1), performance model only (no RTL): builds each zoo
// model with seeded weights, optimizes, quantizes (1 calibration image), compiles for the
// config and prints the modeled latency at the config's clock, the MACs, the array
// utilisation (MACs / (cycles · PI · PO)), DDR bytes and the roofline (max of compute- and
// DDR-bound time). Sibling of bench-vgg16.ts, which gives the per-layer breakdown of one model.
// --rtl also runs each model once on the Verilator RTL (slow: minutes per model) and checks its
// outputs bit-exact against the golden model.
//   node --import tsx scripts/bench-zoo.ts [--models resnet18,mobilenetv2,...] [--config FILE] [--layers] [--rtl] [--json]
// MACs are the model's (a depthwise 3×3 conv counts 9 per output); the engine runs grouped
// convs as dense ones with zero weights outside the group, which shows as low utilization.
import { parseArgs } from 'node:util';
import { importOnnx } from '../compiler/onnx/import-onnx.ts';
import { optimize } from '../compiler/passes/index.ts';
import { quantize } from '../compiler/quant/quantize.ts';
import { compileBundle } from '../compiler/backend/compile-bundle.ts';
import { loadConfig } from '../boards/ultra96/board.ts';
import { buildZooModel, parameterCount, zooModel } from '../models/zoo/index.ts';
import { modelBundle } from '../sim/perf/model-bundle.ts';
import { configHash } from '../compiler/contracts/hw-config.ts';
import { runFixed } from '../compiler/golden/fixed/run-fixed.ts';
import { runBundleRtl } from '../sim/verilator/run-rtl.ts';

const DEFAULT = ['resnet18', 'mobilenetv2', 'squeezenet', 'allconv', 'nin', 'vgg16'];
const { values } = parseArgs({ options: { models: { type: 'string' }, config: { type: 'string' }, layers: { type: 'boolean', default: false }, rtl: { type: 'boolean', default: false }, json: { type: 'boolean', default: false } } });
const log = (s: string): void => { if (!values.json) console.log(s); };
const config = loadConfig(values.config);
const { pi, po } = config.array;
const names = values.models ? values.models.split(',') : DEFAULT;
const models = names.map(zooModel); // unknown names fail before any work
const ms = (c: number): string => ((c / (config.clockMhz * 1e6)) * 1e3).toFixed(2);

log(`zoo on config ${configHash(config)}: PI=${pi} PO=${po} (${pi * po} MACs/cycle) at ${config.clockMhz} MHz, performance model`);
log(`${'model'.padEnd(12)} ${'input'.padEnd(12)} ${'params'.padStart(11)} ${'GMAC'.padStart(7)} ${'jobs'.padStart(6)} ${'cycles'.padStart(11)} ${'ms'.padStart(8)} ${'util'.padStart(6)} ${'DDR MB'.padStart(7)} ${'roof ms'.padStart(8)} ${'wall s'.padStart(6)}`);
const rows = [];
for (const m of models) {
  const t0 = performance.now();
  const qm = quantize(optimize(importOnnx(buildZooModel(m, 1).toBytes())), { calibrationImages: 1, report: false });
  const bundle = compileBundle(qm, config, { name: m.name });
  const perf = modelBundle(bundle, config);
  const wall = (performance.now() - t0) / 1000;
  const macs = perf.perLayer.reduce((s, l) => s + l.macs, 0);
  const ddr = perf.perLayer.reduce((s, l) => s + l.ddrBytes, 0);
  const utilization = macs / (perf.cycles * pi * po);
  const row = {
    model: m.name, input: m.input.shape, parameters: parameterCount(m), macs, jobs: bundle.manifest.descriptors.count,
    cycles: perf.cycles, latencySeconds: perf.latencySeconds, utilization, ddrBytes: ddr, rooflineCycles: perf.rooflineCycles, wallSeconds: wall,
    ...(values.layers ? { layers: perf.perLayer } : {}),
  };
  let rtl: { cycles: number; bitExact: boolean; mismatches: number; wallSeconds: number } | undefined;
  if (values.rtl) {
    const n = m.input.shape.reduce((a, b) => a * b, 1);
    const x = { dims: m.input.shape, data: Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37) * 0.5) };
    const inName = qm.graph.inputs[0].name;
    const r0 = performance.now();
    const run = (await runBundleRtl(bundle, [{ tensors: { [inName]: x } }], { config })).runs[0];
    const out = bundle.manifest.outputs[0];
    const src = out.hostTail ? qm.graph.nodes.find((nd) => nd.outputs[0] === out.name)!.inputs[0] : out.name;
    const gold = runFixed(qm, { [inName]: x }, { keepAll: true }).raw[src].q;
    const mismatches = gold.reduce((a, v, i) => a + (v !== run.raw[out.name].q[i] ? 1 : 0), 0);
    rtl = { cycles: run.cycles, bitExact: mismatches === 0, mismatches, wallSeconds: (performance.now() - r0) / 1000 };
  }
  rows.push({ ...row, rtl });
  log(`${m.name.padEnd(12)} ${m.input.shape.slice(1).join('x').padEnd(12)} ${row.parameters.toLocaleString('en-US').padStart(11)} ${(macs / 1e9).toFixed(3).padStart(7)} ${String(row.jobs).padStart(6)} ${String(perf.cycles).padStart(11)} ${(perf.latencySeconds * 1e3).toFixed(2).padStart(8)} ${(100 * utilization).toFixed(1).padStart(5)}% ${(ddr / 1e6).toFixed(1).padStart(7)} ${ms(perf.rooflineCycles).padStart(8)} ${wall.toFixed(1).padStart(6)}`);
  if (rtl) log(`  RTL: ${rtl.cycles} cycles = ${ms(rtl.cycles)} ms (model ${((100 * (perf.cycles - rtl.cycles)) / rtl.cycles).toFixed(1)}% off), bit-exact: ${rtl.bitExact} (${rtl.mismatches} differ), ${rtl.wallSeconds.toFixed(0)} s wall`);
  if (values.layers) {
    for (const l of perf.perLayer) log(`  ${l.name.padEnd(32)} ${(l.macs / 1e6).toFixed(1).padStart(8)} MMAC ${ms(l.cycles).padStart(8)} ms ${(100 * l.utilization).toFixed(1).padStart(5)}%`);
  }
}
if (values.json) console.log(JSON.stringify({ configHash: configHash(config), pi, po, clockMhz: config.clockMhz, models: rows }, null, 1));
