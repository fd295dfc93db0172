// The HLS engine's top: one m_axi read master and one m_axi write master onto DDR, s_axilite control
// whose argument registers sit at the offsets of the contract's register map (compiler/contracts/
// register-map.ts, via the generated cnna_config.h), and per job a dataflow region of one kernel per
// file: loader -> MAC array -> post-op -> pooling -> writer (finn-hlslib style: streams between
// processes, the input bank a ping-pong buffer between loader and MAC array).
#include "cnna_top.h"

#include "cnna_regs.h"  // generated: CNNA_REG_* offsets of the register map, as macros for the pragmas

#include "kernels/fetch.h"
#include "kernels/loader.h"
#include "kernels/mac_array.h"
#include "kernels/pool.h"
#include "kernels/post_op.h"
#include "kernels/writer.h"

// Pragma arguments must be literals after preprocessing; these macros carry the generated offsets into them.
#define CNNA_PRAGMA_(x) _Pragma(#x)
#define CNNA_PRAGMA(x) CNNA_PRAGMA_(x)

// int16 words of DDR the co-simulation memory model provides behind each master (the exported Tcl sets it
// from the testbench's largest image); synthesis ignores it.
#ifndef CNNA_DDR_DEPTH
#define CNNA_DDR_DEPTH 1048576
#endif

// C-simulation only: an access beyond the simulated DDR stops the engine with status AXI (the RTL's
// harness reports the same as a DDR error). Synthesis has no such check: the bus would answer.
#ifdef __SYNTHESIS__
#define CNNA_BEYOND_DDR(end) false
#define CNNA_JOB_BEYOND_DDR(base, d) false
#else
#define CNNA_BEYOND_DDR(end) (cnna::csim_ddr_bytes && (end) > cnna::csim_ddr_bytes)
#define CNNA_JOB_BEYOND_DDR(base, d) (!cnna::job_in_ddr(base, d))
#endif

