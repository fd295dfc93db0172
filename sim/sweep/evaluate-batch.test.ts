// The sweep evaluator at batch N: each model is compiled for N images per start, the latency is one
// start's and the throughput counts all N images; the figures equal the performance model of a bundle
// compiled with that batch (a separate path: compileBundle + modelBundle), and a batch beyond the
// contract is refused.
import { describe, expect, it } from 'vitest';
import { boardByName, boardDefaultConfig } from '../../boards/index.ts';
import { compileBundle } from '../../compiler/backend/compile-bundle.ts';
import { modelBundle } from '../perf/model-bundle.ts';
import { SweepEvaluator } from './evaluate.ts';
import { loadSweepModels } from './sweep-worker.ts';

describe('SweepEvaluator with a batch', () => {
  it('models one start of N images and counts N images in the throughput', () => {
    const board = boardByName('ultra96');
    const models = loadSweepModels([{ name: 'fashion_cnn', path: 'models/default/fashion_cnn.onnx' }]);
    const raw = boardDefaultConfig('ultra96') as unknown as Record<string, unknown>;
    const one = new SweepEvaluator(board, models, 1).evaluate(raw, 0);
    const four = new SweepEvaluator(board, models, 4).evaluate(raw, 0);
    expect(one.status).toBe('ok');
    expect(four.status).toBe('ok');
    const config = four.config as Parameters<typeof compileBundle>[1];
    const ref4 = modelBundle(compileBundle(models[0].qm, config, { layoutOnly: true, batch: 4 }), config, board);
    expect(four.models[0].cycles).toBe(ref4.cycles);
    expect(four.latencyMs).toBeCloseTo(ref4.latencySeconds * 1e3, 9);
    expect(four.throughputIps).toBeCloseTo(4e3 / four.latencyMs!, 6);
    expect(one.throughputIps).toBeCloseTo(1e3 / one.latencyMs!, 6);
    // The FC weights cross DDR once per start: a start of 4 is cheaper than 4 starts of 1.
    expect(four.models[0].cycles!).toBeLessThan(4 * one.models[0].cycles!);
    expect(four.throughputIps!).toBeGreaterThan(one.throughputIps!);
    expect(() => new SweepEvaluator(board, models, 65)).toThrow('batch must be an integer in 1..64 (got 65)');
  });
});
