// Analytical cycle model of the engine, job by job (docs/engine.md "Performance model").
// One PI x PO step per cycle for every (candidate conv output, ky, kx, channel group), or for every
// (2x2 tile, Winograd position, channel group) of a Winograd job (compiler/contracts/job-cycles.ts); input
// tile, weight block, descriptor and outputs move over DDR: with axi.ports 2 the weights on their
// own port and the rest on port 0, each port at most one beat per cycle, both together at most the
// one DDR controller's reachable rate; with axi.ports 1 all of it over port 0. With double-buffered
// banks a job's loads overlap the previous job's compute, and after a SYNC (layer boundary)
// compute starts once the first rows have arrived. Short bursts bound the RTL's AXI masters below
// one beat per cycle (rtlReadBeatsPerCycle, writeCycles): a read master keeps at most its FIFO's beats
// and the DDR port's DDR_PORT_MAX_BURSTS bursts in flight over the DDR latency and issues a burst every
// second cycle; the write master spends two cycles of address phase per burst.
// Calibrated against the RTL's cycle counters where they exist (see sim/README.md).
import { axiReadFifoBeats, type HwConfig } from '../../compiler/contracts/hw-config.ts';
import { DESC_BYTES, Flag, jobWeightBlockBytes, reusesWeights, type Descriptor } from '../../compiler/contracts/bundle-format.ts';
import { jobComputeCycles, jobMacSteps } from '../../compiler/contracts/job-cycles.ts';
import { ddrBytesPerCycle, ddrControllerBytesPerCycle, ultra96, type BoardLimits } from '../../boards/ultra96/board.ts';

export { JOB_OVERHEAD_CYCLES, OUTPUT_OVERHEAD_CYCLES, WINO_TILE_OVERHEAD_CYCLES, candidateCount, jobMacSteps, winoTiles } from '../../compiler/contracts/job-cycles.ts';

/** AXI master ports the RTL drives (config.axi.ports above this would be modeled as this many). */
export const RTL_AXI_PORTS = 2;
/**
 * Bursts one DDR slave port accepts and has not finished (the harness's DDR model takes this figure from
 * run-rtl.ts; the Zynq HP ports queue a similar number of reads).
 */
export const DDR_PORT_MAX_BURSTS = 16;
/** Cycles a read-FIFO slot takes beyond the DDR latency: issue, AR handshake, FIFO push, room update. */
export const READ_SLOT_EXTRA_CYCLES = 4;

/**
 * Beats per cycle one RTL AXI read master sustains on a long region (before the DDR controller's share):
 * one beat per cycle at most, one burst every second cycle, and at most min(read FIFO, DDR_PORT_MAX_BURSTS
 * bursts) beats in flight per DDR latency. Measured: 1-beat bursts with a 4-beat FIFO ran 11.0 cycles per
 * beat (4 / 44 = 0.091 beats per cycle).
 */
export function rtlReadBeatsPerCycle(c: HwConfig, latency: number): number {
  const b = c.axi.burstBeats;
  const inFlight = Math.min(axiReadFifoBeats(c), DDR_PORT_MAX_BURSTS * b);
  return Math.min(1, b / 2, inFlight / (latency + READ_SLOT_EXTRA_CYCLES));
}

export interface JobCost {
  /** Cycles the MAC array does useful steps (one PI x PO step each). */
  macSteps: number;
  ddrBytes: number;
  cycles: number;
  stallCycles: number;
}

export class PerfModel {
  /** Bytes per cycle of all the engine's DDR traffic together (ports and controller). */
  readonly bw: number;
  /** Bytes per cycle of one AXI port (one beat per cycle, at most the controller's rate). */
  readonly portBw: number;
  readonly ports: number;
  readonly latency: number;
  /** Bytes per cycle one RTL read master sustains (rtlReadBeatsPerCycle). */
  readonly rdBw: number;
  constructor(readonly config: HwConfig, board: BoardLimits = ultra96) {
    this.ports = Math.min(config.axi.ports, RTL_AXI_PORTS);
    this.bw = ddrBytesPerCycle({ ...config, axi: { ...config.axi, ports: this.ports } }, board);
    this.portBw = Math.min(config.axi.dataBits / 8, ddrControllerBytesPerCycle(config, board));
    this.latency = board.ddrLatencyCycles;
    this.rdBw = (config.axi.dataBits / 8) * rtlReadBeatsPerCycle(config, this.latency);
  }

  /**
   * Cycles to move a job's bytes: weights on port 1 (axi.ports 2), the rest on port 0; `readBytes` (of
   * otherBytes: descriptor, input tile) also bound by the read master's rate.
   */
  transferCycles(weightBytes: number, otherBytes: number, readBytes = 0): number {
    const rd = this.rdBw;
    if (this.ports < 2) return Math.max((weightBytes + otherBytes) / this.bw, (weightBytes + readBytes) / rd);
    return Math.max(weightBytes / this.portBw, otherBytes / this.portBw, (weightBytes + otherBytes) / this.bw, weightBytes / rd, readBytes / rd);
  }

  /**
   * Cycles the write master needs for a job's outputs: each beat one cycle plus two cycles of address
   * phase per burst. Output rows go out as bursts of at most axi.burstBeats; with several lane groups
   * (outGroups > 1) every pixel's lane group is its own row of one entry.
   */
  writeCycles(d: Descriptor): number {
    if (d.flags & Flag.ACC_OUT) return 0;  // the sums stay on chip
    const { pi } = this.config.array;
    const bpe = (pi * 16) / this.config.axi.dataBits;
    const b = this.config.axi.burstBeats;
    const rows = d.outGroups > 1 ? d.hp * d.wp * d.outGroups : d.hp;
    const rowBeats = d.outGroups > 1 ? bpe : d.wp * bpe;
    return rows * (rowBeats + 2 * Math.ceil(rowBeats / b));
  }

  /** One job's cost; `prev` is the job before it in the program (REUSE_WEIGHTS needs it). */
  job(d: Descriptor, prev: Descriptor | null = null): JobCost {
    const { pi, po } = this.config.array;
    const macSteps = jobMacSteps(d);
    const inBytes = d.flags & Flag.REUSE_INPUT ? 0 : d.hin * d.win * d.cg * pi * 2;
    const wBytes = reusesWeights(d, prev) ? 0 : jobWeightBlockBytes(pi, po, d);
    const outBytes = d.flags & Flag.ACC_OUT ? 0 : d.hp * d.wp * d.outGroups * pi * 2;
    const ddrBytes = inBytes + wBytes + outBytes + DESC_BYTES;
    const transfer = Math.max(this.transferCycles(wBytes, ddrBytes - wBytes, inBytes + DESC_BYTES), this.writeCycles(d)) + this.latency;
    let cycles = Math.max(jobComputeCycles(d), transfer);
    // After SYNC the first reads cannot be prefetched: one DDR latency plus the first 4 KiB.
    if (d.flags & Flag.SYNC) cycles += Math.min(inBytes + wBytes, 4096) / this.bw + this.latency;
    cycles = Math.ceil(cycles);
    return { macSteps, ddrBytes, cycles, stallCycles: cycles - macSteps };
  }

  /** Roofline cycles of a layer: max(MACs / (PI·PO), minimum DDR bytes / bandwidth of all ports together). */
  roofline(macs: number, minBytes: number): number {
    const { pi, po } = this.config.array;
    return Math.max(macs / (pi * po), minBytes / this.bw);
  }
}
