// The sweep's timing model: the worst of its path classes, the lane broadcasts paying the net model's
// fanout term (0.04 ns per doubling of PO), on hand-computed figures.
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../boards/ultra96/board.ts';
import { pathClass, timingEstimate } from './timing-estimate.ts';

const at = (po: number, clockMhz = 200) => { const d = defaultConfig(); return { ...d, clockMhz, array: { pi: 8, po } }; };

describe('timing estimate', () => {
  it('a fixed-depth class sets the clock when it is the slowest: 3.9 ns -> 256.4 MHz for every PO', () => {
    const base = { macOperand: 3.4, jobConstant: 3.45, fixed: 3.9 };
    // jobConstant at PO 128: 3.45 + 0.04 * 7 = 3.73 ns, under 3.9.
    expect([8, 16, 128].map((po) => timingEstimate(at(po), base))).toEqual([8, 16, 128].map(() => ({ fmaxMhz: 256.4, worstNs: 3.9, worstClass: 'fixed', meetsClock: true, source: 'model' })));
  });

  it('a lane broadcast grows with PO: 3.45 + 0.04 * log2(64) = 3.69 ns -> 271.0 MHz, over a 3.6 ns fixed class', () => {
    const base = { macOperand: 3.4, jobConstant: 3.45, fixed: 3.6 };
    expect(timingEstimate(at(64, 280), base)).toEqual({ fmaxMhz: 271.0, worstNs: 3.69, worstClass: 'jobConstant', meetsClock: false, source: 'model' });
    // PO 8: 3.45 + 0.12 = 3.57 ns, the fixed class (3.6 ns) is the slowest.
    expect(timingEstimate(at(8), base)).toMatchObject({ worstNs: 3.6, worstClass: 'fixed' });
  });

  it('classes paths by their start and end registers', () => {
    expect(pathClass({ from: 'u_compute.u_mac.x_q[15][15]', to: 'u_compute.u_mac.g_lane[3].p_q[15][21]' }).name).toBe('macOperand');
    expect(pathClass({ from: 'u_compute.job_q[213]', to: 'u_compute.u_post.l3_q[15][14]' }).name).toBe('jobConstant');
    expect(pathClass({ from: 'u_compute.job_q[213]', to: 'u_compute.w_rel[0]' }).name).toBe('fixed');
    expect(pathClass({ from: 'u_compute.u_post.t8_q[15][16]', to: 'out_data[240]' }).name).toBe('fixed');
  });

  it('refuses to guess without a calibration', () => {
    expect(() => timingEstimate(at(16), {})).toThrow('the timing model has no calibration (sim/synth/resource-calibration.json has no "timing.baseNs")');
  });
});
