// The static timing estimate on a hand-written Yosys JSON netlist of known topology: every expected delay
// below is summed by hand from the figures of timing-model.ts (clock-to-out + per net 0.30 + 0.04*log2(fanout)
// + cell arcs + setup), so a change of the model or of the graph walk shows here.
import { describe, expect, it } from 'vitest';
import { CnnaError } from '../../compiler/errors/cnna-error.ts';
import { estimateTiming, type YosysCell, type YosysNetlist } from './timing.ts';

const ff = (d: number | string, q: number): YosysCell => ({
  type: 'FDRE', port_directions: { C: 'input', CE: 'input', R: 'input', D: 'input', Q: 'output' },
  connections: { C: [2], CE: ['1'], R: ['0'], D: [d], Q: [q] },
});
const lut = (ins: number[], o: number): YosysCell => ({
  type: `LUT${ins.length}`,
  port_directions: { ...Object.fromEntries(ins.map((_, i) => [`I${i}`, 'input'])), O: 'output' } as YosysCell['port_directions'],
  connections: { ...Object.fromEntries(ins.map((b, i) => [`I${i}`, [b]])), O: [o] },
});
const carry8 = (ci: number | string, s0: number, co7: number, o0: number): YosysCell => ({
  type: 'CARRY8', port_directions: { CI: 'input', CI_TOP: 'input', DI: 'input', S: 'input', O: 'output', CO: 'output' },
  connections: { CI: [ci], CI_TOP: ['0'], DI: ['0', '0', '0', '0', '0', '0', '0', '0'], S: [s0, '0', '0', '0', '0', '0', '0', '0'],
    O: [o0, 900 + o0, 901 + o0, 902 + o0, 903 + o0, 904 + o0, 905 + o0, 906 + o0], CO: [910 + o0, 911 + o0, 912 + o0, 913 + o0, 914 + o0, 915 + o0, 916 + o0, co7] },
});
const bram = (doaReg: number, dout0: number): YosysCell => ({
  type: 'RAMB18E2', parameters: { DOA_REG: doaReg.toString(2).padStart(32, '0'), DOB_REG: '0'.repeat(32) },
  port_directions: { CLKARDCLK: 'input', ADDRARDADDR: 'input', ENARDEN: 'input', DOUTADOUT: 'output' },
  connections: { CLKARDCLK: [2], ADDRARDADDR: ['0'], ENARDEN: ['1'], DOUTADOUT: [dout0] },
});

function netlist(): YosysNetlist {
  const cells: Record<string, YosysCell> = {
    // a_q (fanout 2) -> LUT2 (with b_q) -> LUT1 -> c_q; a_q also feeds d_q directly.
    a: ff('0', 10), b: ff('0', 11), l1: lut([10, 11], 12), l2: lut([12], 13), c: ff(13, 14), d: ff(10, 16),
    // x_q -> DSP48E2 A (AREG = BREG = MREG = 0, PREG = 1): the multiply and the ALU in one cycle; P -> p_q.
    x: ff('0', 30),
    dsp: {
      type: 'DSP48E2',
      parameters: { AREG: '0'.repeat(32), BREG: '0'.repeat(32), MREG: '0'.repeat(32), PREG: '0'.repeat(31) + '1', CREG: '0'.repeat(32),
        ADREG: '0'.repeat(32), DREG: '0'.repeat(32), INMODEREG: '0'.repeat(32), OPMODEREG: '0'.repeat(32), ALUMODEREG: '0'.repeat(32),
        CARRYINREG: '0'.repeat(32), CARRYINSELREG: '0'.repeat(32), USE_MULT: 'MULTIPLY' },
      port_directions: { CLK: 'input', A: 'input', B: 'input', CEP: 'input', P: 'output' },
      connections: { CLK: [2], A: [30], B: ['0'], CEP: ['1'], P: [60] },
    },
    p: ff(60, 61),
    // Block RAM without and with its output register, each -> LUT1 -> FF.
    r0: bram(0, 40), l3: lut([40], 41), f0: ff(41, 42),
    r1: bram(1, 45), l4: lut([45], 46), f1: ff(46, 47),
    // s_q -> CARRY8 S[0] ... CO[7] -> next CARRY8 CI (dedicated) -> O[0] -> sum_q.
    s: ff('0', 50), k0: carry8('0', 50, 51, 52), k1: carry8(51, 53, 54, 55), sum: ff(55, 56),
    // A primary input (bit 5) -> LUT1 -> FF: not timed (no input constraint exists).
    l5: lut([5], 6), e: ff(6, 7),
  };
  const names: Record<string, number> = { a_q: 10, b_q: 11, c_q: 14, d_q: 16, x_q: 30, dsp_p: 60, p_q: 61, ram0_do: 40, f0_q: 42, ram1_do: 45, f1_q: 47, s_q: 50, sum_q: 56, e_q: 7, in_i: 5 };
  return {
    modules: {
      LUT1: { attributes: { blackbox: 1 }, cells: {}, netnames: {} },
      t: { attributes: { top: '00000000000000000000000000000001' }, cells, netnames: Object.fromEntries(Object.entries(names).map(([n, b]) => [n, { bits: [b], hide_name: 0 }])) },
    },
  };
}

