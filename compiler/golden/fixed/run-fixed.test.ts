// Golden-model unit tests on hand-built graphs. Every expected integer below was worked out by
// hand from docs/numerics.md (the working is in the comments), not taken from the code.
import { describe, expect, it } from 'vitest';
import type { Activation, Graph, Node, PoolSpec, Tensor } from '../../ir/graph.ts';
import type { QuantizedModel } from './quantized-model.ts';
import { runFixed } from './run-fixed.ts';

interface Spec {
  inputs: [string, number[], number][];
  nodes: Node[];
  shapes: Record<string, number[]>;
  formats: Record<string, number>;
  outputs: string[];
  weights?: Record<string, { q: number[]; dims: number[]; wf: number[]; b?: number[] }>;
  constants?: Record<string, { name: string; q: number[]; dims: number[]; f: number }>;
}

function model(s: Spec): QuantizedModel {
  const shapes = new Map(Object.entries(s.shapes));
  for (const [n, d] of s.inputs) shapes.set(n, d);
  const initializers = new Map<string, Tensor>();
  const weights = new Map();
  const biases = new Map();
  for (const [node, w] of Object.entries(s.weights ?? {})) {
    weights.set(node, { q: Int16Array.from(w.q), dims: w.dims, wf: w.wf });
    if (w.b) biases.set(node, { q: Float64Array.from(w.b) });
  }
  const constants = new Map();
  for (const [node, c] of Object.entries(s.constants ?? {})) {
    initializers.set(c.name, { dims: c.dims, data: new Float32Array(c.q.length) });
    constants.set(node, { q: Int16Array.from(c.q), dims: c.dims, f: c.f });
  }
  const graph: Graph = {
    name: 't', opset: 13,
    inputs: s.inputs.map(([name, shape]) => ({ name, shape })),
    outputs: s.outputs.map((name) => ({ name, shape: shapes.get(name)! })),
    initializers, nodes: s.nodes, shapes,
  };
  const formats = new Map(Object.entries(s.formats));
  for (const [n, , f] of s.inputs) formats.set(n, f);
  return { graph, formats, weights, biases, constants, options: { format: 'auto', perChannel: false, calibration: 'test' }, report: [] };
}

const win = { kernel: [1, 1] as [number, number], strides: [1, 1] as [number, number], pads: [0, 0, 0, 0] as [number, number, number, number], dilations: [1, 1] as [number, number] };
const t = (dims: number[], v: number[]): Tensor => ({ dims, data: Float32Array.from(v) });
const ints = (a: ArrayLike<number>) => Array.from(a);

