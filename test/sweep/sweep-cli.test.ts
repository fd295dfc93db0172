// `cnna sweep` end to end on the default Fashion-MNIST model: every config of a small space is
// refused with the schema's reason or evaluated with the cycles a full compile + perf model gives;
// shards merge into exactly the one-run result; the resume cache; --baseline exits 3 on a regression;
// --junit; --verify ref on the best config is bit-exact.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cnna } from '../cli/run-cli.ts';
import { boardByName } from '../../boards/index.ts';
import { validateConfig, type HwConfig } from '../../compiler/contracts/hw-config.ts';
import { compileBundle } from '../../compiler/backend/compile-bundle.ts';
import { importOnnx } from '../../compiler/onnx/import-onnx.ts';
import { optimize } from '../../compiler/passes/index.ts';
import { quantize } from '../../compiler/quant/quantize.ts';
import { modelBundle } from '../../sim/perf/model-bundle.ts';
import type { SweepFile } from '../../sim/sweep/sweep-output.ts';

const model = 'models/default/fashion_cnn.onnx';
const tmp = mkdtempSync(join(tmpdir(), 'cnna-sweep-'));
const spaceFile = join(tmp, 'space.json');
writeFileSync(spaceFile, JSON.stringify({
  'array.pi': [8, 16], 'array.po': [8, 16, 24], 'buffers.inputBankEntries': [64, 1024], clockMhz: [150, 200],
  where: ['array.po >= array.pi'],
}));
const read = (d: string): SweepFile => JSON.parse(readFileSync(join(d, 'sweep.json'), 'utf8')) as SweepFile;
const strip = (s: SweepFile) => ({ ...s, space: { ...s.space }, entries: s.entries });

