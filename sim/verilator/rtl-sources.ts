// The RTL source list of the engine and its generated package, shared by the Verilator build, the lint
// flow and the Yosys flow. Invariant: the generated package (cnna_pkg) comes first, then cnna_rtl_pkg,
// then the modules; every file under rtl/ named cnna_*.sv is part of the engine. The package holds only the
// names the sources reference, so `verilator -Wall` needs no waiver for unused package parameters.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { genSvPackage } from '../../compiler/contracts/gen-sv-package.ts';
import type { HwConfig } from '../../compiler/contracts/hw-config.ts';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const rtlDir = join(repoRoot, 'rtl');
export const waiverFile = join(rtlDir, 'lint', 'verilator_waiver.vlt');

/** Engine sources in compile order, without the generated package. */
export function rtlSources(): string[] {
  const mods = readdirSync(rtlDir).filter((f) => /^cnna_.*\.sv$/.test(f) && f !== 'cnna_rtl_pkg.sv').sort();
  return [join(rtlDir, 'cnna_rtl_pkg.sv'), ...mods.map((f) => join(rtlDir, f))];
}

/** The cnna_pkg names the engine sources reference (`cnna_pkg::NAME`, also through the D_/H_ field macros). */
export function rtlPackageUses(files: string[] = rtlSources()): Set<string> {
  const uses = new Set<string>();
  for (const f of files) {
    const text = readFileSync(f, 'utf8').replace(/\/\/.*$/gm, '');
    for (const m of text.matchAll(/cnna_pkg::([A-Z][A-Z0-9_]*)(?![A-Z0-9_`])/g)) uses.add(m[1]);
    // `CNNA_FIELD(NAME) / `CNNA_HFIELD(NAME) expand to cnna_pkg::D_NAME_LSB / _W (H_ for the HEADER).
    for (const m of text.matchAll(/`CNNA_(H?)FIELD\(([A-Z0-9_]+)\)/g)) {
      const p = m[1] ? 'H' : 'D';
      uses.add(`${p}_${m[2]}_LSB`);
      uses.add(`${p}_${m[2]}_W`);
    }
  }
  return uses;
}

/** The generated package for a config, holding exactly the names the engine references (no unused parameter). */
export function rtlPackage(config: HwConfig): string {
  return genSvPackage(config, { uses: rtlPackageUses() });
}