describe('conv', () => {
  it('worked example 3 of docs/numerics.md as a graph (1×1 conv, bias, LeakyReLU)', () => {
    const mk = (activation?: Activation) => model({
      inputs: [['x', [1, 1, 1, 1], 14]],
      nodes: [{ op: 'conv', name: 'c', inputs: ['x', 'w', 'b'], outputs: ['y'], group: 1, ...win, activation }],
      shapes: { y: [1, 1, 1, 1] }, formats: { y: 13 }, outputs: ['y'],
      weights: { c: { q: [-24576], dims: [1, 1, 1, 1], wf: [15], b: [53687091] } },
    });
    const plain = runFixed(mk(), { x: t([1, 1, 1, 1], [0.5]) });
    expect(ints(plain.raw.y.q)).toEqual([-2253]);
    expect(plain.outputs.y.data[0]).toBe(-2253 / 8192);
    expect(ints(runFixed(mk({ kind: 'relu' }), { x: t([1, 1, 1, 1], [0.5]) }).raw.y.q)).toEqual([0]);
    expect(ints(runFixed(mk({ kind: 'leaky', alpha: 0.1 }), { x: t([1, 1, 1, 1], [0.5]) }).raw.y.q)).toEqual([-225]);
  });

  // x = [[1,2,3],[4,5,6],[7,8,9]] at f=0, w = [[1,-1],[2,0]] at f_w=0:
  // Σ = 1-2+8 = 7, 2-3+10 = 9, 4-5+14 = 13, 5-6+16 = 15.
  const conv2x2 = (bias: number, pool?: PoolSpec) => model({
    inputs: [['x', [1, 1, 3, 3], 0]],
    nodes: [{ op: 'conv', name: 'c', inputs: ['x', 'w', 'b'], outputs: ['y'], group: 1, ...win, kernel: [2, 2], pool }],
    shapes: { y: pool ? [1, 1, 1, 1] : [1, 1, 2, 2] }, formats: { y: -1 }, outputs: ['y'],
    weights: { c: { q: [1, -1, 2, 0], dims: [1, 1, 2, 2], wf: [0], b: [bias] } },
  });
  const x33 = t([1, 1, 3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9]);

  it('requantizes with round-half-up shifts (s = 0 + 0 - (-1) = 1)', () => {
    // bias +1: 8, 10, 14, 16 -> floor(9/2)=4, floor(11/2)=5, floor(15/2)=7, floor(17/2)=8
    const r = runFixed(conv2x2(1), { x: x33 });
    expect(ints(r.raw.y.q)).toEqual([4, 5, 7, 8]);
    expect(ints(r.outputs.y.data)).toEqual([8, 10, 14, 16]);
    // bias -1: 6, 8, 12, 14 -> 3, 4, 6, 7
    expect(ints(runFixed(conv2x2(-1), { x: x33 }).raw.y.q)).toEqual([3, 4, 6, 7]);
    // bias -16: -9, -7, -3, -1 -> floor(-8/2)=-4, floor(-6/2)=-3, floor(-2/2)=-1, floor(0/2)=0
    expect(ints(runFixed(conv2x2(-16), { x: x33 }).raw.y.q)).toEqual([-4, -3, -1, 0]);
  });

  it('fuses max and average pooling after requantize', () => {
    const mp = { kind: 'max' as const, ceilMode: false, ...win, kernel: [2, 2] as [number, number], strides: [2, 2] as [number, number] };
    expect(ints(runFixed(conv2x2(1, mp), { x: x33 }).raw.y.q)).toEqual([8]);
    // avg of 4,5,7,8: S = 24, n = 4, M = 65536, rshr(24·65536, 18) = floor((24+2)/4) = 6
    const ap = { ...mp, kind: 'avg' as const, countIncludePad: false };
    expect(ints(runFixed(conv2x2(1, ap), { x: x33 }).raw.y.q)).toEqual([6]);
    // global average of 3,4,6,7: S = 20, rshr(20, 2) = floor(22/4) = 5
    expect(ints(runFixed(conv2x2(-1, { kind: 'globalavg' }), { x: x33 }).raw.y.q)).toEqual([5]);
  });

  // A 3×3 kernel whose only non-zero tap is the top-left one reads in(oy·s - p + 0, ox·s - p + 0).
  const tap = (stride: number, pad: number, dil: number, out: number) => model({
    inputs: [['x', [1, 1, 3, 3], 0]],
    nodes: [{ op: 'conv', name: 'c', inputs: ['x', 'w'], outputs: ['y'], group: 1, kernel: [3, 3], strides: [stride, stride], pads: [pad, pad, pad, pad], dilations: [dil, dil] }],
    shapes: { y: [1, 1, out, out] }, formats: { y: 0 }, outputs: ['y'],
    weights: { c: { q: [1, 0, 0, 0, 0, 0, 0, 0, 0], dims: [1, 1, 3, 3], wf: [0] } },
  });

  it('pads with zeros, strides and dilates', () => {
    // pad 1, stride 1: out(y,x) = in(y-1, x-1)
    expect(ints(runFixed(tap(1, 1, 1, 3), { x: x33 }).raw.y.q)).toEqual([0, 0, 0, 0, 1, 2, 0, 4, 5]);
    // pad 1, stride 2: in(-1,-1), in(-1,1), in(1,-1), in(1,1)
    expect(ints(runFixed(tap(2, 1, 1, 2), { x: x33 }).raw.y.q)).toEqual([0, 0, 0, 5]);
    // dilation 2, pad 2: out(y,x) = in(y-2, x-2): 3×3 output, only (2,2) = in(0,0) = 1
    expect(ints(runFixed(tap(1, 2, 2, 3), { x: x33 }).raw.y.q)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 1]);
  });

  it('runs depthwise groups with a scale per output channel', () => {
    // channel 0: x=[10, -10] w=3 (f_w=1): acc = 30, -30 at f 1, s = 1: floor(31/2)=15, floor(-29/2)=-15
    // channel 1: x=[7, 8]   w=-5 (f_w=2): acc = -35, -40 at f 2, s = 2: floor(-33/4)=-9, floor(-38/4)=-10
    const qm = model({
      inputs: [['x', [1, 2, 1, 2], 0]],
      nodes: [{ op: 'conv', name: 'dw', inputs: ['x', 'w'], outputs: ['y'], group: 2, ...win }],
      shapes: { y: [1, 2, 1, 2] }, formats: { y: 0 }, outputs: ['y'],
      weights: { dw: { q: [3, -5], dims: [2, 1, 1, 1], wf: [1, 2] } },
    });
    expect(ints(runFixed(qm, { x: t([1, 2, 1, 2], [10, -10, 7, 8]) }).raw.y.q)).toEqual([15, -15, -9, -10]);
  });

  it('saturates the requantized value and counts it', () => {
    // 3 inputs of 32767 at f=0 times weight 1: 98301 -> 32767 (s = 0)
    const qm = model({
      inputs: [['x', [1, 3, 1, 1], 0]],
      nodes: [{ op: 'conv', name: 'c', inputs: ['x', 'w'], outputs: ['y'], group: 1, ...win }],
      shapes: { y: [1, 2, 1, 1] }, formats: { y: 0 }, outputs: ['y'],
      weights: { c: { q: [1, 1, 1, -1, -1, -1], dims: [2, 3, 1, 1], wf: [0] } },
    });
    const r = runFixed(qm, { x: t([1, 3, 1, 1], [40000, 32767, 32767]) });
    expect(ints(r.raw.y.q)).toEqual([32767, -32768]);
    expect(r.saturated).toEqual({ x: 1, c: 2 });
  });

  it('runs a batch as independent images', () => {
    const r = runFixed(conv2x2(1), { x: t([2, 1, 3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 8, 7, 6, 5, 4, 3, 2, 1]) });
    // second image: 9-8+12 = 13, 8-7+10 = 11, 6-5+6 = 7, 5-4+4 = 5; +1 -> 14,12,8,6 -> 7,6,4,3
    expect(r.raw.y.dims).toEqual([2, 1, 2, 2]);
    expect(ints(r.raw.y.q)).toEqual([4, 5, 7, 8, 7, 6, 4, 3]);
  });
});

