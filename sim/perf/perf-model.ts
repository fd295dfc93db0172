// Cycle model of the engine (docs/engine.md "Performance model"): a timeline of the RTL's three
// concurrent units, job by job, with the per-step cycle costs of sim/perf/rtl-timing.ts and the DDR
// model's latency and bandwidth (the board's, as the Verilator harness plays them):
//  - the loader (cnna_loader) fetches a descriptor, waits for SYNC, loads the input tile into the free
//    bank, waits for the one-entry job slot, loads the parameter block and hands the job over; the
//    weights follow on port 1 (axi.ports 2, queued behind the previous job's weight command, while the
//    loader goes on to the next descriptor) or on port 0 before the next descriptor (axi.ports 1);
//  - the compute unit (cnna_compute) takes the slot, waits for the whole weight block (conv) or for each
//    word (streamed FC jobs), walks windows, pixels and MAC steps, and drains;
//  - the write path (cnna_out_cmd + cnna_axi_wr_master) writes each job's output vectors, as row bursts
//    (one lane group) or one command of outGroups one-entry bursts per pixel (several lane groups);
//    compute stalls when the output FIFO is full.
// Reads move at most one beat per cycle per port, at most the controller's rate, at most a burst every
// second cycle, and with at most four bursts of FIFO room in flight. A job's cycles are the time from the
// previous job's done to its own (as the harness counts per layer); a run adds the tail until the last
// write is answered.
import { axiReadFifoBeats, weightRingWords, type HwConfig } from '../../compiler/contracts/hw-config.ts';
import { DESC_BYTES, Flag, PoolKind, isStreamed, jobWeightBlockBytes, jobWeightWords, reusesWeights, weightHeaderBytes, type Descriptor } from '../../compiler/contracts/bundle-format.ts';
import { WINO_JOB_OVERHEAD_CYCLES, WINO_STEP_CYCLES, WINO_TILE_OVERHEAD_CYCLES, candidateCount, jobMacSteps, winoTiles } from '../../compiler/contracts/job-cycles.ts';
import { MAX_BATCH } from '../../compiler/contracts/bundle-format.ts';
import { ddrBytesPerCycle, ddrControllerBytesPerCycle, ddrLatencyCycles, ultra96, type BoardLimits } from '../../boards/ultra96/board.ts';
import { RTL_TIMING, type RtlTiming } from './rtl-timing.ts';

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
 * bursts) beats in flight per DDR latency (a coarse bound; the timeline uses PerfModel.streamRate).
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
  /** Cycles from the previous job's done to this job's done. */
  cycles: number;
  stallCycles: number;
}

export { JOB_OVERHEAD_CYCLES, OUTPUT_OVERHEAD_CYCLES, WINO_JOB_OVERHEAD_CYCLES, WINO_STEP_CYCLES, WINO_TILE_OVERHEAD_CYCLES, candidateCount, jobMacSteps, winoTiles } from '../../compiler/contracts/job-cycles.ts';


export class PerfModel {
  /** Bytes per cycle of all the engine's DDR traffic together (ports and controller). */
  readonly bw: number;
  /** Bytes per cycle of one AXI port (one beat per cycle, at most the controller's rate). */
  readonly portBw: number;
  readonly ports: number;
  readonly latency: number;
  /** Bytes per bus beat. */
  readonly beat: number;
  /** Beats per cycle one read stream of full bursts reaches (streamRate). */
  readonly readRate: number;
  /** Beats of the read master's FIFO. */
  readonly fifoBeats: number;
  /** Beats per cycle of all traffic together (the controller). */
  readonly ctrlRate: number;
  constructor(readonly config: HwConfig, board: BoardLimits = ultra96, readonly t: RtlTiming = RTL_TIMING) {
    this.ports = Math.min(config.axi.ports, RTL_AXI_PORTS);
    this.bw = ddrBytesPerCycle({ ...config, axi: { ...config.axi, ports: this.ports } }, board);
    this.beat = config.axi.dataBits / 8;
    const ctrl = ddrControllerBytesPerCycle(config, board);
    this.portBw = Math.min(this.beat, ctrl);
    // The board's latency is a time: its cycles at this config's clock (as the harnesses' DDR models play it).
    this.latency = ddrLatencyCycles(config, board);
    this.ctrlRate = ctrl / this.beat;
    // The read master's FIFO (max(4 bursts, 64 beats)), at most DDR_PORT_MAX_BURSTS bursts in flight at the DDR port.
    this.fifoBeats = Math.min(axiReadFifoBeats(config), DDR_PORT_MAX_BURSTS * config.axi.burstBeats);
    this.readRate = this.streamRate(config.axi.burstBeats);
  }

