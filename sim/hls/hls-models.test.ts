// The Fashion-MNIST models (the default model and the trained models in ../shared/models) on the HLS
// engine: 100 test images each in the untimed C-simulation and 5 in the clocked system model, all of a
// mode in one process; the int16 outputs the HLS kernels wrote into the simulated DDR must equal the golden
// model (runFixed) bit for bit. The shared models are skipped with a reason when ../shared is absent.
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
import { repoRoot } from './hls-sources.ts';
import { runBundlesHls, type HlsMode } from './run-hls.ts';

const shared = process.env.CNNA_SHARED ?? resolve(repoRoot, '../shared');
const haveShared = existsSync(resolve(shared, 'models/fashion_lenet.onnx'));
const N = 100;

const models: [string, string][] = [
  ['default (models/default/fashion_cnn.onnx)', resolve(repoRoot, 'models/default/fashion_cnn.onnx')],
  ...(haveShared ? (['fashion_lenet', 'fashion_vgg', 'fashion_vgg_bn'].map((m) => [m, resolve(shared, `models/${m}.onnx`)]) as [string, string][]) : []),
];

describe.skipIf(!fashionMnistAvailable())('Fashion-MNIST models on the HLS engine (skipped: Fashion-MNIST test set absent)', () => {
  it(`runs ${models.length} models x ${N} test images (untimed) and x 5 (clocked) bit-exact against the golden model${haveShared ? '' : ` (shared models skipped: ${shared}/models absent)`}`, async () => {
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
    const report: string[] = [];
    for (const [mode, n] of [['untimed', N], ['clocked', 5]] as [HlsMode, number][]) {
      const r = await runBundlesHls(items.map(({ bundle, inputSets }) => ({ bundle, inputSets: inputSets.slice(0, n) })), { config, mode });
      items.forEach((it, b) => {
        const classes = it.gold.length / N;
        let exact = 0;
        r.results[b].forEach((run, i) => {
          const q = run.raw[it.out].q;
          let same = q.length === classes;
          for (let k = 0; k < classes; k++) if (q[k] !== it.gold[i * classes + k]) same = false;
          if (same) exact++;
        });
        report.push(`${it.name} (${mode}): ${exact}/${n} bit-exact, ${r.results[b][0].cycles} cycles/inference (${r.results[b][0].cyclesSource})`);
        expect(exact).toBe(n);
      });
    }
    console.log(`HLS models:\n  ${report.join('\n  ')}`);
  }, 1_800_000);
});
