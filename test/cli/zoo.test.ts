import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { cnna } from './run-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'cnna-cli-zoo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('cnna zoo', () => {
  it('lists the zoo with parameter counts', () => {
    const r = cnna(['zoo', '--json']);
    expect(r.code).toBe(0);
    const models = JSON.parse(r.stdout).models as { name: string; parameters: number }[];
    expect(models.map((m) => [m.name, m.parameters])).toEqual([
      ['vgg16', 138_357_544], ['vgg-small', 117_434], ['resnet18', 11_689_512], ['mobilenetv2', 3_504_872],
      ['squeezenet', 1_235_496], ['allconv', 1_369_738], ['nin', 966_986],
    ]);
  });

  it('writes vgg-small as ONNX that onnxruntime loads', async () => {
    const file = join(dir, 'small.onnx');
    const r = cnna(['zoo', 'vgg-small', '-o', file, '--seed', '5', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect([out.model, out.seed, out.parameters, out.bytes]).toEqual(['vgg-small', 5, 117_434, statSync(file).size]);
    const s = await ort.InferenceSession.create(file);
    expect([s.inputNames, s.outputNames]).toEqual([['image'], ['logits']]);
  });

  it.each([
    [['zoo', 'resnet', '-o', 'x.onnx'], 2, "cnna: error [E_USAGE]: unknown zoo model 'resnet'\n  hint: available: vgg16, vgg-small, resnet18, mobilenetv2, squeezenet, allconv, nin\n"],
    [['zoo', 'vgg16'], 2, 'cnna: error [E_USAGE]: zoo: missing -o FILE (where to write the model)\n  hint: e.g. cnna zoo vgg16 -o vgg16.onnx\n'],
    [['zoo', 'vgg-small', '-o', 'x.onnx', '--seed', 'abc'], 2, "cnna: error [E_USAGE]: --seed 'abc' is not an integer in [0, 4294967295]\n"],
    [['zoo', 'vgg-small', '-o', '/nonexistent-dir/x.onnx'], 1, "cnna: error [E_IO]: cannot write '/nonexistent-dir/x.onnx': its directory '/nonexistent-dir' does not exist\n  hint: create the directory first, or choose another path\n"],
  ])('%j fails with a clear message', (args, code, stderr) => {
    const r = cnna(args as string[]);
    expect(r.code).toBe(code);
    expect(r.stderr).toBe(stderr);
    expect(r.stdout).toBe('');
  });
});
