import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CnnaError } from '../errors/cnna-error.ts';
import { readNpy, writeNpy } from './npy.ts';

const dir = join(import.meta.dirname, 'testdata/npy');
const read = (f: string) => readNpy(readFileSync(join(dir, f)), f);
const seq = (f: (i: number) => number) => Array.from({ length: 24 }, (_, i) => f(i));

function error(f: () => unknown): CnnaError {
  try { f(); } catch (e) { if (e instanceof CnnaError) return e; throw e; }
  throw new Error('expected a CnnaError');
}

describe('readNpy on files written by NumPy', () => {
  it.each([['f4.npy', '<f4'], ['f4-v2.npy', '<f4'], ['f4-v3.npy', '<f4'], ['f8.npy', '<f8']])('%s', (f, dtype) => {
    const a = read(f);
    expect(a.dtype).toBe(dtype);
    expect(a.shape).toEqual([2, 3, 4]);
    expect(Array.from(a.data)).toEqual(seq((i) => (i - 11.5) / 4));
  });
  it('int64, int16 and uint8', () => {
    expect(Array.from(read('i8.npy').data)).toEqual(seq((i) => i * 1000 - 7000));
    expect(Array.from(read('i2.npy').data)).toEqual(seq((i) => i * 1000 - 12000));
    const u = read('u1.npy');
    expect(u.dtype).toBe('|u1');
    expect(Array.from(u.data)).toEqual(seq((i) => (i * 10) & 0xff));
  });
  it('a 0-d array has shape () and one value', () => {
    const s = read('scalar.npy');
    expect(s.shape).toEqual([]);
    expect(Array.from(s.data)).toEqual([3.5]);
  });
});

describe('readNpy errors', () => {
  it('Fortran order', () => {
    const e = error(() => read('fortran.npy'));
    expect(e.code).toBe('E_UNSUPPORTED');
    expect(e.message).toBe('fortran.npy: .npy array is in Fortran order; only C order is supported');
  });
  it('big-endian and complex dtypes', () => {
    expect(error(() => read('big-endian.npy')).message).toBe("big-endian.npy: .npy dtype '>f4' is not supported");
    expect(error(() => read('complex.npy')).message).toBe("complex.npy: .npy dtype '<c8' is not supported");
  });
  it('truncated data', () => {
    const e = error(() => read('truncated.npy'));
    expect(e.code).toBe('E_TRUNCATED');
    expect(e.message).toBe('truncated.npy: .npy data is truncated: shape (2, 3, 4) of <f4 needs 96 bytes, the file has 91');
  });
  it('not a .npy file, truncated header, unknown version', () => {
    expect(error(() => readNpy(new TextEncoder().encode('hello world'), 'x.npy')).message).toBe('x.npy: not a .npy file (it does not start with \\x93NUMPY)');
    const good = readFileSync(join(dir, 'f4.npy'));
    expect(error(() => readNpy(good.subarray(0, 40), 'h.npy')).code).toBe('E_TRUNCATED');
    const v9 = Uint8Array.from(good);
    v9[6] = 9;
    expect(error(() => readNpy(v9, 'v.npy')).message).toBe('v.npy: .npy format version 9.0 is not supported (versions 1.0, 2.0 and 3.0 are)');
  });
  it('huge declared shapes are refused before allocating', () => {
    const header = "{'descr': '<f4', 'fortran_order': False, 'shape': (100000, 100000), }\n";
    const patched = new Uint8Array(10 + header.length);
    patched.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length, 0]);
    patched.set(new TextEncoder().encode(header), 10);
    expect(error(() => readNpy(patched, 'big.npy')).message).toBe('big.npy: .npy shape (100000, 100000) declares more than 268435456 elements');
  });
});

describe('writeNpy', () => {
  it('round-trips every dtype and version', () => {
    const vals = [0, 1, 2, 3, 4, 5];
    for (const dtype of ['<f4', '<f8', '<i8', '|u1', '<i2'] as const) {
      for (const version of [1, 2, 3] as const) {
        const a = readNpy(writeNpy([2, 3], vals, dtype, version));
        expect(a.shape).toEqual([2, 3]);
        expect(Array.from(a.data)).toEqual(vals);
      }
    }
  });
  it('writes the same bytes as numpy.save for float32', () => {
    expect(Buffer.from(writeNpy([2, 3, 4], seq((i) => (i - 11.5) / 4)))).toEqual(readFileSync(join(dir, 'f4.npy')));
  });
});