namespace cnna {

/** Jobs fetched ahead into one dataflow segment (the descriptor buffer's depth). */
constexpr int MaxSegmentJobs = 64;

#ifndef __SYNTHESIS__
uint64_t csim_ddr_bytes = 0;

bool job_in_ddr(uint64_t base, const Desc& d) {
  if (csim_ddr_bytes == 0) return true;
  const uint64_t wEnd = base + d.wAddr + WHeaderBytes + uint64_t(job_weight_words(d)) * Pi * Po * 2;
  if (wEnd > csim_ddr_bytes) return false;
  if (d.hin && d.win && d.cg) {
    const uint64_t inEnd = base + d.inAddr + uint64_t(d.cg - 1) * d.inCgStride + uint64_t(d.hin - 1) * d.inRowStride + uint64_t(d.win) * Pi * 2;
    if (inEnd > csim_ddr_bytes) return false;
  }
  const uint32_t groups = d.outGroups < uint32_t(Po / Pi) ? d.outGroups : uint32_t(Po / Pi);
  if (d.hp && d.wp && groups) {
    const uint64_t outEnd = base + d.outAddr + uint64_t(groups - 1) * d.outCgStride + uint64_t(d.hp - 1) * d.outRowStride + uint64_t(d.wp) * Pi * 2;
    if (outEnd > csim_ddr_bytes) return false;
  }
  return true;
}
#endif

// One job's descriptor, handed to every process of the job's dataflow iteration through its own stream
// (canonical dataflow: processes only talk through channels).
struct JobCmd {
  Desc d;
  int nCand;
  bool reuseW;  // REUSE_WEIGHTS honoured: neither this job nor the one before it streamed (reusesWeights)
};

static void dispatch(const JobCmd seg[MaxSegmentJobs], int i, stream<JobCmd>& d_ld, stream<JobCmd>& d_mac,
                     stream<JobCmd>& d_post, stream<Desc>& d_pool, stream<Desc>& d_wr) {
  const JobCmd c = seg[i];
  d_ld.write(c);
  d_mac.write(c);
  d_post.write(c);
  d_pool.write(c.d);
  d_wr.write(c.d);
}

static void loader_proc(const sint<16>* ddr_rd, uint64_t base, stream<JobCmd>& c_s, Entry<Pi> bank[InBankEntries],
                        stream<BiasVec<Po>>& bias_s, stream<ShiftVec<Po>>& shift_s, stream<WWord<Pi, Po>>& w_s) {
  const JobCmd c = c_s.read();
  loader<Pi, Po, InBankEntries, WHeaderBytes>(ddr_rd, base, c.d, c.reuseW, bank, bias_s, shift_s, w_s);
}

static void mac_proc(stream<JobCmd>& c_s, const Entry<Pi> bank[InBankEntries], stream<WWord<Pi, Po>>& w_s,
                     stream<BiasVec<Po>>& bias_s, stream<AccVec<Po>>& acc_s) {
  const JobCmd c = c_s.read();
  (void)mac_array<Pi, Po, InBankEntries, WBankWords>(c.d, c.reuseW, bank, w_s, bias_s, acc_s);  // MAC steps: the clocked model's
}

static void post_proc(stream<JobCmd>& c_s, stream<ShiftVec<Po>>& shift_s, stream<AccVec<Po>>& acc_s, stream<YVec<Po>>& y_s) {
  const JobCmd c = c_s.read();
  post_op<Po>(c.d, c.nCand, c.reuseW, shift_s, acc_s, y_s);
}

static void pool_proc(stream<Desc>& d_s, stream<YVec<Po>>& y_s, stream<YVec<Po>>& p_s) {
  const Desc d = d_s.read();
  pool<Po>(d, y_s, p_s);
}

static void writer_proc(sint<16>* ddr_wr, uint64_t base, stream<Desc>& d_s, stream<YVec<Po>>& p_s) {
  const Desc d = d_s.read();
  writer<Pi, Po>(ddr_wr, base, d, p_s);
}

void run_segment(const sint<16>* ddr_rd, sint<16>* ddr_wr, uint64_t base, const JobCmd seg[MaxSegmentJobs], int n) {
SEGMENT:
  for (int i = 0; i < n; i++) {
#pragma HLS DATAFLOW
    // Dataflow inside the loop body: each iteration is one job through loader -> MAC array -> post-op
    // -> pooling -> writer, and consecutive iterations overlap (the next job's loader runs while this
    // job computes). Jobs of one segment never read each other's outputs (a SYNC job starts a segment).
    // The input bank: written by the loader, read by the MAC array; as a dataflow channel it becomes a
    // ping-pong buffer (the RTL's two input banks).
#ifdef __SYNTHESIS__
    Entry<Pi> bank[InBankEntries];
#else
    static Entry<Pi> bank[InBankEntries];  // C-simulation: kept off the stack (large configs)
#endif
#pragma HLS AGGREGATE variable = bank
    stream<Desc> d_pool("d_pool"), d_wr("d_wr");
    stream<JobCmd> d_ld("d_ld"), d_mac("d_mac"), d_post("d_post");
    stream<WWord<Pi, Po>> w_s("w_s");
#pragma HLS STREAM variable = w_s depth = 32
    // Deep enough for one AXI burst of weight words ahead of the array (streamed jobs).
    stream<BiasVec<Po>> bias_s("bias_s");
    stream<ShiftVec<Po>> shift_s("shift_s");
    stream<AccVec<Po>> acc_s("acc_s");
    stream<YVec<Po>> y_s("y_s");
    stream<YVec<Po>> p_s("p_s");
#pragma HLS STREAM variable = acc_s depth = 16
    // 16: the post-op latency plus a pool window in flight, so the array never waits on the pipeline.
    dispatch(seg, i, d_ld, d_mac, d_post, d_pool, d_wr);
    loader_proc(ddr_rd, base, d_ld, bank, bias_s, shift_s, w_s);
    mac_proc(d_mac, bank, w_s, bias_s, acc_s);
    post_proc(d_post, shift_s, acc_s, y_s);
    pool_proc(d_pool, y_s, p_s);
    writer_proc(ddr_wr, base, d_wr, p_s);
  }
}

}  // namespace cnna

