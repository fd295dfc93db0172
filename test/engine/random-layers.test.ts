// The engine model (sim/ref) against the golden model on seeded random single layers, with the
// default Ultra96 config and with small-buffer configs that force row/column tiling, PO > PI and
// PI = 8. Also: a bundle for another config is refused; an untileable layer is refused.
import { describe, expect, it } from 'vitest';
import { makeCase } from './random-layer.ts';
import { compareRefGolden, toTensors } from './ref-vs-golden.ts';
import { defaultConfig } from '../../boards/ultra96/board.ts';
import { configHash, validateConfig, type HwConfig } from '../../compiler/contracts/hw-config.ts';
import { compileBundle } from '../../compiler/backend/compile-bundle.ts';
import { runBundle } from '../../sim/ref/run-bundle.ts';
import type { QuantizedModel } from '../../compiler/golden/fixed/quantized-model.ts';

const SEED = 1;
const base = defaultConfig();
const small = (pi: number, po: number, ib: number, wb: number): HwConfig =>
  validateConfig({ ...base, array: { pi, po }, buffers: { ...base.buffers, inputBankEntries: ib, weightBankWords: wb } });

function sweep(config: HwConfig, n: number) {
  let exact = 0;
  let refused = 0;
  let elements = 0;
  const failures: string[] = [];
  for (let i = 0; i < n; i++) {
    const c = makeCase(SEED, i);
    try {
      const r = compareRefGolden(c.qm, toTensors(c.inputs), config);
      elements += r.total;
      if (r.mismatches === 0) exact++;
      else failures.push(`case ${i} (${c.kind}): ${r.mismatches}/${r.total} differ, first ${r.first}`);
    } catch (e) {
      if ((e as { code?: string }).code === 'E_FIT') refused++;
      else failures.push(`case ${i} (${c.kind}): ${(e as Error).message}`);
    }
  }
  return { exact, refused, elements, failures };
}

describe('engine model vs golden model, random single layers (seed 1)', () => {
  it('250 cases on the default Ultra96 config are all bit-exact', () => {
    const r = sweep(base, 250);
    expect(r.failures).toEqual([]);
    expect(r.refused).toBe(0);
    expect(r.exact).toBe(250);
    expect(r.elements).toBeGreaterThan(100_000);
  });

  it.each([
    [8, 16, 64, 200],
    [16, 16, 40, 100],
    [8, 8, 128, 50],
    [16, 16, 4096, 4],
  ])('PI=%i PO=%i with %i input entries, %i weight words: tiled cases bit-exact, the rest refused with E_FIT', (pi, po, ib, wb) => {
    const r = sweep(small(pi, po, ib, wb), 120);
    expect(r.failures).toEqual([]);
    expect(r.exact + r.refused).toBe(120);
    expect(r.exact).toBeGreaterThan(90);
  });
});

describe('refusals and further tiling', () => {
  it('an engine with another config refuses the bundle, naming both hashes and the fields', () => {
    const c = makeCase(SEED, 0);
    const bundle = compileBundle(c.qm, base);
    const other = small(16, 16, 2048, 320);
    expect(() => runBundle(bundle, toTensors(c.inputs), { config: other })).toThrow(
      `bundle 'case0' was compiled for config ${configHash(base)}, this engine is built for config ${configHash(other)}; differing fields: buffers.inputBankEntries (4096 vs 2048)`,
    );
  });

  // A 3x3 conv, 40 -> 20 channels (3 input channel groups at PI = 16), no pad, 8x8 input.
  const conv = (): QuantizedModel => {
    const c = makeCase(SEED, 0);
    const g = c.qm.graph;
    g.nodes = [{ op: 'conv', name: 'conv7', inputs: ['x', 'w', 'b'], outputs: ['y'], kernel: [3, 3], strides: [1, 1], pads: [0, 0, 0, 0], dilations: [1, 1], group: 1 }];
    g.inputs = [{ name: 'x', shape: [1, 40, 8, 8] }];
    g.shapes = new Map([['x', [1, 40, 8, 8]], ['y', [1, 20, 6, 6]]]);
    const weights = new Map([['conv7', { q: new Int16Array(20 * 40 * 9).fill(1), dims: [20, 40, 3, 3], wf: [14] }]]);
    return { ...c.qm, weights, biases: new Map(), formats: new Map([['x', 14], ['y', 14]]) };
  };

  it('a conv whose weights exceed the weight bank is tiled further into per-pixel streamed jobs, bit-exact', () => {
    const qm = conv();
    const x = { x: { q: Int16Array.from({ length: 40 * 64 }, (_, i) => ((i * 7919) % 4001) - 2000), f: 14, dims: [1, 40, 8, 8] } };
    const tight = small(16, 16, 4096, 20);
    const b = compileBundle(qm, tight);
    expect(b.manifest.descriptors.count).toBe(2 * 36);
    expect(compareRefGolden(qm, toTensors(x), tight).mismatches).toBe(0);
    expect(compileBundle(conv(), small(16, 16, 4096, 27)).manifest.descriptors.count).toBe(2);
  });

  it('a receptive field larger than the input bank is refused with E_FIT', () => {
    expect(() => compileBundle(conv(), small(16, 16, 26, 320))).toThrow(
      "layer 'conv7': one output's input window (3 rows x 3 columns x 3 channel groups) needs 27 entries, the input bank holds 26 (buffers.inputBankEntries)",
    );
    const tiled = compileBundle(conv(), small(16, 16, 27, 320));
    expect(tiled.manifest.descriptors.count).toBe(2 * 36);
  });
});
