// Re-checks the resource model against Yosys: synthesizes the engine for each listed config (one at a
// time; 20-40 minutes each on the shared 2-core machine, cached in .cache/synth by config + RTL) and
// prints Yosys against the model with the error. Calibration data: sim/synth/resource-calibration.json.
//   node --import tsx scripts/calibrate-resources.ts [PI,IN,W,FIFO[,PORTS] ...]     e.g. 8,1024,64,64 16,2048,320,512,1
import { defaultConfig, ultra96 } from '../boards/ultra96/board.ts';
import { configHash } from '../compiler/contracts/hw-config.ts';
import { runSynth } from '../sim/synth/yosys.ts';
import { estimateResources } from '../sim/synth/resource-model.ts';

const pts = (process.argv.slice(2).length ? process.argv.slice(2) : ['8,1024,64,64', '8,4096,256,256', '16,1024,128,128', '16,4096,320,512'])
  .map((s) => s.split(',').map(Number));
for (const [p, ib, wb, of, ports] of pts) {
  const c = structuredClone(defaultConfig());
  c.array = { pi: p, po: p };
  c.buffers = { inputBankEntries: ib, weightBankWords: wb, outputFifoEntries: of };
  if (ports) c.axi.ports = ports;
  const r = await runSynth(c, ultra96, { onLog: (s) => console.error(s) });
  const y = r.resources;
  const m = estimateResources(c);
  const pct = (a: number, b: number) => `${(((a - b) / b) * 100).toFixed(1)}%`;
  console.log(`${p}x${p} in ${ib} w ${wb} fifo ${of} ports ${c.axi.ports} (${configHash(c)}, ${r.cached ? 'cached' : `${r.seconds.toFixed(0)} s`}): `
    + `DSP ${y.dsp48e2} / model ${m.dsp}; BRAM36 ${y.bram36Equivalent} / ${m.bram36}; LUT ${y.lut} / ${m.lut} (${pct(m.lut, y.lut)}); `
    + `LUTRAM ${y.lutAsMemory} / ${m.lutAsMemory}; FF ${y.ff} / ${m.ff} (${pct(m.ff, y.ff)}); fmax ${r.timing.fmaxMhz} MHz`);
}
