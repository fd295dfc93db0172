// Loader kernel: moves one job's operands from DDR into the engine. The input tile goes into the input
// bank (a 3-D strided read: cg planes x hin rows x win entries), the parameter block into the bias and
// shift streams, and the kh·kw·cg weight words, in (ky, kx, g) order (a Winograd block: its 20·cg words in
// block order), into the weight stream. All
// addresses are BASE + descriptor offset, as in the RTL.
#pragma once
#include "cnna_engine.h"

namespace cnna {

template <int Pi, int InBankEntries>
void load_input(const sint<16>* ddr, uint64_t base, const Desc& d, Entry<Pi> bank[InBankEntries]) {
  static_assert(InBankEntries >= 16, "The input bank holds at least 16 entries (hw-config schema).");
  int e = 0;
LOAD_IN_G:
  for (int g = 0; g < int(d.cg); g++) {
  LOAD_IN_Y:
    for (int iy = 0; iy < int(d.hin); iy++) {
      const uint64_t row = (base + d.inAddr + uint64_t(g) * d.inCgStride + uint64_t(iy) * d.inRowStride) >> 1;
    LOAD_IN_X:
      for (int ix = 0; ix < int(d.win); ix++, e++) {
#pragma HLS PIPELINE II = 1
        // One entry per cycle: Pi int16 = one or more AXI beats, read in one burst along the row.
        Entry<Pi> v;
        for (int ci = 0; ci < Pi; ci++) v.v[ci] = ddr[row + uint64_t(ix) * Pi + ci];
        bank[e] = v;
      }
    }
  }
}

template <int Po>
void load_params(const sint<16>* ddr, uint64_t base, const Desc& d, stream<BiasVec<Po>>& bias_s, stream<ShiftVec<Po>>& shift_s) {
  const uint64_t a = (base + d.wAddr) >> 1;
  BiasVec<Po> b;
  ShiftVec<Po> s;
LOAD_BIAS:
  for (int m = 0; m < Po; m++) {
#pragma HLS PIPELINE II = 1
    // int64 little-endian; the engine keeps bits 47:0 (a 48-bit accumulator register).
    uint64_t v = 0;
    for (int k = 0; k < 4; k++) v |= uint64_t(uint16_t(ddr[a + 4 * m + k])) << (16 * k);
    b.b[m] = wrap<48>(int64_t(v));
  }
LOAD_SHIFT:
  for (int m = 0; m < Po; m++) {
#pragma HLS PIPELINE II = 1
    const uint16_t w = uint16_t(ddr[a + 4 * Po + (m >> 1)]);
    s.s[m] = uint<8>((m & 1) ? (w >> 8) : (w & 0xFF));
  }
  bias_s.write(b);
  shift_s.write(s);
}

template <int Pi, int Po, int WHeaderBytes>
void load_weights(const sint<16>* ddr, uint64_t base, const Desc& d, stream<WWord<Pi, Po>>& w_s) {
  static_assert(WHeaderBytes % 32 == 0, "The weight words start 32-byte aligned behind the bias/shift header.");
  const uint64_t a0 = (base + d.wAddr + WHeaderBytes) >> 1;
  const int nTap = int(job_weight_words(d));  // kh·kw·cg, or 20·cg for a Winograd block
LOAD_W:
  for (int t = 0; t < nTap; t++) {
#pragma HLS PIPELINE II = 1
    // One Po x Pi word per iteration: the MAC array's weight operand for one cycle.
    WWord<Pi, Po> w;
    const uint64_t a = a0 + uint64_t(t) * Po * Pi;
    for (int m = 0; m < Po; m++)
      for (int ci = 0; ci < Pi; ci++) w.w[m][ci] = ddr[a + m * Pi + ci];
    w_s.write(w);
  }
}

/**
 * The loader process of a job's dataflow region. `reuseW` (REUSE_WEIGHTS, neither this job nor the one
 * before it streamed): the MAC array and post-op keep the previous block and its header, nothing is loaded.
 */
template <int Pi, int Po, int InBankEntries, int WHeaderBytes>
void loader(const sint<16>* ddr, uint64_t base, const Desc& d, bool reuseW, Entry<Pi> bank[InBankEntries],
            stream<BiasVec<Po>>& bias_s, stream<ShiftVec<Po>>& shift_s, stream<WWord<Pi, Po>>& w_s) {
  load_input<Pi, InBankEntries>(ddr, base, d, bank);
  if (reuseW) return;
  load_params<Po>(ddr, base, d, bias_s, shift_s);
  load_weights<Pi, Po, WHeaderBytes>(ddr, base, d, w_s);
}

}  // namespace cnna
