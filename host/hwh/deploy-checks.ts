// The checks a board agent runs at DEPLOY before it stages an overlay with a bundle
// (docs/protocol.md 4.3), in one place for every agent written in TypeScript; the PYNQ agent
// runs the same rules (boards/ultra96/agent/cnna_agent/deploy.py, bitstream.py):
//  1. the bitstream is a Xilinx .bit file (bitstream-header.ts);
//  2. the .hwh is for this board's device (its SYSTEMINFO DEVICE prefixes the board's part);
//  3. the .hwh has the cnna engine IP (MODTYPE "cnna");
//  4. the bundle's configHash equals the config the overlay's engine is built for: the engine's
//     CONFIG_ID registers on real hardware (checked at ACTIVATE, once the bitstream is loaded),
//     or the engine's CONFIG_HASH parameter in the .hwh when it has one, or what the agent
//     knows its engine to be (`builtConfigHash`, the virtual board's emulated CONFIG_ID);
//  5. the bundle's clock (manifest hwConfig.clockMhz) matches the engine's clock in the .hwh
//     (CLKFREQUENCY of the engine's clock port, else the enabled PL clock 0) within 1%.
// A failed check names the artifact it refuses, so the agent can drop it from its cache.
import type { Hwh, HwhIp } from './hwh-types.ts';
import { parseBitstreamHeader } from './bitstream-header.ts';

export const ENGINE_MODTYPE = 'cnna';
/** The engine IP parameter an overlay may carry with the config hash it was built for. */
export const CONFIG_HASH_PARAMETER = 'CONFIG_HASH';
/** The largest relative difference between the bundle's clock and the .hwh's engine clock. */
export const CLOCK_TOLERANCE = 0.01;

export type RefusedArtifact = 'bitstream' | 'hwh' | 'bundle';
export interface Refusal { artifact: RefusedArtifact; message: string }

export interface DeployCheckInput {
  bitstream: Uint8Array;
  hwh: Hwh;
  /** Absent for a bundle without a hardware config (the synthetic protocol-test engine): then checks 3-5 are skipped. */
  bundle?: { model: string; configHash: string; clockMhz: number };
  /** The board's part, e.g. xczu3eg-sbva484-1-e. */
  boardPart: string;
  /** The config the agent knows its engine to be built for, when it knows (virtual board). */
  builtConfigHash?: string;
}

export function engineIp(hwh: Hwh): HwhIp | undefined {
  return hwh.ips.find((ip) => ip.type === ENGINE_MODTYPE);
}

/** The engine's clock in Hz per the .hwh: its clock port's CLKFREQUENCY, else PL clock 0. */
export function engineClockHz(hwh: Hwh): number | undefined {
  const ip = engineIp(hwh);
  const port = ip?.ports.find((p) => p.sigIs === 'clk' && p.dir === 'I' && p.clkFrequencyHz);
  if (port?.clkFrequencyHz) return port.clkFrequencyHz;
  const pl0 = hwh.clocks.pl.find((c) => c.index === 0 && c.enabled);
  return pl0 ? Math.round(pl0.actualMHz * 1e6) : undefined;
}

/** The config hash the .hwh says the engine was built for (its CONFIG_HASH parameter), if any. */
export function hwhConfigHash(hwh: Hwh): string | undefined {
  const v = engineIp(hwh)?.parameters[CONFIG_HASH_PARAMETER];
  return v ? v.toLowerCase().replace(/^0x/, '') : undefined;
}

/** The first check that fails, or undefined when the three artifacts may be staged together. */
export function checkDeploy(i: DeployCheckInput): Refusal | undefined {
  const bit = parseBitstreamHeader(i.bitstream);
  if ('error' in bit) return { artifact: 'bitstream', message: `the bitstream is not a Xilinx .bit file: ${bit.error}` };
  const device = i.hwh.system.device.toLowerCase();
  if (!device || !i.boardPart.toLowerCase().startsWith(device)) {
    return { artifact: 'hwh', message: `the overlay is for device '${i.hwh.system.device}', this board is '${i.boardPart}'` };
  }
  if (!i.bundle) return undefined;
  const ip = engineIp(i.hwh);
  if (!ip) return { artifact: 'hwh', message: `the .hwh has no cnna engine IP (MODTYPE ${ENGINE_MODTYPE})` };
  const built = hwhConfigHash(i.hwh) ?? i.builtConfigHash;
  if (built !== undefined && built !== i.bundle.configHash.toLowerCase()) {
    return { artifact: 'bundle', message: `bundle '${i.bundle.model}' was compiled for config ${i.bundle.configHash}, the overlay's engine ${ip.instance} is built for config ${built}; recompile the model with the overlay's config (cnna compile --config FILE)` };
  }
  const hz = engineClockHz(i.hwh);
  if (hz === undefined) return { artifact: 'hwh', message: `the .hwh gives no clock for the engine ${ip.instance} (no CLKFREQUENCY on its clock port, no enabled PL clock 0)` };
  const want = i.bundle.clockMhz * 1e6;
  if (Math.abs(want - hz) > CLOCK_TOLERANCE * hz) {
    return { artifact: 'bundle', message: `bundle '${i.bundle.model}' was compiled for a ${i.bundle.clockMhz} MHz engine clock, the overlay clocks the engine ${ip.instance} at ${(hz / 1e6).toFixed(3)} MHz (.hwh); recompile with clockMhz ${Math.round(hz / 1e6)} in the config, or use an overlay built for ${i.bundle.clockMhz} MHz` };
  }
  return undefined;
}
