// ONNX backend conformance of the fixed-point golden model: the same libonnx-testdata cases as
// the float conformance test run through freezeInputs + optimize + quantize (auto formats,
// calibrated on the test input itself, per layer and per channel) + runFixed. Every output
// element must lie within the worst-case error bound of docs/numerics.md "Error bound used by
// the conformance tests" (compiler/quant/error-bound.ts) plus ONNX's own float tolerance
// (rtol 1e-3, atol 1e-7) for the rounding inside the stored float32 expected outputs.
import { describe, expect, it } from 'vitest';
import { importOnnx } from '../../compiler/onnx/import-onnx.ts';
import { freezeInputs } from '../../compiler/passes/freeze-inputs.ts';
import { optimize } from '../../compiler/passes/index.ts';
import { quantize } from '../../compiler/quant/quantize.ts';
import { errorBounds } from '../../compiler/quant/error-bound.ts';
import { runFixed } from '../../compiler/golden/fixed/run-fixed.ts';
import type { Tensor } from '../../compiler/ir/graph.ts';
import { conformanceCases, loadOnnxTestCase } from './onnx-test-case.ts';
import { runFloat } from '../../compiler/golden/float/run-float.ts';
import { prng, SAMPLE_MODELS } from '../../compiler/onnx/sample-models.ts';


function skipReason(name: string): string | undefined {
  if (name.endsWith('_expanded')) return 'the expanded form is built from ReduceMax/Exp/ReduceSum/Div, which cnna does not import; the Softmax op itself is tested';
  if (name.endsWith('_training_mode')) return 'BatchNormalization training_mode=1 computes batch statistics; cnna imports inference graphs only';
  if (name === 'test_maxpool_2d_uint8') return 'uint8 activations; cnna graphs take float inputs';
  return undefined;
}

const cases = conformanceCases();

interface Deviation { worst: number; ratio: number; where: string }

/** Largest |actual - expected| and its ratio to the allowed error, or a message on the first element out of bounds. */
function check(actual: Tensor, expected: Tensor, bound: number): Deviation & { fail?: string } {
  let worst = 0;
  let ratio = 0;
  let where = '';
  if (actual.dims.join() !== expected.dims.join()) return { worst, ratio, where, fail: `shape [${actual.dims}] != expected [${expected.dims}]` };
  for (let i = 0; i < expected.data.length; i++) {
    const d = Math.abs(actual.data[i] - expected.data[i]);
    const allowed = bound + 1e-3 * Math.abs(expected.data[i]) + 1e-7;
    if (d > worst) { worst = d; where = `element ${i}`; }
    ratio = Math.max(ratio, d / allowed);
    if (!(d <= allowed)) return { worst, ratio, where, fail: `element ${i}: ${actual.data[i]} vs expected ${expected.data[i]}, |error| ${d} > bound ${bound} + tolerance` };
  }
  return { worst, ratio, where };
}

describe('ONNX conformance, fixed-point golden model', () => {
  it('finds the libonnx-testdata cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(100);
  });

  for (const dir of cases) {
    const name = dir.split('/').slice(-2).join('/');
    const reason = skipReason(dir.split('/').pop()!);
    it.skipIf(reason !== undefined)(`${name}${reason ? ` (skipped: ${reason})` : ''}`, () => {
      const tc = loadOnnxTestCase(dir);
      const raw = importOnnx(tc.model);
      for (const set of tc.sets) {
        const data = raw.inputs[0].name;
        const rest: Record<string, Tensor> = {};
        raw.inputs.slice(1).forEach((vi, i) => { rest[vi.name] = set.inputs[i + 1]; });
        const g = optimize(freezeInputs(raw, rest));
        for (const perChannel of [false, true]) {
          const qm = quantize(g, { calibration: [set.inputs[0]], perChannel });
          const r = runFixed(qm, { [data]: set.inputs[0] }, { keepAll: true });
          const bounds = errorBounds(qm, r.raw);
          raw.outputs.forEach((o, i) => {
            const bound = bounds.get(o.name)!;
            expect(Number.isFinite(bound), `bound of ${o.name}`).toBe(true);
            const c = check(r.outputs[o.name], set.outputs[i], bound);
            expect(c.fail, `output ${o.name}, perChannel=${perChannel}`).toBeUndefined();
          });
        }
      }
    });
  }
});

describe('exporter-style sample models, fixed-point golden model vs float', () => {
  // tf2onnx NHWC Transpose + Clip (ReLU6) + MatMul/Add, a PyTorch CNN, a residual block with Add,
  // a model with input normalization: same bound, float reference = runFloat on the same graph.
  for (const [name, make] of Object.entries(SAMPLE_MODELS)) {
    it(`${name} (batch 2): every output within the error bound of the float executor`, () => {
      const g = optimize(importOnnx(make(), { batch: 2 }));
      const x = g.inputs[0];
      const r = prng(11);
      const input = { dims: x.shape, data: Float32Array.from({ length: x.shape.reduce((a, b) => a * b) }, () => r() * 4 - 2) };
      const ref = runFloat(g, { [x.name]: input });
      for (const perChannel of [false, true]) {
        const qm = quantize(g, { calibration: [input], perChannel });
        const out = runFixed(qm, { [x.name]: input }, { keepAll: true });
        const bounds = errorBounds(qm, out.raw);
        for (const o of g.outputs) {
          const c = check(out.outputs[o.name], ref[o.name], bounds.get(o.name)!);
          expect(c.fail, `${o.name}, perChannel=${perChannel}`).toBeUndefined();
        }
      }
    });
  }
});
