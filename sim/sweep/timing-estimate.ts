// Timing estimate of a config without synthesizing it. The static timing estimate of Yosys netlists
// (sim/synth/timing.ts) puts the engine's worst paths in control logic whose depth does not grow with
// the array or the buffers (the loader's descriptor decode, the compute address products, the AXI
// burst splitting; docs/engine.md "Timing estimate"), and the MAC array's own worst stage (a 4-input
// group adder, 3.97 ns) is the same for every PI. So the model is the lowest fmax measured on the
// calibration configs of the current RTL; `cnna sweep --synth` replaces it with each config's own
// netlist estimate. UltraScale+ -1 delays: for a Zynq-7000 board the figure is optimistic.
import { readFileSync } from 'node:fs';
import type { HwConfig } from '../../compiler/contracts/hw-config.ts';

/** Lowest netlist fmax estimate over the calibration syntheses (sim/synth/resource-calibration.json, all points). */
export const CONTROL_FMAX_MHZ: number = (() => {
  const cal = JSON.parse(readFileSync(new URL('../synth/resource-calibration.json', import.meta.url), 'utf8')) as { fit: { fmaxMhz: number | null }[]; heldOut: { fmaxMhz: number | null }[] };
  return Math.min(...[...cal.fit, ...cal.heldOut].map((p) => p.fmaxMhz ?? Infinity));
})();

export interface TimingEstimate {
  fmaxMhz: number;
  meetsClock: boolean;
  source: 'model' | 'yosys';
}

export function timingEstimate(c: HwConfig): TimingEstimate {
  return { fmaxMhz: CONTROL_FMAX_MHZ, meetsClock: c.clockMhz <= CONTROL_FMAX_MHZ, source: 'model' };
}
