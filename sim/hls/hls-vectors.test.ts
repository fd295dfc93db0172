// The shared engine golden vectors (test/vectors/engine/: single-layer cases whose expected outputs come
// from the golden model) on the HLS engine's C++ in its SystemC system model, in both modes, each in one
// process: every output the HLS kernels wrote into the simulated DDR must equal out-<name>.bin bit for bit.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readBundle } from '../../compiler/backend/bundle-io.ts';
import { repoRoot } from './hls-sources.ts';
import { runBundlesHls, type HlsMode } from './run-hls.ts';

const dir = join(repoRoot, 'test', 'vectors', 'engine');

function i16(file: string): Int16Array {
  const b = readFileSync(file);
  return new Int16Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

describe('HLS engine on the shared golden vectors', () => {
  const cases = existsSync(dir) ? readdirSync(dir).filter((d) => d.startsWith('case-')).sort() : [];
  const items = cases.map((c) => {
    const bundle = readBundle(join(dir, c));
    const raw: Record<string, Int16Array> = {};
    for (const io of bundle.manifest.inputs) raw[io.name] = i16(join(dir, c, `in-${io.name}.bin`));
    return { name: c, bundle, inputSets: [{ raw }] };
  });

  it('has the 200 committed cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(200);
  });

  for (const mode of ['untimed', 'clocked'] as HlsMode[]) {
    it(`reproduces every expected output bit for bit (${mode})`, async () => {
      const r = await runBundlesHls(items, { mode });
      const bad: string[] = [];
      let values = 0;
      items.forEach((it, k) => {
        const got = r.results[k][0];
        expect(got.jobs).toBe(it.bundle.manifest.descriptors.count);
        for (const io of it.bundle.manifest.outputs) {
          const want = i16(join(dir, it.name, `out-${io.name}.bin`));
          const q = got.raw[io.name].q;
          let diff = 0;
          for (let i = 0; i < want.length; i++) if (q[i] !== want[i]) diff++;
          values += want.length;
          if (diff || q.length !== want.length) bad.push(`${it.name} output ${io.name}: ${diff}/${want.length} values differ`);
        }
        if (mode === 'clocked') expect(got.cycles).toBeGreaterThan(0);
      });
      expect(bad).toEqual([]);
      expect(values).toBeGreaterThan(10_000);
    }, 600_000);
  }
});
