// WINOGRAD jobs on the Verilator model of the engine (array.winograd): seeded 3x3 stride-1 conv layers with
// every pad 0..2 on each side (odd and even heights and widths, so every tile-remainder case at the bottom and
// right edges), no pooling (tiled output writes), max 2x2/2 and average 2x2/1 pooling (windows spanning up to
// four tiles), activations, extreme values, and row tiles of odd height from a small input bank; on two
// configs (PI 8 x PO 16 with two lane groups, and PI 8 x PO 8 with one port and the smallest output FIFO).
// Every output must equal the engine model (sim/ref) and the golden model (direct sums) bit for bit. Plus the
// default CNN with both convs on Winograd against the golden model, the cycle count against the performance
// model, and the driver's refusals.
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../boards/ultra96/board.ts';
import { DESC_BYTES, Flag, decodeDescriptor, encodeDescriptor, type Bundle } from '../../compiler/contracts/bundle-format.ts';
import { validateConfig, type HwConfig } from '../../compiler/contracts/hw-config.ts';
import { compileBundle } from '../../compiler/backend/compile-bundle.ts';
import { runFixed } from '../../compiler/golden/fixed/run-fixed.ts';
import { importOnnx } from '../../compiler/onnx/import-onnx.ts';
import { optimize } from '../../compiler/passes/index.ts';
import { quantize } from '../../compiler/quant/quantize.ts';
import { modelBundle } from '../perf/model-bundle.ts';
import { runBundle } from '../ref/run-bundle.ts';
import { allPadCases, winoCase, type WinoCase } from '../../test/engine/winograd-cases.ts';
import { toTensors } from '../../test/engine/ref-vs-golden.ts';
import { repoRoot } from './rtl-sources.ts';
import { runBundleRtl, runBundlesRtl } from './run-rtl.ts';
import { resolve } from 'node:path';

const base = defaultConfig();
const cfg = (pi: number, po: number, o: { ports?: 1 | 2; inputBankEntries?: number; weightBankWords?: number; outputFifoEntries?: number }): HwConfig => validateConfig({
  ...base,
  array: { ...base.array, pi, po, winograd: true },
  axi: { ...base.axi, dataBits: 64, ports: o.ports ?? base.axi.ports },
  buffers: {
    inputBankEntries: o.inputBankEntries ?? base.buffers.inputBankEntries, weightBankWords: o.weightBankWords ?? base.buffers.weightBankWords,
    outputFifoEntries: o.outputFifoEntries ?? base.buffers.outputFifoEntries,
  },
}, 'Winograd test config');

/** PI 8 x PO 16 (two lane groups), input banks of 200 entries: larger layers run as row tiles. */
const WIDE = cfg(8, 16, { inputBankEntries: 200 });
/**
 * PI 8 x PO 8, one AXI port, the smallest output FIFO (16: the credit check holds every tile), a 40-word weight
 * bank (ring 128 words): Winograd blocks of 60..100 words fill more than the bank (maxBlockWords), so a job's
 * block waits for the previous one to be released.
 */
const NARROW = cfg(8, 8, { ports: 1, outputFifoEntries: 16, weightBankWords: 40 });

const winoJobs = (b: Bundle): number => {
  const v = new DataView(b.descriptors.buffer, b.descriptors.byteOffset, b.descriptors.byteLength);
  let n = 0;
  for (let j = 1; j <= b.manifest.descriptors.count; j++) if (decodeDescriptor(v, j * DESC_BYTES).flags & Flag.WINOGRAD) n++;
  return n;
};

interface Checked { bad: string[]; outputs: number; jobs: number; rtlCycles: number; modelCycles: number; rowTiled: number; pools: Set<string> }

async function runCases(config: HwConfig, cases: WinoCase[]): Promise<Checked> {
  const items = cases.map((c) => ({ c, bundle: compileBundle(c.qm, config, { winograd: 'always' }), t: toTensors(c.inputs) }));
  const r = await runBundlesRtl(items.map((it) => ({ bundle: it.bundle, inputSets: [{ tensors: it.t }] })), { config });
  const out: Checked = { bad: [], outputs: 0, jobs: 0, rtlCycles: 0, modelCycles: 0, rowTiled: 0, pools: new Set() };
  items.forEach((it, k) => {
    const jobs = winoJobs(it.bundle);
    expect(jobs, it.c.desc).toBe(it.bundle.manifest.descriptors.count);
    out.jobs += jobs;
    if (it.bundle.manifest.layers[0].jobs[1] - it.bundle.manifest.layers[0].jobs[0] + 1 > Math.ceil(it.c.qm.graph.outputs[0].shape[1] / config.array.po)) out.rowTiled++;
    out.pools.add(it.c.desc.replace(/.* pool (\d).*/, '$1'));
    const ref = runBundle(it.bundle, it.t, { config });
    const gold = runFixed(it.c.qm, it.t, {});
    const rtl = r.results[k][0];
    const a = ref.raw.y.q, q = rtl.raw.y.q, g = gold.raw.y.q;
    let diff = 0, first = -1;
    for (let i = 0; i < a.length; i++) if (a[i] !== q[i] || g[i] !== q[i]) { diff++; if (first < 0) first = i; }
    if (diff) out.bad.push(`${it.c.desc}: ${diff}/${a.length} differ, first [${first}]: rtl ${q[first]}, ref ${a[first]}, golden ${g[first]}`);
    out.outputs += a.length;
    out.rtlCycles += rtl.cycles;
    out.modelCycles += modelBundle(it.bundle, config).cycles;
  });
  return out;
}

