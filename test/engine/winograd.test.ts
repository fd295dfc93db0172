// Winograd jobs end to end on the engine model: random 3x3 stride-1 convs (every pad 0..2 on each side,
// odd and even output sizes, row tiles of odd height from a small input bank, fused activations and pools,
// several channel groups) compiled for a config with array.winograd run bit-exact against the golden model,
// which computes the direct sums. Plus the per-layer choice, the perf model's multiply count, and the
// refusals (an engine without Winograd, a malformed Winograd job).
import { describe, expect, it } from 'vitest';
import type { QuantizedModel } from '../../compiler/golden/fixed/quantized-model.ts';
import { DESC_BYTES, Flag, decodeDescriptor, emptyDescriptor, encodeDescriptor, type Bundle } from '../../compiler/contracts/bundle-format.ts';
import { compileBundle } from '../../compiler/backend/compile-bundle.ts';
import { defaultConfig } from '../../boards/ultra96/board.ts';
import { runBundle } from '../../sim/ref/run-bundle.ts';
import { makeDdr, runJob } from '../../sim/ref/run-job.ts';
import { PerfModel } from '../../sim/perf/perf-model.ts';
import { rtlPackage } from '../../sim/verilator/rtl-sources.ts';
import { compareRefGolden, toTensors } from './ref-vs-golden.ts';
import { rng } from './random-layer.ts';
import { allPadCases, winoCase, winoConfig } from './winograd-cases.ts';

const winoJobs = (b: Bundle): number => {
  const v = new DataView(b.descriptors.buffer, b.descriptors.byteOffset, b.descriptors.byteLength);
  let n = 0;
  for (let j = 1; j <= b.manifest.descriptors.count; j++) if (decodeDescriptor(v, j * DESC_BYTES).flags & Flag.WINOGRAD) n++;
  return n;
};

