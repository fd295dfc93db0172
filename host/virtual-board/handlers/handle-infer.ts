// INFER (docs/protocol.md 4.4): checks the int16 input tensors against the active bundle (and the
// image count: a batch bundle takes exactly its batch of images, image-major in the blob, and runs them in
// one start), runs the engine (stopping at an early exit when exitThresholdPpm is given and the exit is confident
// enough), and returns the outputs with the exit taken, the engine cycles, the time they take at
// the bundle's clock and the agent's compute wall time.
import { isCnnaError } from '../../../compiler/errors/cnna-error.ts';
import { ProtocolError } from '../../protocol/protocol-error.ts';
import { EXIT_THRESHOLD_SCALE, inferImagesError, MAX_BUNDLE_BATCH } from '../../../compiler/contracts/bundle-format.ts';
import { fieldArray, fieldOptionalInt } from '../body-fields.ts';
import { elementCount, type RunResult, type WireTensor } from '../engine-backend.ts';
import type { Handler } from './handler.ts';

function sameShape(a: unknown, b: number[]): boolean {
  return Array.isArray(a) && a.length === b.length && a.every((x, i) => x === b[i]);
}

export const handleInfer: Handler = async (body, blob, { core, signal }) => {
  const d = core.active;
  if (!d) throw new ProtocolError('NOT_DEPLOYED', 'INFER: no deployment is active; deploy a model first');
  const items = fieldArray(body, 'INFER', 'inputs', 64);
  const ppm = fieldOptionalInt(body, 'INFER', 'exitThresholdPpm', 0, EXIT_THRESHOLD_SCALE);
  const exitThreshold = ppm === undefined ? undefined : ppm / EXIT_THRESHOLD_SCALE;
  const images = fieldOptionalInt(body, 'INFER', 'images', 1, MAX_BUNDLE_BATCH) ?? 1;
  const batch = d.program.batch ?? 1;
  const countErr = inferImagesError(d.program.model ?? 'synthetic', batch, images);
  if (countErr) throw new ProtocolError('BAD_INPUT', countErr);
  const specs = d.program.inputs;
  if (items.length !== specs.length) {
    throw new ProtocolError('BAD_INPUT', `INFER: the bundle takes ${specs.length} input(s) (${specs.map((s) => s.name).join(', ')}), got ${items.length}`);
  }
  for (let i = 0; i < specs.length; i++) {
    const s = specs[i];
    const it = items[i] as Record<string, unknown> | null;
    const want = 2 * elementCount(s.shape);
    if (!it || typeof it !== 'object' || it.name !== s.name || it.dtype !== 'int16' || !sameShape(it.shape, s.shape) || it.length !== want) {
      throw new ProtocolError('BAD_INPUT', `INFER: input ${i} must be {name: '${s.name}', dtype: 'int16', shape: [${s.shape.join(', ')}], length: ${want}}`);
    }
  }
  // the blob: image 0's tensors in `inputs` order, then image 1's, …
  const perImage: WireTensor[][] = [];
  let at = 0;
  for (let n = 0; n < images; n++) {
    const inputs: WireTensor[] = [];
    for (const s of specs) {
      const want = 2 * elementCount(s.shape);
      if (at + want > blob.length) throw new ProtocolError('BAD_INPUT', `INFER: the blob holds ${blob.length} bytes, fewer than the inputs declare${images > 1 ? ` for ${images} images` : ''}`);
      const data = new Int16Array(elementCount(s.shape));
      new Uint8Array(data.buffer).set(blob.subarray(at, at + want));
      inputs.push({ name: s.name, shape: [...s.shape], data });
      at += want;
    }
    perImage.push(inputs);
  }
  if (at !== blob.length) throw new ProtocolError('BAD_INPUT', `INFER: ${blob.length - at} bytes after the declared inputs`);
  core.buffers.get('input')?.set(blob.subarray(0, Math.min(blob.length, core.buffers.get('input')!.length)));
  const t0 = process.hrtime.bigint();
  let result: RunResult;
  let imageOutputs: WireTensor[][];
  try {
    if (batch > 1) {
      const r = await d.program.runBatch!(perImage, signal);
      result = { outputs: r.images[0], cycles: r.cycles };
      imageOutputs = r.images;
    } else {
      result = await d.program.run(perImage[0], signal, { exitThreshold });
      imageOutputs = [result.outputs];
    }
  } catch (e) {
    if (e instanceof ProtocolError) throw e;
    if (signal.aborted) throw new ProtocolError('CANCELLED', 'INFER: cancelled');
    throw new ProtocolError('BACKEND', `INFER: the ${core.backend.name} engine failed: ${isCnnaError(e) ? e.message : (e as Error).message}`);
  }
  const computeNs = Number(process.hrtime.bigint() - t0);
  // every output, or after an early exit the ones computed by then (the exit's among them)
  const exit = result.exit ?? null;
  const outSpecs = exit === null ? d.program.outputs : d.program.outputs.filter((s) => result.outputs.some((t) => t.name === s.name));
  if (imageOutputs.length !== images) throw new ProtocolError('BACKEND', `INFER: the engine returned ${imageOutputs.length} images' outputs for ${images}`);
  const outs = imageOutputs.flatMap((img) => outSpecs.map((s, i) => {
    const t = img[i];
    if (!t || t.name !== s.name || t.data.length !== elementCount(s.shape)) throw new ProtocolError('BACKEND', `INFER: the engine returned a wrong output ${i} (${s.name})`);
    return t;
  }));
  if (exit !== null && !outs.some((t) => t.name === exit)) throw new ProtocolError('BACKEND', `INFER: the engine left at exit '${exit}' but did not return it`);
  const total = outs.reduce((n, t) => n + t.data.byteLength, 0);
  const out = new Uint8Array(total);
  let o = 0;
  for (const t of outs) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), o);
    o += t.data.byteLength;
  }
  core.buffers.get('output')?.set(out.subarray(0, Math.min(out.length, core.buffers.get('output')!.length)));
  return {
    body: {
      outputs: outSpecs.map((s) => ({ name: s.name, dtype: 'int16', shape: s.shape, f: s.f, ...(s.exit ? { exit: true } : {}), length: 2 * elementCount(s.shape) })),
      exit,
      ...(batch > 1 ? { images } : {}),
      cycles: result.cycles,
      timeNs: Math.round((result.cycles * 1e9) / d.program.clockHz),
      computeNs,
    },
    blob: out,
  };
};
