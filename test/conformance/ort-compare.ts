// Runs a model in onnxruntime-node on the same feeds as the float executor, for conformance tests.

import * as ort from 'onnxruntime-node';
import type { Tensor } from '../../compiler/ir/graph.ts';

export async function runOrtModel(model: Uint8Array, feeds: Record<string, Tensor>, outputs: string[]): Promise<Record<string, Tensor>> {
  const session = await ort.InferenceSession.create(model);
  try {
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const [k, v] of Object.entries(feeds)) ortFeeds[k] = new ort.Tensor('float32', v.data, v.dims);
    const res = await session.run(ortFeeds);
    return Object.fromEntries(outputs.map((o) => [o, { dims: [...res[o].dims], data: res[o].data as Float32Array }]));
  } finally {
    await session.release();
  }
}

export function maxAbsDiff(a: Tensor, b: Tensor): number {
  if (a.data.length !== b.data.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.data.length; i++) m = Math.max(m, Math.abs(a.data[i] - b.data[i]));
  return m;
}
