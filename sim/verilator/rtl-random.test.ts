// 200 seeded random single-layer programs (random shapes, strides, dilations, pads, pooling, activations,
// channel counts that are not multiples of the array, FC-style streamed jobs, reused input tiles,
// reused weight blocks and SYNCed two-job chains) run on the Verilator model; every output the engine wrote into the simulated DDR
// must equal the executable spec (sim/ref) bit for bit.
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../boards/ultra96/board.ts';
import { runBundle } from '../ref/run-bundle.ts';
import { randomCase } from './random-bundle.ts';
import { runBundleRtl, runBundlesRtl } from './run-rtl.ts';

const SEEDS = Array.from({ length: 200 }, (_, i) => 1000 + i);

describe('RTL engine on random single-layer programs', () => {
  it('matches the engine spec bit for bit on 200 seeded cases', async () => {
    const config = defaultConfig();
    const cases = SEEDS.map((s) => randomCase(config, s));
    const r = await runBundlesRtl(cases.map((c) => ({ bundle: c.bundle, inputSets: [{ raw: { x: c.input } }] })), { config });
    const bad: string[] = [];
    let streamed = 0, pooled = 0, twoLayer = 0, wrapped = 0, twin = 0;
    cases.forEach((c, k) => {
      const ref = runBundle(c.bundle, {}, { config, rawInputs: { x: c.input } });
      const rtl = r.results[k][0];
      if (/^seed \d+: fc/.test(c.summary)) streamed++;
      if (/^seed \d+: fc cin \d{5}/.test(c.summary)) wrapped++;
      if (!/pool 0/.test(c.summary)) pooled++;
      if (/2 layers/.test(c.summary)) twoLayer++;
      if (/twin/.test(c.summary)) twin++;
      for (const name of Object.keys(ref.raw)) {
        const a = ref.raw[name].q, b = rtl.raw[name].q;
        let diff = 0;
        for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) diff++;
        if (diff) bad.push(`${c.summary}: output ${name} differs in ${diff}/${a.length} values`);
      }
      expect(rtl.jobs).toBe(c.bundle.manifest.descriptors.count);
    });
    expect(bad).toEqual([]);
    // The seeds cover every kind of job the generator makes.
    expect(streamed).toBeGreaterThan(10);
    expect(pooled).toBeGreaterThan(50);
    expect(twoLayer).toBeGreaterThan(10);
    expect(wrapped).toBeGreaterThan(2);
    expect(twin).toBeGreaterThan(10);
  }, 1_800_000);
});

describe('RTL engine refusing programs', () => {
  const config = defaultConfig();
  it('stops with CONFIG_MISMATCH when the HEADER carries another config hash', async () => {
    const c = randomCase(config, 7);
    const d = new Uint8Array(c.bundle.descriptors);
    d[16] ^= 0xff;
    await expect(runBundleRtl({ ...c.bundle, descriptors: d }, [{ raw: { x: c.input } }], { config }))
      .rejects.toThrow(`the RTL engine refused bundle 'random-7': status 3 CONFIG_MISMATCH (the bundle was compiled for another hardware config)`);
  }, 1_800_000);
  it('stops with BAD_MAGIC when descriptor 0 is not a HEADER', async () => {
    const c = randomCase(config, 8);
    const d = new Uint8Array(c.bundle.descriptors);
    d[4] = 0;
    await expect(runBundleRtl({ ...c.bundle, descriptors: d }, [{ raw: { x: c.input } }], { config }))
      .rejects.toThrow(/status 1 BAD_MAGIC/);
  }, 1_800_000);
});
