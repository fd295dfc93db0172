// The 'ref' engine of the virtual board: the TypeScript engine model (sim/ref/run-bundle.ts)
// executing a bundle archive (.cnnab) descriptor by descriptor on a simulated DDR image. Cycles
// come from its performance model; the clock from the bundle's hardware config.
import { runBundle } from '../../../sim/ref/run-bundle.ts';
import type { EngineBackend, LoadedProgram } from '../engine-backend.ts';
import { loadBundleProgram } from './bundle-program.ts';

export const refBackend: EngineBackend = {
  name: 'ref',
  async load(_bytes, path): Promise<LoadedProgram> {
    return loadBundleProgram(path, (bundle) => async (raws) => runBundle(bundle, {}, { rawInputs: raws.length === 1 ? raws[0] : raws }));
  },
};
