// `--calibration` on a model with several inputs: NAME=FILE (or one plain file per input, in the
// model's input order) calibrates every input on user data; a file set that does not match the
// inputs is refused naming what is wrong. Model and data: the ONNX node test test_add (x, y:
// [3, 4, 5], no batch axis) from Debian's libonnx-testdata.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readTensorProto } from '../../compiler/onnx/tensor-proto.ts';
import { cnna } from './run-cli.ts';

const D = '/usr/share/libonnx-testdata/data/node/test_add';
const model = join(D, 'model.onnx');
const x = join(D, 'test_data_set_0/input_0.pb');
const y = join(D, 'test_data_set_0/input_1.pb');
const other = '/usr/share/libonnx-testdata/data/pytorch-converted/test_Conv2d/test_data_set_0/input_0.pb';
const dir = mkdtempSync(join(tmpdir(), 'cnna-cli-calib-inputs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (out: string, calib: string[]) => cnna(['run', model, '--input', x, '--input', y, '--out', join(dir, out), ...calib.flatMap((c) => ['--calibration', c]), '--json']);

describe.skipIf(!existsSync(model))(`cnna run --calibration on every input${existsSync(model) ? '' : ' (skipped: libonnx-testdata not installed)'}`, () => {
  it('NAME=FILE and plain files in input order calibrate both inputs on the user data', () => {
    const amax = (f: string) => Math.max(...Array.from(readTensorProto(readFileSync(f)).data, Math.abs));
    // the data's ranges (read here from the files): x needs 3 integer bits, y 2
    expect([amax(x) >= 2 && amax(x) < 4, amax(y) >= 1 && amax(y) < 2]).toEqual([true, true]);
    for (const [name, calib] of [['named', [`x=${x}`, `y=${y}`]], ['plain', [x, y]]] as const) {
      const r = run(name, [...calib]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).not.toContain('synthetic');
      const q = JSON.parse(r.stdout).quantization;
      expect(q.calibration).toBe('user data for every input (1 samples)');
      expect(q.report.map((l: { node: string; format: string; saturated: number }) => [l.node, l.format, l.saturated])).toEqual([['x', 'Q3.13', 0], ['y', 'Q2.14', 0], ['Add_0', 'Q3.13', 0]]);
      // no value saturates: the fixed sum is within the roundings of x (Q3.13: 2^-14), y (Q2.14: 2^-15) and the sum (Q3.13: 2^-14)
      const want = readTensorProto(readFileSync(join(D, 'test_data_set_0/output_0.pb'))).data;
      const got = readTensorProto(readFileSync(join(dir, name, 'sum_fixed.pb'))).data;
      expect(Math.max(...Array.from(got, (v, i) => Math.abs(v - want[i])))).toBeLessThanOrEqual(2 ** -14 + 2 ** -15 + 2 ** -14);
    }
  });

  it('refuses files that do not match the inputs, saying what is wrong', () => {
    const one = run('one', [x]);
    expect([one.code, one.stderr.trim().split('\n')]).toEqual([2, [
      "cnna: error [E_USAGE]: the model has 2 inputs ('x' [3, 4, 5], 'y' [3, 4, 5]) and 1 --calibration file(s) were given; plain files go one per input, in that order",
      '  hint: pass 2 files, or name them: --calibration x=FILE ...',
    ]]);
    const missing = run('missing', [`x=${x}`]);
    expect(missing.stderr.trim().split('\n')).toEqual([
      "cnna: error [E_USAGE]: calibration data covers 1 of the model's 2 inputs; missing: 'y' [3, 4, 5]",
      '  hint: give every input its data: --calibration NAME=FILE for each of x, y',
    ]);
    const shape = run('shape', [`x=${x}`, `y=${other}`]);
    expect(shape.stderr.trim()).toBe("cnna: error [E_USAGE]: calibration data for input 'y' has shape [2, 3, 7, 5], the input is [3, 4, 5]");
    const mixed = run('mixed', [`x=${x}`, y]);
    expect(mixed.stderr.trim().split('\n')[0]).toBe(`cnna: error [E_USAGE]: --calibration mixes NAME=FILE and plain files ('${y}')`);
  });
});