  /**
   * Beats per cycle of one read stream whose bursts are `burst` beats long on average: at most one beat per
   * cycle, the controller's rate, a burst every second cycle, and the read master's FIFO room: room is
   * claimed for a whole burst at issue (which waits for a burst's worth, half a burst idle on average) and
   * freed beat by beat as the beats arrive and leave (Little's law over the claimed room).
   */
  streamRate(burst: number): number {
    const { t } = this;
    return Math.min(1, this.ctrlRate, burst / t.burstIssueCycles, (this.fifoBeats - burst / 2) / (this.latency + burst / 2 + t.readRoomLagCycles));
  }

  /**
   * Cycles the write master needs for a job's outputs on their own: each beat one cycle plus two cycles of
   * address phase per burst; rows of wp entries, or one entry per pixel and lane group (outGroups > 1).
   */
  writeCycles(d: Descriptor): number {
    if (d.flags & Flag.ACC_OUT) return 0;
    const bpe = (this.config.array.pi * 16) / this.config.axi.dataBits;
    const b = this.config.axi.burstBeats;
    const rows = d.outGroups > 1 ? d.hp * d.wp * d.outGroups : d.hp;
    const rowBeats = d.outGroups > 1 ? bpe : d.wp * bpe;
    return rows * (rowBeats + 2 * Math.ceil(rowBeats / b));
  }

  /** A fresh timeline of one run (start to done). */
  timeline(): PerfTimeline {
    return new PerfTimeline(this);
  }

  /** Roofline cycles of a layer: max(MACs / (PI·PO), minimum DDR bytes / bandwidth of all ports together). */
  roofline(macs: number, minBytes: number): number {
    const { pi, po } = this.config.array;
    return Math.max(macs / (pi * po), minBytes / this.bw);
  }
}

/** The engine's units through one run; `add` each JOB descriptor in program order, then `finish`. */
export class PerfTimeline {
  private readonly c: HwConfig;
  private readonly t: RtlTiming;
  private readonly bpe: number;
  private readonly bpw: number;
  private readonly ring: number;
  /** Loader free to fetch the next descriptor. */
  private loader: number;
  /** Time the compute unit took the last handed-over job (the slot is free again after it). */
  private slotTaken = 0;
  private computeFree = 0;
  /** Last W beat of the writes so far, and the write response of it (writer idle). */
  private writeBusy = 0;
  private writerIdle = 0;
  /** cnna_out_cmd takes the next job's command (several lane groups: once the last pixel command is issued). */
  private outCmdFree = 0;
  /** Per read port: the data channel is busy until. */
  private portFree = [0, 0];
  /** The last weight stream on port 1. */
  private p1Start = 0;
  private p1End = 0;
  /** Port 1's read master has issued every burst of the last weight command. */
  private wIssued = 0;
  private prev: Descriptor | null = null;
  private lastDone = 0;
  private jobs = 0;
  /** done time of each job (1-based), and the job index starting each input tile. */
  private done: number[] = [0];
  private tiles: number[] = [];
  /** Weight ring: words handed over so far, and per non-streamed job (words released at its done, done time). */
  private wordsIn = 0;
  private released: [number, number][] = [];
  /** ringRoom's walk: released[0 .. relIdx) sum to relSum words. */
  private relIdx = 0;
  private relSum = 0;

  constructor(private readonly m: PerfModel) {
    this.c = m.config;
    this.t = m.t;
    const { pi, po } = this.c.array;
    const bus = this.c.axi.dataBits;
    this.bpe = (pi * 16) / bus;
    this.bpw = (po * pi * 16) / bus;
    this.ring = weightRingWords(this.c);
    // Start: LIdle -> LHdrCmd, the HEADER record, its check.
    this.loader = this.read(0, 1, DESC_BYTES / this.m.beat, 1) + this.t.headerCheckCycles;
  }

