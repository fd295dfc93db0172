// The IP's top level, in Verilog-2001 (what the IP packager and the block design take as a top): it
// renames the engine's ports to Vivado's interface conventions and marks them with X_INTERFACE_INFO /
// X_INTERFACE_PARAMETER attributes, so ipx::package_project infers the AXI4-Lite slave s_axi_control,
// one AXI4 master per engine master (m_axi_rd, m_axi_wr, ...), the clock aclk, the active-low reset
// aresetn and the level-high interrupt `interrupt`. The engine's own parameters come from cnna_pkg.
//
// Invariants: widths are numbers computed from the config (the packager reads them without the
// SystemVerilog package); the control address port is REG_BLOCK_BYTES wide in bytes and the engine
// decodes its low bits; signals an AXI4 master needs but the engine lacks are driven with constants;
// the string parameter CONFIG_HASH (the config hash the engine is built for) reaches the .hwh.
import { CnnaError } from '../compiler/errors/cnna-error.ts';
import type { HwConfig } from '../compiler/contracts/hw-config.ts';
import type { OverlayDesign } from './design.ts';
import type { EnginePorts, RtlPort } from './engine-ports.ts';

/** Width of a packed range like "[DataWidth/8-1:0]" with the top's parameters bound to numbers. */
export function rangeWidth(range: string, params: Record<string, number>, where: string): number {
  if (range === '') return 1;
  const m = /^\[(.+):(.+)\]$/.exec(range);
  if (!m) throw new CnnaError('E_FORMAT', `rtl: cannot read the range ${range} of ${where}`);
  const ev = (e: string): number => {
    const t = e.replace(/[A-Za-z_][A-Za-z0-9_]*/g, (id) => {
      if (!(id in params)) throw new CnnaError('E_FORMAT', `rtl: the range ${range} of ${where} uses ${id}, which the overlay generator does not know`);
      return String(params[id]);
    });
    if (!/^[0-9+\-*/() ]+$/.test(t)) throw new CnnaError('E_FORMAT', `rtl: cannot evaluate the range ${range} of ${where}`);
    return Math.trunc(Function(`"use strict"; return (${t});`)() as number);
  };
  return Math.abs(ev(m[1]) - ev(m[2])) + 1;
}

const vrange = (w: number): string => (w === 1 ? '' : `[${w - 1}:0] `);

/** Constant outputs an AXI4 master interface carries that the engine does not drive (value per signal). */
const MASTER_CONSTANTS: Record<'read' | 'write', Array<[string, number, string]>> = {
  read: [['arcache', 4, "4'b0011"], ['arprot', 3, "3'b000"], ['arlock', 1, "1'b0"], ['arqos', 4, "4'h0"]],
  write: [['awcache', 4, "4'b0011"], ['awprot', 3, "3'b000"], ['awlock', 1, "1'b0"], ['awqos', 4, "4'h0"]],
};

