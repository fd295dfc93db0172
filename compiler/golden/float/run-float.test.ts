import { describe, expect, it } from 'vitest';
import { buildModel } from '../../onnx/build-model.ts';
import { importOnnx } from '../../onnx/import-onnx.ts';
import { runFloat } from './run-float.ts';

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

  it('rejects a missing input and a wrong shape with E_USAGE', () => {
    expect(() => runFloat(g, {})).toThrow(expect.objectContaining({ code: 'E_USAGE', message: "no value given for graph input 'x' [1, 1, 4, 4]" }));
    expect(() => runFloat(g, { x: { dims: [1, 16], data: x.data } })).toThrow(expect.objectContaining({ code: 'E_USAGE', message: "graph input 'x' is [1, 1, 4, 4], the value given is [1, 16]" }));
  });
});
