// Randomized single-layer models (Conv with groups, dilations, strides, asymmetric pads and
// auto_pad; MaxPool and AveragePool with ceil_mode and count_include_pad; Gemm with
// alpha/beta/transA/transB) run in the float executor, raw and optimized, and in
// onnxruntime-node: shapes must be identical and values within 1e-5 (+1e-5 relative).

import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { runFloat } from '../../compiler/golden/float/run-float.ts';
import { buildModel, type ModelSpec } from '../../compiler/onnx/build-model.ts';
import { importOnnx } from '../../compiler/onnx/import-onnx.ts';
import { prng } from '../../compiler/onnx/sample-models.ts';
import { optimize } from '../../compiler/passes/index.ts';

type Rand = () => number;
const int = (r: Rand, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
const vals = (r: Rand, n: number): number[] => Array.from({ length: n }, () => r() * 2 - 1);

function convSpec(r: Rand): ModelSpec {
  const group = [1, 1, 2, 3][int(r, 0, 3)];
  const c = group * int(r, 1, 3), m = group * int(r, 1, 3);
  const k = [int(r, 1, 4), int(r, 1, 4)];
  const h = int(r, 4, 9), w = int(r, 4, 9);
  const attrs: ModelSpec['nodes'][0]['attrs'] = { strides: [int(r, 1, 3), int(r, 1, 3)], dilations: [int(r, 1, 2), int(r, 1, 2)], group };
  if (r() < 0.3) {
    attrs.auto_pad = ['SAME_UPPER', 'SAME_LOWER', 'VALID'][int(r, 0, 2)];
    if (attrs.auto_pad !== 'VALID') attrs.dilations = [1, 1];
  }
  else attrs.pads = [int(r, 0, 2), int(r, 0, 2), int(r, 0, 2), int(r, 0, 2)];
  const bias = r() < 0.5;
  return {
    opset: 13, inputs: [{ name: 'x', dims: [2, c, h, w] }], outputs: [{ name: 'y' }],
    initializers: [{ name: 'w', dims: [m, c / group, k[0], k[1]], data: vals(r, m * (c / group) * k[0] * k[1]) }, ...(bias ? [{ name: 'b', dims: [m], data: vals(r, m) }] : [])],
    nodes: [{ op: 'Conv', inputs: ['x', 'w', ...(bias ? ['b'] : [])], outputs: ['y'], attrs }],
  };
}

function poolSpec(r: Rand): ModelSpec {
  const max = r() < 0.5;
  const k = [int(r, 1, 3), int(r, 1, 3)];
  const attrs: ModelSpec['nodes'][0]['attrs'] = { kernel_shape: k, strides: [int(r, 1, 3), int(r, 1, 3)], ceil_mode: int(r, 0, 1) };
  attrs.pads = [0, 1, 0, 1].map((_, i) => int(r, 0, k[i % 2] - 1));
  if (max && r() < 0.4) attrs.dilations = [int(r, 1, 2), int(r, 1, 2)];
  if (!max) attrs.count_include_pad = int(r, 0, 1);
  return {
    opset: 13, inputs: [{ name: 'x', dims: [1, 2, int(r, 3, 8), int(r, 3, 8)] }], outputs: [{ name: 'y' }],
    nodes: [{ op: max ? 'MaxPool' : 'AveragePool', inputs: ['x'], outputs: ['y'], attrs }],
  };
}

function gemmSpec(r: Rand): ModelSpec {
  const [m, k, n] = [int(r, 1, 4), int(r, 1, 5), int(r, 1, 4)];
  const transA = int(r, 0, 1), transB = int(r, 0, 1);
  const cDims = [[n], [1, n], [m, n], [m, 1], []][int(r, 0, 4)];
  return {
    opset: 13, inputs: [{ name: 'x', dims: transA ? [k, m] : [m, k] }], outputs: [{ name: 'y' }],
    initializers: [{ name: 'b', dims: transB ? [n, k] : [k, n], data: vals(r, k * n) }, { name: 'c', dims: cDims, data: vals(r, cDims.reduce((a, b) => a * b, 1)) }],
    nodes: [{ op: 'Gemm', inputs: ['x', 'b', 'c'], outputs: ['y'], attrs: { alpha: { float: r() * 2 }, beta: { float: r() * 2 }, transA, transB } }],
  };
}

async function runOrt(bytes: Uint8Array, x: { dims: number[]; data: Float32Array }): Promise<ort.Tensor> {
  const session = await ort.InferenceSession.create(bytes, { logSeverityLevel: 3 });
  try {
    return (await session.run({ x: new ort.Tensor('float32', x.data, x.dims) })).y;
  } finally {
    await session.release();
  }
}

/** Undefined when cnna and ORT agree (same values, or both reject a window that does not fit). */
async function check(spec: ModelSpec, r: Rand): Promise<string | undefined> {
  const bytes = buildModel(spec);
  const dims = spec.inputs[0].dims as number[];
  const x = { dims, data: Float32Array.from(vals(r, dims.reduce((a, b) => a * b, 1))) };
  let g;
  try {
    g = importOnnx(bytes);
  } catch (e) {
    if ((e as { code?: string }).code !== 'E_GRAPH') throw e;
    const ortRejects = await runOrt(bytes, x).then(() => false, () => true);
    return ortRejects ? undefined : `cnna rejects (${(e as Error).message}) but ORT runs ${JSON.stringify(spec.nodes[0].attrs)}`;
  }
  const ref = await runOrt(bytes, x);
  for (const [which, graph] of [['raw', g], ['optimized', optimize(g)]] as const) {
    const y = runFloat(graph, { x }).y;
    if (y.dims.join() !== ref.dims.join()) return `${which}: shape [${y.dims}] vs ORT [${ref.dims}] for ${JSON.stringify(spec.nodes[0].attrs)}`;
    const rd = ref.data as Float32Array;
    for (let i = 0; i < rd.length; i++) {
      if (!(Math.abs(y.data[i] - rd[i]) <= 1e-5 + 1e-5 * Math.abs(rd[i]))) return `${which}: element ${i} ${y.data[i]} vs ORT ${rd[i]} for ${JSON.stringify(spec.nodes[0].attrs)}`;
    }
  }
  return undefined;
}

describe('random single layers vs onnxruntime-node', () => {
  for (const [name, make, count] of [['Conv', convSpec, 150], ['MaxPool/AveragePool', poolSpec, 150], ['Gemm', gemmSpec, 100]] as const) {
    it(`${count} random ${name} layers match ORT`, async () => {
      const r = prng(name.length * 1009);
      const failures: string[] = [];
      for (let i = 0; i < count; i++) {
        const f = await check(make(r), r);
        if (f) failures.push(f);
      }
      expect(failures.slice(0, 5)).toEqual([]);
    });
  }
});
