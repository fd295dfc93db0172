// ONNX conformance cases (libonnx-testdata; the selection of the golden model's fixed-point conformance
// test) that the back end maps to the engine, run on the Verilator model in one simulation process:
// every output the engine wrote must equal the golden model bit for bit. Cases the back end refuses
// (E_UNSUPPORTED / E_FIT) are listed, not run. Batch > 1 cases run one image per inference.
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../boards/ultra96/board.ts';
import { compileBundle } from '../../compiler/backend/compile-bundle.ts';
import type { Bundle } from '../../compiler/contracts/bundle-format.ts';
import { runFixed } from '../../compiler/golden/fixed/run-fixed.ts';
import type { Graph, Tensor } from '../../compiler/ir/graph.ts';
import { importOnnx } from '../../compiler/onnx/import-onnx.ts';
import { freezeInputs } from '../../compiler/passes/freeze-inputs.ts';
import { optimize } from '../../compiler/passes/index.ts';
import { quantize } from '../../compiler/quant/quantize.ts';
import { batchOne, conformanceCases, loadOnnxTestCase, oneImage } from '../../test/conformance/onnx-test-case.ts';
import { runBundlesRtl } from './run-rtl.ts';



describe('ONNX conformance cases on the RTL engine', () => {
  it('every case that maps to the engine is bit-exact against the golden model', async () => {
    const cases = conformanceCases()
      .filter((d) => !d.endsWith('_expanded') && !d.endsWith('_training_mode') && !d.endsWith('test_maxpool_2d_uint8'));
    const items: { name: string; bundle: Bundle; inputSets: { tensors: Record<string, Tensor> }[]; gold: Int16Array[][] }[] = [];
    const refused: string[] = [];
    for (const dir of cases) {
      const name = dir.split('/').slice(-2).join('/');
      const tc = loadOnnxTestCase(dir);
      const raw = importOnnx(tc.model);
      const set = tc.sets[0];
      const rest: Record<string, Tensor> = {};
      raw.inputs.slice(1).forEach((vi, i) => { rest[vi.name] = set.inputs[i + 1]; });
      let g: Graph;
      try { g = optimize(freezeInputs(raw, rest)); } catch (e) { refused.push(`${name}: ${(e as Error).message}`); continue; }
      const x = set.inputs[0];
      const N = x.dims[0] ?? 1;
      const q1 = (() => { const qm = quantize(g, { calibration: [x] }); return { ...qm, graph: batchOne(qm.graph) }; })();
      let bundle: Bundle;
      try {
        bundle = compileBundle(q1, defaultConfig());
      } catch (e) {
        const code = (e as { code?: string }).code;
        if (code === 'E_UNSUPPORTED' || code === 'E_FIT') { refused.push(`${name}: ${(e as Error).message}`); continue; }
        throw e;
      }
      const data = g.inputs[0].name;
      const inputSets: { tensors: Record<string, Tensor> }[] = [];
      const gold: Int16Array[][] = [];
      for (let i = 0; i < N; i++) {
        const xi = oneImage(x, i);
        inputSets.push({ tensors: { [data]: xi } });
        const gr = runFixed(q1, { [data]: xi }, { keepAll: true });
        gold.push(bundle.manifest.outputs.map((io) => {
          const src = io.hostTail ? q1.graph.nodes.find((n) => n.outputs[0] === io.name)!.inputs[0] : io.name;
          return gr.raw[src].q;
        }));
      }
      items.push({ name, bundle, inputSets, gold });
    }
    const r = await runBundlesRtl(items.map(({ bundle, inputSets }) => ({ bundle, inputSets })));
    const failures: string[] = [];
    items.forEach((it, b) => {
      r.results[b].forEach((run, i) => {
        it.bundle.manifest.outputs.forEach((io, k) => {
          const want = it.gold[i][k];
          const got = run.raw[io.name].q;
          if (want.length !== got.length || want.some((v, e) => v !== got[e])) failures.push(`${it.name} image ${i} output ${io.name}`);
        });
      });
    });
    console.log(`RTL conformance: ${items.length} mapped cases run, ${failures.length} not bit-exact, ${refused.length} refused by the back end`);
    expect(failures).toEqual([]);
    expect(items.length).toBeGreaterThanOrEqual(40);
  }, 900_000);
});
