// The shared engine golden vectors (test/vectors/engine/, 200 single-layer cases whose expected outputs
// come from the golden model) run on the Verilator model in one simulation process; every output the
// engine wrote into the simulated DDR must equal out-<name>.bin bit for bit.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readBundle } from '../../compiler/backend/bundle-io.ts';
import { repoRoot } from './rtl-sources.ts';
import { runBundlesRtl } from './run-rtl.ts';

const dir = join(repoRoot, 'test', 'vectors', 'engine');

function i16(file: string): Int16Array {
  const b = readFileSync(file);
  return new Int16Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

describe('RTL engine on the shared golden vectors', () => {
  const cases = existsSync(dir) ? readdirSync(dir).filter((d) => d.startsWith('case-')).sort() : [];

  it('has the 200 committed cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(200);
  });

  it('reproduces every expected output bit for bit', async () => {
    const items = cases.map((c) => {
      const bundle = readBundle(join(dir, c));
      const raw: Record<string, Int16Array> = {};
      for (const io of bundle.manifest.inputs) raw[io.name] = i16(join(dir, c, `in-${io.name}.bin`));
      return { name: c, bundle, inputSets: [{ raw }] };
    });
    const r = await runBundlesRtl(items);
    const bad: string[] = [];
    items.forEach((it, k) => {
      const got = r.results[k][0];
      for (const io of it.bundle.manifest.outputs) {
        const want = i16(join(dir, it.name, `out-${io.name}.bin`));
        const q = got.raw[io.name].q;
        let diff = 0;
        for (let i = 0; i < want.length; i++) if (q[i] !== want[i]) diff++;
        if (diff || q.length !== want.length) bad.push(`${it.name} output ${io.name}: ${diff}/${want.length} values differ`);
      }
    });
    expect(bad).toEqual([]);
  }, 900_000);
});
