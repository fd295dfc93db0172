// The configs the resource model is calibrated on against Yosys (scripts/calibrate-resources.ts):
// "fit" points determine the LUT/FF/DSP coefficients, "heldOut" points only check them (DSP exact,
// BRAM36 within 2, LUT within 8 %). Small arrays and shallow buffers where possible (a synthesis of
// the 16x16 default takes minutes of one core, and tens of minutes on the shared machine). The fit
// points vary every term of the fits (output lanes, PI x PO, the second AXI port; the Ultra96 default
// is one of them); the held-out points add what the fit does not see: two lane groups on a 64-bit bus
// with one port, three lane groups (a weight word of 24 beats: a multiply by a constant that is not a
// power of two) with deeper buffers, PI 16 with one port and shallow buffers.
import type { HwConfig } from '../../compiler/contracts/hw-config.ts';
import { defaultConfig } from '../../boards/ultra96/board.ts';

/** pi, po, inputBankEntries, weightBankWords, outputFifoEntries, axi.ports, axi.dataBits. */
export type PointSpec = [pi: number, po: number, input: number, weight: number, fifo: number, ports: 1 | 2, axiBits: 64 | 128];

export const FIT_POINTS: PointSpec[] = [
  [8, 8, 512, 64, 64, 1, 128],
  [8, 8, 512, 64, 64, 2, 128],
  [8, 16, 512, 64, 64, 2, 128],
  [16, 16, 4096, 320, 512, 2, 128],
];

export const HELD_OUT_POINTS: PointSpec[] = [
  [8, 16, 1024, 96, 32, 1, 64],
  [8, 24, 2048, 128, 128, 1, 128],
  [16, 16, 512, 64, 64, 1, 128],
];

export function pointConfig([pi, po, input, weight, fifo, ports, axiBits]: PointSpec): HwConfig {
  const c = structuredClone(defaultConfig());
  c.array = { pi, po };
  c.buffers = { inputBankEntries: input, weightBankWords: weight, outputFifoEntries: fifo };
  c.axi = { ...c.axi, ports, dataBits: axiBits };
  return c;
}

export function pointLabel([pi, po, input, weight, fifo, ports, axiBits]: PointSpec): string {
  return `${pi}x${po} in ${input} w ${weight} fifo ${fifo} AXI ${axiBits}x${ports}`;
}
