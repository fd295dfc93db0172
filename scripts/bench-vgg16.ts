// VGG16 benchmark of the engine (batch 1, or N images per start with --batch N): builds VGG16 from the zoo (or reads --model FILE),
// quantizes it, compiles it for the config, and prints the modeled latency at the config's
// clock with per-layer cycles, utilization, DDR bytes and the roofline (max of compute- and
// DDR-bound time) with the ratio roofline / modeled. --execute also runs the TypeScript engine
// model on one image and checks it bit-exact against the golden model (slow: ~15 GMAC in JS).
// --winograd auto|always|never turns on array.winograd in the config (auto: the back end picks Winograd or
// direct per layer by modeled cycles) and --weight-bank N overrides buffers.weightBankWords (a Winograd block
// takes 20 words per channel group); the m column says W (Winograd) or D (direct) per layer.
// With --batch N the figures are per start of N images, and images/s = N / modeled latency.
//   node --import tsx scripts/bench-vgg16.ts [--model vgg16.onnx] [--config FILE] [--winograd auto] [--weight-bank N] [--batch N] [--execute] [--json]
// Timings on the shared 2-core machine are pessimistic.
import { parseArgs } from 'node:util';
import { importOnnx } from '../compiler/onnx/import-onnx.ts';
import { optimize } from '../compiler/passes/index.ts';
import { quantize } from '../compiler/quant/quantize.ts';
import { checkBatch, compileBundle } from '../compiler/backend/compile-bundle.ts';
import { runFixed } from '../compiler/golden/fixed/run-fixed.ts';
import { loadConfig } from '../boards/ultra96/board.ts';
import { buildZooModel, zooModel } from '../models/zoo/index.ts';
import { modelBundle, perfCompileOptions } from '../sim/perf/model-bundle.ts';
import { runBundle } from '../sim/ref/run-bundle.ts';
import { configHash, validateConfig } from '../compiler/contracts/hw-config.ts';

