// Loader for ONNX backend test cases (Debian libonnx-testdata layout): a directory holding
// model.onnx and test_data_set_N/{input_K.pb, output_K.pb}. Shared by the float and the
// fixed-point conformance tests and the engine/RTL conformance tests, with the listed conformance
// cases and the batch-of-one helpers the engine tests need.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readTensorProto } from '../../compiler/onnx/tensor-proto.ts';
import type { Graph, Tensor } from '../../compiler/ir/graph.ts';

export const ONNX_TESTDATA = '/usr/share/libonnx-testdata/data';

export interface OnnxTestSet {
  inputs: Tensor[];
  outputs: Tensor[];
  /** TensorProto names stored in the .pb files ('' when absent). */
  inputNames: string[];
  outputNames: string[];
}

export interface OnnxTestCase {
  name: string;
  model: Uint8Array;
  sets: OnnxTestSet[];
}

function readNumbered(dir: string, prefix: string): { tensors: Tensor[]; names: string[] } {
  const files = readdirSync(dir)
    .filter((f) => f.startsWith(prefix) && f.endsWith('.pb'))
    .sort((a, b) => Number(a.slice(prefix.length, -3)) - Number(b.slice(prefix.length, -3)));
  const tensors: Tensor[] = [];
  const names: string[] = [];
  for (const f of files) {
    const t = readTensorProto(readFileSync(join(dir, f)), join(dir, f));
    tensors.push({ dims: t.dims, data: t.data });
    names.push(t.name);
  }
  return { tensors, names };
}

export function loadOnnxTestCase(dir: string): OnnxTestCase {
  const model = readFileSync(join(dir, 'model.onnx'));
  const sets = readdirSync(dir)
    .filter((d) => d.startsWith('test_data_set_'))
    .sort()
    .map((d) => {
      const i = readNumbered(join(dir, d), 'input_');
      const o = readNumbered(join(dir, d), 'output_');
      return { inputs: i.tensors, outputs: o.tensors, inputNames: i.names, outputNames: o.names };
    });
  return { name: dir.split('/').pop() ?? dir, model, sets };
}

/** Test-case directories under `sub` (node/, pytorch-converted/) whose names match a pattern. */
export function globTestCases(sub: string, patterns: RegExp[]): string[] {
  const root = join(ONNX_TESTDATA, sub);
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .filter((d) => patterns.some((p) => p.test(d)))
    .sort()
    .map((d) => join(root, d));
}

/** ONNX backend-test tolerance: |actual - expected| <= atol + rtol * |expected|. Returns the worst violation or undefined. */
export function compareTensors(actual: Tensor, expected: Tensor, rtol = 1e-3, atol = 1e-7): string | undefined {
  if (actual.dims.length !== expected.dims.length || actual.dims.some((d, i) => d !== expected.dims[i])) {
    return `shape [${actual.dims.join(', ')}] != expected [${expected.dims.join(', ')}]`;
  }
  for (let i = 0; i < expected.data.length; i++) {
    const a = actual.data[i];
    const e = expected.data[i];
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e)) && !(Number.isNaN(a) && Number.isNaN(e)) && a !== e) {
      return `element ${i}: ${a} vs expected ${e}`;
    }
  }
  return undefined;
}

/** The listed conformance cases: these patterns under node/ and pytorch-converted/. */
export const NODE_PATTERNS = [/^test_conv_/, /^test_basic_conv_/, /^test_maxpool_2d_/, /^test_averagepool_2d_/, /^test_globalaveragepool/,
  /^test_globalmaxpool/, /^test_gemm_/, /^test_matmul_2d$/, /^test_relu$/, /^test_leakyrelu/, /^test_batchnorm_/, /^test_flatten_/,
  /^test_softmax_/, /^test_add$/, /^test_concat_/];
export const PYTORCH_PATTERNS = [/^test_Conv2d/, /^test_MaxPool2d/, /^test_AvgPool2d/, /^test_Linear/, /^test_BatchNorm2d_eval/, /^test_ReLU$/, /^test_LeakyReLU/];

/** Every case directory of that list that libonnx-testdata has, node/ first. */
export function conformanceCases(): string[] {
  return [...globTestCases('node', NODE_PATTERNS), ...globTestCases('pytorch-converted', PYTORCH_PATTERNS)];
}

/** Image i of a batched tensor, as a batch of one. */
export function oneImage(t: Tensor, i: number): Tensor {
  const per = t.data.length / t.dims[0];
  return { dims: [1, ...t.dims.slice(1)], data: t.data.slice(i * per, (i + 1) * per) };
}

/** The graph with every batch axis set to 1 (the engine runs one image at a time). */
export function batchOne(g: Graph): Graph {
  const shapes = new Map([...g.shapes].map(([k, s]) => [k, s.length && s[0] > 1 ? [1, ...s.slice(1)] : s]));
  return { ...g, inputs: g.inputs.map((v) => ({ ...v, shape: [1, ...v.shape.slice(1)] })), outputs: g.outputs.map((v) => ({ ...v, shape: v.shape.length ? [1, ...v.shape.slice(1)] : v.shape })), shapes };
}
