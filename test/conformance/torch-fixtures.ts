// What the tests of the committed PyTorch exports share (test/fixtures/torch-exports and
// torch-host-ops, made by scripts/export-torch-*.py): the fixture files, seeded input images
// (1x3x16x16, uniform in [-1, 1)), and the float executor's check against onnxruntime-node.
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Tensor } from '../../compiler/ir/graph.ts';
import { runFloat } from '../../compiler/golden/float/run-float.ts';
import { importOnnx } from '../../compiler/onnx/import-onnx.ts';
import { optimize } from '../../compiler/passes/index.ts';
import { repoRoot } from '../e2e/support/shared-paths.ts';
import { rng } from '../engine/random-layer.ts';
import { maxAbsDiff, runOrtModel } from './ort-compare.ts';

/** test/fixtures/<name> and its .onnx files, sorted. */
export function torchFixtures(name: string): { dir: string; files: string[] } {
  const dir = resolve(repoRoot, 'test/fixtures', name);
  return { dir, files: readdirSync(dir).filter((f) => f.endsWith('.onnx')).sort() };
}

/** `count` seeded 1x3x16x16 images, values uniform in [-1, 1). */
export function fixtureImages(seed: number, count: number): Tensor[] {
  const r = rng(seed);
  return Array.from({ length: count }, () => ({ dims: [1, 3, 16, 16], data: Float32Array.from({ length: 768 }, () => r() * 2 - 1) }));
}

/**
 * The float executor, on the imported and on the optimized graph, against onnxruntime-node on each
 * of `files` (output `logits`) for each image: one line per case beyond max |diff| 1e-5 (none: agreement).
 */
export async function floatVsOrt(dir: string, files: string[], xs: Tensor[]): Promise<string[]> {
  const worst: string[] = [];
  for (const f of files) {
    const bytes = readFileSync(resolve(dir, f));
    const g = importOnnx(bytes);
    for (const x of xs) {
      const ref = (await runOrtModel(bytes, { input: x }, ['logits'])).logits;
      const d = Math.max(maxAbsDiff(runFloat(g, { input: x }).logits, ref), maxAbsDiff(runFloat(optimize(g), { input: x }).logits, ref));
      if (!(d <= 1e-5)) worst.push(`${f}: max |float - ORT| = ${d}`);
    }
  }
  return worst;
}
