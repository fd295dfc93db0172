import { describe, expect, it } from 'vitest';
import { FASHION_MNIST_DIR } from '../../compiler/data/fashion-mnist.ts';
import { classes, defaultModel, fashionInputs, ortLogits } from './ort-reference.ts';
import { cnna } from './run-cli.ts';

const N = 200;
const { x, labels } = fashionInputs(N);

async function ortCorrect(xs: Float32Array, n: number): Promise<number> {
  return classes(await ortLogits(defaultModel, xs, n)).filter((c, i) => c === labels[i]).length;
}

describe('cnna accuracy', () => {
  let first: { n: number; float: unknown; fixed: unknown } | undefined;

  it('--dataset fashion-mnist: float top-1 equals onnxruntime, fixed point within 0.5 points', async () => {
    const ref = await ortCorrect(x, N);
    const r = cnna(['accuracy', defaultModel, '--dataset', 'fashion-mnist', '--limit', String(N), '--calibration-images', '64', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.n).toBe(N);
    expect(out.float).toEqual({ top1: ref / N, correct: ref });
    expect(Math.abs(out.fixed.top1 - out.float.top1)).toBeLessThanOrEqual(0.005);
    first = out;
  });

  it('--images/--labels IDX (gzipped) with --scale 1/255 --mean 0 --std 1 gives the same figures', () => {
    const r = cnna(['accuracy', defaultModel, '--images', `${FASHION_MNIST_DIR}/t10k-images-idx3-ubyte.gz`,
      '--labels', `${FASHION_MNIST_DIR}/t10k-labels-idx1-ubyte.gz`, '--scale', '1/255', '--mean', '0', '--std', '1', '--limit', String(N), '--calibration-images', '64', '--json']);
    expect(r.code).toBe(0);
    const b = JSON.parse(r.stdout);
    expect([b.n, b.float, b.fixed]).toEqual([first!.n, first!.float, first!.fixed]);
  });

  it('applies x = (pixel·S − M)/D: --mean 0.5 --std 0.25 matches onnxruntime on the same transform', async () => {
    const n = 100;
    const xs = Float32Array.from(x.subarray(0, n * 784), (v) => (v - 0.5) / 0.25);
    const ref = await ortCorrect(xs, n);
    const r = cnna(['accuracy', defaultModel, '--dataset', 'fashion-mnist', '--limit', String(n), '--mean', '0.5', '--std', '0.25', '--calibration-images', '64', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).float.correct).toBe(ref);
  });
});
