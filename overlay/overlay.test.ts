// The overlay generator without Vivado: for three configs the written project is complete Tcl (tclsh
// `info complete`), uses only listed Vivado commands / options / properties, puts the registers at the
// contract's offsets where the agent finds them, the masters on the HP ports at the config's width and
// the PL clock at the config's clock; the IP wrapper lints clean with the engine under Verilator; the
// names it uses agree with the real Vivado hand-off file in ../shared/fixtures (skipped when absent)
// and with the virtual board's overlay; the PYNQ driver compiles and runs on the agent's hw_fake layer.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { boardDefaultConfig } from '../boards/index.ts';
import { configHash, validateConfig, type HwConfig } from '../compiler/contracts/hw-config.ts';
import { Reg, REG_SPAN } from '../compiler/contracts/register-map.ts';
import { findIp, parseHwh } from '../host/hwh/parse-hwh.ts';
import { rtlSources, waiverFile } from '../sim/verilator/rtl-sources.ts';
import { checkTcl } from './tcl-check.ts';
import { TCL_FILES, writeOverlay } from './write-overlay.ts';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..');
const work = mkdtempSync(join(tmpdir(), 'cnna-overlay-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const u96 = boardDefaultConfig('ultra96');
const CONFIGS: Array<[string, HwConfig]> = [
  ['default', u96],
  ['pi=po=8, 150 MHz, 64-bit, one port', validateConfig({ ...u96, clockMhz: 150, array: { pi: 8, po: 8 }, buffers: { ...u96.buffers, inputBankEntries: 512, weightBankWords: 64 }, axi: { ...u96.axi, dataBits: 64, ports: 1 } })],
  ['pi 16 po 32, 250 MHz', validateConfig({ ...u96, clockMhz: 250, array: { pi: 16, po: 32 } })],
];

const read = (dir: string, f: string): string => readFileSync(join(dir, f), 'utf8');
const tclComplete = (files: string[]): string[] =>
  execFileSync('tclsh', ['-'], {
    input: `foreach p {${files.join(' ')}} { set f [open $p]; puts "[file tail $p] [info complete [read $f]]"; close $f }\n`,
    encoding: 'utf8',
  }).trim().split('\n');

describe.each(CONFIGS)('overlay for ultra96, config %s', (label, config) => {
  const dir = join(work, label.replace(/[^a-z0-9]+/gi, '-'));
  writeOverlay(dir, 'ultra96', config);
  const bd = read(dir, 'block_design.tcl');

  it('writes complete Tcl (tclsh info complete) that uses only listed Vivado commands, options and properties', () => {
    expect(tclComplete(TCL_FILES.map((f) => join(dir, f)))).toEqual(TCL_FILES.map((f) => `${f} 1`));
    const errors = TCL_FILES.flatMap((f) => checkTcl(read(dir, f), f, ['cnna.dev:rtl:cnna:1.0']).errors);
    expect(errors).toEqual([]);
    expect(statSync(join(dir, 'build.sh')).mode & 0o111).toBe(0o111);
    expect(read(dir, 'build.sh')).toContain('exec vivado -mode batch -nojournal -log out/vivado.log -source build.tcl');
    expect(read(dir, 'build.tcl')).toContain('set cnna_targets {2022.1 2022.2 2023.1 2023.2}');
  });

  it('describes the register map at the contract offsets, in the IP and in the PYNQ driver', () => {
    const pkg = read(dir, 'package_ip.tcl');
    const regs = [...pkg.matchAll(/ipx::add_register (\w+) \$cnna_ab\]\nset_property address_offset (0x[0-9A-F]+)/g)].map((m) => [m[1], Number(m[2])]);
    expect(Object.fromEntries(regs)).toEqual(Reg);
    expect(pkg).toContain('set_property range 4096 $cnna_ab');
    const drv = read(dir, 'pynq/cnna_overlay/driver.py');
    const pyRegs = Object.fromEntries([...drv.matchAll(/^ {4}"(\w+)": (0x[0-9a-f]+),$/gm)].map((m) => [m[1], Number(m[2])]));
    expect(pyRegs).toEqual(Reg);
    expect(drv).toContain(`CONFIG_HASH = "${configHash(config)}"`);
    expect(read(dir, 'ip/src/cnna_pkg.sv')).toContain(`localparam logic [63:0] CONFIG_HASH = 64'h${configHash(config)};`);
  });

  it('puts the registers in the M_AXI_HPM0_FPD aperture and the masters on S_AXI_HP0/1_FPD at the config width and clock', () => {
    const addr = [...bd.matchAll(/assign_bd_address -offset (0x[0-9A-F]+) -range (0x[0-9A-F]+) -target_address_space \[get_bd_addr_spaces (\S+)\] \[get_bd_addr_segs (\S+)\]/g)]
      .map((m) => ({ base: Number(m[1]), range: Number(m[2]), space: m[3], seg: m[4] }));
    const oneIp = config.axi.ports === 1;
    expect(addr).toEqual([
      { base: 0xa000_0000, range: 0x1_0000, space: 'zynq_ultra_ps_e_0/Data', seg: 'cnna_0/s_axi_control/reg0' },
      // Engine port 0 (reads and writes) on HP0; port 1 (the weights) on HP1 when the config has two.
      { base: 0, range: 0x8000_0000, space: 'cnna_0/m_axi_rd', seg: 'zynq_ultra_ps_e_0/SAXIGP2/HP0_DDR_LOW' },
      { base: 0, range: 0x8000_0000, space: 'cnna_0/m_axi1_rd', seg: oneIp ? 'zynq_ultra_ps_e_0/SAXIGP2/HP0_DDR_LOW' : 'zynq_ultra_ps_e_0/SAXIGP3/HP1_DDR_LOW' },
      { base: 0, range: 0x8000_0000, space: 'cnna_0/m_axi_wr', seg: 'zynq_ultra_ps_e_0/SAXIGP2/HP0_DDR_LOW' },
    ]);
    expect(addr[0].range).toBeGreaterThanOrEqual(REG_SPAN);
    expect(bd).toContain(`CONFIG.PSU__CRL_APB__PL0_REF_CTRL__FREQMHZ {${config.clockMhz}}`);
    expect(bd).toContain(`CONFIG.PSU__SAXIGP2__DATA_WIDTH {${config.axi.dataBits}}`);
    expect(bd).toContain(oneIp ? 'CONFIG.PSU__USE__S_AXI_GP3 {0}' : `CONFIG.PSU__SAXIGP3__DATA_WIDTH {${config.axi.dataBits}}`);
    expect(bd).toContain(oneIp ? 'set_property -dict [list CONFIG.NUM_SI {3} CONFIG.NUM_MI {1}] [get_bd_cells axi_smc_hp0]' : 'set_property -dict [list CONFIG.NUM_SI {1} CONFIG.NUM_MI {1}] [get_bd_cells axi_smc_hp1]');
    expect(bd).toContain('connect_bd_intf_net [get_bd_intf_pins zynq_ultra_ps_e_0/M_AXI_HPM0_FPD] [get_bd_intf_pins axi_smc_ctrl/S00_AXI]');
    expect(bd).toContain('connect_bd_net [get_bd_pins cnna_0/interrupt] [get_bd_pins zynq_ultra_ps_e_0/pl_ps_irq0]');
    expect(bd).toMatch(/connect_bd_net \[get_bd_pins zynq_ultra_ps_e_0\/pl_clk0\] \[get_bd_pins cnna_0\/aclk\]/);
    expect(bd).toContain('validate_bd_design');
    const wrapper = read(dir, 'ip/src/cnna.v');
    expect(wrapper).toContain(`PROTOCOL AXI4, READ_WRITE_MODE READ_ONLY, DATA_WIDTH ${config.axi.dataBits}, ADDR_WIDTH 32, MAX_BURST_LENGTH ${config.axi.burstBeats}`);
    expect(wrapper).toContain('(* X_INTERFACE_PARAMETER = "ASSOCIATED_BUSIF s_axi_control:m_axi_rd:m_axi1_rd:m_axi_wr, ASSOCIATED_RESET aresetn" *)');
    expect(wrapper).not.toContain('FREQ_HZ'); // the clock's frequency comes from the PS in the block design
    expect(wrapper).toContain(`module cnna #(\n  parameter CONFIG_HASH = "${configHash(config)}"\n) (`);
    const json = JSON.parse(read(dir, 'overlay.json'));
    expect(json.clock).toEqual({ pin: 'zynq_ultra_ps_e_0/pl_clk0', requestedMhz: config.clockMhz });
  });

  it('checks timing (WNS and WHS) before write_bitstream and copies the .hwh beside the .bit', () => {
    const impl = read(dir, 'implement.tcl');
    const at = (s: string): number => impl.indexOf(s);
    expect(at('if {$cnna_wns < 0 || $cnna_whs < 0} {')).toBeGreaterThan(at('open_run impl_1'));
    expect(at('puts [report_timing -max_paths 1 -nworst 1 -setup -return_string]')).toBeGreaterThan(at('if {$cnna_wns < 0'));
    expect(at('write_bitstream -force [file join $cnna_out cnna.bit]')).toBeGreaterThan(at('error "cnna: timing not met'));
    expect(impl).toContain('file copy -force [lindex $cnna_hwh 0] [file join $cnna_out cnna.hwh]');
  });

  it('wraps the engine so that Verilator lints the IP clean (-Wall, the engine waivers) and Yosys reads it', () => {
    const src = join(dir, 'ip/src');
    const files = ['cnna_pkg.sv', ...rtlSources().map((f) => f.split('/').pop()!), 'cnna.v'].map((f) => join(src, f));
    const r = spawnSync('verilator', ['--lint-only', '-Wall', '--top-module', 'cnna', waiverFile, ...files], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    if (label !== 'default') return;
    // Yosys 0.23 reads the wrapper (the engine's own files pass sim/verilator/lint.test.ts).
    const y = spawnSync('yosys', ['-q', '-p', `read_verilog ${join(src, 'cnna.v')}`], { encoding: 'utf8' });
    expect(y.stdout.split('\n').filter((l) => /ERROR/.test(l))).toEqual([]);
    expect(y.status).toBe(0);
  });
});

describe('overlay for pynq-z2 (processing_system7)', () => {
  const dir = join(work, 'pynq-z2');
  const config = boardDefaultConfig('pynq-z2');
  writeOverlay(dir, 'pynq-z2', config);
  const bd = read(dir, 'block_design.tcl');
  it('names the PS, its HP ports, FCLK_CLK0 and IRQ_F2P, in complete Tcl', () => {
    expect(tclComplete(TCL_FILES.map((f) => join(dir, f)))).toEqual(TCL_FILES.map((f) => `${f} 1`));
    expect(TCL_FILES.flatMap((f) => checkTcl(read(dir, f), f, ['cnna.dev:rtl:cnna:1.0']).errors)).toEqual([]);
    expect(bd).toContain('create_bd_cell -type ip -vlnv xilinx.com:ip:processing_system7 processing_system7_0');
    expect(bd).toContain('apply_bd_automation -rule xilinx.com:bd_rule:processing_system7 -config {make_external "FIXED_IO, DDR" apply_board_preset "1" Master "Disable" Slave "Disable"}');
    expect(bd).toContain(`CONFIG.PCW_FPGA0_PERIPHERAL_FREQMHZ {${config.clockMhz}}`);
    expect(bd).toContain(`CONFIG.PCW_S_AXI_HP0_DATA_WIDTH {${config.axi.dataBits}}`);
    expect(bd).toContain('connect_bd_net [get_bd_pins cnna_0/interrupt] [get_bd_pins processing_system7_0/IRQ_F2P]');
    expect(bd).toContain('assign_bd_address -offset 0x43C00000 -range 0x00010000 -target_address_space [get_bd_addr_spaces processing_system7_0/Data] [get_bd_addr_segs cnna_0/s_axi_control/reg0] -force');
    expect(bd).toContain('[get_bd_addr_segs processing_system7_0/S_AXI_HP1/HP1_DDR_LOWOCM]');
  });
  it('refuses a 128-bit AXI config for the 64-bit HP ports, naming both widths', () => {
    expect(() => writeOverlay(join(work, 'z2-bad'), 'pynq-z2', validateConfig({ ...config, axi: { ...config.axi, dataBits: 128 } })))
      .toThrow('axi.dataBits is 128, but the HP ports of pynq-z2 (processing_system7) are at most 64 bits wide');
    expect(existsSync(join(work, 'z2-bad'))).toBe(false);
  });
});

const shared = process.env.CNNA_SHARED ?? resolve(repo, '../shared');
const realPath = resolve(shared, 'fixtures/ultra96_cnna16_172mhz.hwh');
const haveReal = existsSync(realPath);

describe.skipIf(!haveReal)(`naming against the real Vivado .hwh (${haveReal ? realPath : `skipped: ${realPath} is absent (set CNNA_SHARED)`})`, () => {
  const hwh = haveReal ? parseHwh(readFileSync(realPath, 'utf8'), realPath) : undefined!;
  const ps = haveReal ? findIp(hwh, 'zynq_ultra_ps_1')! : undefined!;
  const dir = join(work, 'real-naming');
  if (haveReal) writeOverlay(dir, 'ultra96', u96);

  it('every CONFIG parameter set on zynq_ultra_ps_e is a PARAMETER of the real PS (zynq_ultra_ps_e 3.3)', () => {
    expect(ps.vlnv).toBe('xilinx.com:ip:zynq_ultra_ps_e:3.3');
    const used = checkTcl(read(dir, 'block_design.tcl'), 'block_design.tcl', ['cnna.dev:rtl:cnna:1.0']).ipConfig.filter((c) => c.cell === 'zynq_ultra_ps_e_0');
    expect(used.length).toBe(16);
    expect(used.filter((c) => !(c.name in ps.parameters)).map((c) => c.name)).toEqual([]);
  });

  it('the PS pins and HP interfaces it connects exist with those names, and the HP DDR blocks match', () => {
    const ports = new Set(ps.ports.map((p) => p.name));
    for (const p of ['pl_clk0', 'pl_resetn0', 'pl_ps_irq0', 'saxihp0_fpd_aclk', 'saxihp1_fpd_aclk']) expect(ports.has(p)).toBe(true);
    const intfs = new Set(ps.busInterfaces.map((b) => b.name));
    expect(intfs.has('S_AXI_HP0_FPD') && intfs.has('S_AXI_HP1_FPD')).toBe(true);
    const json = JSON.parse(read(dir, 'overlay.json'));
    for (const hp of ['HP0', 'HP1']) {
      const real = hwh.memRanges.find((r) => r.slaveInterface === `S_AXI_${hp}_FPD` && r.memType === 'MEMORY')!;
      const ours = json.addressMap.find((a: { slave: string }) => a.slave === `zynq_ultra_ps_e_0/S_AXI_${hp}_FPD`);
      expect([real.addressBlock, real.base, real.size]).toEqual([ours.block, Number(ours.base), Number(ours.range)]);
    }
  });

  it('the HLS engine IP follows the naming of the real HLS IP (its VLNV name is its MODTYPE; register block Reg)', () => {
    const cnn = findIp(hwh, 'cnn_0')!;
    expect([cnn.vlnv.split(':')[1], cnn.vlnv.split(':')[2], cnn.type]).toEqual(['hls', 'cnn', 'cnn']);
    expect(cnn.addressBlocks.map((b) => [b.name, b.usage])).toEqual([['Reg', 'register']]);
    const dir = join(work, 'real-naming-hls');
    writeOverlay(dir, 'ultra96', u96, 'hls');
    expect(JSON.parse(read(dir, 'overlay.json')).addressMap[0].block).toBe('Reg');
  });

  it('the clock parameter it sets is the one the parser reads the PL clock from, and pl_ps_irq0 is a PS interrupt input', () => {
    expect(ps.parameters.PSU__CRL_APB__PL0_REF_CTRL__FREQMHZ).toBe('173');
    expect(hwh.clocks.pl.find((c) => c.index === 0)!.requestedMHz).toBe(173);
    expect(read(dir, 'block_design.tcl')).toContain('CONFIG.PSU__CRL_APB__PL0_REF_CTRL__FREQMHZ {200}');
    expect(hwh.interrupts.some((l) => l.controller === 'zynq_ultra_ps_1' && l.controllerPort === 'pl_ps_irq0')).toBe(true);
  });
});

describe('the virtual board overlay and the PYNQ driver', () => {
  const dir = join(work, 'driver');
  writeOverlay(dir, 'ultra96', u96);
  const virt = join(repo, 'host/virtual-board/overlay/cnna-virtual.hwh');

  it('the virtual overlay .hwh has the engine where the generated block design puts it', () => {
    const hwh = parseHwh(readFileSync(virt, 'utf8'), virt);
    const ip = findIp(hwh, 'cnna_0')!;
    expect(ip.vlnv).toBe('cnna.dev:rtl:cnna:1.0');
    const r = ip.addressRanges.find((x) => x.memType === 'REGISTER')!;
    expect([r.master, r.masterInterface, r.slaveInterface, r.base, r.size]).toEqual(['zynq_ultra_ps_e_0', 'M_AXI_HPM0_FPD', 's_axi_control', 0xa000_0000, 0x1_0000]);
  });

  it('compiles and runs the engine protocol through the agent loader on hw_fake', () => {
    const py = ['pynq/cnna_overlay/__init__.py', 'pynq/cnna_overlay/driver.py', 'pynq/run_inference.py'].map((f) => join(dir, f));
    const c = spawnSync('python3', ['-m', 'py_compile', ...py], { encoding: 'utf8' });
    expect(c.stderr).toBe('');
    expect(c.status).toBe(0);
    const r = spawnSync('python3', [join(here, 'check-pynq-driver.py'), join(dir, 'pynq'), join(repo, 'boards/ultra96/agent'), join(repo, 'host/virtual-board/overlay/cnna-virtual.bit')], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const o = JSON.parse(r.stdout);
    const hash = configHash(u96);
    expect(o.vlnv).toBe('cnna.dev:rtl:cnna:1.0');
    expect(o.registers).toEqual(Reg);
    expect(o.installed).toEqual([true, true]); // none on the path, then found once the pynq/ folder is on it
    expect([o.span, o.base, o.engineBase, o.clockMhz, o.overlayClass]).toEqual([REG_SPAN, 0xa000_0000, 0xa000_0000, 200, false]);
    expect(o.configId).toBe(hash);
    expect(o.mismatch).toBe(`the bundle was compiled for config 0123456789abcdef, this engine is built for config ${hash}: recompile the model for this overlay's config`);
    expect(o.writes).toEqual([[Reg.BASE_LO, o.bufferPhys], [Reg.BASE_HI, 0], [Reg.ISR, 1], [Reg.CTRL, 1]]);
    // hw_fake's header engine: 1000 cycles per descriptor, 3 descriptors; 3000 cycles at 200 MHz = 15 us.
    expect(o.run).toEqual({ cycles: 3000, status: 0, timeNs: 15000 });
    expect(o.badMagic).toBe('the engine stopped with status 1 BAD_MAGIC (descriptor 0 is not a HEADER record)');
  });
});

describe('the agent with --driver', () => {
  it('refuses a folder without the generated driver, naming it, before serving', () => {
    const bad = join(work, 'no-driver');
    const r = spawnSync('python3', ['-m', 'cnna_agent', '--token', 'token-1234', '--cache', join(work, 'agent-cache'), '--tcp', '127.0.0.1:0', '--hw', 'fake', '--driver', bad],
      { cwd: join(repo, 'boards/ultra96/agent'), encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`cnna_agent: --driver: ${bad} holds no cnna_overlay/driver.py (pass the pynq/ folder that cnna overlay wrote)\n`);
  });
});

describe('cnna overlay (CLI)', () => {
  const cli = (args: string[]) => spawnSync('node', [join(repo, 'bin/cnna.js'), 'overlay', ...args], { encoding: 'utf8' });
  it('--json prints the design: IP, clock, interrupt, address map', () => {
    const r = cli(['--board', 'ultra96', '-o', join(work, 'cli'), '--json']);
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout);
    expect([j.ip, j.configHash, j.clock.requestedMhz, j.interrupt.target]).toEqual(['cnna.dev:rtl:cnna:1.0', configHash(u96), 200, 'zynq_ultra_ps_e_0/pl_ps_irq0']);
    expect(j.addressMap[0]).toEqual({ master: 'zynq_ultra_ps_e_0/M_AXI_HPM0_FPD', slave: 'cnna_0/s_axi_control', block: 'reg0', base: '0xa0000000', range: '0x10000', memType: 'REGISTER' });
  });
  it('--engine hls writes the Vitis HLS project and a block design around the IP it exports', () => {
    const dir = join(work, 'cli-hls');
    const r = cli(['--board', 'ultra96', '--engine', 'hls', '-o', dir, '--json']);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).ip).toBe('cnna.dev:hls:cnna:1.0');
    expect(tclComplete(TCL_FILES.map((f) => join(dir, f)))).toEqual(TCL_FILES.map((f) => `${f} 1`));
    expect(TCL_FILES.flatMap((f) => checkTcl(read(dir, f), f, ['cnna.dev:hls:cnna:1.0']).errors)).toEqual([]);
    expect(read(dir, 'hls/run_hls.tcl')).toContain('\nexport_design -format ip_catalog -vendor cnna.dev -library hls -ipname cnna -version 1.0\n');
    expect(read(dir, 'build.sh')).toContain('(cd hls && vitis_hls -f run_hls.tcl)');
    expect(read(dir, 'package_ip.tcl')).toContain('set cnna_ipdir [file join $cnna_here hls cnna_hls solution1 impl ip]');
    const bd = read(dir, 'block_design.tcl');
    expect(bd).toContain('create_bd_cell -type ip -vlnv cnna.dev:hls:cnna:1.0 cnna_0');
    expect(bd).toContain('[get_bd_addr_segs cnna_0/s_axi_control/Reg]');
    expect(bd).toContain('-target_address_space [get_bd_addr_spaces cnna_0/Data_m_axi_gmem_rd] [get_bd_addr_segs zynq_ultra_ps_e_0/SAXIGP2/HP0_DDR_LOW]');
    expect(bd).toContain('[get_bd_pins cnna_0/ap_rst_n]');
    expect(existsSync(join(dir, 'ip'))).toBe(false);
  });
  it('refuses a config for another board, naming both', () => {
    const r = cli(['--board', 'pynq-z2', '--config', join(repo, 'boards/ultra96/config.json'), '-o', join(work, 'cli-bad')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("board.name is 'ultra96' but --board is 'pynq-z2'");
  });
});

describe('the Tcl check', () => {
  it('names each command, option, property and IP parameter the reference list lacks, with file and line', () => {
    const script = [
      'create_bd_cell -type ip -vlnv xilinx.com:ip:smartconnect smc',
      'set_property -dict [list CONFIG.NUM_SI {2} CONFIG.NUM_SLAVES {1}] [get_bd_cells smc]',
      'if {[llength [get_bd_pinz x]] == 0} {',
      '  launch_runs impl_1 -to_step write_bitstream',
      '}',
      'set_property colour red [current_project]',
    ].join('\n');
    expect(checkTcl(script, 'x.tcl').errors).toEqual([
      'x.tcl:2: xilinx.com:ip:smartconnect has no CONFIG.NUM_SLAVES in overlay/vivado-reference.ts',
      'x.tcl:3: get_bd_pinz is neither a Tcl built-in nor a Vivado command in overlay/vivado-reference.ts',
      'x.tcl:4: launch_runs -to_step: option not in overlay/vivado-reference.ts (UG835 (v2022.1-v2023.2))',
      'x.tcl:6: set_property colour: property not in overlay/vivado-reference.ts',
    ]);
  });
});
