// Seeded random single-layer QuantizedModels for the engine tests and the shared golden
// vectors (test/vectors/engine/): conv with random shape, stride, pads, dilation, groups,
// activation and fused pooling; FC; standalone pools and activations; residual adds. Channel
// counts are deliberately not multiples of the array. Weights and inputs are int16 drawn so
// that outputs are mostly in range (some saturate on purpose).
import type { Activation, Graph, Node, PoolSpec } from '../../compiler/ir/graph.ts';
import type { QuantizedModel } from '../../compiler/golden/fixed/quantized-model.ts';
import { mulberry32 as rng } from '../../compiler/util/prng.ts';

export { mulberry32 as rng } from '../../compiler/util/prng.ts';

export interface RandomCase {
  index: number;
  kind: 'conv' | 'gemm' | 'pool' | 'act' | 'add';
  qm: QuantizedModel;
  /** int16 inputs in ONNX element order, with their formats. */
  inputs: Record<string, { q: Int16Array; f: number; dims: number[] }>;
  /** A short human description of the layer. */
  params: Record<string, unknown>;
}

function poolOut(size: number, k: number, s: number, p0: number, p1: number, ceil: boolean): number {
  const span = size + p0 + p1 - k;
  let o = (ceil ? Math.ceil(span / s) : Math.floor(span / s)) + 1;
  if (ceil && (o - 1) * s >= size + p0) o--;
  return o;
}

