// Import fuzzing: thousands of seeded mutations of small valid models go through importOnnx,
// optimize and runFloat on a tiny input. Every outcome must be success or a CnnaError: no other
// exception and no hang. runFloat is skipped only when the mutated graph declares more work
// than a tiny-input run should take (the graph itself still imports and optimizes).

import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { isCnnaError } from '../errors/cnna-error.ts';
import type { Graph } from '../ir/graph.ts';
import { numel } from '../ir/infer-shape.ts';
import { runFloat } from '../golden/float/run-float.ts';
import { optimize } from '../passes/index.ts';
import { mutateBytes, mutateFields } from './fuzz-mutators.ts';
import { importOnnx } from './import-onnx.ts';
import { prng, SAMPLE_MODELS } from './sample-models.ts';

const CASES = Number(process.env.FUZZ_CASES ?? 3600);
const MAX_WORK = 2e7;

function work(g: Graph): number {
  let total = 0;
  for (const n of g.nodes) {
    const out = numel(g.shapes.get(n.outputs[0]) ?? [0]);
    let per = 1;
    if (n.op === 'conv') per = n.kernel[0] * n.kernel[1] * (g.shapes.get(n.inputs[0])?.[1] ?? 1) / n.group + (n.pool ? 64 : 0);
    else if (n.op === 'gemm' || n.op === 'matmul') per = numel(g.shapes.get(n.inputs[0]) ?? [1]) / (g.shapes.get(n.inputs[0])?.[0] ?? 1);
    else if (n.op === 'pool') per = numel(g.shapes.get(n.inputs[0]) ?? [1]);
    total += out * per + out;
  }
  return total + g.inputs.reduce((a, i) => a + numel(i.shape), 0);
}

const TESTDATA = '/usr/share/libonnx-testdata/data/node';
const seeds: Record<string, Uint8Array> = Object.fromEntries(Object.entries(SAMPLE_MODELS).map(([k, f]) => [k, f()]));
for (const name of ['test_conv_with_autopad_same', 'test_averagepool_2d_ceil', 'test_gemm_all_attributes']) {
  const path = `${TESTDATA}/${name}/model.onnx`;
  if (existsSync(path)) seeds[name] = readFileSync(path);
}

describe('import fuzzing', () => {
  it(`${CASES} mutated models give success or a CnnaError, nothing else`, () => {
    const r = prng(Number(process.env.FUZZ_SEED ?? 20260229));
    const names = Object.keys(seeds);
    const outcomes: Record<string, number> = {};
    const failures: string[] = [];
    let ran = 0;
    for (let i = 0; i < CASES; i++) {
      const seedName = names[i % names.length];
      const m = i % 2 === 0 ? mutateBytes(seeds[seedName], r) : mutateFields(seeds[seedName], r);
      try {
        const g = importOnnx(m.bytes, { batch: 1 + (i % 2) });
        const o = optimize(g);
        if (work(g) <= MAX_WORK && work(o) <= MAX_WORK) {
          const feeds = Object.fromEntries(g.inputs.map((vi) => [vi.name, { dims: vi.shape, data: Float32Array.from({ length: numel(vi.shape) }, () => r() - 0.5) }]));
          runFloat(g, feeds);
          runFloat(o, Object.fromEntries(o.inputs.map((vi) => [vi.name, feeds[vi.name]])));
          ran++;
        }
        outcomes.ok = (outcomes.ok ?? 0) + 1;
      } catch (e) {
        if (isCnnaError(e)) outcomes[e.code] = (outcomes[e.code] ?? 0) + 1;
        else failures.push(`case ${i} (${seedName}, ${m.how}): ${e instanceof Error ? `${e.name}: ${e.message}\n${e.stack?.split('\n').slice(1, 4).join('\n')}` : String(e)}`);
      }
    }
    console.log(`fuzz outcomes over ${CASES} cases (${ran} ran the float executor):`, outcomes);
    expect(failures.slice(0, 10)).toEqual([]);
    expect(outcomes.ok).toBeGreaterThan(CASES / 20);
    expect(ran).toBeGreaterThan(CASES / 20);
    for (const code of ['E_FORMAT', 'E_TRUNCATED', 'E_GRAPH', 'E_UNSUPPORTED', 'E_LIMIT']) expect(outcomes[code], code).toBeGreaterThan(0);
  });
});
