// The 'rtl' engine of the virtual board: the SystemVerilog engine under Verilator
// (sim/verilator/run-rtl.ts), one simulation per inference; cycles are the engine's own count.
// The harness's scratch files go to <cache>/rtl-work (inside the agent's cache directory); the
// Verilator model itself is built once into the simulator's build cache.
import { dirname, join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { runBundleRtl } from '../../../sim/verilator/run-rtl.ts';
import type { EngineBackend, LoadedProgram } from '../engine-backend.ts';
import { loadBundleProgram } from './bundle-program.ts';

export const rtlBackend: EngineBackend = {
  name: 'rtl',
  async load(_bytes, path): Promise<LoadedProgram> {
    return loadBundleProgram(path, (bundle, config) => {
      const workRoot = join(dirname(dirname(path)), 'rtl-work');
      mkdirSync(workRoot, { recursive: true });
      let runs = 0;
      return async (raws) => {
        const r = await runBundleRtl(bundle, [raws.length === 1 ? { raw: raws[0] } : { images: raws.map((raw) => ({ raw })) }], { config, workDir: join(workRoot, String(runs++ % 4)) });
        return r.runs[0];
      };
    });
  },
};
