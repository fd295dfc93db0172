// ONNX backend conformance of the float executor: every libonnx-testdata case for the ops cnna
// supports runs through importOnnx + runFloat (raw graph, and frozen + optimized graph) and
// must match the stored outputs within ONNX's tolerance (rtol 1e-3, atol 1e-7), and must agree
// with onnxruntime-node on the same inputs.

import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { importOnnx } from '../../compiler/onnx/import-onnx.ts';
import { runFloat } from '../../compiler/golden/float/run-float.ts';
import { freezeInputs } from '../../compiler/passes/freeze-inputs.ts';
import { optimize } from '../../compiler/passes/index.ts';
import type { Graph, Tensor } from '../../compiler/ir/graph.ts';
import { onnx } from '../../compiler/onnx/onnx-proto.ts';
import { compareTensors, conformanceCases, loadOnnxTestCase, type OnnxTestSet } from './onnx-test-case.ts';


/** Cases that test something outside cnna's scope, with the reason. */
function skipReason(name: string): string | undefined {
  if (name.endsWith('_expanded')) return 'the expanded form is built from ReduceMax/Exp/ReduceSum/Div, which cnna does not import; the Softmax op itself is tested';
  if (name.endsWith('_training_mode')) return 'BatchNormalization training_mode=1 computes batch statistics; cnna imports inference graphs only (rejected with E_UNSUPPORTED)';
  if (name === 'test_maxpool_2d_uint8') return 'uint8 activations; cnna graphs take float inputs (rejected with E_UNSUPPORTED)';
  return undefined;
}

function bind(g: Graph, set: OnnxTestSet): Record<string, Tensor> {
  const feeds: Record<string, Tensor> = {};
  g.inputs.forEach((vi, i) => { feeds[vi.name] = set.inputs[i]; });
  return feeds;
}

/**
 * onnxruntime-node 1.30 has no kernels for opset < 7 (the pytorch-converted cases are opset 6).
 * Those models go to ORT converted to opset 7: AveragePool, BatchNormalization, Conv, Gemm,
 * MaxPool, Relu and LeakyRelu compute the same there once the legacy attributes (is_test,
 * broadcast, consumed_inputs) that opset 7 dropped are removed.
 */
export function upgradeForOrt(model: Uint8Array): Uint8Array {
  const m = onnx.ModelProto.decode(model);
  const def = m.opsetImport.find((o) => !o.domain);
  if (!def || Number(def.version) >= 7) return model;
  def.version = 7;
  for (const n of m.graph?.node ?? []) n.attribute = (n.attribute ?? []).filter((a) => !['is_test', 'broadcast', 'consumed_inputs'].includes(a.name ?? ''));
  return onnx.ModelProto.encode(m).finish();
}

async function runOrt(model: Uint8Array, g: Graph, feeds: Record<string, Tensor>): Promise<Tensor[]> {
  const session = await ort.InferenceSession.create(upgradeForOrt(model));
  const ortFeeds: Record<string, ort.Tensor> = {};
  for (const [k, v] of Object.entries(feeds)) ortFeeds[k] = new ort.Tensor('float32', v.data, v.dims);
  const res = await session.run(ortFeeds);
  await session.release();
  return g.outputs.map((o) => ({ dims: [...res[o.name].dims], data: res[o.name].data as Float32Array }));
}

const cases = conformanceCases();

describe('ONNX conformance, float executor', () => {
  it('finds the libonnx-testdata cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(100);
  });

  for (const dir of cases) {
    const name = `${dir.split('/').slice(-2).join('/')}`;
    const reason = skipReason(dir.split('/').pop()!);
    it.skipIf(reason !== undefined)(`${name}${reason ? ` (skipped: ${reason})` : ''}`, async () => {
      const tc = loadOnnxTestCase(dir);
      const raw = importOnnx(tc.model);
      for (const set of tc.sets) {
        const feeds = bind(raw, set);
        const out = runFloat(raw, feeds);
        raw.outputs.forEach((o, i) => expect(compareTensors(out[o.name], set.outputs[i]), `raw graph, output ${o.name}`).toBeUndefined());

        const data = raw.inputs[0].name;
        const frozen = freezeInputs(raw, Object.fromEntries(Object.entries(feeds).filter(([k]) => k !== data)));
        const opt = optimize(frozen);
        const outOpt = runFloat(opt, { [data]: feeds[data] });
        raw.outputs.forEach((o, i) => expect(compareTensors(outOpt[o.name], set.outputs[i]), `optimized graph, output ${o.name}`).toBeUndefined());

        const ref = await runOrt(tc.model, raw, feeds);
        raw.outputs.forEach((o, i) => expect(compareTensors(out[o.name], ref[i]), `vs onnxruntime-node, output ${o.name}`).toBeUndefined());
      }
    });
  }
});
