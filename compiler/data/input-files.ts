// Input tensors from files for `cnna run`: ONNX TensorProto .pb files (the ONNX test-data
// format, via compiler/onnx/tensor-proto.ts) or NumPy .npy files (npy.ts). The format is
// chosen by the file's first bytes (\x93NUMPY → .npy), else by its extension (.pb), and
// each tensor is matched to a model input by position and checked against its shape
// (the batch axis may differ).
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { CnnaError } from '../errors/cnna-error.ts';
import type { Tensor, ValueInfo } from '../ir/graph.ts';
import { readTensorProto } from '../onnx/tensor-proto.ts';
import { readNpy } from './npy.ts';

export interface InputFile extends Tensor {
  file: string;
  /** The TensorProto name ('' for .npy). */
  name: string;
  format: 'pb' | 'npy';
}

const NPY_MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];

export function readInputFile(path: string): InputFile {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (code ?? String(e));
    throw new CnnaError('E_IO', `cannot read input file '${path}': ${why}`, { cause: e });
  }
  const isNpy = NPY_MAGIC.every((b, i) => bytes[i] === b);
  if (isNpy || path.toLowerCase().endsWith('.npy')) {
    const a = readNpy(bytes, path);
    return { file: path, name: '', format: 'npy', dims: a.shape, data: a.data };
  }
  if (path.toLowerCase().endsWith('.pb')) {
    const t = readTensorProto(bytes, path);
    return { file: path, name: t.name, format: 'pb', dims: t.dims, data: t.data };
  }
  throw new CnnaError('E_FORMAT', `input file '${path}' is neither a .npy file nor a .pb file`, {
    hint: 'pass an ONNX TensorProto (.pb, as in ONNX test data) or a NumPy array saved with numpy.save (.npy)',
  });
}

const shapeText = (s: readonly (number | string)[]) => `[${s.join(', ')}]`;

/**
 * Matches files to the model's inputs in order and checks shapes: a file must have the
 * input's shape, with any batch size N ≥ 1 on axis 0 (the same N for every input); several
 * files that each have exactly their input's declared shape are taken as they are (batch 1).
 * Returns the feeds and the batch size.
 */
export function matchInputs(inputs: ValueInfo[], files: InputFile[]): { feeds: Record<string, Tensor>; batch: number } {
  if (files.length !== inputs.length) {
    throw new CnnaError('E_USAGE', `the model has ${inputs.length} input${inputs.length === 1 ? '' : 's'} (${inputs.map((i) => i.name).join(', ')}) but ${files.length} --input file${files.length === 1 ? ' was' : 's were'} given`, {
      hint: 'pass one --input FILE per model input, in order',
    });
  }
  const feeds: Record<string, Tensor> = {};
  // Files of exactly the declared shapes run as they are: axis 0 need not be a batch axis
  // (a [3, 4] MatMul operand, two inputs of different leading sizes).
  if (inputs.length > 1 && inputs.every((vi, i) => vi.shape.length === files[i].dims.length && vi.shape.every((d, k) => d === files[i].dims[k]))) {
    inputs.forEach((vi, i) => { feeds[vi.name] = { dims: files[i].dims, data: files[i].data }; });
    return { feeds, batch: 1 };
  }
  let batch: number | undefined;
  inputs.forEach((vi, i) => {
    const f = files[i];
    const want = vi.shape;
    const ok = f.dims.length === want.length && f.dims[0] >= 1 && want.every((d, k) => k === 0 || f.dims[k] === d);
    if (!ok) {
      throw new CnnaError('E_USAGE', `input file '${basename(f.file)}' has shape ${shapeText(f.dims)} but model input '${vi.name}' expects ${shapeText(['N', ...want.slice(1)])}`, {
        hint: `save the tensor with shape ${shapeText([1, ...want.slice(1)])} (batch N ≥ 1 on axis 0)`,
      });
    }
    if (batch !== undefined && f.dims[0] !== batch) {
      throw new CnnaError('E_USAGE', `input files disagree on the batch size: '${basename(files[0].file)}' has ${batch}, '${basename(f.file)}' has ${f.dims[0]}`);
    }
    batch = f.dims[0];
    feeds[vi.name] = { dims: f.dims, data: f.data };
  });
  return { feeds, batch: batch ?? 1 };
}