export function genIpWrapper(d: OverlayDesign, ports: EnginePorts, config: HwConfig): string {
  const params: Record<string, number> = {
    AddrWidth: d.axi.addrBits, DataWidth: config.axi.dataBits, Pi: config.array.pi, Po: config.array.po,
  };
  const width = (p: RtlPort): number => rangeWidth(p.range, params, `${ports.module}.${p.name}`);
  const decl: string[] = [];
  const conn: string[] = [];
  const assigns: string[] = [];
  const busifs = [d.control.slaveIntf, ...d.masters.map((m) => m.name)].join(':');
  decl.push(
    `  (* X_INTERFACE_INFO = "xilinx.com:signal:clock:1.0 aclk CLK" *)`,
    // No FREQ_HZ: the block design propagates the PS clock's actual frequency (a fixed value that
    // differs from what the PS PLL gives would fail validate_bd_design).
    `  (* X_INTERFACE_PARAMETER = "ASSOCIATED_BUSIF ${busifs}, ASSOCIATED_RESET aresetn" *)`,
    `  input  wire aclk`,
    `  (* X_INTERFACE_INFO = "xilinx.com:signal:reset:1.0 aresetn RST" *)`,
    `  (* X_INTERFACE_PARAMETER = "POLARITY ACTIVE_LOW" *)`,
    `  input  wire aresetn`,
    `  (* X_INTERFACE_INFO = "xilinx.com:signal:interrupt:1.0 interrupt INTERRUPT" *)`,
    `  (* X_INTERFACE_PARAMETER = "SENSITIVITY LEVEL_HIGH" *)`,
    `  output wire interrupt`,
  );
  conn.push(`    .${ports.clock.name}(aclk)`, `    .${ports.reset.name}(aresetn)`, `    .${ports.interrupt.name}(interrupt)`);
  const addrBits = Math.log2(d.regBlockBytes);
  let first = true;
  for (const s of ports.control) {
    const name = `${d.control.slaveIntf}_${s.signal}`;
    const isAddr = s.signal === 'awaddr' || s.signal === 'araddr';
    const w = isAddr ? addrBits : width(s.port);
    decl.push(`  (* X_INTERFACE_INFO = "xilinx.com:interface:aximm:1.0 ${d.control.slaveIntf} ${s.signal.toUpperCase()}" *)`);
    if (first) {
      decl.push(`  (* X_INTERFACE_PARAMETER = "PROTOCOL AXI4LITE, DATA_WIDTH 32, ADDR_WIDTH ${addrBits}" *)`);
      first = false;
    }
    decl.push(`  ${s.port.dir === 'input' ? 'input ' : 'output'} wire ${vrange(w)}${name}`);
    const ew = width(s.port);
    conn.push(`    .${s.port.name}(${isAddr && ew < w ? `${name}[${ew - 1}:0]` : name})`);
  }
  for (const m of ports.masters) {
    const g = d.masters.find((x) => x.name === m.name)!;
    const mode = g.mode === 'read' ? 'READ_ONLY' : 'WRITE_ONLY';
    first = true;
    const emit = (signal: string, dir: 'input' | 'output', w: number): string => {
      const name = `${m.name}_${signal}`;
      decl.push(`  (* X_INTERFACE_INFO = "xilinx.com:interface:aximm:1.0 ${m.name} ${signal.toUpperCase()}" *)`);
      if (first) {
        decl.push(`  (* X_INTERFACE_PARAMETER = "PROTOCOL AXI4, READ_WRITE_MODE ${mode}, DATA_WIDTH ${d.axi.dataBits}, ADDR_WIDTH ${d.axi.addrBits}, MAX_BURST_LENGTH ${d.axi.burstBeats}, ID_WIDTH 0" *)`);
        first = false;
      }
      decl.push(`  ${dir === 'input' ? 'input ' : 'output'} wire ${vrange(w)}${name}`);
      return name;
    };
    for (const s of m.signals) conn.push(`    .${s.port.name}(${emit(s.signal, s.port.dir, width(s.port))})`);
    const have = new Set(m.signals.map((s) => s.signal));
    for (const [sig, w, value] of MASTER_CONSTANTS[m.mode]) {
      if (have.has(sig)) continue;
      assigns.push(`  assign ${emit(sig, 'output', w)} = ${value};`);
    }
  }
  for (const p of ports.debug) conn.push(`    .${p.name}()`);
  const L: string[] = [];
  L.push(`// Generated by cnna overlay (overlay/ip-wrapper.ts) for config ${d.configHash}. Do not edit.`);
  L.push(`// IP ${d.ip.vlnv}: the ${ports.module} engine with Vivado interface names. Debug outputs are left open.`);
  L.push('// The engine decodes the low address bits of the 4 KiB register block; the debug outputs stay open.');
  L.push('/* verilator lint_off UNUSEDSIGNAL */');
  L.push('/* verilator lint_off PINCONNECTEMPTY */');
  L.push("/* verilator lint_off SYMRSVDWORD */ // 'interrupt' is the port name Vivado's IP integrator expects");
  // CONFIG_HASH becomes a user parameter of the packaged IP, so the .hwh lists it among the engine's
  // PARAMETERs: DEPLOY can check a bundle against the overlay before loading it (host/hwh).
  L.push('/* verilator lint_off UNUSEDPARAM */ // CONFIG_HASH is metadata for the .hwh; CONFIG_ID registers hold it in hardware');
  L.push(`module ${d.ip.top} #(`);
  L.push(`  parameter CONFIG_HASH = "${d.configHash}"`);
  L.push(') (');
  L.push(decl.map((l, i) => (/^\s*\(\*/.test(l) ? l : `${l}${decl.slice(i + 1).some((x) => !/^\s*\(\*/.test(x)) ? ',' : ''}`)).join('\n'));
  L.push(');');
  L.push(...assigns);
  L.push(`  ${ports.module} u_engine (`);
  L.push(conn.join(',\n'));
  L.push('  );');
  L.push('endmodule');
  return `${L.join('\n')}\n`;
}
