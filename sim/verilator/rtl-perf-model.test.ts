// The performance model (sim/perf, constants in sim/perf/rtl-timing.ts) against the RTL's cycle counter:
// every program of every point of PERF_CHECK_POINTS (perf-check.ts: the Ultra96 default and four
// template configs, which other RTL tests build anyway; the default Fashion-MNIST CNN, the CIFAR-shaped
// All-CNN-C on the default, seeded single-layer programs) run on the Verilator model, and
// |model - RTL| / RTL <= 3 % for each run. After an RTL change that moves a cycle count,
// `node --import tsx scripts/calibrate-perf.ts --points --layers` shows where, and the constant to change
// is in sim/perf/rtl-timing.ts.
import { describe, expect, it } from 'vitest';
import { PERF_CHECK_POINTS, runPerfCheck } from './perf-check.ts';

const MAX_ERROR_PCT = 3;

describe('performance model vs RTL cycles', () => {
  it.each(PERF_CHECK_POINTS.map((p) => p.name))('%s: every program within 3 percent', async (name) => {
    const point = PERF_CHECK_POINTS.find((p) => p.name === name)!;
    const rows = await runPerfCheck(point);
    expect(rows.map((r) => r.program)).toEqual(point.programs);
    for (const r of rows) {
      expect(r.rtl, `${r.program}: RTL cycles`).toBeGreaterThan(0);
      expect(Math.abs(r.errorPct), `${r.program}: model ${r.modeled} vs RTL ${r.rtl} cycles (${r.errorPct.toFixed(2)} %)`).toBeLessThanOrEqual(MAX_ERROR_PCT);
    }
  });
});
