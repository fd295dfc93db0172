// Timing estimate of a config without synthesizing it: the static timing estimate of the Yosys netlist
// (sim/synth/timing.ts, docs/engine.md "Timing estimate"), modeled per class of path. The engine's paths
// fall in classes whose delay either does not change with the config (a post-op lane's stages, the AXI
// masters, the loader, the compute unit's control: their logic depth is fixed by the RTL) or changes
// only through the fanout of a register broadcast to every output lane (an activation into the PO
// multiplies of the MAC array, a job constant into the PO post-op lanes): the net model charges
// netPerFanoutDoubling per doubling of the loads (sim/synth/timing-model.ts), and those loads grow
// with PO. So each class's worst delay is
//   ns_k(c) = base_k + netPerFanoutDoubling · log2(lanes_k(c)),
// base_k fitted on the calibration syntheses (the worst path of the class on each fit point, minus its
// fanout term, the largest over the points; sim/synth/resource-calibration.json "timing", written by
// scripts/calibrate-resources.ts --write, which also checks the model against the netlist estimate of
// the held-out configs), and the config's fmax is 1000 / max_k ns_k(c). `cnna sweep --synth` replaces
// it with each config's own netlist estimate. UltraScale+ -1 delays: for a Zynq-7000 board the figure
// is optimistic.
import { readFileSync } from 'node:fs';
import type { HwConfig } from '../../compiler/contracts/hw-config.ts';
import { CnnaError } from '../../compiler/errors/cnna-error.ts';
import { TIMING_MODEL } from '../synth/timing-model.ts';

/** A class of register-to-register paths: which paths (by start and end register), and how many lanes its start fans out to. */
export interface PathClass {
  name: string;
  what: string;
  match: (p: { from: string; to: string }) => boolean;
  /** The loads of the class's start register scale with this (1: fixed fanout). */
  lanes: (c: HwConfig) => number;
  /** `lanes` in words for the docs ('' for a fixed fanout). */
  lanesText: string;
}

/** The classes, first match wins; the last one takes every other path. */
export const PATH_CLASSES: PathClass[] = [
  { name: 'macOperand', what: 'an activation register into the multiplies of every output lane', match: (p) => /^u_compute\.u_mac\.x_q/.test(p.from), lanes: (c) => c.array.po, lanesText: 'PO' },
  { name: 'jobConstant', what: 'a job constant into every post-op lane', match: (p) => /^u_compute\.job_q/.test(p.from) && /u_post\./.test(p.to), lanes: (c) => c.array.po, lanesText: 'PO' },
  { name: 'fixed', what: 'every other path: the post-op lane stages, the MAC adders, the compute control, the loader, the AXI masters', match: () => true, lanes: () => 1, lanesText: '' },
];

/** The class of a path (its index in PATH_CLASSES). */
export function pathClass(p: { from: string; to: string }): PathClass {
  return PATH_CLASSES.find((k) => k.match(p))!;
}

/** The fanout term of a class for a config, in ns. */
export function fanoutNs(k: PathClass, c: HwConfig): number {
  return TIMING_MODEL.netPerFanoutDoubling * Math.log2(Math.max(1, k.lanes(c)));
}

/** Fitted base delay per class in ns (resource-calibration.json "timing.baseNs"). */
export const TIMING_BASE_NS: Record<string, number> = (JSON.parse(readFileSync(new URL('../synth/resource-calibration.json', import.meta.url), 'utf8')) as { timing?: { baseNs: Record<string, number> } }).timing?.baseNs ?? {};

export interface TimingEstimate {
  fmaxMhz: number;
  /** Estimated worst register-to-register delay and the class of path it is in. */
  worstNs: number;
  worstClass: string;
  meetsClock: boolean;
  source: 'model' | 'yosys';
}

export function timingEstimate(c: HwConfig, baseNs: Record<string, number> = TIMING_BASE_NS): TimingEstimate {
  if (!PATH_CLASSES.some((k) => baseNs[k.name] !== undefined)) {
    throw new CnnaError('E_FORMAT', 'the timing model has no calibration (sim/synth/resource-calibration.json has no "timing.baseNs")', { hint: 'run `node --import tsx scripts/calibrate-resources.ts --write`' });
  }
  let worstNs = 0;
  let worstClass = '';
  for (const k of PATH_CLASSES) {
    if (baseNs[k.name] === undefined) continue;
    const ns = baseNs[k.name] + fanoutNs(k, c);
    if (ns > worstNs) { worstNs = ns; worstClass = k.name; }
  }
  worstNs = Math.round(worstNs * 1000) / 1000;
  const fmaxMhz = Number((1000 / worstNs).toFixed(1));
  return { fmaxMhz, worstNs, worstClass, meetsClock: c.clockMhz <= fmaxMhz, source: 'model' };
}
