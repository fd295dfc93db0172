import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeTensorProto } from '../onnx/tensor-proto.ts';
import { matchInputs, readInputFile } from './input-files.ts';
import { writeNpy } from './npy.ts';

const dir = mkdtempSync(join(tmpdir(), 'cnna-inputs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, bytes: Uint8Array | string) => { const p = join(dir, name); writeFileSync(p, bytes); return p; };
const values = Float32Array.from({ length: 2 * 1 * 2 * 2 }, (_, i) => i / 8 - 0.5);

describe('readInputFile', () => {
  it('reads a TensorProto .pb with its name', () => {
    const f = readInputFile(file('x.pb', writeTensorProto('image', { dims: [2, 1, 2, 2], data: values })));
    expect([f.format, f.name, f.dims, Array.from(f.data)]).toEqual(['pb', 'image', [2, 1, 2, 2], Array.from(values)]);
  });
  it('reads a .npy by its magic, whatever its extension', () => {
    const f = readInputFile(file('x.bin', writeNpy([2, 1, 2, 2], values, '<f8')));
    expect([f.format, f.dims, Array.from(f.data)]).toEqual(['npy', [2, 1, 2, 2], Array.from(values)]);
  });
  it('names missing files and unknown formats', () => {
    expect(() => readInputFile(join(dir, 'nope.npy'))).toThrow(`cannot read input file '${join(dir, 'nope.npy')}': no such file`);
    expect(() => readInputFile(dir)).toThrow(`cannot read input file '${dir}': it is a directory`);
    const txt = file('x.txt', 'hello');
    expect(() => readInputFile(txt)).toThrow(`input file '${txt}' is neither a .npy file nor a .pb file`);
  });
});

describe('matchInputs', () => {
  const inputs = [{ name: 'image', shape: [1, 1, 2, 2] }];
  const f = (dims: number[], name = 'a.npy') => ({ file: join(dir, name), name: '', format: 'npy' as const, dims, data: new Float32Array(dims.reduce((a, b) => a * b, 1)) });
  it('accepts any batch size on axis 0', () => {
    const r = matchInputs(inputs, [f([5, 1, 2, 2])]);
    expect(r.batch).toBe(5);
    expect(r.feeds.image.dims).toEqual([5, 1, 2, 2]);
  });
  it('refuses other shapes and a wrong number of files', () => {
    expect(() => matchInputs(inputs, [f([1, 2, 2])])).toThrow("input file 'a.npy' has shape [1, 2, 2] but model input 'image' expects [N, 1, 2, 2]");
    expect(() => matchInputs(inputs, [f([1, 1, 2, 2]), f([1, 1, 2, 2])])).toThrow('the model has 1 input (image) but 2 --input files were given');
    const two = [{ name: 'a', shape: [1, 3] }, { name: 'b', shape: [1, 3] }];
    expect(() => matchInputs(two, [f([2, 3], 'a.npy'), f([3, 3], 'b.npy')])).toThrow("input files disagree on the batch size: 'a.npy' has 2, 'b.npy' has 3");
  });
});
