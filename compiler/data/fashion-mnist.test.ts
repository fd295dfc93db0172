// Fashion-MNIST from the Debian package and the preprocessing into NCHW batches. The expected
// labels and pixel figures were read independently with Python's gzip module.
import { describe, expect, it } from 'vitest';
import { fashionMnistAvailable, loadFashionMnist } from './fashion-mnist.ts';
import { imageSetFromIdx, toBatch } from './preprocess.ts';

const have = fashionMnistAvailable();

describe.skipIf(!have)('Fashion-MNIST (needs Debian dataset-fashion-mnist)', () => {
  it('loads the test split with its labels', () => {
    const t = loadFashionMnist('test');
    expect([t.count, t.channels, t.rows, t.cols]).toEqual([10000, 1, 28, 28]);
    expect(Array.from(t.labels.subarray(0, 10))).toEqual([9, 2, 1, 1, 6, 1, 4, 6, 5, 7]);
    const counts = new Array(10).fill(0);
    for (const l of t.labels) counts[l]++;
    expect(counts).toEqual(new Array(10).fill(1000));
    let sum = 0;
    for (let i = 0; i < 784; i++) sum += t.images[i];
    expect(sum).toBe(33456);
  });

  it('loads the train split and honours limit', () => {
    const t = loadFashionMnist('train', { limit: 10 });
    expect(t.count).toBe(10);
    expect(Array.from(t.labels)).toEqual([9, 0, 0, 3, 0, 2, 7, 2, 5, 5]);
    expect(loadFashionMnist('train').count).toBe(60000);
  });

  it('preprocesses to an NCHW float batch with x = pixel/255 by default', () => {
    const b = toBatch(loadFashionMnist('test'), 0, 2);
    expect(b.dims).toEqual([2, 1, 28, 28]);
    expect(b.data[14 * 28 + 14]).toBe(Math.fround(110 / 255));
  });
});

describe('preprocess', () => {
  const set = imageSetFromIdx(
    { type: 'u8', dims: [3, 1, 2], data: Uint8Array.from([0, 255, 10, 20, 30, 40]) },
    { type: 'u8', dims: [3], data: Uint8Array.from([1, 2, 3]) },
  );

  it('applies (pixel·S − M)/D and clips the batch at the end of the set', () => {
    const b = toBatch(set, 1, 5, { scale: 1, mean: 10, std: 2 });
    expect(b.dims).toEqual([2, 1, 1, 2]);
    expect(Array.from(b.data)).toEqual([0, 5, 10, 15]);
  });

  it('rejects mismatched counts, wrong ranks and a zero std', () => {
    expect(() => imageSetFromIdx({ type: 'u8', dims: [3, 2, 2], data: new Uint8Array(12) }, { type: 'u8', dims: [4], data: new Uint8Array(4) }))
      .toThrow('images holds 3 images but labels holds 4 labels');
    expect(() => imageSetFromIdx({ type: 'f32', dims: [3, 2, 2], data: new Float32Array(12) }, { type: 'u8', dims: [3], data: new Uint8Array(3) }))
      .toThrow('images: expected unsigned-byte images of shape [N, H, W] or [N, C, H, W], got f32 [3, 2, 2]');
    expect(() => toBatch(set, 0, 1, { scale: 1, mean: 0, std: 0 })).toThrow('preprocessing needs finite scale, mean and a non-zero std');
  });
});
