// The control flow of the generated build.tcl and implement.tcl in a real tclsh: the Vivado commands
// they call are defined as Tcl procs that return scripted values (a version string, run progress,
// path slacks) and record what was asked of them. This checks the scripts' own logic (the version
// gate, the timing gate before write_bitstream, the .hwh copy), not Vivado.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { boardDefaultConfig } from '../boards/index.ts';
import { writeOverlay } from './write-overlay.ts';

const work = mkdtempSync(join(tmpdir(), 'cnna-tcl-flow-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const dir = join(work, 'ov');
writeOverlay(dir, 'ultra96', boardDefaultConfig('ultra96'));

function tcl(script: string, env: Record<string, string> = {}): { status: number | null; out: string; err: string } {
  const r = spawnSync('tclsh', ['-'], { input: script, encoding: 'utf8', env: { ...process.env, ...env } });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

const buildHarness = (version: string): string => `
set calls {}
proc version {args} { return ${version} }
proc set_param {args} { lappend ::calls [list set_param {*}$args] }
rename source tcl_source
proc source {f} { lappend ::calls [list source [file tail $f]] }
if {[catch {tcl_source ${join(dir, 'build.tcl')}} msg]} { puts "ERROR: $msg"; exit 3 }
puts "CALLS: $calls"
`;

describe('build.tcl', () => {
  it('refuses a Vivado version it does not target, naming the targeted ones', () => {
    const r = tcl(buildHarness('2021.2'), { CNNA_VIVADO_ANY: '' });
    expect(r.status).toBe(3);
    expect(r.out).toContain('ERROR: cnna: this overlay project targets Vivado 2022.1 2022.2 2023.1 2023.2, not 2021.2 (set CNNA_VIVADO_ANY=1 to try anyway)');
  });
  it('goes on with a targeted version (2022.2.1 counts as 2022.2) and sources the three steps in order', () => {
    const r = tcl(buildHarness('2022.2.1'));
    expect(r.status).toBe(0);
    expect(r.out).toContain('cnna: Vivado 2022.2.1 (targeted: 2022.1 2022.2 2023.1 2023.2)');
    expect(r.out).toContain('CALLS: {source package_ip.tcl} {source block_design.tcl} {source implement.tcl}');
  });
  it('with CNNA_VIVADO_ANY=1 warns and goes on', () => {
    const r = tcl(buildHarness('2024.1'), { CNNA_VIVADO_ANY: '1' });
    expect(r.status).toBe(0);
    expect(r.out).toContain('cnna: WARNING: Vivado 2024.1 is not one of the targeted versions');
  });
});

function implement(wns: string, whs: string, progress = '100%') {
  const out = join(work, `impl-${wns}-${whs}-${progress.replace('%', '')}`);
  const handoff = join(out, 'cnna', 'cnna.gen', 'sources_1', 'bd', 'cnna_bd', 'hw_handoff');
  mkdirSync(handoff, { recursive: true });
  writeFileSync(join(handoff, 'cnna_bd.hwh'), '<EDKSYSTEM/>');
  const script = `
set cnna_out ${out}
set cnna_jobs 2
set calls {}
foreach c {launch_runs wait_on_run open_run report_timing_summary report_utilization} {
  proc $c {args} "lappend ::calls \\[list $c {*}\\$args\\]"
}
proc get_runs {name} { return $name }
proc get_property {prop obj} {
  switch -- $prop {
    PROGRESS { return [expr {$obj eq "impl_1" ? "${progress}" : "100%"}] }
    DIRECTORY { return /runs/$obj }
    SLACK { if {$obj eq "setup_path"} { return "${wns}" } else { return "${whs}" } }
  }
}
proc get_timing_paths {args} { return [expr {"-setup" in $args ? "setup_path" : "hold_path"}] }
proc report_timing {args} { return "PATH REPORT [lindex $args 4]" }
proc write_bitstream {args} { lappend ::calls [list write_bitstream {*}$args]; set f [open [lindex $args end] w]; puts $f bit; close $f }
if {[catch {source ${join(dir, 'implement.tcl')}} msg]} { puts "ERROR: $msg" }
puts "CALLS: $calls"
`;
  return { ...tcl(script), dir: out };
}

describe('implement.tcl', () => {
  it('with WNS >= 0 and WHS >= 0 writes the bitstream and copies the .hwh beside it', () => {
    const r = implement('0.182', '0.010');
    expect(r.out).toContain('cnna: WNS 0.182 ns, WHS 0.010 ns');
    expect(r.out).not.toContain('ERROR');
    expect(r.out).toContain(`{write_bitstream -force ${join(r.dir, 'cnna.bit')}}`);
    expect(readFileSync(join(r.dir, 'cnna.hwh'), 'utf8')).toBe('<EDKSYSTEM/>');
  });
  it('with WNS < 0 prints the worst setup and hold paths and fails before write_bitstream', () => {
    const r = implement('-0.347', '0.021');
    expect(r.out).toContain('PATH REPORT -setup\nPATH REPORT -hold\n');
    expect(r.out).toContain('ERROR: cnna: timing not met (WNS -0.347 ns, WHS 0.021 ns); the worst path is above. Lower clockMhz in the config or pipeline the path.');
    expect(r.out).not.toContain('write_bitstream');
    expect(existsSync(join(r.dir, 'cnna.hwh'))).toBe(false);
  });
  it('with WHS < 0 fails too', () => {
    expect(implement('0.5', '-0.002').out).toContain('ERROR: cnna: timing not met (WNS 0.5 ns, WHS -0.002 ns)');
  });
  it('stops when implementation did not complete, naming the run log', () => {
    const r = implement('0.5', '0.1', '80%');
    expect(r.out).toContain('ERROR: cnna: implementation failed; see /runs/impl_1/runme.log');
    expect(r.out).not.toContain('open_run');
  });
});
