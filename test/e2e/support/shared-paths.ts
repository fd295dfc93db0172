// Paths to the shared fixtures (present on the development machine and in CI; tests that
// need them skip with the reason when they are absent).
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(fileURLToPath(new URL('../../../', import.meta.url)));
export const sharedDir = process.env.CNNA_SHARED ?? resolve(repoRoot, '../shared');
export const ultra96Hwh = resolve(sharedDir, 'fixtures/ultra96_cnna16_172mhz.hwh');
export const haveUltra96Hwh = existsSync(ultra96Hwh);
export const skipNoHwh = haveUltra96Hwh ? '' : `the real .hwh fixture is absent (${ultra96Hwh}); set CNNA_SHARED`;
