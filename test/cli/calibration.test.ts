// `--calibration FILE` (cnna run / accuracy): a user calibration batch replaces the default
// images, so a model whose input is not N×1×28×28 is calibrated on real data instead of the
// synthetic inputs (and no synthetic-input warning is printed). `cnna run` also prints the
// per-layer quantization report (text and --json). Model and data: the ONNX
// backend test pytorch-converted/test_Conv2d (input [2, 3, 7, 5]) from Debian's libonnx-testdata.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readTensorProto } from '../../compiler/onnx/tensor-proto.ts';
import { cnna } from './run-cli.ts';

const D = '/usr/share/libonnx-testdata/data/pytorch-converted/test_Conv2d';
const model = join(D, 'model.onnx');
const x = join(D, 'test_data_set_0/input_0.pb');
const want = join(D, 'test_data_set_0/output_0.pb');
const dir = mkdtempSync(join(tmpdir(), 'cnna-cli-calib-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fixedError(outDir: string): number {
  const ref = readTensorProto(readFileSync(want)).data;
  const fixed = readTensorProto(readFileSync(join(outDir, '3_fixed.pb'))).data;
  expect(fixed.length).toBe(ref.length);
  return Math.max(...Array.from(fixed, (v, i) => Math.abs(v - ref[i])));
}

describe.skipIf(!existsSync(model))(`cnna run --calibration${existsSync(model) ? '' : ' (skipped: libonnx-testdata not installed)'}`, () => {
  it('calibrates on the user batch, without the synthetic-input warning, and beats synthetic calibration', () => {
    const synthetic = cnna(['run', model, '--input', x, '--out', join(dir, 'syn'), '--json']);
    expect(synthetic.code).toBe(0);
    expect(synthetic.stderr).toContain("warning: input '0' has shape [2, 3, 7, 5], not N×1×28×28: calibrating on");
    expect(JSON.parse(synthetic.stdout).quantization.calibration).toMatch(/^synthetic/);

    const user = cnna(['run', model, '--input', x, '--out', join(dir, 'user'), '--calibration', x, '--json']);
    expect(user.code).toBe(0);
    expect(user.stderr).not.toContain('synthetic');
    const q = JSON.parse(user.stdout).quantization;
    expect(q.calibration).toBe('user batch (2 samples)');
    // the per-layer report: the input and the conv, each with its format, range, saturation and SQNR
    expect(q.report.map((r: { node: string; op: string }) => [r.node, r.op])).toEqual([['0', 'input'], ['Conv_0', 'conv']]);
    for (const r of q.report) {
      expect(r.format).toMatch(/^Q\d+\.\d+$/);
      expect(r.min).toBeLessThan(r.max);
      expect([r.saturated, r.total > 0]).toEqual([0, true]);
      expect(r.sqnrDb).toBeGreaterThan(60);
    }
    // Calibrated on the very inputs, no tensor saturates: the Q-format rounding error only
    // (a few 2^-13 steps), far below the synthetic-calibration error on this model.
    const eUser = fixedError(join(dir, 'user'));
    expect(eUser).toBeLessThan(1e-3);
    expect(fixedError(join(dir, 'syn'))).toBeGreaterThan(10 * eUser);
  });

  it('prints the per-layer quantization report before the outputs', () => {
    const r = cnna(['run', model, '--input', x, '--out', join(dir, 'text'), '--calibration', x, '--per-channel']);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('quantization (auto formats, per-channel weight scales; calibration: user batch (2 samples)):');
    expect(lines[1]).toMatch(/^ {2}node\s+op\s+format\s+weight f\s+min\s+max\s+saturated\s+SQNR dB$/);
    expect(lines[4]).toMatch(/^ {2}Conv_0\s+conv\s+Q\d+\.\d+\s+\d+\.\.\d+\s+-?\d\.\d{4}\s+-?\d\.\d{4}\s+0\/160\s+\d+\.\d$/);
    expect(lines[5]).toMatch(/^output 3 \[2×4×5×4\] → /);
  });

  it('rejects a calibration batch of the wrong shape and --calibration with --calibration-images', () => {
    const wrong = cnna(['run', model, '--input', x, '--out', join(dir, 'w'), '--calibration', want]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toBe("cnna: error [E_USAGE]: calibration batch has shape [2, 4, 5, 4], the model input '0' is [2, 3, 7, 5]\n");
    const both = cnna(['run', model, '--input', x, '--out', join(dir, 'w'), '--calibration', x, '--calibration-images', '4', '--json']);
    expect(both.code).toBe(2);
    expect(JSON.parse(both.stdout).error).toMatchObject({ code: 'E_USAGE', message: '--calibration and --calibration-images exclude each other' });
  });
});
