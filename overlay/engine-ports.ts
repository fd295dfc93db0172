// Reads the port list of the engine's top module (rtl/cnna_top.sv) and groups it into what the IP
// exposes: the clock, the active-low reset, the AXI4-Lite control slave (s_axil_*), one AXI4 master
// per (prefix, direction) of the m_axi*_ar/r (read) and m_axi*_aw/w/b (write) channels, the interrupt
// and the debug outputs (left open in the IP). Reading the ports from the source keeps the wrapper in
// step with the RTL: a new master port group becomes a new IP master without touching this code.
//
// Invariants: every port of the top lands in exactly one group; an input the wrapper cannot drive
// (unknown name) is an error naming the port, never silently tied off.
import { readFileSync } from 'node:fs';
import { CnnaError } from '../compiler/errors/cnna-error.ts';

export interface RtlPort {
  name: string;
  dir: 'input' | 'output';
  /** Packed range text as written, e.g. "[AddrWidth-1:0]", or "" for one bit. */
  range: string;
}

export interface AxiSignal {
  /** AXI signal name without prefix, lower case (araddr, rvalid, ...). */
  signal: string;
  port: RtlPort;
}

export interface AxiMaster {
  /** IP interface name, e.g. m_axi_rd. */
  name: string;
  /** The RTL prefix, e.g. m_axi. */
  prefix: string;
  /** The engine's AXI port number: 0 for m_axi_*, N for m_axiN_*. */
  port: number;
  mode: 'read' | 'write';
  signals: AxiSignal[];
}

export interface EnginePorts {
  module: string;
  clock: RtlPort;
  reset: RtlPort;
  control: AxiSignal[];
  masters: AxiMaster[];
  interrupt: RtlPort;
  debug: RtlPort[];
}

const READ_CH = /^(ar|r)(addr|len|size|burst|valid|ready|data|resp|last|id|cache|prot|lock|qos|user)$/;
const WRITE_CH = /^(aw|w|b)(addr|len|size|burst|valid|ready|data|strb|last|resp|id|cache|prot|lock|qos|user)$/;

/** The ANSI port declarations of `module <name> ... ( ... );` in SystemVerilog text. */
export function parsePorts(sv: string, module = 'cnna_top'): RtlPort[] {
  const text = sv.replace(/\/\/.*$/gm, '').replace(/\/\*[\s\S]*?\*\//g, '');
  const start = text.search(new RegExp(`\\bmodule\\s+${module}\\b`));
  if (start < 0) throw new CnnaError('E_FORMAT', `rtl: no module ${module} in the engine's top file`);
  // The port list is the parenthesis group that follows the optional #( parameters ).
  let i = text.indexOf('(', start);
  const skipGroup = (at: number): number => {
    let depth = 0;
    for (let k = at; k < text.length; k++) {
      if (text[k] === '(') depth++;
      else if (text[k] === ')' && --depth === 0) return k;
    }
    throw new CnnaError('E_FORMAT', `rtl: unbalanced parentheses in module ${module}`);
  };
  if (/#\s*$/.test(text.slice(start, i))) i = text.indexOf('(', skipGroup(i) + 1);
  const body = text.slice(i + 1, skipGroup(i));
  const ports: RtlPort[] = [];
  for (const decl of body.split(',')) {
    const m = /^\s*(input|output)\s+(?:logic|wire)?\s*((?:\[[^\]]*\]\s*)*)([A-Za-z_][A-Za-z0-9_]*)\s*$/.exec(decl);
    if (!m) throw new CnnaError('E_FORMAT', `rtl: cannot read the port declaration "${decl.trim()}" of ${module}`, { hint: 'the overlay generator reads ANSI port lists: "input logic [W-1:0] name"' });
    ports.push({ dir: m[1] as 'input' | 'output', range: m[2].replace(/\s+/g, ''), name: m[3] });
  }
  return ports;
}

/** Groups the top's ports into the IP's interfaces. */
export function groupPorts(ports: RtlPort[], module = 'cnna_top'): EnginePorts {
  const by = (n: string): RtlPort | undefined => ports.find((p) => p.name === n);
  const need = (n: string, what: string): RtlPort => {
    const p = by(n);
    if (!p) throw new CnnaError('E_FORMAT', `rtl: ${module} has no ${what} port ${n}`, { hint: 'the IP wrapper expects clk_i, rst_ni, s_axil_*, m_axi*_* and irq_o (rtl/README.md)' });
    return p;
  };
  const clock = need('clk_i', 'clock');
  const reset = need('rst_ni', 'reset');
  const interrupt = need('irq_o', 'interrupt');
  const control: AxiSignal[] = [];
  const masters = new Map<string, AxiMaster>();
  const debug: RtlPort[] = [];
  for (const p of ports) {
    if (p === clock || p === reset || p === interrupt) continue;
    const ctl = /^s_axil_([a-z]+)_[io]$/.exec(p.name);
    if (ctl) { control.push({ signal: ctl[1], port: p }); continue; }
    const m = /^(m_axi[a-z0-9_]*?)_([a-z]+)_[io]$/.exec(p.name);
    if (m && (READ_CH.test(m[2]) || WRITE_CH.test(m[2]))) {
      const mode = READ_CH.test(m[2]) ? 'read' : 'write';
      const key = `${m[1]}:${mode}`;
      let g = masters.get(key);
      if (!g) {
        const base = m[1] === 'm_axi' ? 'm_axi' : m[1];
        const num = /^m_axi(\d+)$/.exec(m[1]);
        g = { name: `${base}_${mode === 'read' ? 'rd' : 'wr'}`, prefix: m[1], port: num ? Number(num[1]) : 0, mode, signals: [] };
        masters.set(key, g);
      }
      g.signals.push({ signal: m[2], port: p });
      continue;
    }
    if (p.dir === 'input') {
      throw new CnnaError('E_FORMAT', `rtl: ${module} input ${p.name} belongs to no interface the IP wrapper knows`, {
        hint: 'name it s_axil_* (control), m_axi*_<channel><signal>_i (AXI master) or teach overlay/engine-ports.ts about it',
      });
    }
    debug.push(p);
  }
  // Read masters first (in prefix order), then write masters: the order HP ports are assigned in.
  const list = [...masters.values()].sort((a, b) => (a.mode === b.mode ? a.prefix.localeCompare(b.prefix) : a.mode === 'read' ? -1 : 1));
  for (const g of list) {
    const have = new Set(g.signals.map((s) => s.signal));
    const required = g.mode === 'read' ? ['araddr', 'arvalid', 'arready', 'rdata', 'rvalid', 'rready', 'rlast'] : ['awaddr', 'awvalid', 'awready', 'wdata', 'wvalid', 'wready', 'wlast', 'bvalid', 'bready'];
    const missing = required.filter((s) => !have.has(s));
    if (missing.length) throw new CnnaError('E_FORMAT', `rtl: AXI master ${g.prefix} (${g.mode}) of ${module} lacks ${missing.join(', ')}`);
  }
  return { module, clock, reset, control, masters: list, interrupt, debug };
}

/** The engine top's interfaces, read from the file (rtl/cnna_top.sv). */
export function readEnginePorts(topFile: string): EnginePorts {
  return groupPorts(parsePorts(readFileSync(topFile, 'utf8')));
}
