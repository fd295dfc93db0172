// ONNX conformance cases (libonnx-testdata, the same selection as the golden model's fixed-point
// conformance test) on the engine model: every case the back end maps to the engine must run
// bit-exact against the golden model; the others must be refused with E_UNSUPPORTED / E_FIT
// (never computed silently wrong). Batch > 1 cases run one image at a time.
import { describe, expect, it } from 'vitest';
import { runBundle } from '../../sim/ref/run-bundle.ts';
import { engineConformanceCases, sameInt16 } from './engine-conformance-cases.ts';

describe('ONNX conformance cases on the engine model', () => {
  it('every case that maps to the engine is bit-exact against the golden model; the rest are refused', () => {
    const mapped: string[] = [];
    const refused: string[] = [];
    const failures: string[] = [];
    for (const c of engineConformanceCases()) {
      if ('refused' in c) { refused.push(`${c.name}: ${c.refused}`); continue; }
      if ('error' in c) { failures.push(`${c.name}: ${c.error}`); continue; }
      const ok = c.images.every((img) => {
        const r = runBundle(c.bundle, img.tensors);
        return c.bundle.manifest.outputs.every((io, k) => sameInt16(r.raw[io.name].q, img.gold[k]));
      });
      if (ok) mapped.push(c.name); else failures.push(`${c.name}: not bit-exact`);
    }
    console.log(`engine conformance: ${mapped.length} mapped and bit-exact, ${refused.length} refused:\n  ${refused.join('\n  ')}`);
    expect(failures).toEqual([]);
    expect(mapped.length).toBeGreaterThanOrEqual(40);
  });
});