export function makeCase(seed: number, index: number): RandomCase {
  const r = rng(seed * 100003 + index);
  const int = (lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)];
  const i16 = (n: number, amp: number): Int16Array => Int16Array.from({ length: n }, () => int(-amp, amp));
  const act = (): Activation | undefined => pick<Activation | undefined>([undefined, { kind: 'relu' }, { kind: 'relu' }, { kind: 'leaky', alpha: pick([0.1, 0.01, 0.2]) }, { kind: 'clip', min: pick([0, -0.5]), max: pick([1, 0.75, 6]) }]);
  const u = r();
  const kind: RandomCase['kind'] = u < 0.62 ? 'conv' : u < 0.74 ? 'gemm' : u < 0.86 ? 'pool' : u < 0.93 ? 'add' : 'act';
  const fIn = int(9, 14);
  const shapes = new Map<string, number[]>();
  const formats = new Map<string, number>();
  const weights: QuantizedModel['weights'] = new Map();
  const biases: QuantizedModel['biases'] = new Map();
  const nodes: Node[] = [];
  const inputs: RandomCase['inputs'] = {};
  let params: Record<string, unknown> = {};
  const graphInputs: { name: string; shape: number[] }[] = [];
  const addInput = (name: string, dims: number[], f: number): void => {
    const n = dims.reduce((a, b) => a * b, 1);
    inputs[name] = { q: i16(n, pick([2000, 8000, 32767])), f, dims };
    shapes.set(name, dims);
    formats.set(name, f);
    graphInputs.push({ name, shape: dims });
  };
  let outShape: number[] = [];
  if (kind === 'conv') {
    const depthwise = r() < 0.12;
    const C = depthwise ? int(1, 24) : int(1, 40);
    const group = depthwise ? C : (C % 2 === 0 && r() < 0.1 ? 2 : 1);
    const M = depthwise ? C : group * int(1, 20);
    const H = int(1, 18);
    const W = int(1, 18);
    const kh = int(1, Math.min(5, H + 2));
    const kw = r() < 0.8 ? kh : int(1, Math.min(5, W + 2));
    const s = [int(1, 3), int(1, 3)];
    const d = r() < 0.15 ? [2, 2] : [1, 1];
    const pads = [int(0, kh - 1), int(0, kw - 1), int(0, kh - 1), int(0, kw - 1)] as [number, number, number, number];
    let OH = Math.floor((H + pads[0] + pads[2] - d[0] * (kh - 1) - 1) / s[0]) + 1;
    let OW = Math.floor((W + pads[1] + pads[3] - d[1] * (kw - 1) - 1) / s[1]) + 1;
    if (OH < 1 || OW < 1) { pads[0] = pads[2] = kh; pads[1] = pads[3] = kw; OH = Math.floor((H + 2 * kh - d[0] * (kh - 1) - 1) / s[0]) + 1; OW = Math.floor((W + 2 * kw - d[1] * (kw - 1) - 1) / s[1]) + 1; }
    let pool: PoolSpec | undefined;
    let PH = OH;
    let PW = OW;
    const pu = r();
    if (pu < 0.3 && OH >= 2 && OW >= 2) {
      const k = int(2, Math.min(3, OH, OW));
      const st = int(1, k);
      const pp = int(0, Math.floor(k / 2));
      const ceil = r() < 0.3;
      const isAvg = r() < 0.45;
      const pads4 = [pp, pp, pp, pp] as [number, number, number, number];
      const win = { kernel: [k, k] as [number, number], strides: [st, st] as [number, number], pads: pads4, dilations: [1, 1] as [number, number] };
      pool = isAvg ? { kind: 'avg', ceilMode: ceil, countIncludePad: r() < 0.5, ...win } : { kind: 'max', ceilMode: ceil, ...win };
      PH = poolOut(OH, k, st, pp, pp, ceil);
      PW = poolOut(OW, k, st, pp, pp, ceil);
    } else if (pu < 0.38) {
      pool = { kind: pick(['globalavg', 'globalmax'] as const) };
      PH = 1; PW = 1;
    }
    const wf = r() < 0.3 ? Array.from({ length: M }, () => int(12, 15)) : [int(12, 15)];
    const fOut = fIn + Math.min(...wf) - int(6, 16);
    addInput('x', [1, C, H, W], fIn);
    const Cg = C / group;
    weights.set('L', { q: i16(M * Cg * kh * kw, pick([3000, 12000, 32767])), dims: [M, Cg, kh, kw], wf });
    if (r() < 0.85) biases.set('L', { q: Float64Array.from({ length: M }, () => int(-(2 ** 24), 2 ** 24)) });
    const a = act();
    nodes.push({ op: 'conv', name: 'L', inputs: ['x', 'L.w', 'L.b'], outputs: ['y'], kernel: [kh, kw], strides: s as [number, number], pads, dilations: d as [number, number], group, activation: a, pool });
    outShape = [1, M, PH, PW];
    formats.set('y', fOut);
    params = { C, H, W, M, group, kernel: [kh, kw], strides: s, dilations: d, pads, activation: a, pool, fIn, wf, fOut };
  } else if (kind === 'gemm') {
    const fourD = r() < 0.5;
    const dims = fourD ? [1, int(1, 20), int(1, 5), int(1, 5)] : [1, int(1, 300)];
    const K = dims.slice(1).reduce((a, b) => a * b, 1);
    const N = int(1, 40);
    const transB = r() < 0.8;
    const wf = [int(12, 15)];
    const fOut = fIn + wf[0] - int(6, 14);
    addInput('x', dims, fIn);
    weights.set('L', { q: i16(N * K, pick([3000, 20000])), dims: transB ? [N, K] : [K, N], wf });
    biases.set('L', { q: Float64Array.from({ length: N }, () => int(-(2 ** 24), 2 ** 24)) });
    const a = act();
    nodes.push({ op: 'gemm', name: 'L', inputs: ['x', 'L.w', 'L.b'], outputs: ['y'], alpha: 1, beta: 1, transA: false, transB, activation: a });
    outShape = [1, N];
    formats.set('y', fOut);
    params = { inShape: dims, N, transB, activation: a, fIn, wf, fOut };
  } else if (kind === 'pool' || kind === 'act') {
    const C = int(1, 40);
    const H = int(2, 16);
    const W = int(2, 16);
    addInput('x', [1, C, H, W], fIn);
    formats.set('y', fIn);
    if (kind === 'act') {
      const a = act() ?? { kind: 'relu' };
      nodes.push({ op: 'activation', name: 'L', inputs: ['x'], outputs: ['y'], activation: a });
      outShape = [1, C, H, W];
      params = { C, H, W, activation: a, f: fIn };
    } else {
      let pool: PoolSpec;
      let PH = 1;
      let PW = 1;
      if (r() < 0.2) pool = { kind: pick(['globalavg', 'globalmax'] as const) };
      else {
        const kh = int(1, Math.min(4, H));
        const kw = int(1, Math.min(4, W));
        const sh = int(1, 3);
        const sw = int(1, 3);
        const pads = [int(0, Math.floor(kh / 2)), int(0, Math.floor(kw / 2)), int(0, Math.floor(kh / 2)), int(0, Math.floor(kw / 2))] as [number, number, number, number];
        const ceil = r() < 0.3;
        const win = { kernel: [kh, kw] as [number, number], strides: [sh, sw] as [number, number], pads, dilations: [1, 1] as [number, number] };
        pool = r() < 0.5 ? { kind: 'avg', ceilMode: ceil, countIncludePad: r() < 0.5, ...win } : { kind: 'max', ceilMode: ceil, ...win };
        PH = poolOut(H, kh, sh, pads[0], pads[2], ceil);
        PW = poolOut(W, kw, sw, pads[1], pads[3], ceil);
      }
      nodes.push({ op: 'pool', name: 'L', inputs: ['x'], outputs: ['y'], pool });
      outShape = [1, C, PH, PW];
      params = { C, H, W, pool, f: fIn };
    }
  } else {
    const dims = r() < 0.8 ? [1, int(1, 40), int(1, 12), int(1, 12)] : [1, int(1, 100)];
    const fb = fIn + int(-3, 3);
    const fOut = Math.max(fIn, fb) + int(-3, 2);
    addInput('a', dims, fIn);
    addInput('b', dims, fb);
    const a = r() < 0.5 ? { kind: 'relu' as const } : undefined;
    nodes.push({ op: 'add', name: 'L', inputs: ['a', 'b'], outputs: ['y'], activation: a });
    outShape = dims;
    formats.set('y', fOut);
    params = { shape: dims, fa: fIn, fb, fOut, activation: a };
  }
  shapes.set('y', outShape);
  const graph: Graph = {
    name: `case${index}`, opset: 13, inputs: graphInputs, outputs: [{ name: 'y', shape: outShape }],
    initializers: new Map(), nodes, shapes,
  };
  const qm: QuantizedModel = {
    graph, formats, weights, biases, constants: new Map(),
    options: { format: 'auto', perChannel: false, calibration: 'random' }, report: [],
  };
  return { index, kind, qm, inputs, params: { kind, ...params } };
}
