// The delay table of the static timing estimate (sim/synth/timing.ts): UltraScale+ speed grade -1
// (VCCINT 0.85 V, the Ultra96's xczu3eg-sbva484-1), in nanoseconds. One figure per cell arc, plus a net
// model. Each figure names its source; where the public data sheet gives none, the assumption and the
// reason are stated. The estimate is a pre-place-and-route figure: use it to compare designs and to find
// the long paths, not as a sign-off number (docs/engine.md "Timing estimate").
//
// Sources:
//   DS925  Zynq UltraScale+ MPSoC Data Sheet: DC and AC Switching Characteristics (rev 1.29/1.30),
//          "DSP48 Slice Switching Characteristics", speed grade -1 at 0.85 V.
//   UG579  UltraScale Architecture DSP Slice User Guide (register stages A1/A2, B1/B2, AD, M, P, C, D;
//          PCOUT->PCIN cascade on dedicated routing).
//   UG573  UltraScale Architecture Memory Resources (optional block-RAM output register DOA_REG/DOB_REG:
//          "improves clock-to-out timing", one more cycle of read latency).
//   UG574  UltraScale Architecture CLB User Guide (6-input LUTs, MUXF7/F8/F9 in the CLB, CARRY8; the
//          carry chain runs on dedicated CO->CI routing between CLBs).
// DS925 publishes no CLB (LUT, MUXF, CARRY8, FF) or block-RAM clock-to-out tables for UltraScale+ (the
// 7-series data sheets did); those figures are assumptions in the range Vivado reports for -1 parts and
// are marked ASSUMED below.

export const TIMING_MODEL = {
  speedGrade: '-1 (0.85 V)',

  // --- CLB ---
  /** FF clock-to-out (FDRE/FDSE/FDCE/FDPE C->Q). ASSUMED: not in DS925; -1 timing reports show ~0.08-0.12 ns. */
  ffClockToOut: 0.10,
  /** FF setup (D, CE, R/S before C). ASSUMED: not in DS925; ~0.03-0.09 ns in -1 reports. */
  ffSetup: 0.06,
  /** LUT1..LUT6 / LUT6_2 / INV, any input to O. ASSUMED: not in DS925; the slowest input pins show ~0.12-0.15 ns. */
  lut: 0.15,
  /** MUXF7/MUXF8/MUXF9 I/S->O inside the CLB (UG574). ASSUMED: not in DS925. */
  muxf: 0.10,
  /** CARRY8 (and Yosys's CARRY4, which Vivado packs into CARRY8) S/DI->O/CO, entering the chain. ASSUMED. */
  carryEntry: 0.30,
  /** CARRY8/CARRY4 CI->O/CO for a cascaded carry cell (the chain passes one more cell). ASSUMED. */
  carryThrough: 0.08,
  /** LUTRAM (RAM32M/RAM64M/RAMnnXn) write clock to O (the written word appears on the output). ASSUMED. */
  lutramClockToOut: 0.90,
  /** LUTRAM read address -> O (an asynchronous read through the LUT). ASSUMED: a LUT plus the RAM read mux. */
  lutramRead: 0.25,
  /** SRL16E/SRLC32E clock to Q (shift register in a LUT). ASSUMED: about a LUTRAM write. */
  srlClockToOut: 0.90,
  /** LUTRAM/SRL write-side setup (D, WE/CE, write address). ASSUMED. */
  lutramSetup: 0.30,

  // --- DSP48E2 (DS925 Table "DSP48 Slice Switching Characteristics", -1, 0.85 V) ---
  /**
   * One register stage to the next inside the DSP (A/B register -> M register, the multiply):
   * 1 / FMAX "with all registers used" = 1 / 645 MHz = 1.55 ns. The slowest stage sets that FMAX, so
   * this is taken as the multiply stage.
   */
  dspMult: 1000 / 645,
  /**
   * The ALU stage (M register, C, PCIN or P feedback -> P register): 1 / FMAX_MULT_NOMREG (456 MHz, A/B
   * register -> P register without MREG: multiply + ALU) minus the multiply stage above:
   * 2.19 - 1.55 = 0.64 ns.
   */
  dspAlu: 1000 / 456 - 1000 / 645,
  /**
   * The pre-adder (D +/- A) without ADREG: 1 / FMAX_NOPIPELINEREG (338 MHz, no MREG and no ADREG) minus
   * 1 / FMAX_MULT_NOMREG (456 MHz) = 2.96 - 2.19 = 0.77 ns.
   */
  dspPreAdd: 1000 / 338 - 1000 / 456,
  /** DSP input pin setup to its first enabled register (A/B/C/D/AD, control and CE/RST pins). ASSUMED: DS925 gives no pin setup. */
  dspInputSetup: 0.30,
  /** P register (or the last combinational stage) to the P output pin into fabric. ASSUMED: DS925 gives no clock-to-out. */
  dspClockToOut: 0.40,
  /** P register to PCOUT, which reaches the next DSP's PCIN on dedicated routing (no net delay, UG579). ASSUMED. */
  dspCascadeOut: 0.25,

  // --- Block RAM (RAMB36E2 / RAMB18E2) ---
  /** Clock to DOUT without the output register (DOA_REG/DOB_REG = 0). ASSUMED: the DS925 block-RAM table could not be retrieved; see below. */
  bramClockToOut: 1.30,
  /** Clock to DOUT with the output register (DOA_REG/DOB_REG = 1). ASSUMED, as above. */
  bramClockToOutReg: 0.40,
  /** Address / data / enable / write-enable setup before the block-RAM clock. ASSUMED. */
  bramSetup: 0.45,
  // The two block-RAM clock-to-out figures are set above the Versal -1 figures that DS958 publishes
  // (TRCKO_DO 0.967 ns, TRCKO_DO_REG 0.280 ns at -1), because the 16 nm UltraScale+ block RAM is slower
  // (its FMAX is lower), and their ratio (about 3:1) is kept.

  // --- Routing ---
  /**
   * Per-net routing delay: netBase + netPerFanoutDoubling * log2(fanout). ASSUMED (no placement exists
   * before place and route): a local net to a nearby slice costs ~0.3 ns after placement; a high-fanout
   * net is buffered and spread, about 0.04 ns per doubling of its loads. Dedicated cascades (CARRY CO->CI,
   * DSP PCOUT->PCIN, ACOUT->ACIN, BCOUT->BCIN) have no net delay, nor have the CLB's dedicated connections
   * inside a slice (UG574, "CLB Slices": a LUT's O6/O5 outputs feed the CARRY8 S/DI inputs and the F7MUX
   * data inputs of its own slice, an F7MUX output the F8MUX, an F8MUX output the F9MUX, without general
   * routing) when the driving LUT or MUXF drives only that pin (with more loads the net is paid).
   */
  netBase: 0.30,
  netPerFanoutDoubling: 0.04,
} as const;

export type TimingModel = typeof TIMING_MODEL;

/** Routing delay of a net with `fanout` loads. */
export function netDelay(model: TimingModel, fanout: number): number {
  return model.netBase + model.netPerFanoutDoubling * Math.log2(Math.max(1, fanout));
}