  /** A read of `beats` on `port` whose command is given at `at`, in `bursts` bursts; returns when its last beat is in. */
  private read(port: 0 | 1, at: number, beats: number, bursts: number, shared = 0): number {
    const first = Math.max(at + this.t.readCmdCycles + this.m.latency, this.portFree[port]);
    // The first FIFO's worth of beats is requested at once and arrives one per cycle; the rest at the
    // stream's rate.
    const avgBurst = beats / bursts;
    const head = Math.min(beats, this.m.fifoBeats - avgBurst / 2);
    const rate = beats / (head / Math.min(1, this.m.ctrlRate) + (beats - head) / this.m.streamRate(avgBurst));
    let span = beats / rate;
    // Both read ports share the one controller: while both stream, each gets its fair share of it.
    const share = Math.min(rate, Math.max(this.m.ctrlRate / 2, this.m.ctrlRate - this.m.readRate));
    if (port === 0 && this.m.ports >= 2 && share < rate) {
      const overlap = Math.max(0, Math.min(first + span, this.p1End) - Math.max(first, this.p1Start));
      span += (overlap * (rate - share)) / share;
    } else if (port === 1 && shared > 0 && share < rate) {
      // Port 0's traffic of the next job (`shared` beats) runs beside this stream.
      const m = Math.min(beats, shared);
      span = m / share + (beats - m) / rate;
    }
    const end = first + Math.max(span, (bursts - 1) * this.t.burstIssueCycles + 1);
    this.portFree[port] = end;
    if (port === 1) { this.p1Start = first; this.p1End = end; }
    return Math.ceil(end) + this.t.readDoneCycles;
  }

  /** Bursts of `rows` rows of `rowBeats` beats: at most axi.burstBeats, and none crosses a 4 KB page. */
  private bursts(rowBeats: number, rows: number): number {
    return rows * Math.ceil(rowBeats / Math.min(this.c.axi.burstBeats, 4096 / this.m.beat));
  }

  /**
   * Time the ring has released enough words (at jobs' done) that `upTo` words written fit (0: they fit).
   * `upTo` never decreases from one call to the next (each call's words are added to wordsIn before the
   * next), so the walk over the released words resumes where the last call stopped.
   */
  private ringRoom(upTo: number): number {
    const need = upTo - this.ring;
    if (need <= 0) return 0;
    const rel = this.released;
    while (this.relIdx < rel.length && this.relSum + rel[this.relIdx][0] < need) this.relSum += rel[this.relIdx++][0];
    return this.relIdx < rel.length ? rel[this.relIdx][1] : this.lastDone;
  }

  /** Port-0 beats the loader reads for `next` while this job's weights stream (its descriptor, input tile, parameters). */
  private port0Beats(d: Descriptor, next: Descriptor): number {
    const { pi, po } = this.c.array;
    let b = DESC_BYTES / this.m.beat;
    if (next.flags & Flag.SYNC) return b;
    if (!(next.flags & Flag.REUSE_INPUT)) b += (next.hin * next.win * next.cg * pi * 2) / this.m.beat;
    if (!reusesWeights(next, d)) b += weightHeaderBytes(po) / this.m.beat;
    return b;
  }

