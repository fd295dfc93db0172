// One inference on the board: int16 input tensors (already quantized to the bundle's input
// format) in, int16 outputs with the engine cycles and times out.
import { CnnaError } from '../../compiler/errors/cnna-error.ts';
import type { TensorSpec, WireTensor } from '../virtual-board/engine-backend.ts';
import type { BoardClient } from './board-client.ts';

export interface InferResult {
  outputs: (WireTensor & { f: number })[];
  cycles: number;
  /** Engine time at the bundle's clock (cycles / clockHz). */
  timeNs: number;
  /** The agent's wall time computing. */
  computeNs: number;
  /** Host round-trip time of the INFER request. */
  rttNs: number;
}

export async function runInference(client: BoardClient, inputs: WireTensor[], o: { timeoutMs?: number } = {}): Promise<InferResult> {
  const total = inputs.reduce((t, x) => t + x.data.byteLength, 0);
  const blob = new Uint8Array(total);
  let at = 0;
  for (const x of inputs) {
    blob.set(new Uint8Array(x.data.buffer, x.data.byteOffset, x.data.byteLength), at);
    at += x.data.byteLength;
  }
  const r = await client.request('INFER', {
    inputs: inputs.map((x) => ({ name: x.name, dtype: 'int16', shape: x.shape, length: x.data.byteLength })),
  }, blob, { timeoutMs: o.timeoutMs });
  const specs = r.body.outputs as (TensorSpec & { length: number })[];
  const outputs: InferResult['outputs'] = [];
  let off = 0;
  for (const s of specs) {
    if (off + s.length > r.blob.length || s.length % 2 !== 0) throw new CnnaError('E_PROTOCOL', `INFER: the board's answer declares more output bytes than it carries`);
    const data = new Int16Array(s.length / 2);
    new Uint8Array(data.buffer).set(r.blob.subarray(off, off + s.length));
    outputs.push({ name: s.name, shape: s.shape, f: s.f, data });
    off += s.length;
  }
  return { outputs, cycles: Number(r.body.cycles), timeNs: Number(r.body.timeNs), computeNs: Number(r.body.computeNs), rttNs: r.rttNs };
}
