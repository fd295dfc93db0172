// Reads and decodes an ONNX file so that float raw_data can be used in place: the file is read
// into a buffer with 3 spare bytes, and when most float raw_data bytes sit at offsets that are
// not a multiple of 4 the contents are shifted in place to align them (one memmove instead of a
// fresh copy of every weight tensor).

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { CnnaError } from '../errors/cnna-error.ts';
import { DataType, decodeModel, type ModelProto } from './onnx-proto.ts';

/** Largest model file accepted (4 GiB, protobuf's own limit is 2 GiB). */
export const MAX_MODEL_BYTES = 2 ** 32;

function readWithSlack(path: string): { ab: ArrayBuffer; size: number } {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CnnaError('E_IO', `${path}: cannot read the model (${code ?? String(e)})`, { cause: e, hint: 'check the path' });
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new CnnaError('E_IO', `${path}: not a regular file`);
    if (st.size > MAX_MODEL_BYTES) throw new CnnaError('E_LIMIT', `${path}: ${st.size} bytes exceed the model size limit of ${MAX_MODEL_BYTES}`);
    const ab = new ArrayBuffer(st.size + 3);
    const view = new Uint8Array(ab, 0, st.size);
    let off = 0;
    while (off < st.size) {
      const n = readSync(fd, view, off, Math.min(st.size - off, 1 << 30), off);
      if (n === 0) break;
      off += n;
    }
    return { ab, size: off };
  } catch (e) {
    if (e instanceof CnnaError) throw e;
    throw new CnnaError('E_IO', `${path}: cannot read the model (${(e as Error).message})`, { cause: e });
  } finally {
    closeSync(fd);
  }
}

/** Byte shift (0..3) that aligns the most float raw_data bytes to 4. */
function bestShift(model: ModelProto): number {
  const weight = [0, 0, 0, 0];
  for (const t of model.graph?.initializer ?? []) {
    if (t.dataType === DataType.FLOAT && t.rawData && t.rawData.length >= 4096) weight[(4 - (t.rawData.byteOffset % 4)) % 4] += t.rawData.length;
  }
  let best = 0;
  for (let s = 1; s < 4; s++) if (weight[s] > weight[best]) best = s;
  return best;
}

export function readModel(path: string): ModelProto {
  const { ab, size } = readWithSlack(path);
  const model = decodeModel(new Uint8Array(ab, 0, size), path);
  const shift = bestShift(model);
  if (shift === 0) return model;
  new Uint8Array(ab).copyWithin(shift, 0, size);
  return decodeModel(new Uint8Array(ab, shift, size), path);
}
