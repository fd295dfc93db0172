// Static timing estimate of a Yosys `synth_xilinx -family xcup` netlist (`write_json`): every
// register-to-register path, with an estimated delay from the UltraScale+ -1 table in timing-model.ts.
//
// Method: the flattened top module becomes a graph whose nodes are net bits plus a few virtual nodes per
// wide cell (a carry cell, a DSP48E2 stage, a LUTRAM read port). Timing starts at register outputs
// (FD* Q, block-RAM DOUT with or without DOA_REG/DOB_REG, DSP48E2 internal A/B/C/D/AD/M/P registers,
// SRL and LUTRAM outputs) and ends at register inputs (FD* D/CE/R/S, block-RAM address/data/enable pins,
// the DSP pins that feed an enabled register, its internal stages, LUTRAM/SRL write pins). Arrival times
// propagate in topological order; each hop adds the driving net's routing delay (netDelay(fanout)) plus
// the cell arc. Primary inputs and outputs are not timed (no I/O constraints exist), nor are
// asynchronous clear/preset pins (recovery) or clock pins. Each LUT, MUXF, carry cell and DSP stage on
// a path counts as one logic level.
import { CnnaError } from '../../compiler/errors/cnna-error.ts';
import { netDelay, TIMING_MODEL, type TimingModel } from './timing-model.ts';

type Bit = number | string;
export interface YosysCell {
  type: string;
  parameters?: Record<string, string | number>;
  port_directions: Record<string, 'input' | 'output' | 'inout'>;
  connections: Record<string, Bit[]>;
}
export interface YosysModule {
  attributes?: Record<string, string | number>;
  cells: Record<string, YosysCell>;
  netnames: Record<string, { bits: Bit[]; hide_name?: number }>;
}
export interface YosysNetlist {
  modules: Record<string, YosysModule>;
}

export interface TimingPath {
  /** Start register (the net it drives, or a DSP48E2's internal register), e.g. `u_mac.acc_q[12]`. */
  from: string;
  fromCell: string;
  /** End register, named like `from`. */
  to: string;
  toCell: string;
  levels: number;
  ns: number;
  /** Cell types along the path, start and end included; a run of one type is written `CARRY4 x7`. */
  through: string[];
}

export interface TimingReport {
  model: string;
  /** Estimated worst register-to-register delay and the clock it allows (null: no register-to-register path). */
  worstNs: number;
  fmaxMhz: number | null;
  /** The worst paths, at most one per end register (a bus counts once). */
  paths: TimingPath[];
  endpoints: number;
  /** Cell types with no entry in the model, timed as one LUT each. */
  unknownCellTypes: string[];
  /** Nodes left on combinational loops (should be 0; their paths are not timed). */
  loopNodes: number;
}

const FF_TYPES = new Set(['FDRE', 'FDSE', 'FDCE', 'FDPE', 'LDCE', 'LDPE']);
const LUT_TYPES = new Set(['LUT1', 'LUT2', 'LUT3', 'LUT4', 'LUT5', 'LUT6', 'LUT6_2', 'INV']);
const MUXF_TYPES = new Set(['MUXF7', 'MUXF8', 'MUXF9']);
const CARRY_TYPES = new Set(['CARRY4', 'CARRY8']);
const SRL_TYPES = new Set(['SRL16E', 'SRLC16E', 'SRLC32E']);
const BRAM_TYPES = new Set(['RAMB36E2', 'RAMB18E2']);
const SKIP_TYPES = new Set(['BUFG', 'BUFGCE', 'BUFG_GT', 'BUFG_PS', 'GND', 'VCC', 'IBUF', 'OBUF']);
const isLutram = (t: string) => /^RAM(32|64|128|256|512)/.test(t);

