// The RTL's fixed per-step cycle costs, the one place the performance model (perf-model.ts) takes them
// from. Each is a count of clock cycles of one state machine step of rtl/ (the module and state named
// beside it); when a pipelining change in the RTL adds or removes a register stage, the matching
// constant changes here, and `node --import tsx scripts/calibrate-perf.ts --points` shows the model
// against the RTL again (docs/engine.md "Performance model").
export const RTL_TIMING = {
  /** Loader command state to the first beat's request: cnna_axi_rd_master registers the accepted command,
   *  then the burst length (len_v_q), issues AR and the DDR model accepts it. The DDR latency comes on top. */
  readCmdCycles: 5,
  /** After a read phase's last beat, cycles until the loader's next state acts (registered counters). */
  readDoneCycles: 1,
  /** cnna_loader LDecode: three register stages of products and compares, then the registered check. */
  decodeCycles: 4,
  /** cnna_loader LHdrCheck after the HEADER record is in (two register stages of checks, then the state). */
  headerCheckCycles: 3,
  /** cnna_loader LSync: `drained_q` is registered from compute-idle, writer-idle and the job count. */
  syncCycles: 2,
  /** cnna_loader LWCmd / LHand: the hand-over cycle before the slot shows valid. */
  handoverCycles: 1,
  /** cnna_compute CIdle (takes the slot) + CCmd (output command) + CWait (weights in): at least one each. */
  computeStartCycles: 3,
  /** cnna_compute CWin, once per pooling window. */
  windowCycles: 1,
  /** cnna_compute CPix, once per conv pixel (candidate). */
  pixelCycles: 1,
  /** cnna_compute CDrain: MAC array (5) + post-op (9) + FIFO push, rounded up to the fixed drain. */
  drainCycles: 16,
  /** Cycles from a window's last MAC issue to its vector in the output FIFO (1 + MAC array 5 + post-op 9). */
  postOpCycles: 15,
  /** cnna_axi_wr_master per burst besides its beats: StAddr and StAw. */
  writeBurstCycles: 2,
  /** cnna_axi_wr_master per command (a new command waits one cycle in StAddr), and cnna_out_cmd per pixel command. */
  writeCommandCycles: 1,
  /** The run's end: LFin sees drained, the done flag and the cycle counter stop. */
  finishCycles: 3,
  /** cnna_axi_rd_master issues a burst at most every second cycle (AR is busy the cycle after an issue). */
  burstIssueCycles: 2,
  /** Besides the DDR latency and half a burst, cycles a beat's FIFO room stays claimed (issue, AR, room_q). */
  readRoomLagCycles: 2,
} as const;

export type RtlTiming = typeof RTL_TIMING;
