import { describe, expect, it } from 'vitest';
import { FASHION_MNIST_CLASSES } from '../../compiler/data/fashion-mnist.ts';
import { classes, defaultModel, fashionInputs, ortLogits } from './ort-reference.ts';
import { cnna } from './run-cli.ts';

describe('cnna demo', () => {
  it('imports, quantizes, reports, and classifies test images in float and fixed point', async () => {
    const r = cnna(['demo', '--limit', '200', '--calibration-images', '64', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    const { x, labels } = fashionInputs(200);
    const ort = classes(await ortLogits(defaultModel, x, 200));
    expect(out.samples.map((s: { label: number; float: number; labelName: string }) => [s.label, s.float, s.labelName]))
      .toEqual(labels.slice(0, 8).map((l, i) => [l, ort[i], FASHION_MNIST_CLASSES[l]]));
    expect(out.report.map((l: { node: string }) => l.node)).toEqual(['image', 'conv1', 'conv2', 'fc1', 'fc2']);
    const correct = ort.filter((c, i) => c === labels[i]).length;
    expect(out.accuracy.float).toEqual({ top1: correct / 200, correct });
    expect(Math.abs(out.accuracy.fixed.correct - correct)).toBeLessThanOrEqual(1);
  });

  it('prints the four steps', () => {
    const r = cnna(['demo', '--limit', '8', '--calibration-images', '64']);
    expect(r.code).toBe(0);
    for (const step of ['1. import ', '2. quantize ', '3. the first 8 Fashion-MNIST test images', '4. top-1 on the first 8 test images: float ']) {
      expect(r.stdout).toContain(step);
    }
    expect(r.stdout).toMatch(/ 0 {2}Ankle boot {4}\S/);
  });
});
