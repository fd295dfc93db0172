// Reads and decodes an ONNX file so that float raw_data can be used in place. A quick scan of
// the protobuf structure with small positioned reads (skipping every big field) finds where the
// initializers' raw_data lie; the file is then read once into a buffer at the byte shift (0..3)
// that puts most weight bytes at offsets that are a multiple of 4, so no tensor is copied.
// When the scan cannot tell (unusual layout, corrupted file), the file is read at shift 0 and,
// if decoding shows misaligned weights, shifted in place (one memmove).

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { CnnaError } from '../errors/cnna-error.ts';
import { DataType, decodeModel, type ModelProto } from './onnx-proto.ts';

/** Largest model file accepted (4 GiB, protobuf's own limit is 2 GiB). */
export const MAX_MODEL_BYTES = 2 ** 32;

function openModel(path: string): { fd: number; size: number } {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CnnaError('E_IO', `${path}: cannot read the model (${code ?? String(e)})`, { cause: e, hint: 'check the path' });
  }
  const st = fstatSync(fd);
  if (!st.isFile()) { closeSync(fd); throw new CnnaError('E_IO', `${path}: not a regular file`); }
  if (st.size > MAX_MODEL_BYTES) { closeSync(fd); throw new CnnaError('E_LIMIT', `${path}: ${st.size} bytes exceed the model size limit of ${MAX_MODEL_BYTES}`); }
  return { fd, size: st.size };
}

function readAt(fd: number, view: Uint8Array, size: number): number {
  let off = 0;
  while (off < size) {
    const n = readSync(fd, view, off, Math.min(size - off, 1 << 30), off);
    if (n === 0) break;
    off += n;
  }
  return off;
}

/** Small positioned reads of a protobuf message; undefined on anything unexpected. */
class Scanner {
  private buf = new Uint8Array(16);
  constructor(private readonly fd: number, private readonly size: number) {}

  /** [field, wireType, payload start, payload length (length-delimited) or 0, next position]. */
  field(pos: number): [number, number, number, number, number] | undefined {
    const n = readSync(this.fd, this.buf, 0, 16, pos);
    let i = 0;
    const varint = (): number | undefined => {
      let v = 0;
      for (let k = 0; k < 8 && i < n; k++) {
        const b = this.buf[i++];
        v += (b & 0x7f) * 2 ** (7 * k);
        if (!(b & 0x80)) return v;
      }
      return undefined;
    };
    const tag = varint();
    if (tag === undefined) return undefined;
    const wt = tag % 8;
    const fieldNo = Math.floor(tag / 8);
    if (wt === 2) {
      const len = varint();
      if (len === undefined || pos + i + len > this.size) return undefined;
      return [fieldNo, wt, pos + i, len, pos + i + len];
    }
    if (wt === 0) { if (varint() === undefined) return undefined; return [fieldNo, wt, pos + i, 0, pos + i]; }
    if (wt === 1) return [fieldNo, wt, pos + i, 0, pos + i + 8];
    if (wt === 5) return [fieldNo, wt, pos + i, 0, pos + i + 4];
    return undefined;
  }

  /** Calls `f` for every field of the message in [start, end). */
  each(start: number, end: number, f: (field: number, wt: number, at: number, len: number) => boolean): boolean {
    for (let pos = start, guard = 0; pos < end; guard++) {
      if (guard > 1_000_000) return false;
      const r = this.field(pos);
      if (!r || r[4] > end) return false;
      if (!f(r[0], r[1], r[2], r[3])) return false;
      pos = r[4];
    }
    return true;
  }
}

/** Shift from a structure scan: ModelProto.graph (7) -> GraphProto.initializer (5) -> TensorProto.raw_data (9). */
function scanShift(fd: number, size: number): number {
  const sc = new Scanner(fd, size);
  const weight = [0, 0, 0, 0];
  const ok = sc.each(0, size, (f, wt, at, len) => {
    if (f !== 7 || wt !== 2) return true;
    return sc.each(at, at + len, (gf, gwt, gat, glen) => {
      if (gf !== 5 || gwt !== 2 || glen < 4096) return true;
      return sc.each(gat, gat + glen, (tf, twt, tat, tlen) => {
        if (tf === 9 && twt === 2 && tlen >= 4096) weight[(4 - (tat % 4)) % 4] += tlen;
        return true;
      });
    });
  });
  if (!ok) return 0;
  let best = 0;
  for (let s = 1; s < 4; s++) if (weight[s] > weight[best]) best = s;
  return best;
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
  const { fd, size } = openModel(path);
  let ab: ArrayBuffer;
  let shift: number;
  let got: number;
  try {
    shift = scanShift(fd, size);
    ab = new ArrayBuffer(size + 3);
    got = readAt(fd, new Uint8Array(ab, shift, size), size);
  } catch (e) {
    if (e instanceof CnnaError) throw e;
    throw new CnnaError('E_IO', `${path}: cannot read the model (${(e as Error).message})`, { cause: e });
  } finally {
    closeSync(fd);
  }
  const model = decodeModel(new Uint8Array(ab, shift, got), path);
  const fix = bestShift(model);
  if (fix === 0) return model;
  const to = (shift + fix) % 4;
  new Uint8Array(ab).copyWithin(to, shift, shift + got);
  return decodeModel(new Uint8Array(ab, to, got), path);
}
