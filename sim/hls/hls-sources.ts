// The HLS engine's source list (hls/), shared by the SystemC build, the export and the build-cache key.
// Invariant: every .h/.cpp under hls/include, hls/kernels and hls/ itself is engine source; hls/sim holds
// the SystemC system model, hls/tb the C-simulation testbench of the export.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const hlsDir = join(repoRoot, 'hls');

const list = (dir: string): string[] => readdirSync(join(hlsDir, dir)).filter((f) => /\.(h|cpp)$/.test(f)).sort().map((f) => join(dir, f));

/** Engine sources relative to hls/ (the top and its kernels, no testbench or system model). */
export function hlsEngineSources(): string[] {
  return [...list('include'), ...list('kernels'), ...list('.').map((f) => f.replace(/^\.\//, ''))];
}

/** The SystemC system model (sc_main) relative to hls/. */
export const SYSTEM_MODEL = 'sim/system_model.cpp';
/** The plain-C++ C-simulation testbench (main) relative to hls/. */
export const TESTBENCH = 'tb/tb_cnna.cpp';
