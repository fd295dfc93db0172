import { describe, expect, it } from 'vitest';
import { importOnnx } from '../onnx/import-onnx.ts';
import { SAMPLE_MODELS } from '../onnx/sample-models.ts';
import { describeGraph } from './describe-graph.ts';
import { checkIsAcyclic, freezeInputs, optimize } from './index.ts';
import { expectSameResults } from './passes-test-utils.ts';
import type { Graph } from '../ir/graph.ts';

describe('optimize', () => {
  it('reduces a PyTorch-style CNN to a fused conv, an FC with input layout and the softmax tail', () => {
    const g = importOnnx(SAMPLE_MODELS.pytorchCnn(), { batch: 2 });
    const o = optimize(g);
    expect(describeGraph(o)).toEqual([
      'conv: conv[k3x3 s1,1 p1,1,1,1+relu+max2x2/2](image, conv.weight_bn, conv_bn_bias) -> p1',
      'fc: gemm[tB chw4x4x4](p1, fc.weight, fc.bias) -> logits',
      'softmax: softmax(logits) -> probs',
    ]);
    expect([...o.initializers.keys()].sort()).toEqual(['conv.weight_bn', 'conv_bn_bias', 'fc.bias', 'fc.weight']);
    expectSameResults(g, o);
  });

  it('reduces the residual and tf2onnx samples', () => {
    const r = importOnnx(SAMPLE_MODELS.residual());
    expect(describeGraph(optimize(r))).toEqual([
      'conv1: conv[k3x3 s1,1 p1,1,1,1+leaky(0.10000000149011612)](x, w1) -> b',
      'dw: conv[k3x3 s1,1 p1,1,1,1 g3](b, w2) -> c',
      'add: add[+relu](c, x) -> t',
      'gap: pool[globalavg](t) -> g',
      'mm: gemm[tB chw3x1x1](g, fc.w_t, fc.b_v) -> y',
    ]);
    expectSameResults(r, optimize(r));
    const t = importOnnx(SAMPLE_MODELS.tf2onnx());
    expect(describeGraph(optimize(t))).toEqual([
      'to_nchw: transpose(input_1) -> x',
      'conv: conv[k3x3 s2,2 p0,0,1,1+clip(0,6)+avg2x2/1 p0,0,1,1](x, k, kb) -> p',
      'dense_mm: gemm[tB chw6x4x4](p, dw_t, db_v) -> dense',
    ]);
    expectSameResults(t, optimize(t));
  });

  it('freezeInputs turns weight inputs into initializers', () => {
    const g = importOnnx(SAMPLE_MODELS.residual());
    const w = g.initializers.get('w1')!;
    const asInput: Graph = { ...g, inputs: [...g.inputs, { name: 'w1', shape: w.dims }], initializers: new Map([...g.initializers].filter(([k]) => k !== 'w1')) };
    const f = freezeInputs(asInput, { w1: w });
    expect(f.inputs.map((i) => i.name)).toEqual(['x']);
    expect(f.initializers.get('w1')).toBe(w);
    expect(() => freezeInputs(asInput, { nope: w })).toThrow(expect.objectContaining({ code: 'E_USAGE', message: "freezeInputs: 'nope' is not a graph input; inputs: x, w1" }));
  });

  it('checkIsAcyclic rejects out-of-order and dangling reads', () => {
    const g = importOnnx(SAMPLE_MODELS.residual());
    const swapped = { ...g, nodes: [g.nodes[1], g.nodes[0], ...g.nodes.slice(2)] };
    expect(() => checkIsAcyclic(swapped)).toThrow(expect.objectContaining({ code: 'E_GRAPH',
      message: "node 'act1' (activation) reads 'a' before it is produced: the nodes are not in topological order or form a cycle" }));
    const dangling = { ...g, nodes: g.nodes.slice(1) };
    expect(() => checkIsAcyclic(dangling)).toThrow(expect.objectContaining({ code: 'E_GRAPH',
      message: "node 'act1' (activation) reads 'a', which no node, graph input or initializer produces" }));
  });
});

describe('batch polymorphism', () => {
  it('runs a graph imported at batch 1 on a batch of 3 (Reshape targets follow axis 0)', async () => {
    const { runFloat } = await import('../golden/float/run-float.ts');
    const g = importOnnx(SAMPLE_MODELS.tf2onnx());
    expect(g.nodes.find((n) => n.op === 'reshape')).toMatchObject({ shape: [1, 96] });
    const g3 = importOnnx(SAMPLE_MODELS.tf2onnx(), { batch: 3 });
    const x = { dims: [3, 8, 8, 3], data: Float32Array.from({ length: 576 }, (_, i) => Math.sin(i)) };
    const a = runFloat({ ...g, inputs: [{ name: 'input_1', shape: [3, 8, 8, 3] }] }, { input_1: x }).dense;
    const b = runFloat(g3, { input_1: x }).dense;
    expect(a.dims).toEqual([3, 4]);
    expect(a).toEqual(b);
  });
});
