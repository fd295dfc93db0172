// The engines the virtual board can run bundles on, by name: 'ref' (the TypeScript engine
// model, sim/ref), 'rtl' (the RTL under Verilator, sim/verilator), 'hls' (the HLS C++ in its clocked
// SystemC model, sim/hls) and 'synthetic' (a
// protocol-test engine, not the accelerator). Loaded lazily so the serve command only pays
// for the one it uses.
import { CnnaError } from '../../../compiler/errors/cnna-error.ts';
import type { EngineBackend } from '../engine-backend.ts';

export const BACKEND_NAMES = ['ref', 'rtl', 'hls', 'synthetic'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

export async function loadBackend(name: string): Promise<EngineBackend> {
  switch (name) {
    case 'synthetic': return (await import('./synthetic-backend.ts')).syntheticBackend;
    case 'ref': return (await import('./ref-backend.ts')).refBackend;
    case 'rtl': return (await import('./rtl-backend.ts')).rtlBackend;
    case 'hls': return (await import('./hls-backend.ts')).hlsBackend;
    default:
      throw new CnnaError('E_USAGE', `unknown backend '${name}'; choose one of ${BACKEND_NAMES.join(', ')}`);
  }
}
