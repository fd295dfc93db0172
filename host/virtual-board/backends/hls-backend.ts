// The 'hls' engine of the virtual board: the HLS engine's C++ in its clocked SystemC system model
// (sim/hls/run-hls.ts), one simulation per inference; cycles are the clocked model's own count. The
// model's scratch files go to <cache>/hls-work (inside the agent's cache directory); the model itself is
// built once into the simulator's build cache.
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { runBundleHls } from '../../../sim/hls/run-hls.ts';
import type { EngineBackend, LoadedProgram } from '../engine-backend.ts';
import { loadBundleProgram } from './bundle-program.ts';

export const hlsBackend: EngineBackend = {
  name: 'hls',
  async load(_bytes, path): Promise<LoadedProgram> {
    return loadBundleProgram(path, (bundle, config) => {
      const workRoot = join(dirname(dirname(path)), 'hls-work');
      mkdirSync(workRoot, { recursive: true });
      let runs = 0;
      return async (raws) => {
        const r = await runBundleHls(bundle, [raws.length === 1 ? { raw: raws[0] } : { images: raws.map((raw) => ({ raw })) }], { config, mode: 'clocked', workDir: join(workRoot, String(runs++ % 4)) });
        return r.runs[0];
      };
    });
  },
};
