// The RTL lint flow: `verilator --lint-only -Wall` with the waiver file, and Yosys 0.23
// `read_verilog -sv` + `hierarchy -check` (the subset both tools accept), both on the generated package
// for a given config. Returns the tools' diagnostics; an empty list means clean.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import type { HwConfig } from '../../compiler/contracts/hw-config.ts';
import { rtlPackage, rtlSources, waiverFile } from './rtl-sources.ts';

export interface LintResult {
  verilator: string[];
  yosys: string[];
}

export async function lintRtl(config: HwConfig): Promise<LintResult> {
  const work = mkdtempSync(join(tmpdir(), 'cnna-lint-'));
  try {
    const pkg = join(work, 'cnna_pkg.sv');
    writeFileSync(pkg, rtlPackage(config));
    const files = [pkg, ...rtlSources()];
    const v = await execa('verilator', ['--lint-only', '-Wall', '--top-module', 'cnna_top', waiverFile, ...files], { reject: false, all: true });
    const verilator = (v.all ?? '').split('\n').filter((l) => /^%(Warning|Error)/.test(l));
    if (v.exitCode !== 0 && verilator.length === 0) verilator.push(`verilator exited ${v.exitCode}: ${v.all}`);
    const script = `read_verilog -sv ${files.join(' ')}\nhierarchy -check -top cnna_top\n`;
    writeFileSync(join(work, 'read.ys'), script);
    const y = await execa('yosys', ['-q', 'read.ys'], { cwd: work, reject: false, all: true });
    const yosys = (y.all ?? '').split('\n').filter((l) => /ERROR|error/.test(l));
    if (y.exitCode !== 0 && yosys.length === 0) yosys.push(`yosys exited ${y.exitCode}: ${y.all}`);
    return { verilator, yosys };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
