// The engine-template configs the RTL template test builds (sim/verilator/rtl-template.test.ts), spread
// over the range validateConfig accepts; named by what they exercise. Fields not named are the Ultra96
// default's. The first four are the shapes of the configs a user reported (a hang, PO != PI refused,
// a Verilator build error). Larger shapes (PI 16 x PO 64, PI 8 x PO 120 with 15 lane groups) are
// accepted by validateConfig but not in this list yet: not run through this test so far (each build
// costs minutes on the shared machine); arrays above 1,728 multiplies (every PI 64) are refused.
import { defaultConfig } from '../../boards/ultra96/board.ts';
import { validateConfig, type HwConfig } from '../../compiler/contracts/hw-config.ts';

type Partial2<T> = { [K in keyof T]?: T[K] extends object ? Partial<T[K]> : T[K] };
const base = defaultConfig();
const cfg = (o: Partial2<HwConfig>): HwConfig => validateConfig({
  ...base, ...o,
  array: { ...base.array, ...o.array },
  axi: { ...base.axi, ...o.axi },
  buffers: { ...base.buffers, ...o.buffers },
}, 'template config');

/** The 1-beat-burst config (also the read-rate regression of rtl-template.test.ts). */
export const BURST1 = 'pi8 po24 (3 lane groups), 1 port, burst 1, FIFO 16';

/** The configs, named by what they exercise. Fields not named are the Ultra96 default's. */
export const TEMPLATE_CONFIGS: [string, HwConfig][] = [
  ['pi8 po8, AXI 64, burst 8, banks 1000/100, FIFO 64, 150 MHz', cfg({ clockMhz: 150, array: { pi: 8, po: 8 }, axi: { dataBits: 64, burstBeats: 8 }, buffers: { inputBankEntries: 1000, weightBankWords: 100, outputFifoEntries: 64 } })],
  ['pi16 po32 (2 lane groups)', cfg({ array: { pi: 16, po: 32 } })],
  ['pi8 po16 (2 lane groups)', cfg({ array: { pi: 8, po: 16 } })],
  ['pi32 po32, AXI 256', cfg({ array: { pi: 32, po: 32 }, axi: { dataBits: 256 } })],
  ['pi16 po16, AXI 64, burst 7, banks 600/37, FIFO 40', cfg({ array: { pi: 16, po: 16 }, axi: { dataBits: 64, burstBeats: 7 }, buffers: { inputBankEntries: 600, weightBankWords: 37, outputFifoEntries: 40 } })],
  ['pi16 po48 (3 lane groups), AXI 256, 1 port, burst 256', cfg({ array: { pi: 16, po: 48 }, axi: { dataBits: 256, ports: 1, burstBeats: 256 }, buffers: { inputBankEntries: 2000, weightBankWords: 200, outputFifoEntries: 100 } })],
  ['pi8 po8, AXI 128, burst 3, 2 ports, banks 513/9', cfg({ array: { pi: 8, po: 8 }, axi: { burstBeats: 3 }, buffers: { inputBankEntries: 513, weightBankWords: 9, outputFifoEntries: 17 } })],
  [BURST1, cfg({ array: { pi: 8, po: 24 }, axi: { ports: 1, burstBeats: 1 }, buffers: { inputBankEntries: 700, weightBankWords: 60, outputFifoEntries: 16 } })],
];
