// The engine's AXI ports on the Verilator model: which traffic goes on which port (axi.ports 2 and 1),
// seeded random programs bit-exact against the engine spec (sim/ref) under heavy random backpressure on
// every AXI channel, SLVERR/DECERR answers on chosen bursts ending the run with STATUS 8 AXI, and every
// other status code the engine reports, each with its exact message.
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../boards/ultra96/board.ts';
import {
  DESC_BYTES, FORMAT_VERSION, decodeDescriptor, decodeHeader, encodeDescriptor, encodeHeader, reusesWeights, weightHeaderBytes,
  type Bundle, type Descriptor,
} from '../../compiler/contracts/bundle-format.ts';
import type { HwConfig } from '../../compiler/contracts/hw-config.ts';
import { configHash } from '../../compiler/contracts/hw-config.ts';
import { runBundle } from '../ref/run-bundle.ts';
import { randomCase, type RandomCase } from './random-bundle.ts';
import { runBundleRtl, runBundlesRtl, type AxiStress } from './run-rtl.ts';

const HEAVY: Omit<AxiStress, 'seed'> = { arPct: 60, rGapPct: 50, awPct: 60, wPct: 50, bMaxDelay: 80, rMaxExtraLatency: 120 };

function withPorts(ports: number): HwConfig {
  const c = defaultConfig();
  return { ...c, axi: { ...c.axi, ports } };
}

function mismatches(cases: RandomCase[], config: HwConfig, runs: { raw: Record<string, { q: Int16Array }> }[]): string[] {
  const bad: string[] = [];
  cases.forEach((c, k) => {
    const ref = runBundle(c.bundle, {}, { config, rawInputs: { x: c.input } });
    for (const name of Object.keys(ref.raw)) {
      const a = ref.raw[name].q, b = runs[k].raw[name].q;
      let diff = 0;
      for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) diff++;
      if (diff) bad.push(`${c.summary}: output ${name} differs in ${diff}/${a.length} values`);
    }
  });
  return bad;
}

/** Read beats the loader must fetch for a bundle, from its descriptors: [port-0 traffic, weights]. */
function expectedReadBeats(bundle: Bundle, config: HwConfig): [number, number] {
  const beat = config.axi.dataBits / 8;
  const { pi, po } = config.array;
  const v = new DataView(bundle.descriptors.buffer, bundle.descriptors.byteOffset, bundle.descriptors.byteLength);
  const h = decodeHeader(v, 0);
  let other = DESC_BYTES / beat, weights = 0;
  let prev: Descriptor | null = null;
  for (let j = 1; j <= h.count; j++) {
    const d = decodeDescriptor(v, j * DESC_BYTES);
    other += DESC_BYTES / beat;
    if (!(d.flags & 1)) other += (d.hin * d.win * d.cg * pi * 2) / beat;
    // A job that keeps the previous weight block (REUSE_WEIGHTS) loads neither its header nor its words.
    if (!reusesWeights(d, prev)) {
      other += weightHeaderBytes(po) / beat;
      weights += (d.kh * d.kw * d.cg * pi * po * 2) / beat;
    }
    prev = d;
  }
  return [other, weights];
}

/** First seed from `from` whose case matches `re` (the generator is seeded, so this is fixed). */
function caseWhere(config: HwConfig, re: RegExp, from = 1): RandomCase {
  for (let s = from; s < from + 500; s++) {
    const c = randomCase(config, s);
    if (re.test(c.summary)) return c;
  }
  throw new Error(`no seed from ${from} matches ${re}`);
}

function patchJob(c: RandomCase, job: number, edit: (d: Descriptor) => void): Bundle {
  const bytes = new Uint8Array(c.bundle.descriptors);
  const v = new DataView(bytes.buffer);
  const d = decodeDescriptor(v, job * DESC_BYTES);
  edit(d);
  encodeDescriptor(d, v, job * DESC_BYTES);
  return { ...c.bundle, descriptors: bytes };
}

