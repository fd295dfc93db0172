// Post-op kernel: per conv output and lane, requantize y = sat16(rshr(acc, shift[m])) (exact 48-bit
// accumulator, round half toward +inf, shifts >= 48 give 0), then the activation (ReLU, LeakyReLU
// rshr(y·a_q, 15), clip). docs/numerics.md steps 2 and 3.
#pragma once
#include "cnna_engine.h"

namespace cnna {

template <int Po>
void post_op(const Desc& d, int nCand, bool reuseW, stream<ShiftVec<Po>>& shift_s, stream<AccVec<Po>>& acc_s, stream<YVec<Po>>& y_s) {
  // The shifts of the job's weight block; a REUSE_WEIGHTS job keeps the previous job's (nothing is loaded).
  static ShiftVec<Po> kept;
  if (!reuseW) kept = shift_s.read();
  const ShiftVec<Po> sh = kept;
  const int act = d.act, a = d.actA, b = d.actB;
POST_OP:
  for (int n = 0; n < nCand; n++) {
#pragma HLS PIPELINE II = 1
    const AccVec<Po> acc = acc_s.read();
    YVec<Po> y;
  POST_LANES:
    for (int m = 0; m < Po; m++) {
#pragma HLS UNROLL
      y.y[m] = activate(sat16(rshr(sint<64>(acc.a[m]), int(sh.s[m]))), act, a, b);
    }
    y_s.write(y);
  }
}

}  // namespace cnna
