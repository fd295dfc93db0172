// VGG16 on the HLS engine (batch 1), untimed C-simulation: builds VGG16 from the zoo (or reads --model FILE),
// quantizes and compiles it for the config, runs ONE inference of the HLS C++ (hls/) in its SystemC system
// model in untimed mode (sim/hls), checks the output the HLS kernels wrote into the simulated DDR bit-exact
// against the golden model, and prints the wall time of the C-simulation (target <= 60 s on 2 cores).
// Not a test: VGG16 takes minutes to compile, quantize and run on the golden model.
//   node --import tsx scripts/bench-vgg16-hls.ts [--model vgg16.onnx] [--config FILE] [--mode untimed|clocked] [--json]
import { parseArgs } from 'node:util';
import { loadConfig } from '../boards/ultra96/board.ts';
import { compileBundle } from '../compiler/backend/compile-bundle.ts';
import { configHash } from '../compiler/contracts/hw-config.ts';
import { runFixed } from '../compiler/golden/fixed/run-fixed.ts';
import { importOnnx } from '../compiler/onnx/import-onnx.ts';
import { optimize } from '../compiler/passes/index.ts';
import { quantize } from '../compiler/quant/quantize.ts';
import { buildZooModel, zooModel } from '../models/zoo/index.ts';
import { runBundleHls, type HlsMode } from '../sim/hls/run-hls.ts';

const { values } = parseArgs({ options: { model: { type: 'string' }, config: { type: 'string' }, mode: { type: 'string', default: 'untimed' }, json: { type: 'boolean', default: false } } });
const log = (s: string): void => { if (!values.json) console.log(s); };
const t = (): number => performance.now() / 1000;
const mode = values.mode as HlsMode;
const config = loadConfig(values.config);
const T0 = t();
const graph = values.model ? importOnnx(values.model) : importOnnx(buildZooModel(zooModel('vgg16'), 1).toBytes());
const g = optimize(graph);
const qm = quantize(g, { calibrationImages: 1, report: false });
const bundle = compileBundle(qm, config, { name: 'vgg16' });
const T1 = t();
const inName = g.inputs[0].name;
const x = { dims: [1, 3, 224, 224], data: Float32Array.from({ length: 3 * 224 * 224 }, (_, i) => Math.sin(i * 0.37) * 0.5) };
log(`VGG16 on config ${configHash(config)}: PI=${config.array.pi} PO=${config.array.po}, ${bundle.manifest.descriptors.count} jobs; compiled in ${(T1 - T0).toFixed(1)} s`);
const r = await runBundleHls(bundle, [{ tensors: { [inName]: x } }], { config, mode, onLog: (l) => log(l) });
const T2 = t();
const run = r.runs[0];
const out = bundle.manifest.outputs[0];
const src = out.hostTail ? qm.graph.nodes.find((n) => n.outputs[0] === out.name)!.inputs[0] : out.name;
const gold = runFixed(qm, { [inName]: x }, { keepAll: true }).raw[src].q;
const T3 = t();
const got = run.raw[out.name].q;
const mism = gold.reduce((a, v, i) => a + (v !== got[i] ? 1 : 0), 0) + Math.abs(gold.length - got.length);
log(`${mode} C-simulation: ${run.jobs} jobs, ${r.simSeconds.toFixed(1)} s wall (model ${r.model.built ? `built in ${r.model.buildSeconds.toFixed(0)} s` : 'cached'}; target <= 60 s); ` +
  `${run.cycles} cycles (${run.cyclesSource}) = ${(run.latencySeconds * 1e3).toFixed(1)} ms at ${config.clockMhz} MHz`);
log(`bit-exact vs golden model: ${mism === 0 ? 'yes' : `NO (${mism} of ${gold.length} differ)`} (golden ${(T3 - T2).toFixed(1)} s)`);
if (values.json) {
  console.log(JSON.stringify({
    configHash: configHash(config), mode, jobs: run.jobs, bitExact: mism === 0, mismatches: mism, compared: gold.length,
    cycles: run.cycles, cyclesSource: run.cyclesSource, latencySeconds: run.latencySeconds,
    wallSeconds: { compile: T1 - T0, simulation: r.simSeconds, golden: T3 - T2 },
    layers: run.perLayer.map((l) => ({ name: l.name, cycles: l.cycles, winograd: bundle.manifest.layers.find((m) => m.name === l.name)?.winograd ?? false })),
  }, null, 1));
}
