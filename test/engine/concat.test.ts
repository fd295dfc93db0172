// Channel concat on the engine (identity rescaling jobs into the output's planes): bit-exact
// against the golden model, including rounding down and scaling up to the output format; a
// concat whose first input does not fill whole planes is refused.
import { describe, expect, it } from 'vitest';
import type { QuantizedModel } from '../../compiler/golden/fixed/quantized-model.ts';
import { compileBundle } from '../../compiler/backend/compile-bundle.ts';
import { defaultConfig } from '../../boards/ultra96/board.ts';
import { compareRefGolden, toTensors } from './ref-vs-golden.ts';
import { rng } from './random-layer.ts';

function concatModel(ca: number, cb: number, fa: number, fb: number, fOut: number, fourD = true): QuantizedModel {
  const da = fourD ? [1, ca, 5, 6] : [1, ca];
  const db = fourD ? [1, cb, 5, 6] : [1, cb];
  const dy = fourD ? [1, ca + cb, 5, 6] : [1, ca + cb];
  return {
    graph: {
      name: 'cat', opset: 13, inputs: [{ name: 'a', shape: da }, { name: 'b', shape: db }], outputs: [{ name: 'y', shape: dy }],
      initializers: new Map(), nodes: [{ op: 'concat', name: 'cat', inputs: ['a', 'b'], outputs: ['y'], axis: 1 }],
      shapes: new Map([['a', da], ['b', db], ['y', dy]]),
    },
    formats: new Map([['a', fa], ['b', fb], ['y', fOut]]),
    weights: new Map(), biases: new Map(), constants: new Map(),
    options: { format: 'auto', perChannel: false, calibration: 'test' }, report: [],
  };
}

function inputs(qm: QuantizedModel, seed: number) {
  const r = rng(seed);
  const out: Record<string, { q: Int16Array; f: number; dims: number[] }> = {};
  for (const vi of qm.graph.inputs) {
    const n = vi.shape.reduce((a, b) => a * b, 1);
    out[vi.name] = { q: Int16Array.from({ length: n }, () => Math.floor(r() * 65536) - 32768), f: qm.formats.get(vi.name)!, dims: vi.shape };
  }
  return toTensors(out);
}

describe('channel concat on the engine model', () => {
  it.each([
    [32, 7, 12, 13, 12, true],
    [16, 20, 10, 14, 13, true],
    [48, 5, 9, 9, 11, false],
  ])('%i + %i channels, f %i and %i -> %i (4-D %s): bit-exact', (ca, cb, fa, fb, fo, fourD) => {
    const qm = concatModel(ca, cb, fa, fb, fo, fourD);
    const r = compareRefGolden(qm, inputs(qm, ca + cb), defaultConfig());
    expect(r.first).toBeUndefined();
    expect(r.total).toBe((ca + cb) * (fourD ? 30 : 1));
  });

  it('refuses a first input that does not fill whole channel planes', () => {
    expect(() => compileBundle(concatModel(7, 16, 12, 12, 12), defaultConfig())).toThrow(
      "concat node 'cat': input 0 has 7 channels, not a multiple of 16 (array.pi), so its channels do not start whole output planes",
    );
  });
});