  /**
   * Adds the next JOB descriptor in program order. `next` (the descriptor after it, when the caller knows
   * it) lets the model share the controller between this job's weight stream and the loader's port-0
   * reads for the next job.
   */
  add(d: Descriptor, next: Descriptor | null = null): JobCost {
    const { t } = this;
    const { pi, po } = this.c.array;
    const j = ++this.jobs;
    const batch = !!(d.flags & Flag.BATCH);
    // A BATCH job streams its words like an FC job (the bank does not bound it).
    const stream = isStreamed(d) || batch;
    const reuseW = reusesWeights(d, this.prev);
    const nw = jobWeightWords(d);
    const wino = !!(d.flags & Flag.WINOGRAD);
    // Loader: descriptor, decode, SYNC, input tile, slot, parameters, hand-over.
    let at = this.read(0, this.loader, DESC_BYTES / this.m.beat, 1) + t.decodeCycles;
    if (d.flags & Flag.SYNC) at = Math.max(at, Math.max(this.lastDone, this.writerIdle) + t.syncCycles);
    const inBytes = d.flags & Flag.REUSE_INPUT ? 0 : d.hin * d.win * d.cg * pi * 2;
    if (!(d.flags & Flag.REUSE_INPUT)) {
      this.tiles.push(j);
      const n = this.tiles.length;
      // Tile T goes to bank T mod 2 once every job of tile T-2 is done.
      if (n >= 3) at = Math.max(at, this.done[this.tiles[n - 2] - 1] + 1);
      const rowBeats = d.win * this.bpe;
      at = this.read(0, at, d.hin * d.cg * rowBeats, this.bursts(rowBeats, d.hin * d.cg));
    }
    at = Math.max(at, this.slotTaken + 1);
    let hand: number;
    let wEnd: number;
    const wBytes = reuseW ? 0 : jobWeightBlockBytes(pi, po, d);
    if (reuseW) {
      hand = at + t.handoverCycles;
      wEnd = hand;
      this.loader = hand + 1;
    } else {
      const pBeats = weightHeaderBytes(po) / this.m.beat;
      at = this.read(0, at, pBeats, this.bursts(pBeats, 1));
      const wBeats = nw * this.bpw;
      const wBursts = this.bursts(wBeats, 1);
      const room = stream ? 0 : this.ringRoom(this.wordsIn + nw);
      if (this.m.ports >= 2) {
        hand = Math.max(at, this.wIssued) + t.handoverCycles;
        wEnd = Math.max(this.read(1, hand, wBeats, wBursts, next ? this.port0Beats(d, next) : 0), room + this.bpw + 1);
        this.wIssued = Math.max(hand + t.readCmdCycles, wEnd - this.m.latency - this.m.fifoBeats);
        this.loader = hand + 1;
      } else {
        hand = at + t.handoverCycles;
        wEnd = Math.max(this.read(0, hand, wBeats, wBursts), room + this.bpw + 1);
        this.loader = wEnd;
      }
      if (!stream) this.wordsIn += nw;
    }
    // Compute: take the slot, output command, weights, windows / pixels / MAC steps, drain.
    const take = Math.max(hand, this.computeFree) + 1;
    this.slotTaken = take;
    const cmd = Math.max(take + 1, this.outCmdFree);
    const cand = candidateCount(d);
    const windows = d.hp * d.wp;
    const macSteps = jobMacSteps(d);
    let start: number;
    let body: number;
    if (stream) {
      start = cmd + 1;
      // A BATCH job holds each word for MAX_BATCH steps (one per accumulator slot, used or not).
      const per = batch ? MAX_BATCH : 1;
      body = Math.max(start + t.windowCycles + t.pixelCycles + nw * per, wEnd + per);
    } else {
      start = Math.max(cmd + 1, wEnd + 1);
      // Winograd jobs: 20 cycles per tile and channel group (16 MAC steps, 4 high-nibble words), the prologue.
      body = wino
        ? start + winoTiles(d) * (WINO_STEP_CYCLES * d.cg + WINO_TILE_OVERHEAD_CYCLES) + WINO_JOB_OVERHEAD_CYCLES
        : start + windows * t.windowCycles + cand * (t.pixelCycles + nw);
    }
    // Writes: one vector per window; region bursts along output rows (one lane group) or one command of
    // outGroups one-entry bursts per pixel.
    const groups = Math.min(d.outGroups, po / pi);
    // A Winograd job without pooling writes per 2x2 tile: one burst of two vectors per tile row.
    const tiled = wino && d.poolKind === PoolKind.NONE;
    const vecCycles = groups > 1
      ? groups * (this.bpe + t.writeBurstCycles) + t.writeCommandCycles
      : tiled ? this.bpe + t.writeBurstCycles / 2 + t.writeCommandCycles / 4
        : this.bpe + (t.writeBurstCycles * Math.ceil((d.wp * this.bpe) / this.c.axi.burstBeats)) / d.wp;
    // ACC_OUT: the sums stay in the array for the next job, nothing is written.
    const writeCycles = d.flags & Flag.ACC_OUT ? 0 : windows * vecCycles + t.writeCommandCycles;
    const firstVec = start + (body - start) / windows + t.postOpCycles;
    const wrEnd = Math.max(this.writeBusy, firstVec) + writeCycles;
    // The output FIFO holds (outputFifoEntries - 16) vectors beyond what the pipeline has in flight.
    const slack = Math.max(1, this.c.buffers.outputFifoEntries - 16) * vecCycles;
    if (writeCycles > 0) body = Math.max(body, wrEnd - slack - t.postOpCycles);
    const done = Math.ceil(body + t.drainCycles);
    if (writeCycles > 0) {
      this.writeBusy = Math.max(wrEnd, body + t.postOpCycles + vecCycles);
      this.writerIdle = Math.ceil(this.writeBusy + this.m.latency / 2 + 2);
    }
    this.outCmdFree = groups > 1 ? this.writeBusy - 2 * vecCycles : 0;
    this.computeFree = done;
    this.done.push(done);
    if (!stream && !reuseW) this.released.push([nw, done]);
    const cycles = done - this.lastDone;
    this.lastDone = done;
    this.prev = d;
    return { macSteps, ddrBytes: inBytes + wBytes + (d.flags & Flag.ACC_OUT ? 0 : d.hp * d.wp * d.outGroups * pi * 2) + DESC_BYTES, cycles, stallCycles: cycles - macSteps };
  }

  /** Cycles from start to done of the run: the last job's done, its writes answered, the end of the run. */
  finish(): number {
    return Math.max(this.lastDone, this.writerIdle) + this.t.finishCycles;
  }
}
