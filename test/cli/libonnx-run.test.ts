// `cnna run` on every listed libonnx-testdata case (test/conformance/onnx-test-case.ts:
// conformanceCases), through the CLI entry (cli/main.ts, argument parsing included; all cases
// in one process by test/cli/support/cnna-many.mjs): the float output written as
// <out>/<output>_float.pb must match the case's expected output within the ONNX tolerance
// (rtol 1e-3, atol 1e-7). Multi-input graphs (Add of two inputs, Gemm and MatMul whose B is an
// input, Concat of inputs), inputs whose axis 0 is not a batch axis and weights given as inputs
// all run. The cases outside cnna's import scope (the float conformance test skips them) must
// fail with the same clear errors.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importOnnx } from '../../compiler/onnx/import-onnx.ts';
import { readTensorProto } from '../../compiler/onnx/tensor-proto.ts';
import { compareTensors, conformanceCases } from '../conformance/onnx-test-case.ts';
import { safeName } from '../../cli/commands/run.ts';
import { repoRoot } from './run-cli.ts';

const cases = conformanceCases();
/** Out of the import scope, with the error `cnna run` must give. */
const OUT_OF_SCOPE: Record<string, string> = {
  test_maxpool_2d_uint8: "cnna: error [E_UNSUPPORTED]: graph input 'x' has element type UINT8; supported: FLOAT",
  test_batchnorm_epsilon_training_mode: "cnna: error [E_UNSUPPORTED]: node 'BatchNormalization_0' (BatchNormalization): attribute training_mode=1 is not supported; supported: training_mode=0 (inference)",
  test_batchnorm_example_training_mode: "cnna: error [E_UNSUPPORTED]: node 'BatchNormalization_0' (BatchNormalization): attribute training_mode=1 is not supported; supported: training_mode=0 (inference)",
};
const outOfScope = (name: string): string | undefined => OUT_OF_SCOPE[name]
  ?? (name.endsWith('_expanded') ? "cnna: error [E_UNSUPPORTED]: node 'ReduceMax_1' (ReduceMax): op ReduceMax is not supported" : undefined);

describe.skipIf(cases.length === 0)('cnna run on the listed libonnx-testdata cases (skipped: libonnx-testdata absent)', () => {
  it('passes every case in scope against its expected outputs; the others fail with a clear error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cnna-libonnx-'));
    try {
      const runs = cases.map((d, i) => {
        const set = join(d, 'test_data_set_0');
        const ins = readdirSync(set).filter((f) => /^input_\d+\.pb$/.test(f)).sort((a, b) => parseInt(a.slice(6), 10) - parseInt(b.slice(6), 10));
        return ['run', join(d, 'model.onnx'), ...ins.flatMap((f) => ['--input', join(set, f)]), '--out', join(dir, String(i)), '--json'];
      });
      writeFileSync(join(dir, 'runs.json'), JSON.stringify(runs));
      const r = spawnSync(process.execPath, [resolve(repoRoot, 'test/cli/support/cnna-many.mjs'), join(dir, 'runs.json')], { encoding: 'utf8', maxBuffer: 1 << 28, timeout: 600_000 });
      const codes = new Map([...r.stderr.matchAll(/#cnna-many (\d+) (\d+)/g)].map((m) => [Number(m[1]), Number(m[2])]));
      const errors = r.stderr.split('\n').filter((l) => l.startsWith('cnna: error'));
      const bad: string[] = [];
      let passed = 0;
      let refused = 0;
      cases.forEach((d, i) => {
        const name = basename(d);
        const want = outOfScope(name);
        if (want) {
          if (codes.get(i) === 1 && errors.some((e) => e.startsWith(want))) refused++;
          else bad.push(`${name}: expected the error '${want}', exit ${codes.get(i)}`);
          return;
        }
        if (codes.get(i) !== 0) { bad.push(`${name}: exit ${codes.get(i)}`); return; }
        const set = join(d, 'test_data_set_0');
        const g = importOnnx(join(d, 'model.onnx'));
        const outs = readdirSync(set).filter((f) => /^output_\d+\.pb$/.test(f)).sort();
        expect(outs.length).toBe(g.outputs.length);
        for (const [k, f] of outs.entries()) {
          const expected = readTensorProto(readFileSync(join(set, f)));
          const got = readTensorProto(readFileSync(join(dir, String(i), `${safeName(g.outputs[k].name)}_float.pb`)));
          const diff = compareTensors(got, expected);
          if (diff) bad.push(`${name} output ${k}: ${diff}`);
        }
        if (!bad.some((b) => b.startsWith(`${name} `))) passed++;
      });
      console.log(`cnna run on libonnx-testdata: ${passed} of ${cases.length} cases pass, ${refused} out of scope refused with the expected error`);
      expect(bad).toEqual([]);
      expect(passed + refused).toBe(cases.length);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 900_000);
});
