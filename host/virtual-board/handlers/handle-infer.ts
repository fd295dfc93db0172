// INFER (docs/protocol.md 4.4): checks the int16 input tensors against the active bundle,
// runs the engine, and returns the outputs with the engine cycles, the time they take at the
// bundle's clock and the agent's compute wall time.
import { isCnnaError } from '../../../compiler/errors/cnna-error.ts';
import { ProtocolError } from '../../protocol/protocol-error.ts';
import { fieldArray } from '../body-fields.ts';
import { elementCount, type WireTensor } from '../engine-backend.ts';
import type { Handler } from './handler.ts';

function sameShape(a: unknown, b: number[]): boolean {
  return Array.isArray(a) && a.length === b.length && a.every((x, i) => x === b[i]);
}

export const handleInfer: Handler = async (body, blob, { core, signal }) => {
  const d = core.active;
  if (!d) throw new ProtocolError('NOT_DEPLOYED', 'INFER: no deployment is active; deploy a model first');
  const items = fieldArray(body, 'INFER', 'inputs', 64);
  const specs = d.program.inputs;
  if (items.length !== specs.length) {
    throw new ProtocolError('BAD_INPUT', `INFER: the bundle takes ${specs.length} input(s) (${specs.map((s) => s.name).join(', ')}), got ${items.length}`);
  }
  const inputs: WireTensor[] = [];
  let at = 0;
  for (let i = 0; i < specs.length; i++) {
    const s = specs[i];
    const it = items[i] as Record<string, unknown> | null;
    const want = 2 * elementCount(s.shape);
    if (!it || typeof it !== 'object' || it.name !== s.name || it.dtype !== 'int16' || !sameShape(it.shape, s.shape) || it.length !== want) {
      throw new ProtocolError('BAD_INPUT', `INFER: input ${i} must be {name: '${s.name}', dtype: 'int16', shape: [${s.shape.join(', ')}], length: ${want}}`);
    }
    if (at + want > blob.length) throw new ProtocolError('BAD_INPUT', `INFER: the blob holds ${blob.length} bytes, fewer than the inputs declare`);
    const data = new Int16Array(elementCount(s.shape));
    new Uint8Array(data.buffer).set(blob.subarray(at, at + want));
    inputs.push({ name: s.name, shape: [...s.shape], data });
    at += want;
  }
  if (at !== blob.length) throw new ProtocolError('BAD_INPUT', `INFER: ${blob.length - at} bytes after the declared inputs`);
  core.buffers.get('input')?.set(blob.subarray(0, Math.min(blob.length, core.buffers.get('input')!.length)));
  const t0 = process.hrtime.bigint();
  let result;
  try {
    result = await d.program.run(inputs, signal);
  } catch (e) {
    if (e instanceof ProtocolError) throw e;
    if (signal.aborted) throw new ProtocolError('CANCELLED', 'INFER: cancelled');
    throw new ProtocolError('BACKEND', `INFER: the ${core.backend.name} engine failed: ${isCnnaError(e) ? e.message : (e as Error).message}`);
  }
  const computeNs = Number(process.hrtime.bigint() - t0);
  const outs = d.program.outputs.map((s, i) => {
    const t = result.outputs[i];
    if (!t || t.data.length !== elementCount(s.shape)) throw new ProtocolError('BACKEND', `INFER: the engine returned a wrong output ${i} (${s.name})`);
    return t;
  });
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
      outputs: d.program.outputs.map((s) => ({ name: s.name, dtype: 'int16', shape: s.shape, f: s.f, length: 2 * elementCount(s.shape) })),
      cycles: result.cycles,
      timeNs: Math.round((result.cycles * 1e9) / d.program.clockHz),
      computeNs,
    },
    blob: out,
  };
};