describe('AXI ports of the RTL engine', () => {
  it('axi.ports 2: weights on port 1, descriptors, tiles and parameters on port 0; 150 random programs bit-exact under heavy backpressure', async () => {
    const config = withPorts(2);
    const cases = Array.from({ length: 150 }, (_, i) => randomCase(config, 3000 + i));
    const items = cases.map((c) => ({ bundle: c.bundle, inputSets: [{ raw: { x: c.input } }] }));
    const calm = await runBundlesRtl(items, { config });
    const stressed = await runBundlesRtl(items, { config, stress: { seed: 42, ...HEAVY } });
    const runsCalm = calm.results.map((r) => r[0]);
    const runsStressed = stressed.results.map((r) => r[0]);
    expect(mismatches(cases, config, runsCalm)).toEqual([]);
    expect(mismatches(cases, config, runsStressed)).toEqual([]);
    const split = cases.map((c, k) => ({ want: expectedReadBeats(c.bundle, config), calm: runsCalm[k].axi.rdPortBeats, stressed: runsStressed[k].axi.rdPortBeats }))
      .filter((s) => s.want.join() !== s.calm.join() || s.want.join() !== s.stressed.join());
    expect(split).toEqual([]);
    const cyc = (rs: { cycles: number }[]) => rs.reduce((a, r) => a + r.cycles, 0);
    // The backpressure really bites: the same programs take far longer.
    expect(cyc(runsStressed)).toBeGreaterThan(1.5 * cyc(runsCalm));
  }, 600_000);

  it('axi.ports 1: every read on port 0; 60 random programs bit-exact under heavy backpressure', async () => {
    const config = withPorts(1);
    const cases = Array.from({ length: 60 }, (_, i) => randomCase(config, 4000 + i));
    const r = await runBundlesRtl(cases.map((c) => ({ bundle: c.bundle, inputSets: [{ raw: { x: c.input } }] })), { config, stress: { seed: 7, ...HEAVY } });
    const runs = r.results.map((x) => x[0]);
    expect(mismatches(cases, config, runs)).toEqual([]);
    const split = cases.map((c, k) => {
      const [other, weights] = expectedReadBeats(c.bundle, config);
      return { want: [other + weights, 0].join(), got: runs[k].axi.rdPortBeats.join(), bursts1: runs[k].axi.rdBursts[1] };
    }).filter((s) => s.want !== s.got || s.bursts1 !== 0);
    expect(split).toEqual([]);
  }, 600_000);
});

