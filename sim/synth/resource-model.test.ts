// The resource model against Yosys: every cnna_sdp_ram shape measured alone, the full-engine points it
// was fitted on, and the configs held out of the fit (DSP exact, BRAM36 within 2, LUT within 8 %).
// The Yosys figures are recorded in resource-calibration.json (a full synthesis takes 20-40 minutes
// here, so CI does not re-run it; scripts/calibrate-resources.ts does).
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { defaultConfig } from '../../boards/ultra96/board.ts';
import { estimateResources, fifoLutram, sdpRamBram36 } from './resource-model.ts';
import type { HwConfig } from '../../compiler/contracts/hw-config.ts';

interface Point { config: { pi: number; po: number; inputBankEntries: number; weightBankWords: number; outputFifoEntries: number; axiDataBits: number; burstBeats: number }; dsp: number; bram36: number; lut: number; lutAsMemory: number; ff: number }
const cal = JSON.parse(readFileSync(new URL('./resource-calibration.json', import.meta.url), 'utf8')) as { sdpRam: { rows: number[][] }; fit: Point[]; heldOut: Point[] };

function config(p: Point['config']): HwConfig {
  const d = defaultConfig();
  return { ...d, array: { pi: p.pi, po: p.po }, buffers: { inputBankEntries: p.inputBankEntries, weightBankWords: p.weightBankWords, outputFifoEntries: p.outputFifoEntries }, axi: { ...d.axi, dataBits: p.axiDataBits as 128, burstBeats: p.burstBeats } };
}

describe('resource model vs Yosys', () => {
  it.each(cal.sdpRam.rows.map((r) => [r[0], r[1], r] as const))('cnna_sdp_ram %i x %i: the block-RAM count Yosys gives', (w, d, r) => {
    expect(sdpRamBram36(w, d)).toBe(r[2] + r[3] / 2);
    if (d <= 64) expect(fifoLutram(w, d)).toBe(r[4]);
  });

  it.each(cal.fit.map((p, i) => [i, p] as const))('fit point %i: DSP, BRAM36 and LUTRAM exact, LUT and FF within 0.1 %', (_i, p) => {
    const m = estimateResources(config(p.config));
    expect([m.dsp, m.bram36, m.lutAsMemory]).toEqual([p.dsp, p.bram36, p.lutAsMemory]);
    expect(Math.abs(m.lut - p.lut) / p.lut).toBeLessThan(0.001);
    expect(Math.abs(m.ff - p.ff) / p.ff).toBeLessThan(0.001);
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
});