/** Clock pins carry no data timing. */
function isClockPin(type: string, port: string): boolean {
  if (FF_TYPES.has(type)) return port === 'C' || port === 'G';
  if (BRAM_TYPES.has(type)) return port === 'CLKARDCLK' || port === 'CLKBWRCLK';
  if (type === 'DSP48E2') return port === 'CLK';
  if (SRL_TYPES.has(type)) return port === 'CLK';
  if (isLutram(type)) return port === 'WCLK';
  return false;
}

function param(c: YosysCell, name: string, dflt: number): number {
  const v = c.parameters?.[name];
  if (v === undefined) return dflt;
  if (typeof v === 'number') return v;
  return /^[01]+$/.test(v) ? parseInt(v, 2) : Number(v);
}
function paramStr(c: YosysCell, name: string, dflt: string): string {
  const v = c.parameters?.[name];
  return v === undefined ? dflt : String(v).trim();
}

/** The top module: the one Yosys marks `top`, or the named one. */
export function topModule(net: YosysNetlist, top?: string): YosysModule {
  if (top) {
    const m = net.modules[top];
    if (!m) throw new CnnaError('E_SIM', `timing: the netlist has no module ${top}`);
    return m;
  }
  const tops = Object.values(net.modules).filter((m) => m.attributes?.top !== undefined && param({ type: '', port_directions: {}, connections: {}, parameters: { t: m.attributes!.top } }, 't', 0) === 1);
  if (tops.length !== 1) throw new CnnaError('E_SIM', `timing: expected one top module in the netlist, found ${tops.length}`);
  return tops[0];
}