const { values } = parseArgs({ options: { model: { type: 'string' }, config: { type: 'string' }, winograd: { type: 'string' }, 'weight-bank': { type: 'string' }, execute: { type: 'boolean', default: false }, batch: { type: 'string', default: '1' }, json: { type: 'boolean', default: false } } });
const log = (s: string): void => { if (!values.json) console.log(s); };
const t = (): number => performance.now() / 1000;
const base = loadConfig(values.config);
const wino = values.winograd as 'auto' | 'always' | 'never' | undefined;
if (wino !== undefined && !['auto', 'always', 'never'].includes(wino)) throw new Error(`--winograd takes auto, always or never, not '${wino}'`);
const config = validateConfig({
  ...base,
  array: wino ? { ...base.array, winograd: true } : base.array,
  buffers: values['weight-bank'] ? { ...base.buffers, weightBankWords: Number(values['weight-bank']) } : base.buffers,
}, 'bench config');
const batch = checkBatch(Number(values.batch));
const T0 = t();
const graph = values.model ? importOnnx(values.model) : importOnnx(buildZooModel(zooModel('vgg16'), 1).toBytes());
const T1 = t();
const g = optimize(graph);
const qm = quantize(g, { calibrationImages: 1, report: false });
const T2 = t();
const bundle = compileBundle(qm, config, { name: 'vgg16', winograd: wino ?? 'auto', batch, layoutOnly: !values.execute, ...perfCompileOptions(config) });
const T3 = t();
const perf = modelBundle(bundle, config);
const T4 = t();
const { pi, po } = config.array;
log(`VGG16 on config ${configHash(config)}: PI=${pi} PO=${po} (${pi * po} MACs/cycle) at ${config.clockMhz} MHz, weight bank ${config.buffers.weightBankWords} words, Winograd ${wino ?? 'off'}, ${bundle.manifest.descriptors.count} jobs`);
const modeOf = new Map(bundle.manifest.layers.map((l) => [l.name, l.winograd ? 'W' : 'D']));
log(`${'layer'.padEnd(32)} m ${'MMAC'.padStart(8)} ${'cycles'.padStart(11)} ${'ms'.padStart(8)} ${'util'.padStart(6)} ${'DDR MB'.padStart(8)} ${'roofline ms'.padStart(11)} ${'roof/model'.padStart(10)}`);
const ms = (c: number): string => ((c / (config.clockMhz * 1e6)) * 1e3).toFixed(2);
let macs = 0;
for (const l of perf.perLayer) {
  macs += l.macs;
  log(`${l.name.padEnd(32)} ${modeOf.get(l.name)} ${(l.macs / 1e6).toFixed(1).padStart(8)} ${String(l.cycles).padStart(11)} ${ms(l.cycles).padStart(8)} ${(100 * l.utilization).toFixed(1).padStart(5)}% ${(l.ddrBytes / 1e6).toFixed(1).padStart(8)} ${ms(l.rooflineCycles).padStart(11)} ${(100 * l.rooflineRatio).toFixed(1).padStart(9)}%`);
}
log(`total: ${(macs / 1e9).toFixed(2)} GMAC, ${perf.cycles} cycles = ${(perf.latencySeconds * 1e3).toFixed(1)} ms modeled at ${config.clockMhz} MHz; roofline ${ms(perf.rooflineCycles)} ms (${((100 * perf.rooflineCycles) / perf.cycles).toFixed(1)}% of modeled); utilization ${((100 * macs) / (perf.cycles * pi * po)).toFixed(1)}%`);
if (batch > 1) log(`batch ${batch}: ${((perf.latencySeconds / batch) * 1e3).toFixed(1)} ms per image, ${(batch / perf.latencySeconds).toFixed(2)} images/s modeled`);
log(`wall: import ${(T1 - T0).toFixed(1)} s, optimize+quantize ${(T2 - T1).toFixed(1)} s, back end ${(T3 - T2).toFixed(1)} s, perf model ${(T4 - T3).toFixed(2)} s`);
let execute: Record<string, unknown> | undefined;
if (values.execute) {
  const inName = g.inputs[0].name;
  const x = { dims: [1, 3, 224, 224], data: Float32Array.from({ length: 3 * 224 * 224 }, (_, i) => Math.sin(i * 0.37) * 0.5) };
  const E0 = t();
  // Image b of a batch: the same pattern at another phase, so every image differs.
  const img = (b: number) => ({ dims: [1, 3, 224, 224], data: Float32Array.from({ length: 3 * 224 * 224 }, (_, i) => Math.sin(i * 0.37 + b) * 0.5) });
  const r = runBundle(bundle, Array.from({ length: batch }, (_, b) => ({ [inName]: b === 0 ? x : img(b) })), { config });
  const E1 = t();
  const out = bundle.manifest.outputs[0];
  const src = out.hostTail ? qm.graph.nodes.find((n) => n.outputs[0] === out.name)!.inputs[0] : out.name;
  let mism = 0;
  let n = 0;
  for (let b = 0; b < batch; b++) {
    const gold = runFixed(qm, { [inName]: b === 0 ? x : img(b) }, { keepAll: true }).raw[src].q;
    mism += gold.reduce((a, v, i) => a + (v !== r.images[b].raw[out.name].q[i] ? 1 : 0), 0);
    n += gold.length;
  }
  const E2 = t();
  const gold = { length: n };
  execute = { bitExact: mism === 0, mismatches: mism, refSeconds: E1 - E0, goldenSeconds: E2 - E1 };
  log(`engine model run: ${(E1 - E0).toFixed(1)} s, golden ${(E2 - E1).toFixed(1)} s, bit-exact: ${mism === 0} (${mism} of ${gold.length} differ)`);
}
if (values.json) {
  console.log(JSON.stringify({
    configHash: configHash(config), pi, po, clockMhz: config.clockMhz, batch, secondsPerImage: perf.latencySeconds / batch, imagesPerSecond: batch / perf.latencySeconds, winograd: wino ?? 'off', weightBankWords: config.buffers.weightBankWords,
    modes: Object.fromEntries(modeOf), jobs: bundle.manifest.descriptors.count, macs,
    cycles: perf.cycles, latencySeconds: perf.latencySeconds, rooflineCycles: perf.rooflineCycles, layers: perf.perLayer,
    wallSeconds: { import: T1 - T0, quantize: T2 - T1, backEnd: T3 - T2 }, execute,
  }, null, 1));
}
