import { describe, expect, it } from 'vitest';
import { buildModel } from '../../onnx/build-model.ts';
import { importOnnx } from '../../onnx/import-onnx.ts';
import { prng } from '../../onnx/sample-models.ts';
import { runFloat, spareBytesHeld } from './run-float.ts';

const g = importOnnx(buildModel({
  inputs: [{ name: 'x', dims: [1, 1, 4, 4] }], outputs: [{ name: 'y' }],
  initializers: [{ name: 'w', dims: [1, 1, 2, 2], data: [-1, 0, 0, 1] }],
  nodes: [
    { op: 'Conv', name: 'conv', inputs: ['x', 'w'], outputs: ['c'] },
    { op: 'Relu', name: 'relu', inputs: ['c'], outputs: ['r'] },
    { op: 'AveragePool', name: 'pool', inputs: ['r'], outputs: ['y'], attrs: { kernel_shape: [2, 2], strides: [2, 2], ceil_mode: 1, count_include_pad: 1 } },
  ],
}));
// x[i][j] = i*4 + j*j: conv = x[i+1][j+1] - x[i][j] = 4 + 2j + 1.
// Ceil-mode windows that hang past the input count only their taps inside it: [6, 9, 6, 9].
const x = { dims: [1, 1, 4, 4], data: Float32Array.from({ length: 16 }, (_, k) => Math.floor(k / 4) * 4 + (k % 4) ** 2) };

describe('runFloat', () => {
  it('computes conv, relu and a ceil-mode average pool by hand', () => {
    const all = runFloat(g, { x }, { keepAll: true });
    expect(Array.from(all.c.data)).toEqual([5, 7, 9, 5, 7, 9, 5, 7, 9]);
    expect(Array.from(all.r.data)).toEqual([5, 7, 9, 5, 7, 9, 5, 7, 9]);
    expect(Array.from(all.y.data)).toEqual([6, 9, 6, 9]);
    expect(all.y.dims).toEqual([1, 1, 2, 2]);
    expect(Object.keys(all).sort()).toEqual(['c', 'r', 'x', 'y']);
    expect(Object.keys(runFloat(g, { x }))).toEqual(['y']);
  });

  it('reuses the arrays of finished runs for later conv outputs without touching earlier results or aliased outputs', () => {
    // 'f' (Flatten) shares its buffer with the intermediate 'r'; 'c' and 'q' are conv outputs of one size.
    const r = prng(5);
    const h = importOnnx(buildModel({
      inputs: [{ name: 'x', dims: [64, 1, 16, 16] }], outputs: [{ name: 'f' }, { name: 'q' }],
      initializers: [
        { name: 'w', dims: [8, 1, 3, 3], data: Float32Array.from({ length: 72 }, () => r() - 0.5) },
        { name: 'w2', dims: [8, 8, 3, 3], data: Float32Array.from({ length: 576 }, () => r() - 0.5) },
      ],
      nodes: [
        { op: 'Conv', name: 'conv', inputs: ['x', 'w'], outputs: ['c'], attrs: { pads: [1, 1, 1, 1] } },
        { op: 'Relu', name: 'relu', inputs: ['c'], outputs: ['r'] },
        { op: 'Flatten', name: 'flat', inputs: ['r'], outputs: ['f'] },
        { op: 'Conv', name: 'conv2', inputs: ['r', 'w2'], outputs: ['q'], attrs: { pads: [1, 1, 1, 1] } },
      ],
    }));
    const input = () => ({ dims: [64, 1, 16, 16], data: Float32Array.from({ length: 64 * 256 }, () => r() * 2 - 1) });
    const x1 = input(), x2 = input();
    const x1Copy = Array.from(x1.data);
    const want1 = runFloat(h, { x: x1 }, { keepAll: true });
    const want2 = runFloat(h, { x: x2 }, { keepAll: true });
    const copy = (o: Record<string, { data: Float32Array }>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Array.from(v.data)]));
    const first = runFloat(h, { x: x1 });
    const firstCopy = copy(first);
    expect(firstCopy.f).toEqual(Array.from(want1.f.data));
    expect(firstCopy.q).toEqual(Array.from(want1.q.data));
    expect(spareBytesHeld()).toBe(64 * 8 * 256 * 4); // 'c' only: 'r' is the buffer of output 'f'
    const second = runFloat(h, { x: x2 });
    expect(spareBytesHeld()).toBe(64 * 8 * 256 * 4);
    expect(copy(first)).toEqual(firstCopy);
    expect(Array.from(second.f.data)).toEqual(Array.from(want2.f.data));
    expect(Array.from(second.q.data)).toEqual(Array.from(want2.q.data));
    expect(Array.from(x1.data)).toEqual(x1Copy);
  });

  it('rejects a missing input and a wrong shape with E_USAGE', () => {
    expect(() => runFloat(g, {})).toThrow(expect.objectContaining({ code: 'E_USAGE', message: "no value given for graph input 'x' [1, 1, 4, 4]" }));
    expect(() => runFloat(g, { x: { dims: [1, 16], data: x.data } })).toThrow(expect.objectContaining({ code: 'E_USAGE', message: "graph input 'x' is [1, 1, 4, 4], the value given is [1, 16]" }));
  });
});
