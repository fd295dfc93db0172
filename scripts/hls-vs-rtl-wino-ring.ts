// Cycles of the HLS engine's clocked model against the RTL on Winograd blocks larger than the weight bank
// (up to the weight ring): a 40-word bank (ring 128 words), a seeded 3x3 layer of 80 -> 40 channels, 10x10,
// max pool, compiled as 3 Winograd jobs of 100-word blocks (each waits for the previous job's block to
// leave the ring), both outputs against the golden model. Not a test (it builds a Verilator model).
//   node --import tsx scripts/hls-vs-rtl-wino-ring.ts [--json]
import { parseArgs } from 'node:util';
import { compileBundle } from '../compiler/backend/compile-bundle.ts';
import { compareRefGolden, toTensors } from '../test/engine/ref-vs-golden.ts';
import { winoCase, winoConfig } from '../test/engine/winograd-cases.ts';
import { runBundlesHls } from '../sim/hls/run-hls.ts';
import { runBundleRtl } from '../sim/verilator/run-rtl.ts';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { json: { type: 'boolean', default: false } } });
  const config = winoConfig({ weightBankWords: 40 });
  const c = winoCase(51, [1, 1, 1, 1], { C: 80, M: 40, H: 10, W: 10, pool: 'max' });
  const b = compileBundle(c.qm, config, { winograd: 'always' });
  const golden = compareRefGolden(c.qm, toTensors(c.inputs), config, { winograd: 'always' }).golden.y;
  const input = { raw: { x: c.inputs.x.q } };
  const h = (await runBundlesHls([{ bundle: b, inputSets: [input] }], { config, mode: 'clocked' })).results[0][0];
  const r = (await runBundleRtl(b, [input], { config })).runs[0];
  const same = (q: Int16Array): boolean => q.length === golden.length && q.every((v, i) => v === golden[i]);
  const out = { jobs: b.manifest.descriptors.count, hlsCycles: h.cycles, rtlCycles: r.cycles, hlsVsRtl: h.cycles / r.cycles - 1, hlsBitExact: same(h.raw.y.q), rtlBitExact: same(r.raw.y.q) };
  if (values.json) console.log(JSON.stringify(out));
  else console.log(`${out.jobs} jobs: HLS clocked ${out.hlsCycles} cycles, RTL ${out.rtlCycles} (${(100 * out.hlsVsRtl).toFixed(1)} %); bit-exact HLS ${out.hlsBitExact}, RTL ${out.rtlBitExact}`);
}
void main();
