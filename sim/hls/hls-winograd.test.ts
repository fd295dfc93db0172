// Winograd F(2x2, 3x3) jobs on the HLS engine (hls/kernels/winograd.h), on a config with array.winograd:
// 81 seeded 3x3 stride-1 layers (every pad 0..2 on each side, odd and even outputs, so last tiles with one
// row or column; ReLU / LeakyReLU; max and average pools), layers that the input bank cuts into row tiles
// of odd height, and regions wider than the kernel's tile cache (tiles recomputed). All run in one system-
// model process, untimed and clocked; every output must equal the golden model (direct sums) and the
// engine model (sim/ref) bit for bit. Plus fashion_cnn with array.winograd through `cnna simulate --backend
// hls`, blocks larger than the weight bank (up to the weight ring, maxBlockWords; one beyond it refused), and
// the driver's refusals: a Winograd job on an engine without array.winograd, a REUSE_WEIGHTS job whose block
// differs from the previous job's.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../boards/ultra96/board.ts';
import { compileBundle } from '../../compiler/backend/compile-bundle.ts';
import { DESC_BYTES, Flag, decodeDescriptor, encodeDescriptor, type Bundle } from '../../compiler/contracts/bundle-format.ts';
import { maxBlockWords } from '../../compiler/contracts/hw-config.ts';
import { fashionMnistAvailable } from '../../compiler/data/fashion-mnist.ts';
import { compareRefGolden, toTensors } from '../../test/engine/ref-vs-golden.ts';
import { allPadCases, winoCase, winoConfig, type WinoCase } from '../../test/engine/winograd-cases.ts';
import { cnna } from '../../test/cli/run-cli.ts';
import { runBundleHls, runBundlesHls } from './run-hls.ts';

const config = winoConfig();

function flagged(b: Bundle, flag: number): number {
  const v = new DataView(b.descriptors.buffer, b.descriptors.byteOffset, b.descriptors.byteLength);
  let n = 0;
  for (let j = 1; j <= b.manifest.descriptors.count; j++) if (decodeDescriptor(v, j * DESC_BYTES).flags & flag) n++;
  return n;
}