describe('gemm', () => {
  // A = [[1, 2, 3], [-4, 5, -6]] at f=0; B (transB, [2,3]) = [[1, 1, 1], [2, 0, -1]]; wf = [0, 1]
  // col 0 (s=0): 6 + b0, -5 + b0 with b0 = 10 -> 16, 5
  // col 1 (s=1): 2-3 = -1, -8+6 = -2, b1 = -3 -> -4, -5 -> floor(-3/2) = -2, floor(-4/2) = -2
  const A = t([2, 3], [1, 2, 3, -4, 5, -6]);
  const fc = (transB: boolean, wq: number[], activation?: { kind: 'relu' }) => model({
    inputs: [['a', [2, 3], 0]],
    nodes: [{ op: 'gemm', name: 'fc', inputs: ['a', 'B', 'C'], outputs: ['y'], alpha: 1, beta: 1, transA: false, transB, activation }],
    shapes: { y: [2, 2] }, formats: { y: 0 }, outputs: ['y'],
    weights: { fc: { q: wq, dims: transB ? [2, 3] : [3, 2], wf: [0, 1] } },
  });
  it('computes FC columns with a per-column scale and bias', () => {
    const qm = fc(true, [1, 1, 1, 2, 0, -1]);
    qm.biases.set('fc', { q: Float64Array.from([10, -3]) });
    expect(ints(runFixed(qm, { a: A }).raw.y.q)).toEqual([16, -2, 5, -2]);
    const qm2 = fc(false, [1, 2, 1, 0, 1, -1]);
    qm2.biases.set('fc', { q: Float64Array.from([10, -3]) });
    expect(ints(runFixed(qm2, { a: A }).raw.y.q)).toEqual([16, -2, 5, -2]);
    const qm3 = fc(true, [1, 1, 1, 2, 0, -1], { kind: 'relu' });
    qm3.biases.set('fc', { q: Float64Array.from([10, -3]) });
    expect(ints(runFixed(qm3, { a: A }).raw.y.q)).toEqual([16, 0, 5, 0]);
  });

  it('reads a flattened NCHW input as its CHW rows', () => {
    const qm = model({
      inputs: [['x', [1, 2, 1, 2], 0]],
      nodes: [{ op: 'gemm', name: 'fc', inputs: ['x', 'B'], outputs: ['y'], alpha: 1, beta: 1, transA: false, transB: true, inputLayout: { chw: [2, 1, 2] } }],
      shapes: { y: [1, 1] }, formats: { y: 0 }, outputs: ['y'],
      weights: { fc: { q: [1, 10, 100, 1000], dims: [1, 4], wf: [0] } },
    });
    // 1·1 + 2·10 + 3·100 + 4·1000
    expect(ints(runFixed(qm, { x: t([1, 2, 1, 2], [1, 2, 3, 4]) }).raw.y.q)).toEqual([4321]);
  });
});