describe('Winograd jobs on the engine model', () => {
  it('81 layers (every pad 0..2 per side, odd/even outputs, pools, extremes) are bit-exact against the golden model', () => {
    const config = winoConfig();
    let outputs = 0;
    for (const c of allPadCases(3)) {
      const b = compileBundle(c.qm, config, { winograd: 'always' });
      expect(b.manifest.layers[0].winograd, c.desc).toBe(true);
      const r = compareRefGolden(c.qm, toTensors(c.inputs), config, { winograd: 'always' });
      expect(r.first, c.desc).toBeUndefined();
      outputs += r.total;
    }
    expect(outputs).toBeGreaterThan(20000);
  });

  it('row tiles of odd height (a small input bank cuts the layer into many jobs) stay bit-exact', () => {
    const config = winoConfig({ inputBankEntries: 40 });
    let jobs = 0;
    for (let k = 0; k < 12; k++) {
      const c = winoCase(500 + k, [k % 3, (k >> 1) % 3, (k + 1) % 3, (k >> 2) % 3]);
      const b = compileBundle(c.qm, config, { winograd: 'always' });
      jobs += winoJobs(b);
      const r = compareRefGolden(c.qm, toTensors(c.inputs), config, { winograd: 'always' });
      expect(r.first, c.desc).toBeUndefined();
    }
    expect(jobs).toBeGreaterThan(40);
  });

  it('grouped and depthwise convs, pads wider than the kernel and per-channel weight formats stay bit-exact', () => {
    const config = winoConfig();
    const shapes: { C: number; group: number; pads: [number, number, number, number]; perChannel: boolean }[] = [
      { C: 24, group: 24, pads: [1, 1, 1, 1], perChannel: false },
      { C: 40, group: 2, pads: [0, 2, 1, 0], perChannel: true },
      { C: 7, group: 1, pads: [3, 0, 4, 1], perChannel: true },
      { C: 33, group: 1, pads: [5, 5, 5, 5], perChannel: false },
    ];
    for (const [k, sh] of shapes.entries()) {
      const c = winoCase(900 + k, sh.pads);
      const node = c.qm.graph.nodes[0] as typeof c.qm.graph.nodes[0] & { group: number };
      const [, , H, W] = c.inputs.x.dims;
      const M = sh.group === 1 ? 12 : sh.C;
      const Cg = sh.C / sh.group;
      const r = rng(77 + k);
      node.group = sh.group;
      c.qm.graph.inputs[0].shape = [1, sh.C, H, W];
      c.qm.graph.shapes.set('x', [1, sh.C, H, W]);
      const y = c.qm.graph.shapes.get('y')!;
      c.qm.graph.shapes.set('y', [1, M, y[2], y[3]]);
      c.qm.graph.outputs[0].shape = [1, M, y[2], y[3]];
      c.qm.weights.set('conv', {
        q: Int16Array.from({ length: M * Cg * 9 }, () => Math.floor(r() * 65536) - 32768), dims: [M, Cg, 3, 3],
        wf: sh.perChannel ? Array.from({ length: M }, (_, m) => 13 + (m % 4)) : [15],
      });
      c.qm.biases.set('conv', { q: Float64Array.from({ length: M }, () => Math.floor(r() * 2 ** 28) - 2 ** 27) });
      c.inputs.x = { q: Int16Array.from({ length: sh.C * H * W }, () => Math.floor(r() * 65536) - 32768), f: 14, dims: [1, sh.C, H, W] };
      expect(compileBundle(c.qm, config, { winograd: 'always' }).manifest.layers[0].winograd, JSON.stringify(sh)).toBe(true);
      const cmp = compareRefGolden(c.qm, toTensors(c.inputs), config, { winograd: 'always' });
      expect(cmp.first, JSON.stringify(sh)).toBeUndefined();
      expect(cmp.total).toBeGreaterThan(0);
    }
  });

  it('a config without array.winograd gets direct jobs only; the choice follows the modeled cycles', () => {
    const c = winoCase(11, [1, 1, 1, 1]);
    const direct = compileBundle(c.qm, defaultConfig());
    expect(winoJobs(direct)).toBe(0);
    expect(direct.manifest.layers[0].winograd).toBeUndefined();
    // A 64-channel 3x3 layer on 28x28: Winograd (16 steps per 2x2 tile and group) beats direct (36).
    const big = wideCase(64, 28);
    const b = compileBundle(big, winoConfig());
    const layer = b.manifest.layers[0];
    expect(layer.winograd).toBe(true);
    expect(layer.macs).toBe(64 * 64 * 9 * 28 * 28);
    expect(layer.mults).toBe(64 * 64 * 16 * 14 * 14);
    // A Winograd block may fill the weight ring (2·weightBankWords rounded up to a power of two): 80 words
    // (20 per group x 4 groups) do not fit a bank of 32 (ring 64): direct; a bank of 33 (ring 128) takes them.
    expect(compileBundle(big, winoConfig({ weightBankWords: 32 })).manifest.layers[0].winograd).toBeUndefined();
    expect(compileBundle(big, winoConfig({ weightBankWords: 33 })).manifest.layers[0].winograd).toBe(true);
  });

  it('the performance model counts 16 steps per 2x2 tile and channel group for a Winograd job', () => {
    const d = emptyDescriptor();
    Object.assign(d, { kh: 3, kw: 3, strideH: 1, strideW: 1, dilH: 1, dilW: 1, cg: 3, hin: 7, win: 9, hc: 5, wc: 7, hp: 5, wp: 7, outGroups: 1 });
    const perf = new PerfModel(winoConfig());
    expect(perf.timeline().add(d).macSteps).toBe(5 * 7 * 9 * 3);
    d.flags = Flag.WINOGRAD;
    expect(perf.timeline().add(d).macSteps).toBe(3 * 4 * 16 * 3);
    // Its weight block: header (160 B at PO 16) + 20 words per group.
    expect(perf.timeline().add(d).ddrBytes).toBe(7 * 9 * 3 * 32 + 160 + 20 * 3 * 512 + 5 * 7 * 32 + 64);
  });

  it('refuses a Winograd job on an engine without it and a malformed Winograd job; the RTL package of a Winograd config says WINOGRAD', () => {
    const c = winoCase(21, [1, 1, 1, 1]);
    const b = compileBundle(c.qm, defaultConfig());
    const desc = new Uint8Array(b.descriptors);
    const v = new DataView(desc.buffer);
    const d = decodeDescriptor(v, DESC_BYTES);
    d.flags |= Flag.WINOGRAD;
    encodeDescriptor(d, v, DESC_BYTES);
    expect(() => runBundle({ ...b, descriptors: desc }, toTensors(c.inputs)))
      .toThrow("descriptor 1 is a WINOGRAD job, but the engine's config has no array.winograd");
    const ddr = makeDdr(1 << 16);
    const j = emptyDescriptor();
    Object.assign(j, { flags: Flag.WINOGRAD, kh: 3, kw: 3, strideH: 2, strideW: 1, dilH: 1, dilW: 1, cg: 1, hin: 4, win: 4, hc: 2, wc: 2, hp: 2, wp: 2, outGroups: 1, wAddr: 0, inAddr: 20000, outAddr: 30000 });
    expect(() => runJob(ddr, j, 16, 16, 5)).toThrow('job 5: a WINOGRAD job must be 3x3, stride 1, dilation 1 (it is 3x3, stride 2x1, dilation 1x1)');
    Object.assign(j, { strideH: 1, cg: 228, hin: 1, win: 1 });
    expect(() => runJob(makeDdr(1 << 22), j, 16, 16, 6)).toThrow('job 6: a WINOGRAD job reduces over 3648 lanes (cg 228 x PI 16), more than 3640');
    // The RTL runs them (sim/verilator/rtl-winograd.test.ts): its package says so.
    expect(rtlPackage(winoConfig())).toContain('localparam int unsigned WINOGRAD = 1;');
  });
});

function wideCase(C: number, HW: number): QuantizedModel {
  const r = rng(C * 7 + HW);
  return {
    graph: {
      name: 'wide', opset: 13, inputs: [{ name: 'x', shape: [1, C, HW, HW] }], outputs: [{ name: 'y', shape: [1, C, HW, HW] }], initializers: new Map(),
      nodes: [{ op: 'conv', name: 'conv', inputs: ['x', 'w', 'b'], outputs: ['y'], kernel: [3, 3], strides: [1, 1], pads: [1, 1, 1, 1], dilations: [1, 1], group: 1, activation: { kind: 'relu' } }],
      shapes: new Map([['x', [1, C, HW, HW]], ['y', [1, C, HW, HW]]]),
    },
    formats: new Map([['x', 14], ['y', 12]]),
    weights: new Map([['conv', { q: Int16Array.from({ length: C * C * 9 }, () => Math.floor(r() * 8001) - 4000), dims: [C, C, 3, 3], wf: [15] }]]),
    biases: new Map([['conv', { q: new Float64Array(C) }]]),
    constants: new Map(), options: { format: 'auto', perChannel: false, calibration: 'test' }, report: [],
  };
}
