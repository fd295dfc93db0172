// Writer kernel: each pooled output vector goes to DDR as outGroups entries of Pi int16 (lane group g at
// outAddr + g·outCgStride + py·outRowStride + px·2·Pi), in bursts along each output row (a BATCH job's rows
// are images: outRowStride is the output's image stride). An ACC_OUT job writes nothing.
#pragma once
#include "cnna_engine.h"

namespace cnna {

template <int Pi, int Po>
void writer(sint<16>* ddr, uint64_t base, const Desc& d, stream<YVec<Po>>& p_s) {
  static_assert(Po % Pi == 0, "Po must be a multiple of Pi: outputs leave as whole Pi-lane groups.");
  if (!writes_outputs(d)) return;  // ACC_OUT: nothing is written
  const int groups = int(d.outGroups) < Po / Pi ? int(d.outGroups) : Po / Pi;
WRITE_PY:
  for (int py = 0; py < int(d.hp); py++) {
  WRITE_PX:
    for (int px = 0; px < int(d.wp); px++) {
#pragma HLS PIPELINE II = 1
      const YVec<Po> v = p_s.read();
    WRITE_G:
      for (int g = 0; g < groups; g++) {
        const uint64_t a = (base + d.outAddr + uint64_t(g) * d.outCgStride + uint64_t(py) * d.outRowStride) >> 1;
        for (int ci = 0; ci < Pi; ci++) ddr[a + uint64_t(px) * Pi + ci] = v.y[g * Pi + ci];
      }
    }
  }
}

}  // namespace cnna
