// ONNX conformance cases (libonnx-testdata, the same selection as the golden model's fixed-point
// conformance test) on the engine model: every case the back end maps to the engine must run
// bit-exact against the golden model; the others must be refused with E_UNSUPPORTED / E_FIT
// (never computed silently wrong). Batch > 1 cases run one image at a time.
import { describe, expect, it } from 'vitest';
import { importOnnx } from '../../compiler/onnx/import-onnx.ts';
import { freezeInputs } from '../../compiler/passes/freeze-inputs.ts';
import { optimize } from '../../compiler/passes/index.ts';
import { quantize } from '../../compiler/quant/quantize.ts';
import { compileBundle } from '../../compiler/backend/compile-bundle.ts';
import { runFixed } from '../../compiler/golden/fixed/run-fixed.ts';
import type { Graph, Tensor } from '../../compiler/ir/graph.ts';
import { defaultConfig } from '../../boards/ultra96/board.ts';
import { runBundle } from '../../sim/ref/run-bundle.ts';
import { batchOne, conformanceCases, loadOnnxTestCase, oneImage } from '../conformance/onnx-test-case.ts';

const cases = conformanceCases()
  .filter((d) => !d.endsWith('_expanded') && !d.endsWith('_training_mode') && !d.endsWith('test_maxpool_2d_uint8'));


describe('ONNX conformance cases on the engine model', () => {
  it('every case that maps to the engine is bit-exact against the golden model; the rest are refused', () => {
    const mapped: string[] = [];
    const refused: string[] = [];
    const failures: string[] = [];
    for (const dir of cases) {
      const name = dir.split('/').slice(-2).join('/');
      const tc = loadOnnxTestCase(dir);
      const raw = importOnnx(tc.model);
      const set = tc.sets[0];
      const rest: Record<string, Tensor> = {};
      raw.inputs.slice(1).forEach((vi, i) => { rest[vi.name] = set.inputs[i + 1]; });
      let g: Graph;
      try {
        g = optimize(freezeInputs(raw, rest));
      } catch (e) { refused.push(`${name}: ${(e as Error).message}`); continue; }
      const x = set.inputs[0];
      const N = x.dims[0] ?? 1;
      const qm = quantize(g, { calibration: [x] });
      const q1 = { ...qm, graph: batchOne(qm.graph) };
      let bundle;
      try {
        bundle = compileBundle(q1, defaultConfig());
      } catch (e) {
        const code = (e as { code?: string }).code;
        if (code === 'E_UNSUPPORTED' || code === 'E_FIT') { refused.push(`${name}: ${(e as Error).message}`); continue; }
        failures.push(`${name}: ${(e as Error).message}`);
        continue;
      }
      const data = g.inputs[0].name;
      let ok = true;
      for (let i = 0; i < N; i++) {
        const xi = oneImage(x, i);
        const gold = runFixed(q1, { [data]: xi }, { keepAll: true });
        const r = runBundle(bundle, { [data]: xi });
        for (const io of bundle.manifest.outputs) {
          const src = io.hostTail ? q1.graph.nodes.find((n) => n.outputs[0] === io.name)!.inputs[0] : io.name;
          const gq = gold.raw[src].q;
          const rq = r.raw[io.name].q;
          if (gq.length !== rq.length || gq.some((v, k) => v !== rq[k])) ok = false;
        }
      }
      if (ok) mapped.push(name); else failures.push(`${name}: not bit-exact`);
    }
    console.log(`engine conformance: ${mapped.length} mapped and bit-exact, ${refused.length} refused:\n  ${refused.join('\n  ')}`);
    expect(failures).toEqual([]);
    expect(mapped.length).toBeGreaterThanOrEqual(40);
  });
});
