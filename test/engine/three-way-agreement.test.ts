// Three executors, one set of bundles: the golden model, the RTL under Verilator and the HLS engine in its
// clocked SystemC model run the same program bundles (60 shared golden vectors, the default Fashion-MNIST
// model on 4 test images, and fashion_lenet from ../shared when present) and must agree bit for bit; the
// HLS model's cycles must be within 10% of the RTL's on the Fashion-MNIST models. The same for Winograd jobs
// (array.winograd): the 81 seeded pad layers and the default CNN with both convs on Winograd.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../boards/ultra96/board.ts';
import { compileBundle } from '../../compiler/backend/compile-bundle.ts';
import { readBundle } from '../../compiler/backend/bundle-io.ts';
import type { Bundle } from '../../compiler/contracts/bundle-format.ts';
import { fashionMnistAvailable, loadFashionMnist } from '../../compiler/data/fashion-mnist.ts';
import { toBatch } from '../../compiler/data/preprocess.ts';
import { runFixed } from '../../compiler/golden/fixed/run-fixed.ts';
import { importOnnx } from '../../compiler/onnx/import-onnx.ts';
import { optimize } from '../../compiler/passes/index.ts';
import { quantize } from '../../compiler/quant/quantize.ts';
import { quant } from '../../compiler/golden/fixed/fixed-point.ts';
import { runBundlesHls } from '../../sim/hls/run-hls.ts';
import { runBundlesRtl } from '../../sim/verilator/run-rtl.ts';
import { repoRoot } from '../../sim/verilator/rtl-sources.ts';
import { validateConfig, type HwConfig } from '../../compiler/contracts/hw-config.ts';
import { compareRefGolden, toTensors } from './ref-vs-golden.ts';
import { allPadCases } from './winograd-cases.ts';

interface Item { name: string; bundle: Bundle; inputSets: { raw: Record<string, Int16Array> }[]; gold: Record<string, Int16Array>[]; model: boolean }

/**
 * Runs the items on the RTL and the HLS engine (clocked) and compares both with the golden outputs:
 * the disagreeing outputs, the values compared, and per model item its RTL and HLS cycles, which must be
 * within 10 % of each other.
 */
async function threeWay(items: Item[], config: HwConfig): Promise<{ disagree: string[]; values: number; cycles: string[] }> {
  const rtl = await runBundlesRtl(items, { config });
  const hls = await runBundlesHls(items, { config, mode: 'clocked' });
  const disagree: string[] = [];
  const cycles: string[] = [];
  let values = 0;
  items.forEach((it, b) => {
    it.inputSets.forEach((_, i) => {
      for (const [name, g] of Object.entries(it.gold[i])) {
        const r = rtl.results[b][i].raw[name].q, h = hls.results[b][i].raw[name].q;
        let bad = 0;
        for (let k = 0; k < g.length; k++) if (r[k] !== g[k] || h[k] !== g[k]) bad++;
        values += g.length;
        if (bad || r.length !== g.length || h.length !== g.length) disagree.push(`${it.name} image ${i} ${name}: ${bad}/${g.length} values differ`);
      }
    });
    if (it.model) {
      const rc = rtl.results[b][0].cycles, hc = hls.results[b][0].cycles;
      cycles.push(`${it.name}: RTL ${rc}, HLS ${hc} (${((100 * (hc - rc)) / rc).toFixed(1)}%)`);
      expect(Math.abs(hc - rc) / rc, `${it.name} cycles`).toBeLessThanOrEqual(0.1);
    }
  });
  return { disagree, values, cycles };
}

