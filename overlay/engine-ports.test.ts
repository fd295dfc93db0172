// The engine top's ports grouped into IP interfaces: the real rtl/cnna_top.sv (engine port 0 reads
// and writes, port 1 reads the weights), and a synthetic top of the same shape whose masters land on
// the HP port of their engine port number.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { boardDefaultConfig } from '../boards/index.ts';
import { repoRoot, rtlDir } from '../sim/verilator/rtl-sources.ts';
import { buildDesign, hlsEngineIp, rtlEngineIp } from './design.ts';
import { groupPorts, parsePorts, readEnginePorts } from './engine-ports.ts';
import { genBlockDesignTcl } from './gen-tcl.ts';
import { genIpWrapper } from './ip-wrapper.ts';
import { getOverlayBoard } from './overlay-boards.ts';

const rd = (p: string) => ['araddr', 'arlen', 'arsize', 'arburst', 'arvalid'].map((s) => `output logic [7:0] ${p}_${s}_o`)
  .concat(['arready', 'rvalid', 'rlast'].map((s) => `input logic ${p}_${s}_i`), [`input logic [DataWidth-1:0] ${p}_rdata_i`, `input logic [1:0] ${p}_rresp_i`, `output logic ${p}_rready_o`]);
const wr = (p: string) => ['awaddr', 'awvalid', 'wdata', 'wvalid', 'wlast', 'bready'].map((s) => `output logic [7:0] ${p}_${s}_o`)
  .concat(['awready', 'wready', 'bvalid'].map((s) => `input logic ${p}_${s}_i`));
const top = (extra: string[]) => `module cnna_top #(parameter int unsigned DataWidth = 128) (
  input logic clk_i, // clock
  input logic rst_ni,
  input logic [7:0] s_axil_awaddr_i,
  output logic s_axil_awready_o,
  ${[...rd('m_axi'), ...rd('m_axi1'), ...wr('m_axi'), ...extra].join(',\n  ')},
  output logic irq_o,
  output logic stall_o
);
endmodule`;

describe('engine ports', () => {
  it('reads the real top: one AXI4-Lite slave, two read masters and a write master, the interrupt and four debug outputs', () => {
    const p = readEnginePorts(join(rtlDir, 'cnna_top.sv'));
    expect(p.masters.map((m) => [m.name, m.mode, m.port, m.signals.length])).toEqual([['m_axi_rd', 'read', 0, 11], ['m_axi1_rd', 'read', 1, 11], ['m_axi_wr', 'write', 0, 14]]);
    expect(p.control.length).toBe(17);
    expect(p.debug.map((d) => d.name)).toEqual(['job_done_o', 'job_layer_o', 'mac_busy_o', 'stall_o']);
  });

  it('engine port 1 (m_axi1_rd) goes on S_AXI_HP1_FPD, port 0 (m_axi_rd, m_axi_wr) on HP0', () => {
    const ports = groupPorts(parsePorts(top([])));
    expect(ports.masters.map((m) => m.name)).toEqual(['m_axi_rd', 'm_axi1_rd', 'm_axi_wr']);
    const config = boardDefaultConfig('ultra96');
    const d = buildDesign(getOverlayBoard('ultra96'), config, rtlEngineIp(ports));
    expect(d.hp.map((h) => [h.hp, h.masters])).toEqual([['S_AXI_HP0_FPD', ['m_axi_rd', 'm_axi_wr']], ['S_AXI_HP1_FPD', ['m_axi1_rd']]]);
    const bd = genBlockDesignTcl(d, getOverlayBoard('ultra96'));
    expect(bd).toContain('connect_bd_intf_net [get_bd_intf_pins cnna_0/m_axi_wr] [get_bd_intf_pins axi_smc_hp0/S01_AXI]');
    expect(bd).toContain('assign_bd_address -offset 0x00000000 -range 0x80000000 -target_address_space [get_bd_addr_spaces cnna_0/m_axi1_rd] [get_bd_addr_segs zynq_ultra_ps_e_0/SAXIGP3/HP1_DDR_LOW] -force');
    const v = genIpWrapper(d, ports, config);
    expect(v).toContain('input  wire [127:0] m_axi1_rd_rdata');
    expect(v).toContain('    .m_axi1_rdata_i(m_axi1_rd_rdata)');
    expect(v).toContain("  assign m_axi1_rd_arcache = 4'b0011;");
  });

  it('refuses an input port it cannot place, naming it', () => {
    expect(() => groupPorts(parsePorts(top(['input logic dbg_halt_i'])))).toThrow('rtl: cnna_top input dbg_halt_i belongs to no interface the IP wrapper knows');
  });

  it('reads the HLS top: one master per m_axi bundle, in pragma order, and refuses a top without the control bundle', () => {
    const cpp = readFileSync(join(repoRoot, 'hls', 'cnna_top.cpp'), 'utf8');
    expect(hlsEngineIp(cpp).masters).toEqual([
      { name: 'm_axi_gmem_rd', mode: 'read', port: 0, space: 'Data_m_axi_gmem_rd' },
      { name: 'm_axi_gmem_wr', mode: 'write', port: 1, space: 'Data_m_axi_gmem_wr' },
    ]);
    const three = `${cpp}\n  CNNA_PRAGMA(HLS INTERFACE mode = m_axi port = ddr_w bundle = gmem_w offset = off max_read_burst_length = 16)`;
    expect(hlsEngineIp(three).masters.map((m) => [m.name, m.port])).toEqual([['m_axi_gmem_rd', 0], ['m_axi_gmem_wr', 1], ['m_axi_gmem_w', 2]]);
    expect(() => hlsEngineIp(cpp.replace(/bundle = control\s*$/m, 'bundle = ctl'))).toThrow('hls/cnna_top.cpp: no s_axilite control bundle (port = return bundle = control) for the overlay to connect');
  });
});
