// VGG16 on the RTL engine (batch 1): builds VGG16 from the zoo (or reads --model FILE), quantizes and
// compiles it for the config, runs ONE inference as a full cycle-accurate Verilator simulation of the
// engine (sim/verilator), checks the output the engine wrote into the simulated DDR bit-exact against the
// golden model, and prints the modeled latency at the config clock, per-layer cycles / utilization / DDR
// bytes / stalls, the roofline (per layer the larger of compute- and DDR-bound time) with the ratio
// roofline / simulated, and the wall times. Not a test: it takes minutes (--batch N: one start of N images,
// N times the conv work, so about N times longer; every image checked, images/s = N / simulated latency).
// --winograd auto|always|never turns on array.winograd in the config (auto: the back end picks Winograd or
// direct per layer by the performance model's cycles); the per-layer table says which (m: W or D), and the
// roofline counts a Winograd layer's multiplies.
//   node --import tsx scripts/bench-vgg16-rtl.ts [--model vgg16.onnx] [--config FILE] [--winograd auto] [--batch N] [--json]
// Timings on the shared 2-core machine are pessimistic.
import { parseArgs } from 'node:util';
import { importOnnx } from '../compiler/onnx/import-onnx.ts';
import { optimize } from '../compiler/passes/index.ts';
import { quantize } from '../compiler/quant/quantize.ts';
import { checkBatch, compileBundle } from '../compiler/backend/compile-bundle.ts';
import { runFixed } from '../compiler/golden/fixed/run-fixed.ts';
import { loadConfig } from '../boards/ultra96/board.ts';
import { buildZooModel, zooModel } from '../models/zoo/index.ts';
import { configHash } from '../compiler/contracts/hw-config.ts';
import { runBundleRtl } from '../sim/verilator/run-rtl.ts';
import { perfCompileOptions } from '../sim/perf/model-bundle.ts';

