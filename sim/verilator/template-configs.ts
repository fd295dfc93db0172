// The engine-template configs the RTL template test builds and runs (sim/verilator/rtl-template.test.ts)
// and the lint test checks (lint.test.ts), spread over the range validateConfig accepts; named by what they
// exercise. Fields not named are the Ultra96 default's (PI 16 x PO 16, AXI 128, 2 ports, burst 16, banks
// 4096/320, FIFO 512, 200 MHz). Together: PI 8, 16 and 32;
// 1 to 15 lane groups (PO 8 ... 120); AXI 64, 128 and 256 bits (PI 32 at 256 only); one and two ports;
// bursts 1, 2, 3, 5, 7, 8, 16, 32, 64 and 256; depths that are not powers of two (input banks 300 ... 3000, weight
// banks 9 ... 200, output FIFOs 16 ... 300, the minimum 16 twice); clocks 100, 150, 200 and
// 250 MHz (the perf model's DDR rate per cycle, hence the watchdog). Not here yet: PI 32 with a bus
// narrower than 256 bits (another build of ~1,000 multiplies). The first four are the shapes of the configs a user reported (a hang, PO != PI
// refused, a Verilator build error). Arrays above 1,728 multiplies (every PI 64; PI 32 above PO 32, PI 16
// above PO 96) are refused by validateConfig.
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
  ['pi8 po120 (15 lane groups), AXI 64, 2 ports, burst 2, banks 300/21, FIFO 16', cfg({ array: { pi: 8, po: 120 }, axi: { dataBits: 64, ports: 2, burstBeats: 2 }, buffers: { inputBankEntries: 300, weightBankWords: 21, outputFifoEntries: 16 } })],
  ['pi16 po64 (4 lane groups), 1 port, burst 32, banks 1500/75, FIFO 24', cfg({ array: { pi: 16, po: 64 }, axi: { ports: 1, burstBeats: 32 }, buffers: { inputBankEntries: 1500, weightBankWords: 75, outputFifoEntries: 24 } })],
  ['pi8 po40 (5 lane groups), AXI 64, 1 port, burst 5, banks 333/13, FIFO 20, 100 MHz', cfg({ clockMhz: 100, array: { pi: 8, po: 40 }, axi: { dataBits: 64, ports: 1, burstBeats: 5 }, buffers: { inputBankEntries: 333, weightBankWords: 13, outputFifoEntries: 20 } })],
  ['pi16 po32 (2 lane groups), AXI 64, burst 64, banks 3000/150, FIFO 300, 250 MHz', cfg({ clockMhz: 250, array: { pi: 16, po: 32 }, axi: { dataBits: 64, burstBeats: 64 }, buffers: { inputBankEntries: 3000, weightBankWords: 150, outputFifoEntries: 300 } })],
  [BURST1, cfg({ array: { pi: 8, po: 24 }, axi: { ports: 1, burstBeats: 1 }, buffers: { inputBankEntries: 700, weightBankWords: 60, outputFifoEntries: 16 } })],
];
