// The resource model against Yosys: every cnna_sdp_ram shape measured alone, the full-engine points it
// was fitted on, and the configs held out of the fit (DSP exact, BRAM36 within 2, LUT within 8 %); the
// sweep's timing model (sim/sweep/timing-estimate.ts) against the netlist estimate of the same points.
// The Yosys figures are recorded in resource-calibration.json by scripts/calibrate-resources.ts --write
// (a synthesis takes minutes to tens of minutes here, so CI does not re-run it).
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { defaultConfig } from '../../boards/ultra96/board.ts';
import { estimateResources, fifoLutram, sdpRamBram36, weightBeatsDsp } from './resource-model.ts';
import { timingEstimate } from '../sweep/timing-estimate.ts';
import type { HwConfig } from '../../compiler/contracts/hw-config.ts';

interface Point { config: { pi: number; po: number; inputBankEntries: number; weightBankWords: number; outputFifoEntries: number; axiDataBits: number; burstBeats: number; ports: number }; dsp: number; bram36: number; lut: number; lutAsMemory: number; ff: number; fmaxMhz: number }
const cal = JSON.parse(readFileSync(new URL('./resource-calibration.json', import.meta.url), 'utf8')) as { sdpRam: { rows: number[][] }; fit: Point[]; heldOut: Point[] };

function config(p: Point['config']): HwConfig {
  const d = defaultConfig();
  return { ...d, array: { pi: p.pi, po: p.po }, buffers: { inputBankEntries: p.inputBankEntries, weightBankWords: p.weightBankWords, outputFifoEntries: p.outputFifoEntries }, axi: { ...d.axi, dataBits: p.axiDataBits as 128, burstBeats: p.burstBeats, ports: p.ports } };
}

describe('resource model vs Yosys', () => {
  it.each(cal.sdpRam.rows.map((r) => [r[0], r[1], r] as const))('cnna_sdp_ram %i x %i: the block-RAM count Yosys gives', (w, d, r) => {
    expect(sdpRamBram36(w, d)).toBe(r[2] + r[3] / 2);
    if (d <= 64) expect(fifoLutram(w, d)).toBe(r[4]);
  });

  it.each(cal.fit.map((p, i) => [i, p] as const))('fit point %i: DSP and BRAM36 exact, LUTRAM, LUT and FF within 1 %', (_i, p) => {
    const m = estimateResources(config(p.config));
    expect([m.dsp, m.bram36]).toEqual([p.dsp, p.bram36]);
    expect(Math.abs(m.lutAsMemory - p.lutAsMemory) / p.lutAsMemory).toBeLessThan(0.01);
    expect(Math.abs(m.lut - p.lut) / p.lut).toBeLessThan(0.01);
    expect(Math.abs(m.ff - p.ff) / p.ff).toBeLessThan(0.01);
  });

  it('the weight command\'s beat count costs a DSP only when PO*PI*16/AXI is not a power of two (a multiply by a constant)', () => {
    const d = defaultConfig();
    const at = (pi: number, po: number, bits: 64 | 128 | 256) => weightBeatsDsp({ ...d, array: { pi, po }, axi: { ...d.axi, dataBits: bits } });
    expect([at(8, 8, 128), at(8, 16, 64), at(16, 16, 128), at(8, 24, 128), at(8, 40, 64), at(16, 48, 256)]).toEqual([0, 0, 0, 1, 1, 1]);
  });

  it('held-out configs: DSP exact, BRAM36 within 2, LUT within 8 %', () => {
    expect(cal.heldOut.length).toBeGreaterThan(0);
    for (const p of cal.heldOut) {
      const m = estimateResources(config(p.config));
      expect(m.dsp).toBe(p.dsp);
      expect(Math.abs(m.bram36 - p.bram36)).toBeLessThanOrEqual(2);
      expect(Math.abs(m.lut - p.lut) / p.lut).toBeLessThanOrEqual(0.08);
    }
  });

  it('timing model: every calibration point\'s netlist fmax estimate within 2 %', () => {
    for (const p of [...cal.fit, ...cal.heldOut]) {
      const t = timingEstimate(config(p.config));
      expect(Math.abs(t.fmaxMhz - p.fmaxMhz) / p.fmaxMhz).toBeLessThanOrEqual(0.02);
    }
  });
});
