// The Fashion-MNIST models (the project's default model and the trained models in ../shared/models)
// run on the Verilator model of the engine, 100 test images each, all in one simulation process; the
// int16 outputs the engine wrote into the simulated DDR must equal the golden model (runFixed) bit for
// bit. The shared models are skipped with a reason when ../shared is absent.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../boards/ultra96/board.ts';
import { compileBundle } from '../../compiler/backend/compile-bundle.ts';
import { fashionMnistAvailable, loadFashionMnist } from '../../compiler/data/fashion-mnist.ts';
import { toBatch } from '../../compiler/data/preprocess.ts';
import { runFixed } from '../../compiler/golden/fixed/run-fixed.ts';
import { importOnnx } from '../../compiler/onnx/import-onnx.ts';
import { optimize } from '../../compiler/passes/index.ts';
import { quantize } from '../../compiler/quant/quantize.ts';
import { repoRoot } from './rtl-sources.ts';
import { runBundlesRtl } from './run-rtl.ts';

const shared = process.env.CNNA_SHARED ?? resolve(repoRoot, '../shared');
const haveShared = existsSync(resolve(shared, 'models/fashion_lenet.onnx'));
const N = 100;

const models: [string, string][] = [
  ['default (models/default/fashion_cnn.onnx)', resolve(repoRoot, 'models/default/fashion_cnn.onnx')],
  ...(haveShared ? (['fashion_lenet', 'fashion_vgg', 'fashion_vgg_bn'].map((m) => [m, resolve(shared, `models/${m}.onnx`)]) as [string, string][]) : []),
];

describe.skipIf(!fashionMnistAvailable())('Fashion-MNIST models on the RTL engine (skipped: Fashion-MNIST test set absent)', () => {
  it(`runs ${models.length} models x ${N} test images bit-exact against the golden model${haveShared ? '' : ` (shared models skipped: ${shared}/models absent)`}`, async () => {
    const config = defaultConfig();
    const set = loadFashionMnist('test');
    const x = toBatch(set, 0, N);
    const per = x.data.length / N;
    const items = models.map(([name, path]) => {
      const g = optimize(importOnnx(path));
      const qm = quantize(g, { calibrationImages: 32, report: false });
      const bundle = compileBundle(qm, config);
      const inName = g.inputs[0].name;
      const out = bundle.manifest.outputs[0];
      const src = out.hostTail ? qm.graph.nodes.find((n) => n.outputs[0] === out.name)!.inputs[0] : out.name;
      const gold = runFixed(qm, { [inName]: x }, { keepAll: true }).raw[src].q;
      const inputSets = Array.from({ length: N }, (_, i) => ({ tensors: { [inName]: { dims: [1, ...x.dims.slice(1)], data: x.data.subarray(i * per, (i + 1) * per) } } }));
      return { name, bundle, inputSets, gold, out: out.name };
    });
    const r = await runBundlesRtl(items.map(({ bundle, inputSets }) => ({ bundle, inputSets })), { config });
    const report: string[] = [];
    items.forEach((it, b) => {
      const classes = it.gold.length / N;
      let exact = 0, correct = 0;
      r.results[b].forEach((run, i) => {
        const q = run.raw[it.out].q;
        let same = q.length === classes;
        for (let k = 0; k < classes; k++) if (q[k] !== it.gold[i * classes + k]) same = false;
        if (same) exact++;
        let am = 0;
        for (let k = 1; k < q.length; k++) if (q[k] > q[am]) am = k;
        if (am === set.labels[i]) correct++;
      });
      report.push(`${it.name}: ${exact}/${N} bit-exact, top-1 ${correct}/${N}, ${r.results[b][0].cycles} cycles/inference`);
    });
    console.log(`RTL models:\n  ${report.join('\n  ')}`);
    expect(report.filter((l) => !l.includes(`${N}/${N} bit-exact`))).toEqual([]);
  }, 1_800_000);
});
