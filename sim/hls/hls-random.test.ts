// 200 seeded random single-layer programs (sim/verilator/random-bundle.ts: random shapes, strides,
// dilations, pads, pooling, activations, channel counts that are not multiples of the array, streamed FC
// jobs longer than the weight bank, reused tiles, SYNCed chains) on the HLS engine: every output must equal
// the executable spec (sim/ref) bit for bit. The same on two other points of the template (PO = 2·PI with
// small buffers; PI = 8), and the engine's refusals with their status codes.
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../boards/ultra96/board.ts';
import { validateConfig, type HwConfig } from '../../compiler/contracts/hw-config.ts';
import { runBundle } from '../ref/run-bundle.ts';
import { randomCase } from '../verilator/random-bundle.ts';
import { runBundleHls, runBundlesHls } from './run-hls.ts';

async function compareWithRef(config: HwConfig, seeds: number[]): Promise<{ bad: string[]; values: number; streamed: number }> {
  const cases = seeds.map((s) => randomCase(config, s));
  const r = await runBundlesHls(cases.map((c) => ({ bundle: c.bundle, inputSets: [{ raw: { x: c.input } }] })), { config });
  const bad: string[] = [];
  let values = 0, streamed = 0;
  cases.forEach((c, k) => {
    const ref = runBundle(c.bundle, {}, { config, rawInputs: { x: c.input } });
    const hls = r.results[k][0];
    if (/^seed \d+: fc/.test(c.summary)) streamed++;
    if (hls.jobs !== c.bundle.manifest.descriptors.count) bad.push(`${c.summary}: ${hls.jobs} jobs run`);
    for (const name of Object.keys(ref.raw)) {
      const a = ref.raw[name].q, b = hls.raw[name].q;
      let diff = 0;
      for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) diff++;
      values += a.length;
      if (diff) bad.push(`${c.summary}: output ${name} differs in ${diff}/${a.length} values`);
    }
  });
  return { bad, values, streamed };
}

describe('HLS engine on random single-layer programs', () => {
  it('matches the engine spec bit for bit on 200 seeded cases (default config)', async () => {
    const r = await compareWithRef(defaultConfig(), Array.from({ length: 200 }, (_, i) => 1000 + i));
    expect(r.bad).toEqual([]);
    expect(r.streamed).toBeGreaterThan(10);
    console.log(`HLS random: 200 cases, ${r.values} values compared, ${r.streamed} streamed`);
    expect(r.values).toBeGreaterThan(20_000);
  }, 900_000);

  it('matches on other points of the template: PO = 2·PI with small banks, and PI = 8', async () => {
    const base = defaultConfig();
    const wide = validateConfig({ ...base, array: { pi: 16, po: 32 }, buffers: { inputBankEntries: 1200, weightBankWords: 100, outputFifoEntries: 64 } });
    const narrow = validateConfig({ ...base, array: { pi: 8, po: 8 }, buffers: { inputBankEntries: 1536, weightBankWords: 128, outputFifoEntries: 32 } });
    for (const config of [wide, narrow]) {
      const r = await compareWithRef(config, Array.from({ length: 30 }, (_, i) => 5000 + i));
      expect(r.bad).toEqual([]);
      expect(r.values).toBeGreaterThan(2_000);
    }
  }, 900_000);
});

describe('HLS engine refusing programs', () => {
  const config = defaultConfig();
  it('stops with CONFIG_MISMATCH when the HEADER carries another config hash', async () => {
    const c = randomCase(config, 7);
    const d = new Uint8Array(c.bundle.descriptors);
    d[16] ^= 0xff;
    await expect(runBundleHls({ ...c.bundle, descriptors: d }, [{ raw: { x: c.input } }], { config }))
      .rejects.toThrow(`the HLS engine refused bundle 'random-7': status 3 CONFIG_MISMATCH (the bundle was compiled for another hardware config)`);
  }, 600_000);
  it('stops with BAD_MAGIC when descriptor 0 is not a HEADER, in both modes', async () => {
    const c = randomCase(config, 8);
    const d = new Uint8Array(c.bundle.descriptors);
    d[4] = 0;
    for (const mode of ['untimed', 'clocked'] as const) {
      await expect(runBundleHls({ ...c.bundle, descriptors: d }, [{ raw: { x: c.input } }], { config, mode }))
        .rejects.toThrow(`the HLS engine refused bundle 'random-8': status 1 BAD_MAGIC (descriptor 0 is not a HEADER record)`);
    }
  }, 600_000);
  it('stops with ZERO_DIM on a job with a zero kernel size', async () => {
    const c = randomCase(config, 9);
    const d = new Uint8Array(c.bundle.descriptors);
    d[64 + 42] = 0;
    await expect(runBundleHls({ ...c.bundle, descriptors: d }, [{ raw: { x: c.input } }], { config }))
      .rejects.toThrow(/status 7 ZERO_DIM/);
  }, 600_000);
});
