import { afterAll, describe, expect, it } from 'vitest';
import { importOnnx } from '../../onnx/import-onnx.ts';
import { prng, SAMPLE_MODELS } from '../../onnx/sample-models.ts';
import { optimize } from '../../passes/index.ts';
import { FloatThreads } from './run-float-parallel.ts';
import { runFloat } from './run-float.ts';

const threads = new FloatThreads(2);
afterAll(() => threads.close());

describe('FloatThreads', () => {
  it('splits a batch over two threads with results identical to runFloat', async () => {
    for (const make of [SAMPLE_MODELS.pytorchCnn, SAMPLE_MODELS.residual]) {
      const g = optimize(importOnnx(make(), { batch: 5 }));
      const x = g.inputs[0];
      const r = prng(5);
      const feeds = { [x.name]: { dims: x.shape, data: Float32Array.from({ length: x.shape.reduce((a, b) => a * b) }, () => r() - 0.5) } };
      const one = runFloat(g, feeds, { keepAll: true });
      const two = await threads.run(g, feeds, { keepAll: true });
      expect(Object.keys(two).sort()).toEqual(Object.keys(one).sort());
      for (const k of Object.keys(one)) expect(two[k], k).toEqual(one[k]);
    }
  });

  it('reports a bad feed as the same CnnaError', async () => {
    const g = importOnnx(SAMPLE_MODELS.residual());
    await expect(threads.run(g, {})).rejects.toMatchObject({ code: 'E_USAGE' });
  });
});