describe('other ops', () => {
  it('average pools with and without counting padding', () => {
    // 3×3 input 1..9 (f=0), kernel 2, stride 2, pads [0,0,1,1]: windows {1,2,4,5}, {3,6}, {7,8}, {9}
    const mk = (countIncludePad: boolean) => model({
      inputs: [['x', [1, 1, 3, 3], 0]],
      nodes: [{ op: 'pool', name: 'p', inputs: ['x'], outputs: ['y'], pool: { kind: 'avg', ceilMode: false, countIncludePad, kernel: [2, 2], strides: [2, 2], pads: [0, 0, 1, 1], dilations: [1, 1] } }],
      shapes: { y: [1, 1, 2, 2] }, formats: {}, outputs: ['y'],
    });
    // excluded pads: 12/4 = 3; 9/2 = 4.5 -> 5 (n=2: c=1, M=65536, rshr(9·65536, 17) = floor(10/2) = 5);
    // 15/2 = 7.5 -> 8; 9/1 = 9
    expect(ints(runFixed(mk(false), { x: x9() }).raw.y.q)).toEqual([3, 5, 8, 9]);
    // included pads (n = 4 everywhere): 12/4 = 3, 9/4 = 2.25 -> 2, 15/4 = 3.75 -> 4, 9/4 -> 2
    expect(ints(runFixed(mk(true), { x: x9() }).raw.y.q)).toEqual([3, 2, 4, 2]);
  });

  it('max pools without treating padding as a candidate', () => {
    const qm = model({
      inputs: [['x', [1, 1, 2, 2], 0]],
      nodes: [{ op: 'pool', name: 'p', inputs: ['x'], outputs: ['y'], pool: { kind: 'max', ceilMode: false, kernel: [2, 2], strides: [1, 1], pads: [1, 1, 0, 0], dilations: [1, 1] } }],
      shapes: { y: [1, 1, 2, 2] }, formats: {}, outputs: ['y'],
    });
    expect(ints(runFixed(qm, { x: t([1, 1, 2, 2], [-5, -6, -7, -8]) }).raw.y.q)).toEqual([-5, -5, -5, -5]);
  });

  it('applies standalone LeakyReLU and Clip at the input format', () => {
    const qm = model({
      inputs: [['x', [1, 4], 4]],
      nodes: [
        { op: 'activation', name: 'l', inputs: ['x'], outputs: ['a'], activation: { kind: 'leaky', alpha: 0.25 } },
        { op: 'activation', name: 'c', inputs: ['a'], outputs: ['y'], activation: { kind: 'clip', min: -1, max: 6 } },
      ],
      shapes: { a: [1, 4], y: [1, 4] }, formats: {}, outputs: ['a', 'y'],
    });
    // x at f=4: 8 -> 128, -1 -> -16, -100 -> -1600, -0.1875 -> -3. Leaky a_q = 8192:
    // -16·8192/32768 = -4; -1600 -> -400; -3·8192 = -24576, rshr(-24576, 15) = floor(-8192/32768) = -1
    // Clip at f=4: [-16, 96]: 128 -> 96, -4, -400 -> -16, -1
    const r = runFixed(qm, { x: t([1, 4], [8, -1, -100, -0.1875]) });
    expect(ints(r.raw.a.q)).toEqual([128, -4, -400, -1]);
    expect(ints(r.raw.y.q)).toEqual([96, -4, -16, -1]);
  });

  it('adds a broadcast constant, concats with rescale, and runs the softmax tail in float', () => {
    const qm = model({
      inputs: [['x', [1, 2, 1, 2], 12]],
      nodes: [
        { op: 'add', name: 'a', inputs: ['x', 'k'], outputs: ['s'], activation: { kind: 'relu' } },
        { op: 'concat', name: 'c', inputs: ['s', 'x'], outputs: ['cat'], axis: 1 },
        { op: 'flatten', name: 'f', inputs: ['cat'], outputs: ['flat'], axis: 1 },
        { op: 'softmax', name: 'sm', inputs: ['flat'], outputs: ['p'], axis: 1, coerce2d: false },
      ],
      shapes: { s: [1, 2, 1, 2], cat: [1, 4, 1, 2], flat: [1, 8], p: [1, 8] },
      formats: { s: 13, cat: 11, flat: 11 }, outputs: ['s', 'cat', 'p'],
      constants: { a: { name: 'k', q: [16384, -16384], dims: [1, 2, 1, 1], f: 14 } },
    });
    // x at f=12: 0.5 -> 2048, 1 -> 4096, -2 -> -8192, 0.25 -> 1024; k = [1, -1] at f=14
    // F = 14: t = x·4 + k: 8192+16384 = 24576, 16384+16384 = 32768, -32768-16384 = -49152, 4096-16384 = -12288
    // to f=13: rshr(.,1) = 12288, 16384, -24576, -6144; ReLU: 12288, 16384, 0, 0
    const r = runFixed(qm, { x: t([1, 2, 1, 2], [0.5, 1, -2, 0.25]) });
    expect(ints(r.raw.s.q)).toEqual([12288, 16384, 0, 0]);
    // concat to f=11: s>>2 (rshr(.,2)): 3072, 4096, 0, 0; x>>1: 1024, 2048, -4096, 512
    expect(ints(r.raw.cat.q)).toEqual([3072, 4096, 0, 0, 1024, 2048, -4096, 512]);
    const v = [1.5, 2, 0, 0, 0.5, 1, -2, 0.25];
    const e = v.map((z) => Math.exp(z));
    const sum = e.reduce((a, b) => a + b);
    expect(ints(r.outputs.p.data)).toEqual(e.map((z) => Math.fround(z / sum)));
    expect(r.raw.p).toBeUndefined();
  });

  it('transposes and pads int16 values unchanged', () => {
    const qm = model({
      inputs: [['x', [1, 2, 2, 1], 0]],
      nodes: [
        { op: 'transpose', name: 't', inputs: ['x'], outputs: ['n'], perm: [0, 3, 1, 2] },
        { op: 'pad', name: 'p', inputs: ['n'], outputs: ['y'], pads: [0, 1, 1, 0], value: 0 },
      ],
      shapes: { n: [1, 1, 2, 2], y: [1, 1, 3, 3] }, formats: {}, outputs: ['n', 'y'],
    });
    // NHWC [1,2,2,1] of 1,2,3,4 is the single-channel image [[1,2],[3,4]]
    const r = runFixed(qm, { x: t([1, 2, 2, 1], [1, 2, 3, 4]) });
    expect(ints(r.raw.n.q)).toEqual([1, 2, 3, 4]);
    expect(ints(r.raw.y.q)).toEqual([0, 1, 2, 0, 3, 4, 0, 0, 0]);
  });

  it('rejects missing and misshapen inputs', () => {
    const qm = model({ inputs: [['x', [1, 4], 0]], nodes: [], shapes: {}, formats: {}, outputs: ['x'] });
    expect(() => runFixed(qm, {})).toThrow("missing input 'x' (shape [1, 4])");
    expect(() => runFixed(qm, { x: t([1, 3], [1, 2, 3]) })).toThrow("input 'x' has shape [1, 3], the model expects [1, 4]");
  });
});

function x9(): Tensor {
  return t([1, 1, 3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9]);
}
