// Bad input to the model commands: a CnnaError with a clear message on stderr, a non-zero
// exit code, nothing on stdout, and a stack trace only with --verbose.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeNpy } from '../../compiler/data/npy.ts';
import { defaultModel } from './ort-reference.ts';
import { cnna, repoRoot } from './run-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'cnna-cli-errors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, bytes: Uint8Array | string) => { const p = join(dir, name); writeFileSync(p, bytes); return p; };

const notOnnx = file('notes.onnx', 'these are not the weights you are looking for\n');
const badNpy = file('bad.npy', writeNpy([2, 3], [1, 2, 3, 4, 5, 6]).subarray(0, 130));
const wrongShape = file('flat.npy', writeNpy([1, 784], new Float32Array(784)));
const npyDir = join(repoRoot, 'compiler/data/testdata/npy');

describe('CLI errors', () => {
  it.each([
    ['missing model file', ['inspect', join(dir, 'missing.onnx')], 1,
      `cnna: error [E_IO]: cannot read model '${join(dir, 'missing.onnx')}': no such file\n  hint: check the path; 'cnna zoo' writes generated models and models/default/fashion_cnn.onnx ships with cnna\n`],
    ['no model', ['run'], 2, 'cnna: error [E_USAGE]: run: missing --input FILE (a .pb TensorProto or a .npy array)\n  hint: usage: cnna run <model.onnx> --input x.npy [--out DIR]\n'],
    ['a truncated .npy', ['run', defaultModel, '--input', badNpy], 1,
      `cnna: error [E_TRUNCATED]: ${badNpy}: .npy data is truncated: shape (2, 3) of <f4 needs 24 bytes, the file has 2\n`],
    ['a Fortran-order .npy', ['run', defaultModel, '--input', join(npyDir, 'fortran.npy')], 1,
      `cnna: error [E_UNSUPPORTED]: ${join(npyDir, 'fortran.npy')}: .npy array is in Fortran order; only C order is supported\n  hint: save numpy.ascontiguousarray(a) instead\n`],
    ['an unsupported .npy dtype', ['run', defaultModel, '--input', join(npyDir, 'complex.npy')], 1,
      `cnna: error [E_UNSUPPORTED]: ${join(npyDir, 'complex.npy')}: .npy dtype '<c8' is not supported\n  hint: use <f4, <f8, <i8, <i2 or |u1 (little-endian), e.g. numpy.save(f, a.astype('float32'))\n`],
    ['a wrong input shape', ['run', defaultModel, '--input', wrongShape], 2,
      "cnna: error [E_USAGE]: input file 'flat.npy' has shape [1, 784] but model input 'image' expects [N, 1, 28, 28]\n  hint: save the tensor with shape [1, 1, 28, 28] (batch N ≥ 1 on axis 0)\n"],
    ['a missing input file', ['run', defaultModel, '--input', join(dir, 'x.npy')], 1,
      `cnna: error [E_IO]: cannot read input file '${join(dir, 'x.npy')}': no such file\n`],
    ['an input that is neither .npy nor .pb', ['run', defaultModel, '--input', notOnnx], 1,
      `cnna: error [E_FORMAT]: input file '${notOnnx}' is neither a .npy file nor a .pb file\n  hint: pass an ONNX TensorProto (.pb, as in ONNX test data) or a NumPy array saved with numpy.save (.npy)\n`],
    ['an unknown dataset', ['accuracy', defaultModel, '--dataset', 'mnist'], 2,
      "cnna: error [E_USAGE]: accuracy: unknown dataset 'mnist'\n  hint: supported: fashion-mnist; or pass --images IDX --labels IDX\n"],
    ['--images without --labels', ['accuracy', defaultModel, '--images', 'x.gz'], 2,
      'cnna: error [E_USAGE]: accuracy: --images needs --labels\n  hint: pass --dataset fashion-mnist, or --images IDX --labels IDX (gzipped or not)\n'],
    ['simulate: an unknown dataset (the command names itself)', ['simulate', defaultModel, '--dataset', 'mnist'], 2,
      "cnna: error [E_USAGE]: simulate: unknown dataset 'mnist'\n  hint: supported: fashion-mnist; or pass --images IDX --labels IDX\n"],
    ['simulate: --labels without --images', ['simulate', defaultModel, '--labels', 'y.gz'], 2,
      'cnna: error [E_USAGE]: simulate: --labels needs --images\n  hint: pass --dataset fashion-mnist, or --images IDX --labels IDX (gzipped or not)\n'],
    ['simulate: --dataset and --images together', ['simulate', defaultModel, '--dataset', 'fashion-mnist', '--images', 'x.gz'], 2,
      'cnna: error [E_USAGE]: simulate: pass either --dataset or --images and --labels, not both\n'],
    ['a bad --scale', ['accuracy', defaultModel, '--dataset', 'fashion-mnist', '--scale', 'abc'], 2,
      "cnna: error [E_USAGE]: --scale 'abc' is not a number\n  hint: e.g. --scale 0.5 or --scale 1/255\n"],
    ['an unknown command', ['frobnicate'], 2, "cnna: error [E_USAGE]: unknown command 'frobnicate'\n  hint: run 'cnna --help' for the list of commands\n"],
  ])('%s', (_what, args, code, stderr) => {
    const r = cnna(args as string[]);
    expect(r.code).toBe(code);
    expect(r.stderr).toBe(stderr);
    expect(r.stdout).toBe('');
  });

  it('a text file as the model: the importer typed error (its wording belongs to the importer)', () => {
    const r = cnna(['inspect', notOnnx]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^cnna: error \\[E_(FORMAT|TRUNCATED)\\]: ${notOnnx}: .*not (a valid )?(an )?ONNX`));
    expect(r.stderr).not.toContain(' at ');
    expect(r.stdout).toBe('');
  });

  it('--json puts the error object on stdout; --verbose adds the stack trace', () => {
    const r = cnna(['inspect', join(dir, 'missing.onnx'), '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).error).toMatchObject({ code: 'E_IO', message: `cannot read model '${join(dir, 'missing.onnx')}': no such file` });
    const v = cnna(['inspect', join(dir, 'missing.onnx'), '--verbose']);
    expect(v.code).toBe(1);
    expect(v.stderr).toMatch(/\n {4}at loadModel \(.*cli\/model-pipeline\.ts:\d+:\d+\)\n/);
    expect(r.stderr).not.toContain(' at ');
  });
});
