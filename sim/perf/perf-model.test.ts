// The performance model's bounds on the RTL's AXI masters at short bursts (the watchdog of every RTL run
// is derived from the model, so a bound it misses turns a slow config into a false hang).
import { describe, expect, it } from 'vitest';
import { defaultConfig, ultra96 } from '../../boards/ultra96/board.ts';
import { emptyDescriptor } from '../../compiler/contracts/bundle-format.ts';
import { axiReadFifoBeats, validateConfig, type HwConfig } from '../../compiler/contracts/hw-config.ts';
import { PerfModel, rtlReadBeatsPerCycle } from './perf-model.ts';

const withBurst = (burstBeats: number, o: Partial<HwConfig['array']> = {}): HwConfig => {
  const c = defaultConfig();
  return validateConfig({ ...c, array: { ...c.array, ...o }, axi: { ...c.axi, burstBeats } });
};

describe('performance model at short bursts', () => {
  it('sizes the read FIFO at four bursts, at least 64 beats', () => {
    expect([1, 2, 15, 16, 17, 256].map((b) => axiReadFifoBeats(withBurst(b)))).toEqual([64, 64, 64, 64, 68, 1024]);
  });

  it('bounds a read master by its issue rate and the bursts in flight over the DDR latency (40 cycles)', () => {
    expect(ultra96.ddrLatencyCycles).toBe(40);
    // burst 1: min(1, 1/2, min(64, 16) / 44); burst 2: min(1, 1, 32 / 44); burst 3 and up: one beat per cycle.
    expect(rtlReadBeatsPerCycle(withBurst(1), 40)).toBeCloseTo(16 / 44, 12);
    expect(rtlReadBeatsPerCycle(withBurst(2), 40)).toBeCloseTo(32 / 44, 12);
    expect([3, 4, 16, 256].map((b) => rtlReadBeatsPerCycle(withBurst(b), 40))).toEqual([1, 1, 1, 1]);
  });

  it('counts two address cycles per write burst: rows of wp entries, or one entry per pixel and lane group', () => {
    // PI 16, AXI 128: two beats per entry. 4 x 5 pixels, one lane group: 4 rows of 10 beats.
    const d = { ...emptyDescriptor(), hp: 4, wp: 5, outGroups: 1 };
    expect(new PerfModel(withBurst(16)).writeCycles(d)).toBe(4 * (10 + 2));
    expect(new PerfModel(withBurst(2)).writeCycles(d)).toBe(4 * (10 + 2 * 5));
    // PI 8 x PO 24, AXI 128: one beat per entry; three lane groups, each its own 1-beat burst per pixel.
    expect(new PerfModel(withBurst(16, { pi: 8, po: 24 })).writeCycles({ ...d, outGroups: 3 })).toBe(20 * 3 * 3);
  });
});
