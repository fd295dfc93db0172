// Paths to the shared fixtures. ../shared exists on the development machine but not on a
// user's machine or necessarily in CI: board tests deploy `boardHwh`, which is the real Vivado
// hand-off when it is present and the project's own virtual overlay otherwise, so they always
// run. Only assertions about the real file's addresses skip (with the reason) without it.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(fileURLToPath(new URL('../../../', import.meta.url)));
export const sharedDir = process.env.CNNA_SHARED ?? resolve(repoRoot, '../shared');
export const ultra96Hwh = resolve(sharedDir, 'fixtures/ultra96_cnna16_172mhz.hwh');
export const haveUltra96Hwh = existsSync(ultra96Hwh);
export const skipNoHwh = haveUltra96Hwh ? '' : `the real .hwh fixture is absent (${ultra96Hwh}); set CNNA_SHARED`;
/** The project's own overlay description (cnna_0 registers at 0xA0000000..0xA000FFFF). */
export const virtualHwh = resolve(repoRoot, 'host/virtual-board/overlay/cnna-virtual.hwh');
export const boardHwh = haveUltra96Hwh ? ultra96Hwh : virtualHwh;
/**
 * The accelerator's register range in `boardHwh`, read by hand from each file's MEMRANGE:
 * cnn_0 at 0x80010000..0x8001FFFF in the real hand-off, cnna_0 at 0xA0000000..0xA000FFFF in ours.
 */
export const engineRegs = haveUltra96Hwh ? { base: 0x80010000, high: 0x8001ffff } : { base: 0xa0000000, high: 0xa000ffff };