describe('Winograd jobs on the HLS engine', () => {
  it('random layers (every pad, tile remainders, row tiles, wide regions, pools) are bit-exact against golden and ref in both modes', async () => {
    const cases: WinoCase[] = [
      ...allPadCases(3),
      // The 4,096-entry bank cuts these into row tiles (13 channel groups x 24 or 25 columns).
      winoCase(41, [1, 1, 1, 1], { C: 200, M: 20, H: 24, W: 24, pool: 'none' }),
      winoCase(42, [0, 1, 2, 0], { C: 199, M: 17, H: 27, W: 25, pool: 'max' }),
      winoCase(43, [2, 0, 1, 1], { C: 208, M: 9, H: 23, W: 24, pool: 'avg' }),
      // Regions 300 and 301 outputs wide: more tiles per row than the 128-column tile cache.
      winoCase(44, [1, 1, 1, 1], { C: 3, M: 16, H: 5, W: 300, pool: 'none' }),
      winoCase(45, [1, 2, 1, 1], { C: 5, M: 18, H: 6, W: 300, pool: 'max' }),
    ];
    const bundles = cases.map((c) => compileBundle(c.qm, config, { winograd: 'always' }));
    const expected = cases.map((c) => {
      const r = compareRefGolden(c.qm, toTensors(c.inputs), config, { winograd: 'always' });
      expect(r.first, c.desc).toBeUndefined();
      return r.golden;
    });
    let jobs = 0, tiled = 0;
    bundles.forEach((b) => {
      const n = flagged(b, Flag.WINOGRAD);
      expect(n).toBe(b.manifest.descriptors.count);
      jobs += n;
      if (n > 2) tiled++;
    });
    expect(tiled).toBeGreaterThanOrEqual(3);
    for (const mode of ['untimed', 'clocked'] as const) {
      const r = await runBundlesHls(bundles.map((b, k) => ({ bundle: b, inputSets: [{ raw: { x: cases[k].inputs.x.q } }] })), { config, mode });
      const bad: string[] = [];
      let values = 0;
      cases.forEach((c, k) => {
        const hls = r.results[k][0];
        if (hls.jobs !== bundles[k].manifest.descriptors.count) bad.push(`${c.desc}: ${hls.jobs} jobs run`);
        const a = expected[k].y, b = hls.raw.y.q;
        let diff = 0;
        for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) diff++;
        values += a.length;
        if (diff) bad.push(`${mode} ${c.desc}: ${diff}/${a.length} values differ`);
      });
      expect(bad).toEqual([]);
      expect(values).toBeGreaterThan(60_000);
    }
    expect(jobs).toBeGreaterThan(100);
  }, 600_000);

  it.skipIf(!fashionMnistAvailable())('fashion_cnn with array.winograd: cnna simulate --backend hls is bit-exact, both convs on Winograd', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cnna-hls-wino-'));
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify(config));
    const model = 'models/default/fashion_cnn.onnx';
    const c = cnna(['compile', model, '--board', 'ultra96', '--config', file, '-o', join(dir, 'bundle')]);
    expect(c.code, c.stderr).toBe(0);
    const manifest = JSON.parse(readFileSync(join(dir, 'bundle', 'manifest.json'), 'utf8')) as { configHash: string; layers: { op: string; winograd?: boolean }[] };
    expect(manifest.layers.filter((l) => l.op === 'conv').map((l) => l.winograd)).toEqual([true, true]);
    const r = cnna(['simulate', join(dir, 'bundle'), '--model', model, '--backend', 'hls', '--config', file, '--dataset', 'fashion-mnist', '--limit', '3', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ backend: 'hls', inferences: 3, bitExact: true, configHash: manifest.configHash });
    expect(j.mismatches).toMatchObject({ images: 0, values: 0, compared: 30 });
    expect(j.cycles).toBeGreaterThan(5_000);
  }, 300_000);

  it('Winograd blocks larger than the weight bank, up to the weight ring (maxBlockWords), are bit-exact; one beyond the ring stops the engine with WEIGHT_BANK', async () => {
    // A 40-word bank, ring 128 words: 80 channels = 5 groups of 16, a 100-word block.
    const small = winoConfig({ weightBankWords: 40 });
    expect(maxBlockWords(small, true)).toBe(128);
    const c = winoCase(51, [1, 1, 1, 1], { C: 80, M: 20, H: 10, W: 10, pool: 'max' });
    const b = compileBundle(c.qm, small, { winograd: 'always' });
    const v = new DataView(b.descriptors.buffer, b.descriptors.byteOffset, b.descriptors.byteLength);
    const d1 = decodeDescriptor(v, DESC_BYTES);
    expect(d1.flags & Flag.WINOGRAD).toBe(Flag.WINOGRAD);
    expect(d1.cg).toBe(5);
    const r = compareRefGolden(c.qm, toTensors(c.inputs), small, { winograd: 'always' });
    expect(r.first, c.desc).toBeUndefined();
    const hls = await runBundlesHls([{ bundle: b, inputSets: [{ raw: { x: c.inputs.x.q } }] }], { config: small, mode: 'clocked' });
    const out = hls.results[0][0];
    expect(out.jobs).toBe(b.manifest.descriptors.count);
    let diff = 0;
    for (let i = 0; i < r.golden.y.length; i++) if (r.golden.y[i] !== out.raw.y.q[i]) diff++;
    expect(diff).toBe(0);
    expect(out.raw.y.q.length).toBe(r.golden.y.length);
    expect(r.golden.y.length).toBeGreaterThan(100);
    // The same job claiming 7 groups (a 140-word block, beyond the 128-word ring): the engine's own check.
    const desc = new Uint8Array(b.descriptors);
    const dv = new DataView(desc.buffer);
    const d = decodeDescriptor(dv, DESC_BYTES);
    d.cg = 7;
    encodeDescriptor(d, dv, DESC_BYTES);
    await expect(runBundleHls({ ...b, descriptors: desc }, [{ raw: { x: c.inputs.x.q } }], { config: small }))
      .rejects.toThrow(`the HLS engine refused bundle 'wino': status 6 WEIGHT_BANK`);
  }, 120_000);

  it('the driver refuses a REUSE_WEIGHTS job whose block differs from the previous job\'s (the engine would keep the old block)', async () => {
    const c = winoCase(41, [1, 1, 1, 1], { C: 200, M: 20, H: 24, W: 24, pool: 'none' });
    const b = compileBundle(c.qm, config, { winograd: 'always' });
    const desc = new Uint8Array(b.descriptors);
    const v = new DataView(desc.buffer);
    const d = decodeDescriptor(v, 2 * DESC_BYTES);
    const d1 = decodeDescriptor(v, DESC_BYTES);
    d.flags |= Flag.REUSE_WEIGHTS;
    d.wAddr = d1.wAddr + 64;
    encodeDescriptor(d, v, 2 * DESC_BYTES);
    await expect(runBundleHls({ ...b, descriptors: desc }, [{ raw: { x: c.inputs.x.q } }], { config }))
      .rejects.toThrow(`descriptor 2 of bundle 'wino' has REUSE_WEIGHTS but its weight block (wAddr ${d1.wAddr + 64}, 3x3x13 words, Winograd) differs from descriptor 1's (wAddr ${d1.wAddr}, 3x3x13, Winograd)`);
  });

  it('the driver refuses a Winograd job on an engine without array.winograd and a malformed one, naming the descriptor', async () => {
    const c = winoCase(21, [1, 1, 1, 1]);
    const b = compileBundle(c.qm, defaultConfig());
    const desc = new Uint8Array(b.descriptors);
    const v = new DataView(desc.buffer);
    const d = decodeDescriptor(v, DESC_BYTES);
    d.flags |= Flag.WINOGRAD;
    encodeDescriptor(d, v, DESC_BYTES);
    await expect(runBundleHls({ ...b, descriptors: desc }, [{ raw: { x: c.inputs.x.q } }], { config: defaultConfig() }))
      .rejects.toThrow(`descriptor 1 of bundle 'wino' is a WINOGRAD job, but the engine's config has no array.winograd`);
    // A malformed Winograd job on a Winograd engine (the engine itself would stop with BAD_OPCODE).
    const w = compileBundle(c.qm, config, { winograd: 'always' });
    const wd = new Uint8Array(w.descriptors);
    const wv = new DataView(wd.buffer);
    const j1 = decodeDescriptor(wv, DESC_BYTES);
    j1.strideH = 2;
    encodeDescriptor(j1, wv, DESC_BYTES);
    await expect(runBundleHls({ ...w, descriptors: wd }, [{ raw: { x: c.inputs.x.q } }], { config }))
      .rejects.toThrow(`descriptor 1 of bundle 'wino': a WINOGRAD job must be 3x3, stride 1, dilation 1 (it is 3x3, stride 2x1, dilation 1x1)`);
  });
});
