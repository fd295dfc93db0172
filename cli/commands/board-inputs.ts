// Input tensors for `cnna infer` / `cnna bench` (not a command itself): a .npy file (float
// values are quantized to the deployed input format with quant() of docs/numerics.md; an
// int16 array is taken as already quantized) or `fashion-mnist:N` (test image N, scaled to
// [0, 1] as in training), checked against the deployed bundle's input spec.
import { readFileSync } from 'node:fs';
import { CnnaError } from '../../compiler/errors/cnna-error.ts';
import { ioError } from '../../compiler/errors/io-error.ts';
import { FASHION_MNIST_CLASSES, loadFashionMnist } from '../../compiler/data/fashion-mnist.ts';
import { requireFinite, type NonFinitePolicy } from '../../compiler/data/finite.ts';
import { readNpy } from '../../compiler/data/npy.ts';
import { toBatch } from '../../compiler/data/preprocess.ts';
import { quant } from '../../compiler/golden/fixed/fixed-point.ts';
import type { TensorSpec, WireTensor } from '../../host/virtual-board/engine-backend.ts';

export interface LoadedInput { source: string; tensor: WireTensor; label?: number; labelName?: string }

/** Checks the form of an input argument before connecting: a fashion-mnist:N index must be a whole number. */
export function checkInputArg(arg: string): void {
  const fm = /^fashion-mnist:(.*)$/.exec(arg);
  if (fm && !/^\d+$/.test(fm[1])) {
    throw new CnnaError('E_USAGE', `${arg}: the image index '${fm[1]}' is not a whole number from 0`, { hint: 'e.g. fashion-mnist:0 (the first test image)' });
  }
}

export function loadInput(arg: string, spec: TensorSpec, policy: NonFinitePolicy = 'refuse'): LoadedInput {
  const n = spec.shape.reduce((a, b) => a * b, 1);
  let values: ArrayLike<number>;
  let raw = false;
  let label: number | undefined;
  const fm = /^fashion-mnist:(.*)$/.exec(arg);
  if (fm) {
    checkInputArg(arg);
    const index = Number(fm[1]);
    const set = loadFashionMnist('test');
    if (index >= set.count) throw new CnnaError('E_USAGE', `fashion-mnist:${index}: the test split has ${set.count} images (0..${set.count - 1})`);
    values = toBatch(set, index, 1).data;
    label = set.labels[index];
  } else {
    let bytes: Uint8Array;
    try { bytes = readFileSync(arg); } catch (e) { const err = ioError(e, arg, 'read input'); throw new CnnaError('E_IO', err.message, { hint: `${err.hint ?? ''}; inputs are .npy files or fashion-mnist:N`, cause: e }); }
    const a = readNpy(bytes, arg);
    requireFinite(`input ${arg}`, a.shape, a.data, policy);
    values = a.data;
    raw = a.dtype === '<i2';
  }
  if (values.length !== n) {
    throw new CnnaError('E_USAGE', `input ${arg} has ${values.length} values; the deployed model's input '${spec.name}' takes [${spec.shape.join(', ')}] = ${n}`);
  }
  const data = new Int16Array(n);
  for (let i = 0; i < n; i++) data[i] = raw ? values[i] : quant(values[i], spec.f);
  return { source: arg, tensor: { name: spec.name, shape: [...spec.shape], data }, label, labelName: label === undefined ? undefined : FASHION_MNIST_CLASSES[label] };
}

/** Softmax over dequantized int16 values, then the k best (index, probability). */
export function topK(q: Int16Array, f: number, k: number): { index: number; score: number; logit: number }[] {
  const x = Array.from(q, (v) => v * 2 ** -f);
  const m = Math.max(...x);
  const e = x.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return x.map((logit, index) => ({ index, score: e[index] / s, logit }))
    .sort((a, b) => b.score - a.score || a.index - b.index).slice(0, k);
}
