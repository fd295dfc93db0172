import { describe, expect, it } from 'vitest';
import { buildModel, type ModelSpec } from './build-model.ts';
import { importOnnx } from './import-onnx.ts';
import { onnx } from './onnx-proto.ts';
import { pytorchCnnSpec, SAMPLE_MODELS } from './sample-models.ts';
import type { ConvNode, PoolNode } from '../ir/graph.ts';

const W = { name: 'w', dims: [2, 1, 3, 3], data: new Float32Array(18) };
const convModel = (attrs: ModelSpec['nodes'][0]['attrs'], extra: Partial<ModelSpec> = {}): Uint8Array => buildModel({
  inputs: [{ name: 'x', dims: [1, 1, 5, 5] }], outputs: [{ name: 'y' }], initializers: [W],
  nodes: [{ op: 'Conv', name: 'conv3', inputs: ['x', 'w'], outputs: ['y'], attrs }], ...extra,
});
const err = (code: string, message: string): unknown => expect.objectContaining({ name: 'CnnaError', code, message });

describe('importOnnx', () => {
  it('imports a PyTorch-style CNN with shapes, batch 1 for the symbolic batch axis', () => {
    const g = importOnnx(SAMPLE_MODELS.pytorchCnn());
    expect(g.opset).toBe(13);
    expect(g.nodes.map((n) => n.op)).toEqual(['pad', 'conv', 'batchnorm', 'activation', 'pool', 'dropout', 'flatten', 'gemm', 'softmax']);
    expect(g.inputs).toEqual([{ name: 'image', shape: [1, 1, 8, 8] }]);
    expect(g.shapes.get('padded')).toEqual([1, 1, 10, 10]);
    expect(g.shapes.get('c1')).toEqual([1, 4, 8, 8]);
    expect(g.shapes.get('p1')).toEqual([1, 4, 4, 4]);
    expect(g.shapes.get('f1')).toEqual([1, 64]);
    expect(g.outputs).toEqual([{ name: 'probs', shape: [1, 10] }]);
    expect(g.initializers.has('pads')).toBe(false);
    expect(g.nodes[0]).toMatchObject({ op: 'pad', pads: [1, 1, 1, 1], value: 0 });
    expect(importOnnx(SAMPLE_MODELS.pytorchCnn(), { batch: 3 }).shapes.get('f1')).toEqual([3, 64]);
  });

  it('normalizes window attributes: kernel from W, default strides/dilations, auto_pad to pads', () => {
    const c = (attrs: ModelSpec['nodes'][0]['attrs']): ConvNode => importOnnx(convModel(attrs)).nodes[0] as ConvNode;
    expect(c({})).toMatchObject({ kernel: [3, 3], strides: [1, 1], dilations: [1, 1], pads: [0, 0, 0, 0], group: 1 });
    expect(c({ auto_pad: 'SAME_UPPER', strides: [2, 2] })).toMatchObject({ pads: [1, 1, 1, 1] });
    const w4 = { name: 'w', dims: [2, 1, 4, 4], data: new Float32Array(32) };
    const same = (mode: string): number[] => (importOnnx(convModel({ auto_pad: mode }, { initializers: [w4] })).nodes[0] as ConvNode).pads;
    expect(same('SAME_UPPER')).toEqual([1, 1, 2, 2]);
    expect(same('SAME_LOWER')).toEqual([2, 2, 1, 1]);
    expect(same('VALID')).toEqual([0, 0, 0, 0]);
  });

  it('reads Clip bounds from attributes before opset 11 and from inputs after', () => {
    const clip = (opset: number, attrs: ModelSpec['nodes'][0]['attrs'], inputs: string[], inits: ModelSpec['initializers'] = []): unknown =>
      importOnnx(buildModel({ opset, inputs: [{ name: 'x', dims: [1, 4] }], outputs: [{ name: 'y' }], initializers: inits,
        nodes: [{ op: 'Clip', inputs, outputs: ['y'], attrs }] })).nodes[0];
    expect(clip(10, { min: { float: 0 }, max: { float: 6 } }, ['x'])).toMatchObject({ activation: { kind: 'clip', min: 0, max: 6 } });
    expect(clip(13, {}, ['x', 'lo', 'hi'], [{ name: 'lo', dims: [], data: [-1] }, { name: 'hi', dims: [], data: [1] }]))
      .toMatchObject({ activation: { kind: 'clip', min: -1, max: 1 } });
    expect(clip(13, {}, ['x', '', 'hi'], [{ name: 'hi', dims: [], data: [6] }])).toMatchObject({ activation: { kind: 'clip', min: -Infinity, max: 6 } });
  });

  it('gives Softmax the opset < 13 coerce-to-2-D rule and the opset >= 13 axis rule', () => {
    const sm = (opset: number): unknown => importOnnx(buildModel({ opset, inputs: [{ name: 'x', dims: [2, 3, 4] }], outputs: [{ name: 'y' }],
      nodes: [{ op: 'Softmax', inputs: ['x'], outputs: ['y'] }] })).nodes[0];
    expect(sm(11)).toMatchObject({ axis: 1, coerce2d: true });
    expect(sm(13)).toMatchObject({ axis: 2, coerce2d: false });
  });

  it('folds Shape -> Gather -> Unsqueeze -> Concat into the Reshape target', () => {
    const g = importOnnx(SAMPLE_MODELS.tf2onnx(), { batch: 2 });
    expect(g.nodes.map((n) => n.op)).toEqual(['transpose', 'conv', 'activation', 'pool', 'reshape', 'matmul', 'add']);
    expect(g.nodes[4]).toMatchObject({ op: 'reshape', shape: [2, 96] });
    expect((g.nodes[3] as PoolNode).pool).toMatchObject({ kind: 'avg', countIncludePad: false, pads: [0, 0, 1, 1] });
    expect(g.shapes.get('x')).toEqual([2, 3, 8, 8]);
  });

  it('turns Sub/Div/Mul by per-channel or scalar constants into depthwise 1x1 convs and ReduceMean into global pooling', () => {
    const g = importOnnx(SAMPLE_MODELS.normalized());
    expect(g.nodes.map((n) => `${n.op}${n.op === 'conv' ? ` g${(n as ConvNode).group}` : ''}`)).toEqual(['conv g3', 'conv g3', 'conv g3', 'conv g3', 'conv g1', 'activation', 'pool', 'flatten', 'gemm']);
    expect(Array.from(g.initializers.get('flip__cnna_dw_weight')!.data)).toEqual([-1, -1, -1]);
    expect(Array.from(g.initializers.get('flip__cnna_dw_bias')!.data)).toEqual([1, 1, 1]);
    expect((g.nodes[6] as PoolNode).pool).toEqual({ kind: 'globalavg' });
    expect(() => importOnnx(buildModel({ inputs: [{ name: 'x', dims: [1, 4] }], outputs: [{ name: 'y' }], initializers: [{ name: 'k', dims: [4], data: [1, 2, 3, 4] }],
      nodes: [{ op: 'Mul', name: 'm', inputs: ['x', 'k'], outputs: ['y'] }] }))).toThrow(err('E_UNSUPPORTED',
      "node 'm' (Mul): Mul is supported only on constants, between a 4-D NCHW activation and a per-channel or scalar constant, or (Mul, Div) between two activations of the same shape"));
  });

  describe('errors', () => {
    it('names the node, the op and the attribute of an unsupported attribute value', () => {
      expect(() => importOnnx(convModel({ auto_pad: 'FOO' }))).toThrow(err('E_UNSUPPORTED',
        "node 'conv3' (Conv): attribute auto_pad='FOO' is not supported; supported: NOTSET, SAME_UPPER, SAME_LOWER, VALID"));
      expect(() => importOnnx(convModel({ foo: 1 }))).toThrow(err('E_UNSUPPORTED',
        "node 'conv3' (Conv): attribute foo is not supported; supported: auto_pad, dilations, group, kernel_shape, pads, strides"));
      expect(() => importOnnx(buildModel({ opset: 13, inputs: [{ name: 'x', dims: [1, 1, 4, 4] }], outputs: [{ name: 'y' }],
        initializers: [{ name: 'p', dims: [8], data: [0, 0, 1, 1, 0, 0, 1, 1], int64: true }],
        nodes: [{ op: 'Pad', name: 'pad0', inputs: ['x', 'p'], outputs: ['y'], attrs: { mode: 'reflect' } }] })))
        .toThrow(err('E_UNSUPPORTED', "node 'pad0' (Pad): attribute mode='reflect' is not supported; supported: constant"));
    });

    it('names the node and lists the supported ops for an unsupported op', () => {
      expect(() => importOnnx(buildModel({ inputs: [{ name: 'x', dims: [1, 2, 3] }], outputs: [{ name: 'y' }],
        nodes: [{ op: 'LSTM', name: 'x_lstm', inputs: ['x'], outputs: ['y'] }] }))).toThrow(err('E_UNSUPPORTED',
        "node 'x_lstm' (LSTM): op LSTM is not supported; supported ops: Conv, MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool, " +
        'Gemm, MatMul, Relu, LeakyRelu, Clip, BatchNormalization, Flatten, Reshape, Transpose, Add, Concat, Softmax, Sigmoid, Tanh, Exp, Abs, Sign, Pow, Identity, Dropout, ' +
        'Pad, Constant, Shape, Gather, ConstantOfShape, Slice, Unsqueeze, Squeeze, Cast, Mul, Sub, Div, ReduceMean'));
    });

    it('rejects opsets beyond 21 and symbolic non-batch dims', () => {
      expect(() => importOnnx(convModel({}, { opset: 22 }))).toThrow(err('E_UNSUPPORTED', 'model: opset 22 is not supported; supported: opsets 1 to 21'));
      expect(() => importOnnx(convModel({}, { inputs: [{ name: 'x', dims: ['N', 1, 'H', 5] }] }))).toThrow(err('E_UNSUPPORTED',
        "graph input 'x' has a symbolic or unknown dimension 'H' at axis 2; cnna supports a dynamic batch axis only"));
    });

    it('rejects truncated, empty and non-ONNX files', () => {
      const good = SAMPLE_MODELS.pytorchCnn();
      expect(() => importOnnx(good.subarray(0, good.length - 100))).toThrow(expect.objectContaining({ code: 'E_TRUNCATED' }));
      expect(() => importOnnx(good.subarray(0, good.length - 100))).toThrow(/^model: the file ends early \(index out of range: .*\); it is truncated or not an ONNX model$/);
      expect(() => importOnnx(new Uint8Array(0))).toThrow(err('E_FORMAT', 'model: not an ONNX model: it has no graph'));
      expect(() => importOnnx(new TextEncoder().encode('{"not": "onnx"}'))).toThrow(expect.objectContaining({ code: expect.stringMatching(/^E_(FORMAT|TRUNCATED)$/) }));
      expect(() => importOnnx('/nonexistent/model.onnx')).toThrow(err('E_IO', '/nonexistent/model.onnx: cannot read the model (ENOENT)'));
    });

    it('rejects huge declared sizes and raw_data length mismatches', () => {
      const m = onnx.ModelProto.decode(SAMPLE_MODELS.pytorchCnn());
      m.graph!.initializer![0].dims = [1 << 20, 1 << 20];
      expect(() => importOnnx(onnx.ModelProto.encode(m).finish())).toThrow(err('E_LIMIT',
        "initializer 'conv.weight': dims [1048576, 1048576] declare more than 268435456 elements, the limit for one tensor"));
      m.graph!.initializer![0].dims = [4, 1, 3, 2];
      expect(() => importOnnx(onnx.ModelProto.encode(m).finish())).toThrow(err('E_FORMAT',
        "initializer 'conv.weight': raw_data has 144 bytes but dims [4, 1, 3, 2] of FLOAT need 96"));
    });

    it('rejects cycles, missing inputs and bad shapes', () => {
      const relu = (name: string, i: string, o: string): ModelSpec['nodes'][0] => ({ op: 'Relu', name, inputs: [i], outputs: [o] });
      expect(() => importOnnx(buildModel({ inputs: [{ name: 'x', dims: [1, 2] }], outputs: [{ name: 'b' }],
        nodes: [relu('r0', 'x', 'z'), relu('r1', 'b', 'a'), relu('r2', 'a', 'b')] }))).toThrow(err('E_GRAPH', "the graph has a cycle through nodes 'r1', 'r2'"));
      expect(() => importOnnx(buildModel({ inputs: [{ name: 'x', dims: [1, 2] }], outputs: [{ name: 'y' }], nodes: [relu('r', 'nope', 'y')] })))
        .toThrow(err('E_GRAPH', "node 'r' (Relu): input 'nope' is missing: no node, graph input or initializer produces it"));
      expect(() => importOnnx(convModel({}, { initializers: [{ name: 'w', dims: [2, 3, 3, 3], data: new Float32Array(54) }] })))
        .toThrow(err('E_GRAPH', "node 'conv3' (conv): weights [2, 3, 3, 3] expect 3 input channels (group 1), the input [1, 1, 5, 5] has 1"));
      expect(() => importOnnx(convModel({ pads: [9, 0, 0, 0], strides: [0, 1] }))).toThrow(err('E_GRAPH',
        "node 'conv3' (Conv): attribute strides=[0, 1] must hold values in [1, 65536]"));
      expect(() => importOnnx(buildModel({ inputs: [{ name: 'x', dims: [1, 2] }], outputs: [{ name: 'q' }], nodes: [relu('r', 'x', 'y')] })))
        .toThrow(err('E_GRAPH', "graph output 'q' is missing: no node, graph input or initializer produces it"));
    });

    it('rejects BatchNormalization in training mode', () => {
      const spec = pytorchCnnSpec();
      spec.nodes[2].attrs = { training_mode: 1 };
      expect(() => importOnnx(buildModel(spec))).toThrow(err('E_UNSUPPORTED',
        "node 'bn' (BatchNormalization): attribute training_mode=1 is not supported; supported: training_mode=0 (inference)"));
    });
  });
});

describe('importOnnx: duplicate initializer names', () => {
  it('an initializer defined twice is refused naming it (E_GRAPH)', () => {
    const spec = pytorchCnnSpec(1);
    const conv = spec.initializers!.find((t) => t.name === 'conv.bias')!;
    spec.initializers!.push({ ...conv, data: Float32Array.from(conv.data, (v) => v + 1) });
    expect(() => importOnnx(buildModel(spec))).toThrow(expect.objectContaining({
      code: 'E_GRAPH', message: expect.stringMatching(/: initializer 'conv\.bias' is defined twice \(ONNX value names must be unique\)$/),
    }));
  });
});
