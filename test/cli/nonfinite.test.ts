// NaN and ±Inf on the real `cnna` command: weights, BatchNorm statistics and input files with a
// non-finite value are refused with E_NUMERIC naming the tensor and the first bad index;
// --allow-nonfinite maps them (NaN → 0, ±Inf → ±FLOAT32_MAX, docs/numerics.md) and goes on. Also
// the board commands' input loader (cnna infer) on an all-NaN .npy.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeNpy } from '../../compiler/data/npy.ts';
import { buildModel } from '../../compiler/onnx/build-model.ts';
import { pytorchCnnSpec } from '../../compiler/onnx/sample-models.ts';
import { loadInput } from '../../cli/commands/board-inputs.ts';
import { repoRoot } from './run-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'cnna-nonfinite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function modelWith(name: string, index: number, value: number): string {
  const spec = pytorchCnnSpec(1);
  const t = spec.initializers!.find((x) => x.name === name)!;
  const data = Float32Array.from(t.data);
  data[index] = value;
  t.data = data;
  const p = join(dir, `${name}-${index}.onnx`);
  writeFileSync(p, buildModel(spec));
  return p;
}
const nanWeight = modelWith('conv.weight', 17, NaN);
const infVar = modelWith('bn.var', 2, Infinity);
const nanInput = join(dir, 'nan.npy');
writeFileSync(nanInput, writeNpy([1, 1, 28, 28], new Float32Array(784).fill(NaN)));
const model = join(repoRoot, 'models/default/fashion_cnn.onnx');
const HINT = '  hint: fix the tensor (a diverged training or a corrupted file), or pass --allow-nonfinite to map NaN to 0 and ±Inf to ±3.4e38 (the int16 extremes once quantized)\n';

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [join(repoRoot, 'bin/cnna.js'), ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => { stdout += String(d); });
    p.stderr.on('data', (d) => { stderr += String(d); });
    p.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('non-finite values', () => {
  const results = Promise.all([
    run(['compile', nanWeight, '-o', join(dir, 'b1')]),
    run(['compile', infVar, '-o', join(dir, 'b2')]),
    run(['run', model, '--input', nanInput, '--out', join(dir, 'out')]),
    run(['compile', nanWeight, '-o', join(dir, 'b3'), '--allow-nonfinite', '--json']),
  ]);

  it('a NaN weight: E_NUMERIC naming the tensor, its role and the index', async () => {
    const r = (await results)[0];
    expect(r.stderr).toBe(`cnna: error [E_NUMERIC]: tensor 'conv.weight' (weight of conv 'conv') has a non-finite value (NaN) at index 17 = [1, 0, 2, 2]\n${HINT}`);
    expect(r.code).toBe(1);
  });

  it('an infinite BatchNorm variance: E_NUMERIC', async () => {
    const r = (await results)[1];
    expect(r.stderr).toBe(`cnna: error [E_NUMERIC]: tensor 'bn.var' (variance of batchnorm 'bn') has a non-finite value (+Inf) at index 2\n${HINT}`);
    expect(r.code).toBe(1);
  });

  it('an all-NaN input file: E_NUMERIC before anything runs', async () => {
    const r = (await results)[2];
    expect(r.stderr).toBe(`cnna: error [E_NUMERIC]: input file '${nanInput}' has a non-finite value (NaN) at index 0 = [0, 0, 0, 0]\n${HINT}`);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
  });

  it('--allow-nonfinite maps them and compiles', async () => {
    const r = (await results)[3];
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).jobs).toBeGreaterThan(0);
  });

  it("cnna infer's input loader refuses an all-NaN .npy, or maps it to zeros when allowed", () => {
    const spec = { name: 'image', dtype: 'int16' as const, shape: [1, 1, 28, 28], f: 14 };
    expect(() => loadInput(nanInput, spec)).toThrow(`input ${nanInput} has a non-finite value (NaN) at index 0 = [0, 0, 0, 0]`);
    expect(Array.from(loadInput(nanInput, spec, 'map').tensor.data).every((v) => v === 0)).toBe(true);
  });
});