export function estimateTiming(net: YosysNetlist, opts: { top?: string; model?: TimingModel; worst?: number } = {}): TimingReport {
  const M = opts.model ?? TIMING_MODEL;
  const mod = topModule(net, opts.top);
  const cells = Object.entries(mod.cells);

  // Names: the shortest public net name of each bit.
  let maxBit = 1;
  const bitName = new Map<number, string>();
  const nameRank = new Map<number, number>();
  for (const [name, n] of Object.entries(mod.netnames)) {
    const rank = (n.hide_name ? 1e6 : 0) + name.length;
    n.bits.forEach((b, i) => {
      if (typeof b !== 'number') return;
      if (b > maxBit) maxBit = b;
      if (!nameRank.has(b) || rank < nameRank.get(b)!) {
        nameRank.set(b, rank);
        bitName.set(b, n.bits.length > 1 ? `${name}[${i}]` : name);
      }
    });
  }
  for (const [, c] of cells) for (const bits of Object.values(c.connections)) for (const b of bits) if (typeof b === 'number' && b > maxBit) maxBit = b;

  // Pass 1: drivers and fanout.
  const driverType = new Map<number, string>();
  const driverPort = new Map<number, string>();
  const fanout = new Uint32Array(maxBit + 1);
  for (const [, c] of cells) {
    for (const [port, bits] of Object.entries(c.connections)) {
      const dir = c.port_directions[port];
      for (const b of bits) {
        if (typeof b !== 'number') continue;
        if (dir === 'output') { driverType.set(b, c.type); driverPort.set(b, port); }
        else if (!isClockPin(c.type, port)) fanout[b]++;
      }
    }
  }

  // The graph: arcs u -> v with a cell delay, a level increment and whether u's net delay applies.
  const arcFrom: number[] = [], arcTo: number[] = [], arcD: number[] = [], arcLvl: number[] = [], arcNet: number[] = [], arcCell: number[] = [];
  const cellTypes: string[] = [];
  let nextNode = maxBit + 1;
  const startT = new Map<number, number>();
  const startLabel = new Map<number, { label: string; cell: string; ci: number }>();
  const ends: { node: number; setup: number; net: boolean; label: string; cell: string; ci: number }[] = [];
  const unknown = new Set<string>();

  const name = (b: Bit, fallback: string) => (typeof b === 'number' && bitName.get(b)) || fallback;
  const baseName = (s: string) => s.replace(/\[\d+\]$/, '');
  const cellLabel = (cname: string, c: YosysCell) => {
    for (const [port, bits] of Object.entries(c.connections)) {
      if (c.port_directions[port] !== 'output') continue;
      for (const b of bits) if (typeof b === 'number' && (nameRank.get(b) ?? 1e6) < 1e6) return baseName(bitName.get(b)!);
    }
    return cname;
  };

  for (const [cname, c] of cells) {
    const t = c.type;
    if (SKIP_TYPES.has(t)) continue;
    const ci = cellTypes.push(t) - 1;
    const arc = (u: number, v: number, d: number, lvl: number, netOn: boolean) => {
      arcFrom.push(u); arcTo.push(v); arcD.push(d); arcLvl.push(lvl); arcNet.push(netOn ? 1 : 0); arcCell.push(ci);
    };
    const vnode = () => nextNode++;
    const bitsOf = (ports: string[]) => ports.flatMap((p) => (c.connections[p] ?? []).filter((b): b is number => typeof b === 'number'));
    const inPorts = Object.keys(c.connections).filter((p) => c.port_directions[p] !== 'output' && !isClockPin(t, p));
    const outPorts = Object.keys(c.connections).filter((p) => c.port_directions[p] === 'output');
    const start = (node: number, tt: number, label: string) => { startT.set(node, tt); startLabel.set(node, { label, cell: t, ci }); };
    const end = (node: number, setup: number, netOn: boolean, label: string) => ends.push({ node, setup, net: netOn, label, cell: t, ci });
    /** inputs -> one virtual node (delay d) -> outputs (0): keeps wide cells linear in size. */
    const combThrough = (ins: number[], outs: number[], d: number, lvl: number, dedicated = (_b: number) => false) => {
      const v = vnode();
      for (const b of ins) arc(b, v, d, lvl, !dedicated(b));
      for (const o of outs) arc(v, o, 0, 0, false);
      return v;
    };

    if (FF_TYPES.has(t)) {
      const q = bitsOf(['Q'])[0];
      const label = name(q, cname);
      for (const p of inPorts) if (p === 'D' || p === 'CE' || p === 'R' || p === 'S' || p === 'GE') for (const b of bitsOf([p])) end(b, M.ffSetup, true, label);
      if (q !== undefined) start(q, M.ffClockToOut, label);
    } else if (LUT_TYPES.has(t) || MUXF_TYPES.has(t)) {
      const d = MUXF_TYPES.has(t) ? M.muxf : M.lut;
      // A MUXF7/F8/F9 data input (I0/I1) driven by a LUT / MUXF7 / MUXF8 that drives nothing else is the
      // CLB's dedicated connection (UG574): no net delay.
      const below = t === 'MUXF7' ? LUT_TYPES : t === 'MUXF8' ? new Set(['MUXF7']) : new Set(['MUXF8']);
      for (const p of inPorts) {
        for (const b of bitsOf([p])) {
          const dedicated = MUXF_TYPES.has(t) && (p === 'I0' || p === 'I1') && below.has(driverType.get(b) ?? '') && fanout[b] === 1;
          for (const o of bitsOf(outPorts)) arc(b, o, d, 1, !dedicated);
        }
      }
    } else if (CARRY_TYPES.has(t)) {
      const v = vnode();
      const fromCarry = (b: number) => CARRY_TYPES.has(driverType.get(b) ?? '') && driverPort.get(b) === 'CO';
      for (const p of inPorts) {
        for (const b of bitsOf([p])) {
          if (p === 'CI' || p === 'CYINIT' || p === 'CI_TOP') {
            // A cascaded carry: through the chain on dedicated routing. A carry-in from fabric enters the chain.
            // A CARRY4 is half a CARRY8 (Vivado packs two into one), so it passes half the chain delay.
            if (fromCarry(b)) arc(b, v, t === 'CARRY4' ? M.carryThrough / 2 : M.carryThrough, 0, false);
            else arc(b, v, M.carryEntry, 1, true);
          } else {
            // S and DI driven by a LUT that drives nothing else: the LUT sits in the carry's slice and feeds it
            // on the CLB's dedicated connection (UG574: O6 -> S, O5 -> DI), no net delay.
            const dedicated = (p === 'S' || p === 'DI') && LUT_TYPES.has(driverType.get(b) ?? '') && fanout[b] === 1;
            arc(b, v, M.carryEntry, 1, !dedicated);
          }
        }
      }
      for (const o of bitsOf(outPorts)) arc(v, o, 0, 0, false);
    } else if (BRAM_TYPES.has(t)) {
      const label = cellLabel(cname, c);
      for (const p of inPorts) for (const b of bitsOf([p])) end(b, M.bramSetup, !p.startsWith('CAS'), label);
      const regA = param(c, 'DOA_REG', 1) > 0, regB = param(c, 'DOB_REG', 1) > 0;
      for (const p of outPorts) {
        const reg = /^(DOUTB|DOUTPB|CASDOUTB|CASDOUTPB)/.test(p) ? regB : regA;
        for (const b of bitsOf([p])) start(b, reg ? M.bramClockToOutReg : M.bramClockToOut, name(b, label));
      }
    } else if (t === 'DSP48E2') {
      dspCell(c, cname);
    } else if (SRL_TYPES.has(t)) {
      const outs = bitsOf(outPorts);
      const label = name(outs[0], cname);
      for (const p of inPorts) {
        const bs = bitsOf([p]);
        if (p === 'D' || p === 'CE') for (const b of bs) end(b, M.lutramSetup, true, label);
        else for (const b of bs) for (const o of outs) arc(b, o, M.lutramRead, 1, true);
      }
      for (const o of outs) start(o, M.srlClockToOut, name(o, label));
    } else if (isLutram(t)) {
      const outs = bitsOf(outPorts);
      const label = cellLabel(cname, c);
      const addr: number[] = [];
      for (const p of inPorts) {
        const bs = bitsOf([p]);
        if (/^(A|ADDR|DPRA|RADR|WADR)/.test(p)) addr.push(...bs);
        for (const b of bs) end(b, M.lutramSetup, true, label);
      }
      if (addr.length > 0) combThrough(addr, outs, M.lutramRead, 1);
      for (const o of outs) start(o, M.lutramClockToOut, name(o, label));
    } else {
      unknown.add(t);
      combThrough(bitsOf(inPorts), bitsOf(outPorts), M.lut, 1);
    }

    // DSP48E2 (UG579): optional registers A (AREG), B (BREG), C (CREG), D (DREG), pre-adder (ADREG),
    // multiplier (MREG), ALU (PREG), and the control registers. Each enabled register is an end (its pins
    // or the previous stage) and a start (t = 0: the stage delays from DS925 include the internal
    // clock-to-out and setup). A register set to 0 makes the stage combinational.
    function dspCell(cc: YosysCell, cn: string) {
      const label = cellLabel(cn, cc);
      const dedicatedPin = (p: string) => p === 'ACIN' || p === 'BCIN' || p === 'PCIN' || p === 'CARRYCASCIN' || p === 'MULTSIGNIN';
      /** A register stage, or a pass-through when reg = 0. Returns the node the stage's output leaves from. */
      const stage = (ins: { node: number; d: number; lvl: number; net: boolean }[], reg: boolean, regName: string): number => {
        const v = vnode();
        for (const i of ins) arc(i.node, v, i.d, i.lvl, i.net);
        if (!reg) return v;
        end(v, 0, false, `${label}.${regName}`);
        const s = vnode();
        start(s, 0, `${label}.${regName}`);
        return s;
      };
      const pinGroup = (ports: string[], regParam: string, regName: string, dfltReg = 1) => {
        const ins: { node: number; d: number; lvl: number; net: boolean }[] = [];
        const reg = param(cc, regParam, dfltReg) > 0;
        for (const p of ports) for (const b of bitsOf([p].filter((x) => inPorts.includes(x)))) ins.push({ node: b, d: reg ? M.dspInputSetup : 0, lvl: 0, net: !dedicatedPin(p) });
        if (ins.length === 0) return undefined;
        return stage(ins, reg, regName);
      };
      // CE and reset pins feed the registers: timed as ends.
      for (const p of inPorts) if (/^(CE|RST)/.test(p)) for (const b of bitsOf([p])) end(b, M.dspInputSetup, true, label);
      const a = pinGroup(['A', 'ACIN'], 'AREG', 'AREG');
      const b = pinGroup(['B', 'BCIN'], 'BREG', 'BREG');
      const cIn = pinGroup(['C'], 'CREG', 'CREG');
      const dIn = pinGroup(['D'], 'DREG', 'DREG');
      const inmode = pinGroup(['INMODE'], 'INMODEREG', 'INMODEREG');
      const ctrl = [pinGroup(['OPMODE'], 'OPMODEREG', 'OPMODEREG'), pinGroup(['ALUMODE'], 'ALUMODEREG', 'ALUMODEREG'),
        pinGroup(['CARRYINSEL'], 'CARRYINSELREG', 'CARRYINSELREG'), pinGroup(['CARRYIN'], 'CARRYINREG', 'CARRYINREG')].filter((x): x is number => x !== undefined);
      const usePre = paramStr(cc, 'AMULTSEL', 'A') === 'AD' || paramStr(cc, 'BMULTSEL', 'B') === 'AD';
      let multA = a;
      if (usePre && (a !== undefined || dIn !== undefined)) {
        const ins = [a, dIn, inmode].filter((x): x is number => x !== undefined).map((node) => ({ node, d: M.dspPreAdd, lvl: 1, net: false }));
        multA = stage(ins, param(cc, 'ADREG', 1) > 0, 'ADREG');
      }
      const aluIns: { node: number; d: number; lvl: number; net: boolean }[] = [];
      if (paramStr(cc, 'USE_MULT', 'MULTIPLY') !== 'NONE' && (multA !== undefined || b !== undefined)) {
        const ins = [multA, b, usePre ? undefined : inmode].filter((x): x is number => x !== undefined).map((node) => ({ node, d: M.dspMult, lvl: 1, net: false }));
        const m = stage(ins, param(cc, 'MREG', 1) > 0, 'MREG');
        aluIns.push({ node: m, d: M.dspAlu, lvl: 1, net: false });
      } else {
        // No multiplier: A:B is an ALU operand.
        for (const x of [a, b]) if (x !== undefined) aluIns.push({ node: x, d: M.dspAlu, lvl: 1, net: false });
      }
      if (cIn !== undefined) aluIns.push({ node: cIn, d: M.dspAlu, lvl: 1, net: false });
      for (const x of ctrl) aluIns.push({ node: x, d: M.dspAlu, lvl: 1, net: false });
      for (const pb of bitsOf(['PCIN'].filter((x) => inPorts.includes(x)))) aluIns.push({ node: pb, d: M.dspAlu, lvl: 1, net: false });
      const preg = param(cc, 'PREG', 1) > 0;
      const p = stage(aluIns, preg, 'PREG');
      if (preg) arc(p, p - 1, M.dspAlu, 1, false); // accumulate: P register -> ALU -> P register
      for (const port of outPorts) {
        const d = /^(PCOUT|ACOUT|BCOUT|CARRYCASCOUT|MULTSIGNOUT)/.test(port) ? M.dspCascadeOut : M.dspClockToOut;
        const src = port === 'ACOUT' ? a : port === 'BCOUT' ? b : p;
        if (src === undefined) continue;
        for (const o of bitsOf([port])) arc(src, o, d, 0, false);
      }
    }
  }

  // Arrival times in topological order (Kahn).
  const N = nextNode;
  const E = arcFrom.length;
  const indeg = new Uint32Array(N);
  const outStart = new Uint32Array(N + 1);
  for (let e = 0; e < E; e++) { indeg[arcTo[e]]++; outStart[arcFrom[e] + 1]++; }
  for (let i = 0; i < N; i++) outStart[i + 1] += outStart[i];
  const outArcs = new Uint32Array(E);
  const fill = outStart.slice(0, N);
  for (let e = 0; e < E; e++) outArcs[fill[arcFrom[e]]++] = e;
  const arr = new Float64Array(N).fill(-Infinity);
  const lvl = new Uint32Array(N);
  const predArc = new Int32Array(N).fill(-1);
  for (const [node, tt] of startT) arr[node] = tt;
  const netD = (u: number) => (u <= maxBit ? netDelay(M, fanout[u]) : 0);
  const queue = new Uint32Array(N);
  let qh = 0, qt = 0;
  for (let i = 0; i < N; i++) if (indeg[i] === 0) queue[qt++] = i;
  while (qh < qt) {
    const u = queue[qh++];
    const au = arr[u];
    for (let k = outStart[u]; k < outStart[u + 1]; k++) {
      const e = outArcs[k];
      const v = arcTo[e];
      // A start node with incoming arcs (a LUTRAM output: clock-to-out or a read through the address) keeps the later.
      if (au > -Infinity) {
        const cand = au + (arcNet[e] ? netD(u) : 0) + arcD[e];
        if (cand > arr[v]) { arr[v] = cand; predArc[v] = e; lvl[v] = lvl[u] + arcLvl[e]; }
      }
      if (--indeg[v] === 0) queue[qt++] = v;
    }
  }
  const loopNodes = N - qt;

  // Ends: the worst per end register.
  const scored = ends
    .filter((x) => arr[x.node] > -Infinity)
    .map((x) => ({ ...x, ns: arr[x.node] + (x.net ? netD(x.node) : 0) + x.setup }))
    .sort((p, q) => q.ns - p.ns);
  const seen = new Set<string>();
  const paths: TimingPath[] = [];
  const want = opts.worst ?? 5;
  for (const x of scored) {
    const key = baseName(x.label);
    if (seen.has(key)) continue;
    seen.add(key);
    const hops: number[] = [];
    let node = x.node;
    while (predArc[node] >= 0) {
      const e = predArc[node];
      if (hops[hops.length - 1] !== arcCell[e]) hops.push(arcCell[e]);
      node = arcFrom[e];
    }
    const s = startLabel.get(node);
    const inner = hops.reverse().filter((h) => h !== x.ci && h !== s?.ci).map((h) => cellTypes[h]);
    const through: string[] = [];
    for (const ty of [s?.cell ?? '?', ...inner, x.cell]) {
      const last = through[through.length - 1];
      const m = last === undefined ? null : /^(\S+)(?: x(\d+))?$/.exec(last);
      if (m && m[1] === ty) through[through.length - 1] = `${ty} x${Number(m[2] ?? 1) + 1}`;
      else through.push(ty);
    }
    paths.push({
      from: s?.label ?? name(node, `node ${node}`), fromCell: s?.cell ?? '?', to: x.label, toCell: x.cell,
      levels: lvl[x.node], ns: Number(x.ns.toFixed(3)), through,
    });
    if (paths.length >= want) break;
  }
  const worstNs = scored.length > 0 ? scored[0].ns : 0;
  return {
    model: `UltraScale+ ${M.speedGrade}, sim/synth/timing-model.ts`,
    worstNs: Number(worstNs.toFixed(3)),
    fmaxMhz: worstNs > 0 ? Number((1000 / worstNs).toFixed(1)) : null,
    paths,
    endpoints: scored.length,
    unknownCellTypes: [...unknown].sort(),
    loopNodes,
  };
}
