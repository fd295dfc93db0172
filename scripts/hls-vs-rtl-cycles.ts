// Cycles of the HLS engine's clocked SystemC model against the RTL under Verilator, on the same bundles:
// the default Fashion-MNIST model and the three shared ones (../shared/models), one test image each, plus
// bit-exactness of both against the golden model. Prints per model the two totals and their difference,
// and per layer the cycles of both. Not a test (the RTL simulation takes a while on the shared machine).
//   node --import tsx scripts/hls-vs-rtl-cycles.ts [--config FILE] [--json]
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../boards/ultra96/board.ts';
import { compileBundle } from '../compiler/backend/compile-bundle.ts';
import { loadFashionMnist } from '../compiler/data/fashion-mnist.ts';
import { toBatch } from '../compiler/data/preprocess.ts';
import { runFixed } from '../compiler/golden/fixed/run-fixed.ts';
import { importOnnx } from '../compiler/onnx/import-onnx.ts';
import { optimize } from '../compiler/passes/index.ts';
import { quantize } from '../compiler/quant/quantize.ts';
import { runBundlesHls } from '../sim/hls/run-hls.ts';
import { repoRoot } from '../sim/hls/hls-sources.ts';
import { runBundlesRtl } from '../sim/verilator/run-rtl.ts';

const { values } = parseArgs({ options: { config: { type: 'string' }, json: { type: 'boolean', default: false } } });
const log = (s: string): void => { if (!values.json) console.log(s); };
const config = loadConfig(values.config);
const shared = process.env.CNNA_SHARED ?? resolve(repoRoot, '../shared');
const models: [string, string][] = [['fashion_cnn (default)', resolve(repoRoot, 'models/default/fashion_cnn.onnx')]];
for (const m of ['fashion_lenet', 'fashion_vgg', 'fashion_vgg_bn']) if (existsSync(resolve(shared, `models/${m}.onnx`))) models.push([m, resolve(shared, `models/${m}.onnx`)]);
const set = loadFashionMnist('test');
const x = toBatch(set, 0, 1);
const items = models.map(([name, path]) => {
  const g = optimize(importOnnx(path));
  const qm = quantize(g, { calibrationImages: 32, report: false });
  const bundle = compileBundle(qm, config);
  const inName = g.inputs[0].name;
  const out = bundle.manifest.outputs[0];
  const src = out.hostTail ? qm.graph.nodes.find((n) => n.outputs[0] === out.name)!.inputs[0] : out.name;
  const gold = runFixed(qm, { [inName]: x }, { keepAll: true }).raw[src].q;
  return { name, bundle, inputSets: [{ tensors: { [inName]: x } }], gold, out: out.name };
});
const rtl = await runBundlesRtl(items, { config, onLog: log });
const hls = await runBundlesHls(items, { config, mode: 'clocked' });
const same = (a: Int16Array, b: Int16Array) => a.length === b.length && a.every((v, i) => v === b[i]);
const rows = items.map((it, b) => {
  const r = rtl.results[b][0], h = hls.results[b][0];
  const diff = (h.cycles - r.cycles) / r.cycles;
  log(`${it.name}: RTL ${r.cycles} cycles, HLS clocked ${h.cycles} cycles (${(100 * diff).toFixed(1)}%); bit-exact RTL ${same(r.raw[it.out].q, it.gold)}, HLS ${same(h.raw[it.out].q, it.gold)}`);
  r.perLayer.forEach((l, k) => log(`    ${l.name.padEnd(28)} RTL ${String(l.cycles).padStart(8)}  HLS ${String(h.perLayer[k].cycles).padStart(8)}`));
  return { model: it.name, rtlCycles: r.cycles, hlsCycles: h.cycles, diff, rtlExact: same(r.raw[it.out].q, it.gold), hlsExact: same(h.raw[it.out].q, it.gold) };
});
if (values.json) console.log(JSON.stringify({ configHash: rtl.model.key, rows }, null, 1));