describe('static timing estimate of a Yosys netlist', () => {
  it('finds each register-to-register path with its hand-summed delay, worst first, one per end register', () => {
    const r = estimateTiming(netlist(), { worst: 10 });
    const row = (p: (typeof r.paths)[number]) => [p.from, p.to, p.levels, p.ns];
    expect(r.paths.map(row)).toEqual([
      // FF 0.10 + net 0.30 + A->P through the multiply and ALU (1000/456 = 2.193) into PREG (setup inside the stage).
      ['x_q', 'dsp_p.PREG', 2, 2.593],
      // RAMB18E2 clock-to-out without DOA_REG 1.30 + net 0.30 + LUT 0.15 + net 0.30 + setup 0.06.
      ['ram0_do', 'f0_q', 1, 2.11],
      // FF 0.10 + net(fanout 2) 0.34 + LUT2 0.15 + net 0.30 + LUT1 0.15 + net 0.30 + setup 0.06.
      ['a_q', 'c_q', 2, 1.4],
      // With DOA_REG: 0.40 + 0.30 + 0.15 + 0.30 + 0.06.
      ['ram1_do', 'f1_q', 1, 1.21],
      // FF 0.10 + net 0.30 + carry entry 0.30 + CO7->CI (no net) 0.08 + net 0.30 + setup 0.06.
      ['s_q', 'sum_q', 1, 1.14],
      // P register: clock-to-out 0.40 + net 0.30 + setup 0.06.
      ['dsp_p.PREG', 'p_q', 0, 0.76],
      // a_q straight into d_q: 0.10 + 0.34 + 0.06.
      ['a_q', 'd_q', 0, 0.5],
    ]);
    expect(r.paths[0].through).toEqual(['FDRE', 'DSP48E2']);
    expect(r.paths[2].through).toEqual(['FDRE', 'LUT2', 'LUT1', 'FDRE']);
    expect(r.paths[4].through).toEqual(['FDRE', 'CARRY8 x2', 'FDRE']);
    expect(r.worstNs).toBe(2.593);
    expect(r.fmaxMhz).toBe(385.7);
    // Timed ends: c, d, p, f0, f1, sum and the DSP's PREG. e_q (fed from a primary input) and the FFs whose D is
    // a constant have no arrival.
    expect(r.endpoints).toBe(7);
    expect(r.unknownCellTypes).toEqual([]);
    expect(r.loopNodes).toBe(0);
  });

  it('charges no net delay on the CLB\'s dedicated LUT -> MUXF7 and LUT -> CARRY8 S connections, unless the LUT drives more', () => {
    const muxf7 = (i0: number, i1: number, sel: number, o: number): YosysCell => ({
      type: 'MUXF7', port_directions: { I0: 'input', I1: 'input', S: 'input', O: 'output' }, connections: { I0: [i0], I1: [i1], S: [sel], O: [o] },
    });
    const cells: Record<string, YosysCell> = {
      // m_q (fanout 3) -> two LUT1 -> MUXF7 I0/I1 (dedicated), m_q also on S -> mux_q.
      m: ff('0', 70), lm1: lut([70], 71), lm2: lut([70], 72), mx: muxf7(71, 72, 70, 73), fm: ff(73, 74),
      // t_q -> LUT1 -> CARRY8 S[0] (dedicated) -> O[0] -> sum1_q.
      t: ff('0', 80), lt: lut([80], 81), k2: carry8('0', 81, 1037, 1020), f2: ff(1020, 83),
      // u_q -> LUT1 (fanout 2: CARRY8 S[0] and lut_q) -> CARRY8 -> sum2_q: the net is paid.
      u: ff('0', 85), lu: lut([85], 86), k3: carry8('0', 86, 1057, 1040), f3: ff(1040, 88), f4: ff(86, 89),
    };
    const names: Record<string, number> = { m_q: 70, mux_q: 74, t_q: 80, sum1_q: 83, u_q: 85, sum2_q: 88, lut_q: 89 };
    const r = estimateTiming({
      modules: { t: { attributes: { top: 1 }, cells, netnames: Object.fromEntries(Object.entries(names).map(([n, b]) => [n, { bits: [b], hide_name: 0 }])) } },
    }, { worst: 10 });
    expect(r.paths.map((p) => [p.from, p.to, p.levels, p.ns])).toEqual([
      // FF 0.10 + net 0.30 + LUT 0.15 + net(fanout 2) 0.34 + carry entry 0.30 + net 0.30 + setup 0.06.
      ['u_q', 'sum2_q', 2, 1.55],
      // FF 0.10 + net 0.30 + LUT 0.15 + (dedicated) carry entry 0.30 + net 0.30 + setup 0.06.
      ['t_q', 'sum1_q', 2, 1.21],
      // FF 0.10 + net(fanout 3) 0.363 + LUT 0.15 + (dedicated) MUXF7 0.10 + net 0.30 + setup 0.06.
      ['m_q', 'mux_q', 2, 1.073],
      // FF 0.10 + net 0.30 + LUT 0.15 + net(fanout 2) 0.34 + setup 0.06.
      ['u_q', 'lut_q', 1, 0.95],
    ]);
  });

  it('keeps only the worst paths asked for, and times an unknown cell type as one LUT', () => {
    const n = netlist();
    const top = n.modules.t;
    top.cells.l2 = { ...top.cells.l2, type: 'MYSTERY' };
    const r = estimateTiming(n, { worst: 3 });
    expect(r.paths.map((p) => p.to)).toEqual(['dsp_p.PREG', 'f0_q', 'c_q']);
    expect(r.unknownCellTypes).toEqual(['MYSTERY']);
    expect(r.paths[2].ns).toBe(1.4);
  });

  it('refuses a netlist without a single top module', () => {
    const n = netlist();
    n.modules.u = { ...n.modules.t };
    expect(() => estimateTiming(n)).toThrow(CnnaError);
    expect(() => estimateTiming(n)).toThrow('timing: expected one top module in the netlist, found 2');
    expect(() => estimateTiming(n, { top: 'nope' })).toThrow('timing: the netlist has no module nope');
  });
});