describe('RTL engine status codes', () => {
  const config = defaultConfig();
  const hash = configHash(config);
  const refused = (model: string, status: string) => `the RTL engine refused bundle '${model}': status ${status} (engine config ${hash})`;
  const axiStop = (model: string) => `the RTL engine stopped running bundle '${model}' (run 0): status 8 AXI (a DDR access got an error response)`;
  const conv = caseWhere(config, /: conv .* k [2-5]x[2-5] .*pool 0 .*jobs [23]$/);
  const fc = caseWhere(config, /: fc cin \d{4,} cout (1[7-9]|[2-3]\d) /);
  const run = (bundle: Bundle, c: RandomCase, opts: Parameters<typeof runBundleRtl>[2] = {}) => runBundleRtl(bundle, [{ raw: { x: c.input } }], { config, ...opts });

  it('1 BAD_MAGIC: descriptor 0 is not a HEADER', async () => {
    const d = new Uint8Array(conv.bundle.descriptors);
    d[4] ^= 0x01;
    await expect(run({ ...conv.bundle, descriptors: d }, conv)).rejects.toThrow(refused(conv.bundle.manifest.model, '1 BAD_MAGIC (descriptor 0 is not a HEADER record)'));
  }, 600_000);

  it('2 BAD_VERSION: the HEADER carries another format version', async () => {
    const d = new Uint8Array(conv.bundle.descriptors);
    const v = new DataView(d.buffer);
    const h = decodeHeader(v, 0);
    encodeHeader({ ...h, version: FORMAT_VERSION + 1 }, v, 0);
    await expect(run({ ...conv.bundle, descriptors: d }, conv)).rejects.toThrow(refused(conv.bundle.manifest.model, '2 BAD_VERSION (bundle format version differs from the engine)'));
  }, 600_000);

  it('3 CONFIG_MISMATCH: the HEADER carries another config hash', async () => {
    const d = new Uint8Array(conv.bundle.descriptors);
    d[20] ^= 0x80;
    await expect(run({ ...conv.bundle, descriptors: d }, conv)).rejects.toThrow(refused(conv.bundle.manifest.model, '3 CONFIG_MISMATCH (the bundle was compiled for another hardware config)'));
  }, 600_000);

  it('4 BAD_OPCODE: the second JOB record is not a JOB', async () => {
    const b = patchJob(conv, 2, (d) => { d.opcode = 2; });
    await expect(run(b, conv)).rejects.toThrow(refused(conv.bundle.manifest.model, '4 BAD_OPCODE (a descriptor is not a JOB)'));
  }, 600_000);

  it('5 INPUT_BANK: a tile of 65 x 65 entries does not fit 4096', async () => {
    const b = patchJob(conv, 1, (d) => { d.hin = 65; d.win = 65; d.cg = 1; });
    await expect(run(b, conv)).rejects.toThrow(refused(conv.bundle.manifest.model, "5 INPUT_BANK (a job's input tile exceeds buffers.inputBankEntries)"));
  }, 600_000);

  it('6 WEIGHT_BANK: a 19 x 17 conv kernel (323 words) does not fit 320', async () => {
    const b = patchJob(conv, 1, (d) => { d.kh = 19; d.kw = 17; d.cg = 1; d.hc = d.wc = d.hp = d.wp = 2; });
    await expect(run(b, conv)).rejects.toThrow(refused(conv.bundle.manifest.model, "6 WEIGHT_BANK (a job's weight block exceeds buffers.weightBankWords, or a WINOGRAD block the weight ring (maxBlockWords))"));
  }, 600_000);

  it('7 ZERO_DIM: a zero vertical stride', async () => {
    const b = patchJob(conv, 1, (d) => { d.strideH = 0; });
    await expect(run(b, conv)).rejects.toThrow(refused(conv.bundle.manifest.model, '7 ZERO_DIM (a job has a zero dimension, kernel, stride or dilation)'));
  }, 600_000);

  it('9 BAD_BASE: the HEADER says the bundle runs past 4 GiB from BASE', async () => {
    const d = new Uint8Array(conv.bundle.descriptors);
    const v = new DataView(d.buffer);
    encodeHeader({ ...decodeHeader(v, 0), ddrBytes: 0xffff_fff0 }, v, 0);
    await expect(run({ ...conv.bundle, descriptors: d }, conv)).rejects.toThrow(refused(conv.bundle.manifest.model,
      "9 BAD_BASE (the bundle does not lie below 4 GiB (BASE_HI != 0, or BASE + the HEADER's ddrBytes > 2^32): the engine's AXI address is 32 bits)"));
  }, 600_000);

  it('8 AXI: SLVERR on the HEADER read, DECERR on a weight burst of port 1 mid-stream, SLVERR on the last write, each under backpressure', async () => {
    const clean = (await run(fc.bundle, fc)).runs[0].axi;
    expect(clean.rdBursts[1]).toBeGreaterThan(100);
    const cases: Parameters<typeof runBundleRtl>[2][] = [
      { inject: [{ kind: 'read', port: 0, burst: 0, resp: 'SLVERR' }] },
      { inject: [{ kind: 'read', port: 1, burst: Math.floor(clean.rdBursts[1] / 2), resp: 'DECERR' }], stress: { seed: 3, ...HEAVY } },
      { inject: [{ kind: 'read', port: 0, burst: clean.rdBursts[0] - 1, resp: 'DECERR' }] },
      { inject: [{ kind: 'write', burst: clean.wrBursts - 1, resp: 'SLVERR' }], stress: { seed: 4, ...HEAVY } },
    ];
    for (const o of cases) await expect(run(fc.bundle, fc, o)).rejects.toThrow(axiStop(fc.bundle.manifest.model));
    // The same bursts answered OKAY run to the end, bit-exact.
    const ok = await run(fc.bundle, fc, { stress: { seed: 3, ...HEAVY } });
    expect(mismatches([fc], config, ok.runs)).toEqual([]);
  }, 600_000);

  it('8 AXI: after an error run the engine starts again cleanly in the same process (errors on runs 0 and 2 of 4)', async () => {
    const clean = (await run(fc.bundle, fc)).runs[0];
    const sets = Array.from({ length: 4 }, () => ({ raw: { x: fc.input } }));
    const r = await runBundleRtl(fc.bundle, sets, {
      config, returnStatus: true,
      inject: [{ run: 0, kind: 'read', port: 1, burst: 3, resp: 'SLVERR' }, { run: 2, kind: 'write', burst: 0, resp: 'DECERR' }],
    });
    expect(r.runs.map((x) => [x.status, x.axi.errorsInjected])).toEqual([[8, 1], [0, 0], [8, 1], [0, 0]]);
    // The runs after an error are bit-exact and as fast as a run in a fresh process (within the DDR
    // model's arbitration phase: 1%).
    for (const k of [1, 3]) expect(Math.abs(r.runs[k].cycles - clean.cycles)).toBeLessThan(clean.cycles / 100);
    expect(mismatches([fc, fc], config, [r.runs[1], r.runs[3]])).toEqual([]);
    // The error run stopped early: fewer jobs than the program has.
    expect(r.runs[0].jobs).toBeLessThan(fc.bundle.manifest.descriptors.count);
  }, 600_000);
});