describe('cnna sweep', () => {
  const full = join(tmp, 'full');
  let one: SweepFile;

  it('evaluates every config of the space; refusals carry the schema reason; cycles match compile + perf model', () => {
    const r = cnna(['sweep', model, '--board', 'ultra96', '--space', spaceFile, '-o', full, '--workers', '2', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const res = JSON.parse(r.stdout);
    one = read(full);
    // pi 8: po 8, 16, 24; pi 16: po 16, 24 -> 5 x 2 banks x 2 clocks
    expect(one.counts.configs).toBe(20);
    expect(res.workers).toBe(2);
    const refused = one.entries.filter((e) => e.status === 'refused');
    // po 24 with pi 16 is not a multiple; bank 64 cannot hold the FC input (E_FIT from the back end)
    for (const e of refused) {
      let schema = '';
      try { validateConfig(e.config, 'config'); } catch (x) { schema = (x as Error).message.replace(/^config is invalid: /, ''); }
      if (schema) expect(e.reason).toBe(schema);
      else expect(e.reason).toMatch(/^fashion_cnn: layer '.*': .* \(buffers\.inputBankEntries\)$/);
    }
    expect(refused.filter((e) => (e.config as { array: { pi: number; po: number } }).array.po === 24 && (e.config as { array: { pi: number } }).array.pi === 16).length).toBe(4);
    const qm = quantize(optimize(importOnnx(model)), { calibrationImages: 8, report: false });
    const board = boardByName('ultra96');
    for (const e of one.entries.filter((x) => x.status === 'ok')) {
      const c = e.config as unknown as HwConfig;
      const ref = modelBundle(compileBundle(qm, c), c, board);
      expect(e.models[0].cycles).toBe(ref.cycles);
      expect(e.models[0].layers!.map((l) => l.cycles)).toEqual(ref.perLayer.map((l) => l.cycles));
      expect(e.latencyMs).toBeCloseTo((ref.cycles / (c.clockMhz * 1e3)), 9);
    }
    expect(res.front).toEqual(one.entries.filter((e) => e.pareto).map((e) => e.configHash));
    expect(JSON.parse(readFileSync(join(full, 'best-config.json'), 'utf8'))).toEqual(one.entries.find((e) => e.configHash === one.best)!.config);
    const csv = readFileSync(join(full, 'sweep.csv'), 'utf8').trim().split('\n');
    expect(csv.length).toBe(21);
    expect(csv[0].startsWith('configHash,clockMhz,array.pi,array.po,')).toBe(true);
  });

  it('a second run with the same directory comes from the resume cache, with the same result', () => {
    const r = cnna(['sweep', model, '--board', 'ultra96', '--space', spaceFile, '-o', full, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).cached).toBe(20);
    expect(read(full).entries).toEqual(one.entries);
  });

  it('shards 1/2 and 2/2 merge into exactly the one-run result', () => {
    for (const k of [1, 2]) expect(cnna(['sweep', model, '--space', spaceFile, '-o', join(tmp, `s${k}`), '--shard', `${k}/2`, '--no-cache', '--workers', '1']).code).toBe(0);
    const parts = [1, 2].map((k) => read(join(tmp, `s${k}`)));
    expect(parts[0].counts.configs + parts[1].counts.configs).toBe(20);
    expect(parts.every((p) => p.counts.configs > 0)).toBe(true);
    const m = cnna(['sweep', 'merge', join(tmp, 's1'), join(tmp, 's2'), '-o', join(tmp, 'merged'), '--json']);
    expect(m.code).toBe(0);
    const merged = read(join(tmp, 'merged'));
    expect(strip(merged)).toEqual(strip(one));
    expect(JSON.parse(m.stdout).front).toEqual(one.entries.filter((e) => e.pareto).map((e) => e.configHash));
    const bad = cnna(['sweep', 'merge', join(tmp, 's1'), '-o', join(tmp, 'bad')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('cnna: error [E_USAGE]: sweep merge: expected shards 1..2 of 2 once each, got 1/2\n');
  });

  it('--baseline exits 3 when the best latency regressed past --max-regress, and writes JUnit', () => {
    const base = structuredClone(one);
    const b = base.entries.find((e) => e.configHash === base.best)!;
    b.latencyMs = b.latencyMs! / 2;
    const baseFile = join(tmp, 'baseline.json');
    writeFileSync(baseFile, JSON.stringify(base));
    const junit = join(tmp, 'junit.xml');
    const r = cnna(['sweep', model, '--space', spaceFile, '-o', full, '--baseline', baseFile, '--max-regress', '5', '--junit', junit]);
    expect(r.code).toBe(3);
    const now = one.entries.find((e) => e.configHash === one.best)!.latencyMs!;
    expect(r.stderr).toBe(`cnna: error [E_REGRESSION]: best latency regressed: best latency ${now.toFixed(4)} vs baseline ${(now / 2).toFixed(4)}: +100.00% (allowed 5%)\n  hint: the outputs are written; compare report.html with the baseline's\n`);
    const x = readFileSync(junit, 'utf8');
    const skipped = one.entries.filter((e) => e.status === 'refused' || !e.fit?.ok).length;
    expect(x).toContain(`<testsuite name="cnna sweep ultra96" tests="21" failures="1" skipped="${skipped}">`);
    expect((x.match(/<testcase /g) ?? []).length).toBe(21);
    expect(cnna(['sweep', model, '--space', spaceFile, '-o', full, '--baseline', join(full, 'sweep.json'), '--max-regress', '0']).code).toBe(0);
  });

  it('--verify ref --top 1 runs the best config bit-exact; bad options are refused', () => {
    const r = cnna(['sweep', model, '--space', spaceFile, '-o', full, '--verify', 'ref', '--top', '1', '--calibration-images', '8', '--json']);
    expect(r.code).toBe(0);
    const v = JSON.parse(r.stdout).verify;
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({ configHash: one.best, model: 'fashion_cnn', bitExact: true, mismatches: 0 });
    expect(v[0].modeledCycles).toBe(v[0].simulatedCycles);
    const u = cnna(['sweep', model, '--space', spaceFile, '-o', full, '--verify', 'spice', '--top', '1']);
    expect(u.code).toBe(2);
    expect(u.stderr).toMatch(/^cnna: error \[E_USAGE\]: --verify 'spice' is not a simulator backend\n {2}hint: known: ref, rtl, hls/);
    const nb = cnna(['sweep', model, '--board', 'zedboard', '-o', full]);
    expect(nb.stderr).toBe("cnna: error [E_USAGE]: unknown board 'zedboard'\n  hint: known boards: kv260, pynq-z2, ultra96, ultra96v2, zcu104\n");
    writeFileSync(join(tmp, 'bad-space.json'), JSON.stringify({ 'buffers.inputBank': [1] }));
    const bs = cnna(['sweep', model, '--space', join(tmp, 'bad-space.json'), '-o', full]);
    expect(bs.code).toBe(2);
    expect(bs.stderr.split('\n')[0]).toBe(`cnna: error [E_USAGE]: ${join(tmp, 'bad-space.json')}: 'buffers.inputBank' is not a config field`);
  });

  it('--batch 4: one start of 4 images per config, throughput = 4 / latency; refused with --verify', () => {
    const dir = join(tmp, 'batch4');
    const r = cnna(['sweep', model, '--space', spaceFile, '-o', dir, '--batch', '4', '--objective', 'throughput', '--no-cache', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).batch).toBe(4);
    const b4 = read(dir);
    const b1 = read(full);
    const ok = b4.entries.filter((e) => e.status === 'ok');
    expect(ok.length).toBeGreaterThan(0);
    let compared = 0;
    for (const e of ok) {
      expect(e.throughputIps).toBeCloseTo(4e3 / e.latencyMs!, 6);
      // FC weights cross DDR once per start: a start of 4 costs less than 4 single-image runs. (Configs whose
      // input bank cannot hold the FC input at batch 1 are refused there but run at batch 4, in chunks.)
      const one = b1.entries.find((x) => x.configHash === e.configHash)!;
      if (one.status !== 'ok') continue;
      expect(e.models[0].cycles!).toBeLessThan(4 * one.models[0].cycles!);
      compared++;
    }
    expect(compared).toBeGreaterThan(0);
    const v = cnna(['sweep', model, '--space', spaceFile, '-o', dir, '--batch', '4', '--verify', 'ref', '--top', '1']);
    expect(v.stderr).toContain('[E_CONFIG]: sweep: --verify simulates batch 1 bundles, --batch 4 was given');
  });
});
