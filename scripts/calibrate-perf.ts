// Calibration of the performance model (sim/perf) against the RTL: compiles the Fashion-MNIST models
// (the default model and the ../shared models), runs one test image of each on the Verilator model and
// prints, per layer and in total, the RTL's cycles (from its job_done pins and counters) next to the
// modeled cycles and the error. Asserts nothing; docs/engine.md "Performance model" quotes its output.
// With --points: the configs and programs of the CI check and the sweep's verified points
// (sim/verilator/perf-check.ts) instead, one
// line per run and per layer (use it after changing sim/perf/rtl-timing.ts or the RTL).
//   node --import tsx scripts/calibrate-perf.ts [--config FILE] [--ports 1|2] [--json]
//   node --import tsx scripts/calibrate-perf.ts --points [--layers] [--json]
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../boards/ultra96/board.ts';
import { compileBundle } from '../compiler/backend/compile-bundle.ts';
import { loadFashionMnist } from '../compiler/data/fashion-mnist.ts';
import { toBatch } from '../compiler/data/preprocess.ts';
import { importOnnx } from '../compiler/onnx/import-onnx.ts';
import { optimize } from '../compiler/passes/index.ts';
import { quantize } from '../compiler/quant/quantize.ts';
import { modelBundle } from '../sim/perf/model-bundle.ts';
import { repoRoot } from '../sim/verilator/rtl-sources.ts';
import { runBundlesRtl } from '../sim/verilator/run-rtl.ts';
import { PERF_CHECK_POINTS, SWEEP_CHECK_POINTS, runPerfCheck, type PerfCheckRow } from '../sim/verilator/perf-check.ts';

const { values } = parseArgs({ options: { config: { type: 'string' }, ports: { type: 'string' }, json: { type: 'boolean', default: false }, points: { type: 'boolean', default: false }, layers: { type: 'boolean', default: false } } });
const pct = (m: number, t: number) => `${m >= t ? '+' : ''}${((100 * (m - t)) / t).toFixed(1)}%`;
if (values.points) {
  const rows: PerfCheckRow[] = [];
  for (const p of [...PERF_CHECK_POINTS, ...SWEEP_CHECK_POINTS]) {
    const t0 = Date.now();
    const r = await runPerfCheck(p, (s) => console.error(s));
    rows.push(...r);
    if (!values.json) {
      console.log(`${p.name} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
      for (const x of r) {
        console.log(`  ${x.program.padEnd(12)} RTL ${String(x.rtl).padStart(9)}  model ${String(x.modeled).padStart(9)}  ${pct(x.modeled, x.rtl)}`);
        if (values.layers) for (const l of x.layers) console.log(`    ${l.name.padEnd(36)} RTL ${String(l.rtl).padStart(9)}  model ${String(l.modeled).padStart(9)}  ${pct(l.modeled, l.rtl)}`);
      }
    }
  }
  const worst = Math.max(...rows.map((x) => Math.abs(x.errorPct)));
  if (values.json) console.log(JSON.stringify({ rows, worstPct: worst }, null, 1));
  else console.log(`worst |model - RTL| / RTL: ${worst.toFixed(2)}% over ${rows.length} runs`);
  process.exit(0);
}
const base = loadConfig(values.config);
const config = values.ports ? { ...base, axi: { ...base.axi, ports: Number(values.ports) } } : base;
const shared = process.env.CNNA_SHARED ?? resolve(repoRoot, '../shared');
const models: [string, string][] = [
  ['default', resolve(repoRoot, 'models/default/fashion_cnn.onnx')],
  ...['fashion_lenet', 'fashion_vgg', 'fashion_vgg_bn'].map((m) => [m, resolve(shared, `models/${m}.onnx`)] as [string, string]).filter(([, p]) => existsSync(p)),
];
const x = toBatch(loadFashionMnist('test'), 0, 1);
const items = models.map(([name, path]) => {
  const g = optimize(importOnnx(path));
  const qm = quantize(g, { calibrationImages: 32, report: false });
  const bundle = compileBundle(qm, config);
  return { name, bundle, inputSets: [{ tensors: { [g.inputs[0].name]: x } }] };
});
const r = await runBundlesRtl(items.map(({ bundle, inputSets }) => ({ bundle, inputSets })), { config });
const out: { model: string; rtl: number; modeled: number; layers: { name: string; op: string; rtl: number; modeled: number }[] }[] = [];
items.forEach((it, b) => {
  const rtl = r.results[b][0];
  const m = modelBundle(it.bundle, config);
  out.push({
    model: it.name, rtl: rtl.cycles, modeled: m.cycles,
    layers: rtl.perLayer.map((l, i) => ({ name: l.name, op: l.op, rtl: l.cycles, modeled: m.perLayer[i].cycles })).filter((l) => l.rtl || l.modeled),
  });
});
if (values.json) {
  console.log(JSON.stringify({ config: { ports: config.axi.ports }, models: out }, null, 1));
} else {
  console.log(`axi.ports ${config.axi.ports}`);
  for (const o of out) {
    console.log(`${o.model}: RTL ${o.rtl} cycles, modeled ${o.modeled} (${pct(o.modeled, o.rtl)})`);
    for (const l of o.layers) console.log(`  ${l.name.padEnd(28)} ${l.op.padEnd(8)} RTL ${String(l.rtl).padStart(8)}  model ${String(l.modeled).padStart(8)}  ${pct(l.modeled, l.rtl)}`);
  }
}
