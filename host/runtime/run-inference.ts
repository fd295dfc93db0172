// One inference on the board: int16 input tensors (already quantized to the bundle's input
// format) in, int16 outputs with the engine cycles and times out. With an exit threshold, a
// partitioned bundle's early exit answers when it is confident enough (docs/protocol.md 4.4). A batch
// deployment takes its N images in one INFER (runBatchInference).
import { EXIT_THRESHOLD_SCALE } from '../../compiler/contracts/bundle-format.ts';
import { CnnaError } from '../../compiler/errors/cnna-error.ts';
import type { TensorSpec, WireTensor } from '../virtual-board/engine-backend.ts';
import type { BoardClient } from './board-client.ts';

export interface InferResult {
  /** The graph outputs; after an early exit only those computed by then. `exit` marks an early exit's output. */
  outputs: (WireTensor & { f: number; exit?: true })[];
  /** The early exit the image left at (its output's name), or null when every segment ran. */
  exit: string | null;
  cycles: number;
  /** Engine time at the bundle's clock (cycles / clockHz). */
  timeNs: number;
  /** The agent's wall time computing. */
  computeNs: number;
  /** Host round-trip time of the INFER request. */
  rttNs: number;
}

/**
 * One INFER. `exitThreshold` T in [0, 1] (sent as the nearest millionth, exitThresholdPpm): a partitioned
 * bundle's early exit answers when its softmax maximum is at least T; absent, every segment runs.
 */
export async function runInference(client: BoardClient, inputs: WireTensor[], o: { timeoutMs?: number; exitThreshold?: number } = {}): Promise<InferResult> {
  const t = o.exitThreshold;
  if (t !== undefined && !(t >= 0 && t <= 1)) throw new CnnaError('E_USAGE', `INFER: exit threshold ${t} is not a number in [0, 1]`);
  const total = inputs.reduce((t, x) => t + x.data.byteLength, 0);
  const blob = new Uint8Array(total);
  let at = 0;
  for (const x of inputs) {
    blob.set(new Uint8Array(x.data.buffer, x.data.byteOffset, x.data.byteLength), at);
    at += x.data.byteLength;
  }
  const r = await client.request('INFER', {
    inputs: inputs.map((x) => ({ name: x.name, dtype: 'int16', shape: x.shape, length: x.data.byteLength })),
    ...(t !== undefined ? { exitThresholdPpm: Math.round(t * EXIT_THRESHOLD_SCALE) } : {}),
  }, blob, { timeoutMs: o.timeoutMs });
  const specs = r.body.outputs as (TensorSpec & { length: number })[];
  const exit = typeof r.body.exit === 'string' ? r.body.exit : null;
  const outputs: InferResult['outputs'] = [];
  let off = 0;
  for (const s of specs) {
    if (off + s.length > r.blob.length || s.length % 2 !== 0) throw new CnnaError('E_PROTOCOL', `INFER: the board's answer declares more output bytes than it carries`);
    const data = new Int16Array(s.length / 2);
    new Uint8Array(data.buffer).set(r.blob.subarray(off, off + s.length));
    outputs.push({ name: s.name, shape: s.shape, f: s.f, ...(s.exit ? { exit: true as const } : {}), data });
    off += s.length;
  }
  if (exit !== null && !outputs.some((t) => t.name === exit)) throw new CnnaError('E_PROTOCOL', `INFER: the board left at exit '${exit}' but its answer does not carry that output`);
  return { outputs, exit, cycles: Number(r.body.cycles), timeNs: Number(r.body.timeNs), computeNs: Number(r.body.computeNs), rttNs: r.rttNs };
}

/** Bytes of one frame kept for its header, JSON body and CRC (the bulk chunks of docs/protocol.md 2.2 leave the same). */
const FRAME_RESERVE = 1024;

/** INFER's inputs travel in one frame: refuse before sending what the board's maxFrame (HELLO limits) cannot carry. */
function checkFrameFits(client: BoardClient, bytes: number, images: number): void {
  const maxFrame = client.hello?.limits?.maxFrame;
  if (!maxFrame || bytes + FRAME_RESERVE <= maxFrame) return;
  const n = (v: number) => v.toLocaleString('en-US');
  throw new CnnaError('E_LIMIT', `INFER: ${images} image${images === 1 ? '' : 's'} of inputs ${images === 1 ? 'is' : 'are'} ${n(bytes)} bytes, one frame to ${client.description} carries at most ${n(maxFrame - FRAME_RESERVE)} (maxFrame ${n(maxFrame)} less ${n(FRAME_RESERVE)} for the header and body)`, {
    hint: images > 1 ? 'compile the model with a smaller --batch, or raise the agent\'s maxFrame' : 'raise the agent\'s maxFrame',
  });
}

export interface BatchInferResult {
  /** Per image, the graph outputs in manifest order. */
  images: (WireTensor & { f: number })[][];
  /** Engine cycles of the one start that ran every image. */
  cycles: number;
  timeNs: number;
  computeNs: number;
  rttNs: number;
}

/**
 * One INFER of several images on a batch deployment (a bundle compiled with --batch N, DEPLOY's `batch`):
 * `images` holds N input sets, sent image-major with `images: N`, run in one start. The board refuses
 * (E_BOARD BAD_INPUT) any other count, and a batch on a batch-1 deployment.
 */
export async function runBatchInference(client: BoardClient, images: WireTensor[][], o: { timeoutMs?: number } = {}): Promise<BatchInferResult> {
  if (images.length === 0) throw new CnnaError('E_USAGE', 'INFER: give at least one image');
  const first = images[0];
  for (const [n, set] of images.entries()) {
    if (set.length !== first.length || set.some((t, i) => t.name !== first[i].name || t.data.length !== first[i].data.length)) {
      throw new CnnaError('E_USAGE', `INFER: image ${n}'s inputs differ from image 0's (${first.map((t) => `${t.name}[${t.data.length}]`).join(', ')})`);
    }
  }
  const all = images.flat();
  const blob = new Uint8Array(all.reduce((t, x) => t + x.data.byteLength, 0));
  checkFrameFits(client, blob.length, images.length);
  let at = 0;
  for (const x of all) {
    blob.set(new Uint8Array(x.data.buffer, x.data.byteOffset, x.data.byteLength), at);
    at += x.data.byteLength;
  }
  const r = await client.request('INFER', {
    inputs: first.map((x) => ({ name: x.name, dtype: 'int16', shape: x.shape, length: x.data.byteLength })),
    images: images.length,
  }, blob, { timeoutMs: o.timeoutMs });
  const specs = r.body.outputs as (TensorSpec & { length: number })[];
  const perImage = specs.reduce((t, s) => t + s.length, 0);
  if (perImage * images.length !== r.blob.length || specs.some((s) => s.length % 2 !== 0)) {
    throw new CnnaError('E_PROTOCOL', `INFER: the board's answer carries ${r.blob.length} bytes of outputs, not ${images.length} images of ${perImage}`);
  }
  let off = 0;
  const outs: BatchInferResult['images'] = images.map(() => specs.map((s) => {
    const data = new Int16Array(s.length / 2);
    new Uint8Array(data.buffer).set(r.blob.subarray(off, off + s.length));
    off += s.length;
    return { name: s.name, shape: s.shape, f: s.f, data };
  }));
  return { images: outs, cycles: Number(r.body.cycles), timeNs: Number(r.body.timeNs), computeNs: Number(r.body.computeNs), rttNs: r.rttNs };
}
