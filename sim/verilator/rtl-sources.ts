// The RTL source list of the engine and its generated package, shared by the Verilator build, the lint
// flow and the Yosys flow. Invariant: the generated package (cnna_pkg) comes first, then cnna_rtl_pkg,
// then the modules; every file under rtl/ named cnna_*.sv is part of the engine.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const rtlDir = join(repoRoot, 'rtl');
export const waiverFile = join(rtlDir, 'lint', 'verilator_waiver.vlt');

/** Engine sources in compile order, without the generated package. */
export function rtlSources(): string[] {
  const mods = readdirSync(rtlDir).filter((f) => /^cnna_.*\.sv$/.test(f) && f !== 'cnna_rtl_pkg.sv').sort();
  return [join(rtlDir, 'cnna_rtl_pkg.sv'), ...mods.map((f) => join(rtlDir, f))];
}