void cnna_top(const cnna::sint<16>* ddr_rd, cnna::sint<16>* ddr_wr, uint64_t base, uint32_t* status, uint32_t* jobs) {
  // Two AXI4 masters (reads: descriptors, tiles, weights; writes: outputs) onto the same DDR, addressed
  // absolutely (offset=off): the program's addresses are BASE + offset, as in the RTL. 16-bit accesses
  // in pipelined loops are widened to the configured AXI width.
  CNNA_PRAGMA(HLS INTERFACE mode = m_axi port = ddr_rd bundle = gmem_rd offset = off depth = CNNA_DDR_DEPTH max_widen_bitwidth = 128 max_read_burst_length = 16 num_read_outstanding = 8)
  CNNA_PRAGMA(HLS INTERFACE mode = m_axi port = ddr_wr bundle = gmem_wr offset = off depth = CNNA_DDR_DEPTH max_widen_bitwidth = 128 max_write_burst_length = 16 num_write_outstanding = 8)
  // Control: ap_ctrl_hs start/done/idle at 0x00 (CTRL bits 0..2 of the contract); arguments at the
  // contract's offsets. Vitis gives each argument its data words plus one control word, so BASE is one
  // 64-bit argument: data at BASE_LO and BASE_HI, its control word at 0x18; STATUS and JOBS are followed
  // by their ap_vld words (0x2C, 0x38), which the contract's STALLS and RD_BEATS would hold in the RTL.
  CNNA_PRAGMA(HLS INTERFACE mode = s_axilite port = base offset = CNNA_REG_BASE_LO bundle = control)
  CNNA_PRAGMA(HLS INTERFACE mode = s_axilite port = status offset = CNNA_REG_STATUS bundle = control)
  CNNA_PRAGMA(HLS INTERFACE mode = s_axilite port = jobs offset = CNNA_REG_JOBS bundle = control)
#pragma HLS INTERFACE mode = s_axilite port = return bundle = control
  using namespace cnna;
  uint32_t done = 0;
  uint8_t rec[DescBytes];
  if (CNNA_BEYOND_DDR(base + DescBytes)) {
    *status = ERR_AXI;
    *jobs = 0;
    return;
  }
  fetch_record(ddr_rd, base, rec);
  uint32_t count = 0;
  int err = check_header(rec, count);
  // The program runs in segments: a SYNC job (the first of each layer) starts a new one, so every
  // earlier write is complete before its input is read; within a segment the jobs overlap.
  JobCmd seg[MaxSegmentJobs];
  bool last = false;
  uint32_t j = 1;
  // The job before (across segments): REUSE_WEIGHTS keeps its block when neither job streams.
  bool prevStreamed = true;
SEGMENTS:
  while (err == ERR_NONE && !last && j <= count) {
    int n = 0;
  FETCH_SEGMENT:
    while (n < MaxSegmentJobs && j <= count) {
      const uint64_t at = base + uint64_t(j) * DescBytes;
      if (CNNA_BEYOND_DDR(at + DescBytes)) {
        err = ERR_AXI;
        break;
      }
      fetch_record(ddr_rd, at, rec);
      const Desc d = decode_desc(rec);
      if (n > 0 && d.opcode == uint32_t(OPC_JOB) && (d.flags & FLAG_SYNC)) break;  // starts the next segment
      err = check_job<Pi, InBankEntries, WBankWords>(d);
      if (err == ERR_NONE && CNNA_JOB_BEYOND_DDR(base, d)) err = ERR_AXI;
      if (err != ERR_NONE) break;
      seg[n].d = d;
      seg[n].nCand = count_candidates(d);
      seg[n].reuseW = (d.flags & FLAG_REUSE_WEIGHTS) && !prevStreamed && !is_streamed(d);
      prevStreamed = is_streamed(d);
      n++;
      j++;
      if (d.flags & FLAG_LAST) {
        last = true;
        break;
      }
    }
    // The jobs before a refused descriptor run, then the engine stops with its status (as the RTL).
    if (n > 0) run_segment(ddr_rd, ddr_wr, base, seg, n);
    done += uint32_t(n);
  }
  *status = uint32_t(err);
  *jobs = done;
}
