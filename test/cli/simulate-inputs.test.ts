// cnna simulate with --input files through the CLI: a two-input graph (a conv of each input,
// added), both inputs calibrated and run bit-exact on the engine model; --limit caps the
// inferences of an --input batch; a dataset whose images do not fit the model gets a hint.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeNpy } from '../../compiler/data/npy.ts';
import { fashionMnistAvailable } from '../../compiler/data/fashion-mnist.ts';
import { buildModel } from '../../compiler/onnx/build-model.ts';
import { rng } from '../engine/random-layer.ts';
import { cnna, repoRoot } from './run-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'cnna-sim-inputs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const r = rng(3);
const vals = (n: number, s = 1) => Array.from({ length: n }, () => (r() * 2 - 1) * s);

function twoInputModel(): string {
  const file = join(dir, 'two.onnx');
  writeFileSync(file, buildModel({
    opset: 13, inputs: [{ name: 'a', dims: [1, 3, 6, 6] }, { name: 'b', dims: [1, 3, 6, 6] }], outputs: [{ name: 'y' }],
    initializers: [{ name: 'wa', dims: [4, 3, 3, 3], data: vals(108, 0.5) }, { name: 'wb', dims: [4, 3, 1, 1], data: vals(12, 0.5) }],
    nodes: [
      { op: 'Conv', name: 'ca', inputs: ['a', 'wa'], outputs: ['pa'], attrs: { pads: [1, 1, 1, 1] } },
      { op: 'Conv', name: 'cb', inputs: ['b', 'wb'], outputs: ['pb'] },
      { op: 'Add', name: 'add', inputs: ['pa', 'pb'], outputs: ['s'] },
      { op: 'Relu', name: 'relu', inputs: ['s'], outputs: ['y'] },
    ],
  }));
  return file;
}

describe('cnna simulate --input', () => {
  it('runs a two-input graph bit-exact, and --limit caps the inferences of an --input batch', () => {
    const model = twoInputModel();
    writeFileSync(join(dir, 'a.npy'), writeNpy([3, 3, 6, 6], vals(324, 2)));
    writeFileSync(join(dir, 'b.npy'), writeNpy([3, 3, 6, 6], vals(324, 2)));
    const all = cnna(['simulate', model, '--backend', 'ref', '--input', join(dir, 'a.npy'), '--input', join(dir, 'b.npy'), '--json']);
    expect(all.stderr).not.toContain('error');
    expect(all.code).toBe(0);
    expect(JSON.parse(all.stdout)).toMatchObject({ inferences: 3, bitExact: true, mismatches: { images: 0, values: 0, compared: 3 * 4 * 36 } });
    const two = cnna(['simulate', model, '--backend', 'ref', '--input', join(dir, 'a.npy'), '--input', join(dir, 'b.npy'), '--limit', '2', '--json']);
    expect(two.code).toBe(0);
    expect(JSON.parse(two.stdout)).toMatchObject({ inferences: 2, bitExact: true, mismatches: { compared: 2 * 4 * 36 } });
  });

  it.skipIf(!fashionMnistAvailable())('--dataset fashion-mnist on a 3×16×16 model fails with a hint', () => {
    const model = resolve(repoRoot, 'test/fixtures/torch-exports/resnet-opset13.onnx');
    const res = cnna(['simulate', model, '--backend', 'ref', '--dataset', 'fashion-mnist', '--limit', '2']);
    expect(res.code).toBe(2);
    expect(res.stderr).toBe("cnna: error [E_USAGE]: model input 'input' is [1×3×16×16] but the images of fashion-mnist (test split) are [1×28×28] (C×H×W)\n"
      + '  hint: use images of the size the model was trained on: --images IDX --labels IDX holding 3×16×16 images, or --input FILE with tensors of shape [1×3×16×16]\n');
  });
});
