import { describe, expect, it } from 'vitest';
import { compileActivation } from '../golden/fixed/ops/activation.ts';
import { scaledAdd } from '../golden/fixed/ops/eltwise.ts';
import { buildModel } from '../onnx/build-model.ts';
import { importOnnx } from '../onnx/import-onnx.ts';
import { describeGraph } from './describe-graph.ts';
import { fuseScaledAdd } from './fuse-scaled-add.ts';
import { expectSameResults } from './passes-test-utils.ts';

// Mixed pooling as PyTorch exports it: 0.75·MaxPool(x) + 0.25·AvgPool(x).
const mixed = (b = 0.25) => importOnnx(buildModel({
  opset: 13, inputs: [{ name: 'x', dims: [1, 3, 4, 4] }], outputs: [{ name: 'y' }],
  initializers: [{ name: 'ka', dims: [], data: [0.75] }, { name: 'kb', dims: [], data: [b] }],
  nodes: [
    { op: 'MaxPool', name: 'max', inputs: ['x'], outputs: ['m'], attrs: { kernel_shape: [2, 2], strides: [2, 2] } },
    { op: 'Mul', name: 'mul_a', inputs: ['ka', 'm'], outputs: ['ma'] },
    { op: 'AveragePool', name: 'avg', inputs: ['x'], outputs: ['v'], attrs: { kernel_shape: [2, 2], strides: [2, 2] } },
    { op: 'Mul', name: 'mul_b', inputs: ['v', 'kb'], outputs: ['vb'] },
    { op: 'Add', name: 'add', inputs: ['ma', 'vb'], outputs: ['y'] },
  ],
}));

describe('fuse-scaled-add', () => {
  it('folds the two scalar Muls of mixed pooling into the Add', () => {
    const g = mixed();
    expect(describeGraph(g).map((l) => l.replace(/\(.*\)/, ''))).toEqual([
      'max: pool[max2x2/2] -> m', 'avg: pool[avg2x2/2] -> v', 'mul_a: conv[k1x1 s1,1 p0,0,0,0 g3] -> ma', 'mul_b: conv[k1x1 s1,1 p0,0,0,0 g3] -> vb', 'add: add -> y',
    ]);
    const after = fuseScaledAdd(g);
    expect(describeGraph(after)).toEqual(['max: pool[max2x2/2](x) -> m', 'avg: pool[avg2x2/2](x) -> v', 'add: add[×0.75,×0.25](m, v) -> y']);
    expectSameResults(g, after, 1e-6);
  });

  it('keeps a Mul whose value has another reader', () => {
    const g = mixed();
    g.outputs.push({ name: 'vb', shape: [1, 3, 2, 2] });
    expect(describeGraph(fuseScaledAdd(g)).map((l) => l.split(':')[0])).toEqual(['max', 'avg', 'mul_b', 'add']);
  });

  it('the fixed-point rule: 0.75·0.5 + 0.25·0.25 at Q2.14 is 7168 (0.4375)', () => {
    // f_a = f_b = 14, w_a = quant(0.75, 15) = 24576, w_b = quant(0.25, 15) = 8192 (fAcc 29);
    // acc = 8192·24576 + 4096·8192 = 234881024; rshr(acc, 15) = 7168.
    const r = scaledAdd(Int16Array.of(8192, 32767), 24576, Int16Array.of(4096, 32767), 8192, 15, compileActivation(undefined, 14, 'test'));
    expect([...r.q]).toEqual([7168, 32767]);
    expect(r.sat).toBe(0);
  });
});