const { values } = parseArgs({ options: { model: { type: 'string' }, config: { type: 'string' }, winograd: { type: 'string' }, batch: { type: 'string', default: '1' }, json: { type: 'boolean', default: false } } });
const log = (s: string): void => { if (!values.json) console.log(s); };
const t = (): number => performance.now() / 1000;
const wino = values.winograd as 'auto' | 'always' | 'never' | undefined;
if (wino !== undefined && !['auto', 'always', 'never'].includes(wino)) throw new Error(`--winograd takes auto, always or never, not '${wino}'`);
const base = loadConfig(values.config);
const config = wino ? { ...base, array: { ...base.array, winograd: true } } : base;
const batch = checkBatch(Number(values.batch));
const T0 = t();
const graph = values.model ? importOnnx(values.model) : importOnnx(buildZooModel(zooModel('vgg16'), 1).toBytes());
const g = optimize(graph);
const qm = quantize(g, { calibrationImages: 1, report: false });
const bundle = compileBundle(qm, config, { name: 'vgg16', batch, ...(wino ? { winograd: wino } : {}), ...perfCompileOptions(config) });
const modeOf = new Map(bundle.manifest.layers.map((l) => [l.name, l.winograd ? 'W' : 'D']));
const T1 = t();
const inName = g.inputs[0].name;
const x = { dims: [1, 3, 224, 224], data: Float32Array.from({ length: 3 * 224 * 224 }, (_, i) => Math.sin(i * 0.37) * 0.5) };
log(`VGG16 on config ${configHash(config)}: PI=${config.array.pi} PO=${config.array.po} at ${config.clockMhz} MHz, ${bundle.manifest.descriptors.count} jobs; compiled in ${(T1 - T0).toFixed(1)} s`);
// Image b of a batch: the same pattern at another phase, so every image differs (image 0 is x).
const img = (b: number) => (b === 0 ? x : { dims: [1, 3, 224, 224], data: Float32Array.from({ length: 3 * 224 * 224 }, (_, i) => Math.sin(i * 0.37 + b) * 0.5) });
const set = batch > 1 ? { images: Array.from({ length: batch }, (_, b) => ({ tensors: { [inName]: img(b) } })) } : { tensors: { [inName]: x } };
const r = await runBundleRtl(bundle, [set], { config, onLog: (l) => log(l) });
const T2 = t();
const run = r.runs[0];
const out = bundle.manifest.outputs[0];
const src = out.hostTail ? qm.graph.nodes.find((n) => n.outputs[0] === out.name)!.inputs[0] : out.name;
let mism = 0;
const gold = { length: 0 };
for (let b = 0; b < batch; b++) {
  const want = runFixed(qm, { [inName]: img(b) }, { keepAll: true }).raw[src].q;
  const got = run.images[b].raw[out.name].q;
  mism += want.reduce((a, v, i) => a + (v !== got[i] ? 1 : 0), 0) + Math.abs(want.length - got.length);
  gold.length += want.length;
}
const T3 = t();
const { pi, po } = config.array;
const ms = (c: number): string => ((c / (config.clockMhz * 1e6)) * 1e3).toFixed(2);
log(`${'layer'.padEnd(34)} m ${'MMAC'.padStart(8)} ${'cycles'.padStart(11)} ${'ms'.padStart(8)} ${'util'.padStart(6)} ${'DDR MB'.padStart(8)} ${'stalls'.padStart(10)} ${'roofline ms'.padStart(11)} ${'roof/sim'.padStart(9)}`);
let macs = 0, roof = 0;
for (const l of run.perLayer) {
  macs += l.macs;
  roof += l.rooflineCycles ?? 0;
  log(`${l.name.padEnd(34)} ${modeOf.get(l.name) ?? '-'} ${(l.macs / 1e6).toFixed(1).padStart(8)} ${String(l.cycles).padStart(11)} ${ms(l.cycles).padStart(8)} ${(100 * l.utilization).toFixed(1).padStart(5)}% ${(l.ddrBytes / 1e6).toFixed(1).padStart(8)} ${String(l.stallCycles).padStart(10)} ${ms(l.rooflineCycles ?? 0).padStart(11)} ${(100 * (l.rooflineRatio ?? 0)).toFixed(1).padStart(8)}%`);
}
log(`total: ${(macs / 1e9).toFixed(2)} GMAC, ${run.cycles} cycles = ${(run.latencySeconds * 1e3).toFixed(1)} ms at ${config.clockMhz} MHz (target <= 400 ms); ` +
  `utilization ${((100 * macs) / (run.cycles * pi * po)).toFixed(1)}%; roofline ${ms(roof)} ms = ${((100 * roof) / run.cycles).toFixed(1)}% of simulated`);
if (batch > 1) log(`batch ${batch}: ${((run.latencySeconds / batch) * 1e3).toFixed(1)} ms per image, ${(batch / run.latencySeconds).toFixed(2)} images/s`);
log(`DDR: ${(run.ddrReadBytes / 1e6).toFixed(1)} MB read, ${(run.ddrWriteBytes / 1e6).toFixed(1)} MB written; stall cycles ${run.stallCycles}; MAC-busy cycles ${run.macBusyCycles}`);
log(`bit-exact vs golden model: ${mism === 0 ? 'yes' : `NO (${mism} of ${gold.length} differ)`}`);
log(`wall: compile ${(T1 - T0).toFixed(1)} s, RTL simulation ${r.simSeconds.toFixed(1)} s (model ${r.model.built ? `built in ${r.model.buildSeconds.toFixed(0)} s` : 'cached'}; target <= 600 s), golden ${(T3 - T2).toFixed(1)} s`);
if (values.json) {
  console.log(JSON.stringify({
    configHash: configHash(config), pi, po, clockMhz: config.clockMhz, batch, imagesPerSecond: batch / run.latencySeconds, jobs: bundle.manifest.descriptors.count, macs,
    cycles: run.cycles, latencySeconds: run.latencySeconds, rooflineCycles: roof, bitExact: mism === 0, mismatches: mism,
    layers: run.perLayer.map((l) => ({ ...l, mode: modeOf.get(l.name) })), ddrReadBytes: run.ddrReadBytes, ddrWriteBytes: run.ddrWriteBytes, stallCycles: run.stallCycles,
    wallSeconds: { compile: T1 - T0, simulation: r.simSeconds, golden: T3 - T2 },
  }, null, 1));
}
