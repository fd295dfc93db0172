import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeNpy } from '../../compiler/data/npy.ts';
import { readTensorProto, writeTensorProto } from '../../compiler/onnx/tensor-proto.ts';
import { classes, defaultModel, fashionInputs, ortLogits } from './ort-reference.ts';
import { cnna } from './run-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'cnna-cli-run-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const N = 3;
const { x } = fashionInputs(N, 10);
let want: Float32Array;
beforeAll(async () => { want = await ortLogits(defaultModel, x, N); });

function check(outDir: string, json: string): void {
  const out = JSON.parse(json);
  const float = readTensorProto(readFileSync(join(outDir, 'logits_float.pb')));
  const fixed = readTensorProto(readFileSync(join(outDir, 'logits_fixed.pb')));
  expect([float.name, float.dims, fixed.dims]).toEqual(['logits', [N, 10], [N, 10]]);
  // float executor = onnxruntime within float rounding
  float.data.forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThan(1e-4));
  // fixed point: same classes, logits within 0.05 of float (auto-scaled formats keep ≥ 11 fractional bits here)
  expect(classes(fixed.data)).toEqual(classes(want));
  fixed.data.forEach((v, i) => expect(Math.abs(v - float.data[i])).toBeLessThan(0.05));
  const o = out.outputs[0];
  expect(o.top1Agree).toBe(N);
  expect(o.maxAbsDiff).toBeCloseTo(Math.max(...Array.from(fixed.data, (v, i) => Math.abs(v - float.data[i]))), 6);
  const top5 = Array.from(want.subarray(0, 10)).map((v, i) => [v, i]).sort((a, b) => b[0] - a[0]).slice(0, 5).map((p) => p[1]);
  expect(o.rows[0].float.map((e: { index: number }) => e.index)).toEqual(top5);
}

describe('cnna run', () => {
  it('runs a .npy batch, writes <output>_float.pb and <output>_fixed.pb, and matches onnxruntime', () => {
    const npy = join(dir, 'x.npy');
    writeFileSync(npy, writeNpy([N, 1, 28, 28], x));
    const outDir = join(dir, 'out-npy');
    const r = cnna(['run', defaultModel, '--input', npy, '--out', outDir, '--calibration-images', '64', '--json']);
    expect(r.code).toBe(0);
    check(outDir, r.stdout);
  });

  it('runs a TensorProto .pb input and prints top-5 and the agreement', () => {
    const pb = join(dir, 'input_0.pb');
    writeFileSync(pb, writeTensorProto('image', { dims: [N, 1, 28, 28], data: x }));
    const outDir = join(dir, 'out-pb');
    const r = cnna(['run', defaultModel, '--input', pb, '--out', outDir, '--calibration-images', '64']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`output logits [${N}×10] → ${join(outDir, 'logits_float.pb')}, ${join(outDir, 'logits_fixed.pb')}`);
    expect(r.stdout).toMatch(/\[0\] float top-5: (\d:-?\d+\.\d{4}  ){4}\d:-?\d+\.\d{4}\n/);
    expect(r.stdout).toMatch(new RegExp(`agreement: max \\|float − fixed\\| = \\S+, top-1 agrees on ${N}/${N}`));
    const again = cnna(['run', defaultModel, '--input', pb, '--out', outDir, '--calibration-images', '64', '--json']);
    check(outDir, again.stdout);
  });
});
