// cnna simulate --batch N through the CLI: the default model at batch 4 on the TypeScript engine model and
// on the HLS engine (bit-exact per image against the golden model, the batch fields of --json), and the
// refusals: a batch outside 1..64 (E_USAGE), fewer images than one batch.
import { describe, expect, it } from 'vitest';
import { fashionMnistAvailable } from '../../compiler/data/fashion-mnist.ts';
import { cnna } from './run-cli.ts';

const model = 'models/default/fashion_cnn.onnx';

describe.skipIf(!fashionMnistAvailable())('cnna simulate --batch (skipped: Fashion-MNIST test set absent)', () => {
  it('runs 9 images as 2 starts of 4 on ref, bit-exact, and reports per-image latency and images/s', () => {
    const r = cnna(['simulate', model, '--backend', 'ref', '--dataset', 'fashion-mnist', '--limit', '9', '--batch', '4', '--calibration-images', '8', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('simulate: 1 image(s) beyond the last whole batch of 4 are not run');
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ backend: 'ref', inferences: 8, bitExact: true, batch: 4, starts: 2 });
    expect(j.mismatches).toMatchObject({ images: 0, values: 0, compared: 80 });
    expect(j.secondsPerImage).toBeCloseTo(j.latencySeconds / 4, 12);
    expect(j.imagesPerSecond).toBeCloseTo(4 / j.latencySeconds, 6);
    // One start of 4 costs less than 4 starts of 1: the FC weights cross DDR once per start.
    const one = JSON.parse(cnna(['simulate', model, '--backend', 'ref', '--dataset', 'fashion-mnist', '--limit', '1', '--calibration-images', '8', '--json']).stdout);
    expect(one.batch).toBe(1);
    expect(j.cycles).toBeLessThan(4 * one.cycles);
  });

  it('runs a start of 4 on the HLS engine (clocked C-simulation), every image bit-exact', () => {
    const r = cnna(['simulate', model, '--backend', 'hls', '--dataset', 'fashion-mnist', '--limit', '4', '--batch', '4', '--calibration-images', '8', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ backend: 'hls', inferences: 4, bitExact: true, batch: 4, starts: 1 });
    expect(j.mismatches).toMatchObject({ images: 0, values: 0, compared: 40 });
    expect(j.imagesPerSecond).toBeCloseTo(4 / j.latencySeconds, 6);
  });

  it('refuses --batch outside 1..64 and with fewer images than one batch', () => {
    const zero = cnna(['simulate', model, '--backend', 'ref', '--dataset', 'fashion-mnist', '--limit', '4', '--batch', '0']);
    expect(zero.stderr).toContain('[E_USAGE]: batch must be an integer in 1..64 (got 0)');
    const big = cnna(['simulate', model, '--backend', 'ref', '--dataset', 'fashion-mnist', '--limit', '4', '--batch', '65']);
    expect(big.stderr).toContain('[E_USAGE]: batch must be an integer in 1..64 (got 65)');
    const few = cnna(['simulate', model, '--backend', 'ref', '--dataset', 'fashion-mnist', '--limit', '3', '--batch', '4', '--calibration-images', '8']);
    expect(few.stderr).toContain('[E_USAGE]: simulate: --batch 4 needs at least 4 images, 3 given');
  });
});
