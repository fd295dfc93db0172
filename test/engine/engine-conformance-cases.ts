// The conformance cases (libonnx-testdata, the golden model's fixed-point selection) prepared for
// an engine executor, shared by the engine-model and the RTL conformance tests so both run the
// same cases with the same golden outputs. Per case: import, freeze the extra inputs, optimize,
// quantize on its own input, set the batch to one, compile for the default Ultra96 config, and
// run the golden model image by image. A case the back end refuses (E_UNSUPPORTED / E_FIT) or the
// passes reject is reported as refused; any other compile error is reported as an error.
import { defaultConfig } from '../../boards/ultra96/board.ts';
import { compileBundle } from '../../compiler/backend/compile-bundle.ts';
import type { Bundle } from '../../compiler/contracts/bundle-format.ts';
import { runFixed } from '../../compiler/golden/fixed/run-fixed.ts';
import type { Graph, Tensor } from '../../compiler/ir/graph.ts';
import { importOnnx } from '../../compiler/onnx/import-onnx.ts';
import { freezeInputs } from '../../compiler/passes/freeze-inputs.ts';
import { optimize } from '../../compiler/passes/index.ts';
import { quantize } from '../../compiler/quant/quantize.ts';
import { batchOne, conformanceCases, loadOnnxTestCase, oneImage } from '../conformance/onnx-test-case.ts';

export interface EngineImage {
  /** The graph input, one image. */
  tensors: Record<string, Tensor>;
  /** The golden model's int16 values of each bundle output, in manifest order. */
  gold: Int16Array[];
}

export type EngineCase =
  | { name: string; bundle: Bundle; images: EngineImage[] }
  | { name: string; refused: string }
  | { name: string; error: string };

/** Every engine conformance case in order (cases the engine cannot be asked about are left out). */
export function* engineConformanceCases(): Generator<EngineCase> {
  const dirs = conformanceCases()
    .filter((d) => !d.endsWith('_expanded') && !d.endsWith('_training_mode') && !d.endsWith('test_maxpool_2d_uint8'));
  for (const dir of dirs) {
    const name = dir.split('/').slice(-2).join('/');
    const tc = loadOnnxTestCase(dir);
    const raw = importOnnx(tc.model);
    const set = tc.sets[0];
    const rest: Record<string, Tensor> = {};
    raw.inputs.slice(1).forEach((vi, i) => { rest[vi.name] = set.inputs[i + 1]; });
    let g: Graph;
    try {
      g = optimize(freezeInputs(raw, rest));
    } catch (e) { yield { name, refused: (e as Error).message }; continue; }
    const x = set.inputs[0];
    const qm = quantize(g, { calibration: [x] });
    const q1 = { ...qm, graph: batchOne(qm.graph) };
    let bundle: Bundle;
    try {
      bundle = compileBundle(q1, defaultConfig());
    } catch (e) {
      const code = (e as { code?: string }).code;
      yield code === 'E_UNSUPPORTED' || code === 'E_FIT' ? { name, refused: (e as Error).message } : { name, error: (e as Error).message };
      continue;
    }
    const data = g.inputs[0].name;
    const images: EngineImage[] = [];
    for (let i = 0; i < (x.dims[0] ?? 1); i++) {
      const xi = oneImage(x, i);
      const gr = runFixed(q1, { [data]: xi }, { keepAll: true });
      images.push({
        tensors: { [data]: xi },
        gold: bundle.manifest.outputs.map((io) => gr.raw[io.hostTail ? q1.graph.nodes.find((n) => n.outputs[0] === io.name)!.inputs[0] : io.name].q),
      });
    }
    yield { name, bundle, images };
  }
}

/** Whether an engine's int16 output equals the golden one. */
export function sameInt16(a: Int16Array, b: Int16Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
