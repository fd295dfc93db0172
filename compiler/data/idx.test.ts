// IDX reader: hand-made headers, gzip, and every typed error.
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readIdx } from './idx.ts';

function idx(type: number, dims: number[], payload: number[]): Uint8Array {
  const head = [0, 0, type, dims.length];
  for (const d of dims) head.push((d >>> 24) & 255, (d >>> 16) & 255, (d >>> 8) & 255, d & 255);
  return Uint8Array.from([...head, ...payload]);
}

describe('readIdx', () => {
  it('reads unsigned bytes, plain and gzipped', () => {
    const b = idx(0x08, [2, 3], [1, 2, 3, 250, 251, 252]);
    for (const src of [b, new Uint8Array(gzipSync(b))]) {
      const a = readIdx(src);
      expect(a.type).toBe('u8');
      expect(a.dims).toEqual([2, 3]);
      expect(Array.from(a.data)).toEqual([1, 2, 3, 250, 251, 252]);
    }
  });

  it('reads big-endian int16, int32, float32 and int8', () => {
    expect(Array.from(readIdx(idx(0x0b, [2], [0xff, 0xfe, 0x01, 0x00])).data)).toEqual([-2, 256]);
    expect(Array.from(readIdx(idx(0x0c, [1], [0x80, 0, 0, 1])).data)).toEqual([-2147483647]);
    // 0x3fc00000 is 1.5.
    expect(Array.from(readIdx(idx(0x0d, [1], [0x3f, 0xc0, 0, 0])).data)).toEqual([1.5]);
    expect(Array.from(readIdx(idx(0x09, [2], [0xff, 0x7f])).data)).toEqual([-1, 127]);
  });

  it('rejects a bad magic and an unknown type', () => {
    expect(() => readIdx(Uint8Array.from([0x50, 0x4b, 3, 4, 0, 0]), { name: 'x.zip' }))
      .toThrow('x.zip: not an IDX file (magic starts 50 4b, expected 00 00)');
    expect(() => readIdx(idx(0x07, [1], [0]), { name: 'f' })).toThrow('f: unknown IDX data type code 07');
  });

  it('rejects truncated headers, data and gzip streams with E_TRUNCATED', () => {
    const b = idx(0x08, [10, 10], new Array(99).fill(7));
    expect(() => readIdx(b, { name: 'f' })).toThrow('f: header declares [10, 10] (100 data bytes) but only 99 follow');
    expect(() => readIdx(b.subarray(0, 6), { name: 'f' })).toThrow('f: header declares 2 dimensions but the file ends after 6 bytes');
    const gz = gzipSync(idx(0x08, [100], new Array(100).fill(1)));
    try {
      readIdx(gz.subarray(0, gz.length - 12), { name: 'g' });
      expect.unreachable();
    } catch (e) {
      expect((e as { code: string }).code).toBe('E_TRUNCATED');
    }
  });

  it('rejects huge declared sizes with E_LIMIT before allocating', () => {
    const b = idx(0x0e, [0xffffffff, 0xffffffff], []);
    try {
      readIdx(b, { name: 'huge' });
      expect.unreachable();
    } catch (e) {
      expect((e as { code: string }).code).toBe('E_LIMIT');
      expect((e as Error).message).toMatch(/^huge: declared size \[4294967295, 4294967295\] of f64 is .* bytes, above the limit of 2147483648$/);
    }
    expect(() => readIdx(gzipSync(idx(0x08, [5000], new Array(5000).fill(0))), { maxBytes: 1000, name: 'z' }))
      .toThrow('z: decompressed IDX data is larger than 1000 bytes');
  });

  it('reports a missing file as E_IO', () => {
    expect(() => readIdx('/nonexistent/x.idx')).toThrow(/^cannot read IDX file \/nonexistent\/x.idx: /);
  });
});
