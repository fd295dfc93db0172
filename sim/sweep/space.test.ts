// The space file: schema errors name the field, ranges and constraints expand as written, shards
// partition the configs; the Pareto front of hand-made points.
import { describe, expect, it } from 'vitest';
import { boardDefaultConfig } from '../../boards/index.ts';
import { expandSpace, inShard, parseShard, parseSpace } from './space.ts';
import { markPareto } from './pareto.ts';
import type { SweepEntry } from './evaluate.ts';

const defaults = boardDefaultConfig('ultra96');
const err = (raw: unknown): string => { try { parseSpace(raw, defaults, 'space.json'); return 'no error'; } catch (e) { return (e as Error).message; } };

describe('space file', () => {
  it('names the bad field', () => {
    expect(err({ 'array.px': [8] })).toBe("space.json: 'array.px' is not a config field");
    expect(err({ 'array.pi': [] })).toBe("space.json: 'array.pi' must be a non-empty list of values or {\"from\", \"to\", \"step\"}");
    expect(err({ 'array.pi': { from: 8, to: 4, step: 4 } })).toBe("space.json: 'array.pi': range 'to' (4) is below 'from' (8)");
    expect(err({ 'array.pi': { from: 8, to: 16 } })).toBe("space.json: 'array.pi' must be a non-empty list of values or {\"from\", \"to\", \"step\"}");
    expect(err({ clockMhz: ['fast'] })).toBe("space.json: 'clockMhz': value \"fast\" is not a number");
    expect(err({ where: ['array.po >= array.qi'] })).toBe("space.json: where[0]: unknown field 'array.qi' in 'array.po >= array.qi'");
    expect(err({ where: ['array.po >= '] })).toBe("space.json: where[0]: unexpected end in 'array.po >= '");
    expect(err({ where: 'array.po >= 8' })).toBe("space.json: 'where' must be a list of constraint strings");
    expect(err([1, 2])).toBe('space.json: a space is a JSON object from config paths to values');
  });

  it('expands lists and ranges in file order, filtered by the constraints', () => {
    const s = parseSpace({ 'array.pi': [8, 16], 'array.po': { from: 8, to: 32, step: 8 }, clockMhz: [150, 200], where: ['array.po >= array.pi', 'array.po % array.pi == 0'] }, defaults, 's');
    expect(s.axes.map((a) => [a.path, a.values])).toEqual([['array.pi', [8, 16]], ['array.po', [8, 16, 24, 32]], ['clockMhz', [150, 200]]]);
    const { configs, excluded } = expandSpace(s, defaults);
    // pi 8: po 8, 16, 24, 32; pi 16: po 16, 32 -> 6 x 2 clocks
    expect(configs.length).toBe(12);
    expect(excluded).toBe(4);
    expect(configs.map((c) => `${(c.array as { pi: number }).pi}/${(c.array as { po: number }).po}/${c.clockMhz}`).slice(0, 4)).toEqual(['8/8/150', '8/8/200', '8/16/150', '8/16/200']);
    expect(configs[0].buffers).toEqual(defaults.buffers);
  });

  it('array.winograd is a field although the board default leaves it out; false expands to no field', () => {
    expect(err({ 'array.winograd': [1] })).toBe("space.json: 'array.winograd': value 1 is not a boolean");
    const s = parseSpace({ 'array.winograd': [false, true], 'array.pi': [8, 16], where: ['array.winograd == 0 || array.pi == 16'] }, defaults, 's');
    const { configs, excluded } = expandSpace(s, defaults);
    expect(excluded).toBe(1);
    expect(configs.map((c) => c.array)).toEqual([{ pi: 8, po: defaults.array.po }, { pi: 16, po: defaults.array.po }, { pi: 16, po: defaults.array.po, winograd: true }]);
  });

  it('shards partition the configs; --shard is checked', () => {
    const hashes = Array.from({ length: 200 }, (_, i) => (i * 2654435761 % 2 ** 32).toString(16).padStart(16, '0'));
    const counts = [1, 2, 3].map((k) => hashes.filter((h) => inShard(h, { k, n: 3 })).length);
    expect(counts.reduce((a, b) => a + b)).toBe(200);
    for (const h of hashes) expect([1, 2, 3].filter((k) => inShard(h, { k, n: 3 })).length).toBe(1);
    expect(parseShard('2/4')).toEqual({ k: 2, n: 4 });
    expect(() => parseShard('5/4')).toThrow("--shard '5/4' is not K/N with 1 <= K <= N");
  });
});

describe('Pareto front', () => {
  const e = (h: string, lat: number, dsp: number, bram: number, lut: number, fits = true): SweepEntry => ({
    index: 0, configHash: h, config: {}, status: 'ok', models: [], latencyMs: lat, throughputIps: 1e3 / lat, pareto: false,
    resources: { dsp, bram36: bram, lut, lutAsLogic: lut, lutAsMemory: 0, ff: 0, source: 'model', breakdown: { inputBanksBram36: 0, weightRingBram36: 0, macDsp: 0, postOpDsp: 0 } },
    fit: { ok: fits } as SweepEntry['fit'],
  });
  it('keeps the non-dominated fitting points; best is the lowest latency, ties by DSP', () => {
    const pts = [e('a', 10, 100, 10, 1000), e('b', 5, 300, 10, 1000), e('c', 10, 200, 10, 1000), e('d', 5, 200, 20, 1000), e('f', 1, 50, 1, 10, false), e('g', 5, 200, 20, 1000)];
    const best = markPareto(pts, 'latency');
    expect(pts.filter((p) => p.pareto).map((p) => p.configHash)).toEqual(['a', 'b', 'd', 'g']);
    expect(best!.configHash).toBe('d');
  });
});