describe('WINOGRAD jobs on the RTL engine', () => {
  it('81 layers (every pad 0..2 per side, odd/even sizes, pools, row tiles) on PI 8 x PO 16 are bit-exact against sim/ref and the golden model', async () => {
    const r = await runCases(WIDE, allPadCases(3));
    expect(r.bad).toEqual([]);
    expect(r.outputs).toBeGreaterThan(20000);
    expect(r.rowTiled).toBeGreaterThan(10);
    expect([...r.pools].sort()).toEqual(['0', '1', '2']);
    // The performance model's Winograd formula (20 cycles per tile and channel group) follows the RTL.
    console.log(`RTL ${r.rtlCycles} cycles, model ${r.modelCycles}`);
    expect(Math.abs(r.modelCycles / r.rtlCycles - 1)).toBeLessThan(0.1);
  }, 1_800_000);

  it('30 more layers on PI 8 x PO 8, one port, a 16-entry output FIFO, blocks larger than the weight bank are bit-exact', async () => {
    const cases = Array.from({ length: 30 }, (_, k) => winoCase(7000 + k, [k % 2, (k >> 1) % 2, (k >> 2) % 2, (k >> 3) % 2]));
    const r = await runCases(NARROW, cases);
    expect(r.bad).toEqual([]);
    expect(r.jobs).toBeGreaterThanOrEqual(30);
    // Winograd blocks beyond the 40-word bank (up to the 128-word ring).
    expect(cases.filter((c) => 20 * Math.ceil(c.inputs.x.dims[1] / 8) > 40).length).toBeGreaterThan(10);
  }, 1_800_000);

  it('the default CNN (models/default/fashion_cnn.onnx) with both convs on Winograd is bit-exact against the golden model', async () => {
    const g = optimize(importOnnx(resolve(repoRoot, 'models/default/fashion_cnn.onnx')));
    const qm = quantize(g, { calibrationImages: 8, report: false });
    const bundle = compileBundle(qm, WIDE, { winograd: 'always' });
    const convs = bundle.manifest.layers.filter((l) => l.op === 'conv');
    expect(convs.length).toBe(2);
    expect(convs.map((l) => l.winograd)).toEqual([true, true]);
    const inName = g.inputs[0].name;
    const dims = g.inputs[0].shape;
    const n = dims.reduce((a, b) => a * b, 1);
    let s = 12345;
    const images = Array.from({ length: 3 }, () => Float32Array.from({ length: n }, () => { s = (s * 1103515245 + 12345) >>> 0; return (s >>> 8) / 2 ** 24; }));
    const r = await runBundleRtl(bundle, images.map((data) => ({ tensors: { [inName]: { dims, data } } })), { config: WIDE });
    const out = bundle.manifest.outputs[0];
    const src = out.hostTail ? qm.graph.nodes.find((nd) => nd.outputs[0] === out.name)!.inputs[0] : out.name;
    images.forEach((data, i) => {
      const gold = runFixed(qm, { [inName]: { dims, data } }, { keepAll: true }).raw[src].q;
      expect(Array.from(r.runs[i].raw[out.name].q)).toEqual(Array.from(gold));
    });
  }, 1_800_000);

  it('the driver refuses a malformed WINOGRAD job and a WINOGRAD job for an engine without array.winograd (E_BUNDLE)', async () => {
    const c = winoCase(21, [1, 1, 1, 1]);
    const b = compileBundle(c.qm, NARROW, { winograd: 'always' });
    const desc = new Uint8Array(b.descriptors);
    const v = new DataView(desc.buffer);
    const d = decodeDescriptor(v, DESC_BYTES);
    d.strideH = 2;
    encodeDescriptor(d, v, DESC_BYTES);
    await expect(runBundleRtl({ ...b, descriptors: desc }, [{ tensors: toTensors(c.inputs) }], { config: NARROW }))
      .rejects.toThrow("descriptor 1 of bundle 'wino': a WINOGRAD job must be 3x3, stride 1, dilation 1 (it is 3x3, stride 2x1, dilation 1x1)");
    const direct = compileBundle(c.qm, base);
    const desc2 = new Uint8Array(direct.descriptors);
    const v2 = new DataView(desc2.buffer);
    const d2 = decodeDescriptor(v2, DESC_BYTES);
    d2.flags |= Flag.WINOGRAD;
    encodeDescriptor(d2, v2, DESC_BYTES);
    await expect(runBundleRtl({ ...direct, descriptors: desc2 }, [{ tensors: toTensors(c.inputs) }], { config: base }))
      .rejects.toThrow("descriptor 1 of bundle 'wino' is a WINOGRAD job, but the engine's config has no array.winograd");
  });
});