function i16(file: string): Int16Array {
  const b = readFileSync(file);
  return new Int16Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

function vectors(n: number): Item[] {
  const dir = join(repoRoot, 'test', 'vectors', 'engine');
  return readdirSync(dir).filter((d) => d.startsWith('case-')).sort().slice(0, n).map((c) => {
    const bundle = readBundle(join(dir, c));
    const raw = Object.fromEntries(bundle.manifest.inputs.map((io) => [io.name, i16(join(dir, c, `in-${io.name}.bin`))]));
    const gold = Object.fromEntries(bundle.manifest.outputs.map((io) => [io.name, i16(join(dir, c, `out-${io.name}.bin`))]));
    return { name: c, bundle, inputSets: [{ raw }], gold: [gold], model: false };
  });
}

function fashion(name: string, path: string, n: number, config: HwConfig = defaultConfig(), winograd?: 'always'): Item {
  const g = optimize(importOnnx(path));
  const qm = quantize(g, { calibrationImages: 32, report: false });
  const bundle = compileBundle(qm, config, winograd ? { winograd } : {});
  const io = bundle.manifest.inputs[0];
  const out = bundle.manifest.outputs[0];
  const src = out.hostTail ? qm.graph.nodes.find((nd) => nd.outputs[0] === out.name)!.inputs[0] : out.name;
  const x = toBatch(loadFashionMnist('test'), 0, n);
  const per = x.data.length / n;
  const inputSets: Item['inputSets'] = [];
  const gold: Item['gold'] = [];
  for (let i = 0; i < n; i++) {
    const xi = { dims: [1, ...x.dims.slice(1)], data: x.data.subarray(i * per, (i + 1) * per) };
    inputSets.push({ raw: { [io.name]: Int16Array.from(xi.data, (v) => quant(v, io.f)) } });
    gold.push({ [out.name]: runFixed(qm, { [g.inputs[0].name]: xi }, { keepAll: true }).raw[src].q });
  }
  return { name, bundle, inputSets, gold, model: true };
}

describe('golden model, RTL and HLS agree on the same bundles', () => {
  it('bit for bit on 60 golden vectors and the Fashion-MNIST models; HLS cycles within 10% of the RTL\'s', async () => {
    const items = vectors(60);
    if (fashionMnistAvailable()) {
      items.push(fashion('fashion_cnn', resolve(repoRoot, 'models/default/fashion_cnn.onnx'), 4));
      const lenet = resolve(process.env.CNNA_SHARED ?? resolve(repoRoot, '../shared'), 'models/fashion_lenet.onnx');
      if (existsSync(lenet)) items.push(fashion('fashion_lenet', lenet, 2));
    }
    const { disagree, values, cycles } = await threeWay(items, defaultConfig());
    console.log(`three-way: ${items.length} bundles, ${values} values; cycles ${cycles.join('; ')}`);
    expect(disagree).toEqual([]);
    expect(values).toBeGreaterThan(15_000);
  }, 1_800_000);

  // PI 8 x PO 16 (two lane groups), AXI 64, 200-entry input banks (row tiles), array.winograd: the config of
  // sim/verilator/rtl-winograd.test.ts ("WIDE"), so the Verilator build is shared with that test.
  const base = defaultConfig();
  const wide = validateConfig({ ...base, array: { ...base.array, pi: 8, po: 16, winograd: true }, axi: { ...base.axi, dataBits: 64 }, buffers: { ...base.buffers, inputBankEntries: 200 } });

  it('on Winograd jobs too: 81 seeded layers and the default CNN with both convs on Winograd; HLS cycles within 10% of the RTL\'s on the CNN', async () => {
    const items: Item[] = allPadCases(3).map((c, k) => {
      const bundle = compileBundle(c.qm, wide, { winograd: 'always' });
      const r = compareRefGolden(c.qm, toTensors(c.inputs), wide, { winograd: 'always' });
      expect(r.first, c.desc).toBeUndefined();
      return { name: `wino-${k} ${c.desc}`, bundle, inputSets: [{ raw: { x: c.inputs.x.q } }], gold: [{ y: r.golden.y }], model: false };
    });
    if (fashionMnistAvailable()) items.push(fashion('fashion_cnn (Winograd)', resolve(repoRoot, 'models/default/fashion_cnn.onnx'), 2, wide, 'always'));
    const { disagree, values, cycles } = await threeWay(items, wide);
    console.log(`three-way Winograd: ${cycles.join('; ')}`);
    expect(disagree).toEqual([]);
    expect(values).toBeGreaterThan(30_000);
  }, 1_800_000);
});
