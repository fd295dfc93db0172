// Real Yosys runs on the engine's building blocks (the full engine takes many minutes; `cnna synth`
// runs it): the MAC array must map one DSP48E2 per 16x16 multiply, the buffer RAM must map onto block
// RAM, the stat parser must read Yosys's report, and the timing estimate must time the real netlist.
import { describe, expect, it } from 'vitest';
import { defaultConfig, ultra96 } from '../../boards/ultra96/board.ts';
import { checkFit, synthModules } from './yosys.ts';
import { parseYosysStat } from './yosys-stat.ts';

describe('Yosys synth_xilinx -family xcup on engine modules', () => {
  it('maps a 4x2 MAC array onto 8 DSP48E2 (one per multiply) and a 1024 x 128-bit buffer RAM onto 4 BRAM36, not LUTs', async () => {
    const [mac, ram] = await synthModules(defaultConfig(), [
      { top: 'cnna_mac_array', params: { Pi: 4, Po: 2 } },
      { top: 'cnna_sdp_ram', params: { Width: 128, Depth: 1024 } },
    ]);
    expect(mac.dsp48e2).toBe(8);
    expect(mac.ramb36 + mac.ramb18).toBe(0);
    expect(ram.bram36Equivalent).toBe(4);
    expect(ram.lutAsMemory).toBe(0);
    // Timing of the real netlist: Yosys leaves the DSP48E2 registers in fabric (AREG = BREG = MREG = PREG = 0),
    // so the multiply is a combinational DSP stage, and it is the worst path (the 4-input group adder's carry
    // chains are fed by their LUTs on the slice's dedicated connections). The RAM alone has only port-to-port
    // paths, which are not timed.
    // Both lanes have this path with the same delay; which one the netlist lists first is not fixed.
    expect(mac.timing.paths[0]).toMatchObject({ from: expect.stringMatching(/^g_lane\[[01]\]\.w_q\[0\]\[15\]$/), to: expect.stringMatching(/^g_lane\[[01]\]\.p_q\[0\]\[0\]$/), levels: 2, ns: 3.509 });
    expect(mac.timing.paths[0].from.slice(0, 9)).toBe(mac.timing.paths[0].to.slice(0, 9));
    expect(mac.timing.paths.find((p) => p.through.includes('DSP48E2'))).toMatchObject({ from: expect.stringMatching(/w_q\[/), to: expect.stringMatching(/p_q\[/), ns: 3.509 });
    expect(ram.timing).toMatchObject({ fmaxMhz: null, paths: [], endpoints: 0 });
  }, 900_000);
});

describe('Timing estimate of the pipelined engine blocks (default config)', () => {
  // 230 MHz is the engine's timing target (4.348 ns). Each block is synthesized on its own, so its ports
  // are untimed; the register-to-register paths inside must fit: the AXI masters' burst splitting (the
  // length and the 4 KB count registered in stages) and the post-op (rounding shifts without a wide add,
  // the LeakyReLU rounding after the DSP product).
  it('estimates the AXI read and write masters and a 2-lane post-op at >= 230 MHz', async () => {
    const [rd, wr, post] = await synthModules(defaultConfig(), [
      { top: 'cnna_axi_rd_master' },
      { top: 'cnna_axi_wr_master' },
      { top: 'cnna_post_op', params: { Po: 2 } },
    ]);
    for (const m of [rd, wr, post]) {
      expect(m.timing.loopNodes).toBe(0);
      expect(m.timing.worstNs).toBeLessThanOrEqual(1000 / 230);
    }
    expect(post.dsp48e2).toBe(6);
    // The worst path of each (before the pipelining: read master 9.3 ns through the unregistered burst
    // length into inflight_q, then 4.2 ns from addr_q through the 4 KB count into len_q; write master
    // 8.0 ns, post-op 7.1 ns through the 56-bit rounding add and shift).
    expect(rd.timing.paths[0]).toMatchObject({ from: 'fifo_count[6]', to: 'room_max_q', levels: 5, ns: 2.796 });
    expect(wr.timing.paths[0]).toMatchObject({ from: 'len_q[6]', to: 'row_left_q[0]', levels: 5, ns: 3.249 });
    expect(post.timing.paths[0]).toMatchObject({ from: 't8_q[0][16]', to: 'y_o[0]', levels: 7, ns: 3.896 });
  }, 900_000);
});

describe('Yosys stat parsing and fit', () => {
  const stat = `
=== cnna_top ===

   Number of wires:              12
   Number of wire bits:          99
   Number of cells:              23
     CARRY8                         2
     DSP48E2                      256
     FDRE                        1000
     FDCE                          24
     LUT2                         300
     LUT6                         200
     RAM64M                        10
     RAMB18E2                       3
     RAMB36E2                     190
`;
  it('counts LUTs (logic + LUTRAM), FFs, DSPs and BRAM36 equivalents', () => {
    const r = parseYosysStat(stat);
    expect(r).toMatchObject({ dsp48e2: 256, ramb36: 190, ramb18: 3, bram36Equivalent: 191.5, lutAsLogic: 500, lutAsMemory: 40, lut: 540, ff: 1024, carry8: 2 });
    const fit = checkFit(r, ultra96);
    expect(fit.ok).toBe(true);
    expect(fit.lut.limit).toBe(59976);
  });
  it('reports a design over the DSP budget as not fitting', () => {
    const fit = checkFit(parseYosysStat(stat.replace('DSP48E2                      256', 'DSP48E2                      400')), ultra96);
    expect(fit.dsp).toEqual({ used: 400, limit: 360, ok: false });
    expect(fit.ok).toBe(false);
  });
});
