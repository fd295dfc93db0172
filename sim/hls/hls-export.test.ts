// `cnna hls export`: the exported project's Tcl is complete Tcl and calls the Vitis HLS flow in order with
// the board's part and the config's clock (evaluated by tclsh with the Vitis commands recorded, not run);
// its testbench compiles with g++ (the Tcl's C++14, no vendor headers) and passes on its vectors, and fails
// when an expected value is wrong; a non-default config gets random programs as vectors; a config for
// another board is refused.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { boardDefaultConfig } from '../../boards/index.ts';
import { validateConfig } from '../../compiler/contracts/hw-config.ts';
import { exportHlsProject } from './export-project.ts';
import { repoRoot } from './hls-sources.ts';

const work = mkdtempSync(join(tmpdir(), 'cnna-hls-export-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Compiles the exported testbench as the README says (but with the Tcl's -std=c++14) and runs it. */
function buildAndRunTb(dir: string): { status: number | null; stdout: string } {
  execFileSync('g++', ['-std=c++14', '-O1', '-Isrc', '-Isrc/include', '-Wall', '-Wno-unknown-pragmas', '-Wno-unused-label', 'src/cnna_top.cpp', 'tb/tb_cnna.cpp', '-o', 'tb_cnna'], { cwd: dir, stdio: 'pipe' });
  const r = spawnSync(join(dir, 'tb_cnna'), ['tb/vectors'], { cwd: dir, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout };
}

// Vitis HLS commands as recording stubs: the script is evaluated as Tcl, nothing of Vitis runs.
const TCL_STUBS = `
set calls {}
foreach cmd {open_project set_top add_files open_solution set_part create_clock csim_design csynth_design cosim_design export_design} {
  proc $cmd {args} "lappend ::calls \\[list $cmd {*}\\$args\\]"
}
rename exit _exit
proc exit {} {}
set f [open [lindex $argv 0]]
set script [read $f]
close $f
puts "complete [info complete $script]"
eval $script
foreach c $calls { puts $c }
`;

describe('cnna hls export', () => {
  it('writes a project whose Tcl runs the Vitis HLS flow for the board and whose testbench passes with g++', () => {
    const dir = join(work, 'ultra96');
    const out = execFileSync('node', [join(repoRoot, 'bin/cnna.js'), 'hls', 'export', '--board', 'ultra96', '-o', dir, '--vectors', '24', '--json'], { encoding: 'utf8' });
    const r = JSON.parse(out) as { part: string; configHash: string; vectors: { count: number; source: string; checks: number }; files: string[] };
    expect(r.part).toBe('xczu3eg-sbva484-1-e');
    expect(r.vectors).toMatchObject({ count: 24, source: 'golden-vectors' });
    expect(r.files).toEqual(expect.arrayContaining(['run_hls.tcl', 'README.md', 'src/cnna_config.h', 'src/cnna_regs.h', 'src/cnna_top.cpp', 'src/kernels/mac_array.h', 'tb/tb_cnna.cpp', 'tb/vectors/index.txt']));
    expect(readFileSync(join(dir, 'src/cnna_config.h'), 'utf8')).toContain(`constexpr uint64_t ConfigHash = 0x${r.configHash}ull;`);

    // The co-simulation depth covers the testbench's BASE (4096) plus the largest DDR image of the 24 vectors.
    const cases = readdirSync(join(repoRoot, 'test/vectors/engine')).filter((d) => d.startsWith('case-')).sort().slice(0, 24);
    const maxDdr = Math.max(...cases.map((c) => (JSON.parse(readFileSync(join(repoRoot, 'test/vectors/engine', c, 'manifest.json'), 'utf8')) as { memoryMap: { ddrBytes: number } }).memoryMap.ddrBytes));
    const depth = Math.ceil((4096 + maxDdr + (maxDdr & 1)) / 2);
    writeFileSync(join(work, 'stubs.tcl'), TCL_STUBS);
    const tcl = execFileSync('tclsh', [join(work, 'stubs.tcl'), join(dir, 'run_hls.tcl')], { cwd: dir, encoding: 'utf8' }).trim().split('\n');
    expect(tcl).toEqual([
      'complete 1',
      'open_project -reset cnna_hls',
      'set_top cnna_top',
      `add_files src/cnna_top.cpp -cflags {-std=c++14 -Isrc -Isrc/include -DCNNA_DDR_DEPTH=${depth}}`,
      `add_files -tb tb/tb_cnna.cpp -cflags {-std=c++14 -Isrc -Isrc/include -DCNNA_DDR_DEPTH=${depth} -Wno-unknown-pragmas}`,
      'add_files -tb tb/vectors',
      'open_solution -reset solution1 -flow_target vivado',
      'set_part xczu3eg-sbva484-1-e',
      'create_clock -period 5.000 -name default',
      'csim_design -argv vectors',
      'csynth_design',
      'cosim_design -argv {vectors --max 2}',
      'export_design -format ip_catalog',
    ]);

    const tb = buildAndRunTb(dir);
    expect(tb.stdout).toContain('tb_cnna: 24/24 cases pass');
    expect(tb.status).toBe(0);

    // The testbench can fail: one wrong expected value of case-003 is reported and the exit code is 1.
    const chk = join(dir, 'tb/vectors/case-003.chk');
    const b = readFileSync(chk);
    const n = b.length / 6;
    b.writeInt16LE(b.readInt16LE(4 * n) + 1, 4 * n);
    writeFileSync(chk, b);
    const bad = spawnSync(join(dir, 'tb_cnna'), ['tb/vectors'], { cwd: dir, encoding: 'utf8' });
    expect(bad.stdout).toContain('case-003: FAIL (status 0, 3/3 jobs, 1/760 values differ)');
    expect(bad.stdout).toContain('tb_cnna: 23/24 cases pass');
    expect(bad.status).toBe(1);
  }, 300_000);

  it('exports a non-default Winograd config with random programs, Winograd layers and a batch bundle as vectors, and its testbench passes', () => {
    const base = boardDefaultConfig('ultra96');
    const config = validateConfig({ ...base, clockMhz: 250, array: { pi: 16, po: 32, winograd: true }, buffers: { inputBankEntries: 1200, weightBankWords: 100, outputFifoEntries: 64 } });
    const dir = join(work, 'wide');
    const r = exportHlsProject({ board: 'ultra96', config, outDir: dir, vectors: 12 });
    expect(r.vectors).toMatchObject({ count: 12, source: 'random-programs' });
    expect(readFileSync(r.tcl, 'utf8')).toContain('create_clock -period 4.000 -name default');
    expect(readFileSync(join(dir, 'src/cnna_config.h'), 'utf8')).toContain('constexpr int Po = 32;');
    expect(readFileSync(join(dir, 'src/cnna_config.h'), 'utf8')).toContain('constexpr bool Winograd = true;');
    expect(r.files).toContain('src/kernels/winograd.h');
    // Every second vector is a Winograd layer (6 of 12), all of its jobs WINOGRAD.
    const names = readFileSync(join(dir, 'tb/vectors/index.txt'), 'utf8').trim().split('\n').map((l) => l.split(' ')[0]);
    expect(names.filter((n) => n.startsWith('wino-'))).toEqual(['wino-1001', 'wino-1003', 'wino-1005', 'wino-1007', 'wino-1009', 'wino-1011']);
    const d0 = readFileSync(join(dir, 'tb/vectors/wino-1001.ddr'));
    expect(d0[64 + 1] & 0x10, 'job 1 of wino-1001 has the WINOGRAD flag').toBe(0x10);
    // The third is a batch bundle (3 images) whose first FC layer runs in chunks: BATCH jobs with ACC_OUT and ACC_IN.
    expect(names[2]).toBe('batch-1002');
    const b = readFileSync(join(dir, 'tb/vectors/batch-1002.ddr'));
    const count = b.readUInt32LE(8);
    const flags = Array.from({ length: count }, (_, j) => b[64 * (j + 1) + 1]);
    expect(flags.filter((f) => f & 0x20).length, 'BATCH jobs').toBe(count);
    expect(flags.some((f) => f & 0x80) && flags.some((f) => f & 0x40), 'ACC_OUT and ACC_IN jobs').toBe(true);
    const tb = buildAndRunTb(dir);
    expect(tb.stdout).toContain('tb_cnna: 12/12 cases pass');
    expect(tb.status).toBe(0);
  }, 300_000);

  it('refuses a target that is a file or a foreign directory, and replaces an earlier export', () => {
    const config = boardDefaultConfig('ultra96');
    const file = join(work, 'a-file');
    writeFileSync(file, 'x');
    expect(() => exportHlsProject({ board: 'ultra96', config, outDir: file, vectors: 1 })).toThrow(`hls export: ${file} is a file, not a directory`);
    const foreign = join(work, 'foreign');
    mkdirSync(foreign);
    writeFileSync(join(foreign, 'notes.txt'), 'mine');
    expect(() => exportHlsProject({ board: 'ultra96', config, outDir: foreign, vectors: 1 })).toThrow(`hls export: ${foreign} exists and is not an exported HLS project`);
    expect(readFileSync(join(foreign, 'notes.txt'), 'utf8')).toBe('mine');
    const again = join(work, 'again');
    exportHlsProject({ board: 'ultra96', config, outDir: again, vectors: 3 });
    const r = exportHlsProject({ board: 'ultra96', config, outDir: again, vectors: 2 });
    expect(readFileSync(join(again, 'tb/vectors/index.txt'), 'utf8').trim().split('\n')).toHaveLength(2);
    expect(r.vectors.count).toBe(2);
    expect(readdirSync(work).filter((n) => n.includes('.tmp-'))).toEqual([]);
  });

  it('refuses a config made for another board, naming both', () => {
    const config = boardDefaultConfig('pynq-z2');
    expect(() => exportHlsProject({ board: 'ultra96', config, outDir: join(work, 'x') }))
      .toThrow("the hardware config: board.name is 'pynq-z2' but --board is 'ultra96'");
  });
});
