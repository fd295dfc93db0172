// Pooling kernel: per pooled output (py, px), the candidates the MAC array produced for that window (the
// same walk: window positions clamped to the job's conv region) reduce to their maximum, or to the exact
// sum S and then sat16(rshr(S·M, avgShift)) (docs/numerics.md step 4). NONE is a 1x1 window (a BATCH job: one
// per row). A window without candidates (the compiler never emits one) yields 0. An ACC_OUT job has none.
#pragma once
#include "cnna_engine.h"

namespace cnna {

template <int Po>
void pool(const Desc& d, stream<YVec<Po>>& y_s, stream<YVec<Po>>& p_s) {
  if (!writes_outputs(d)) return;  // ACC_OUT: the sums stay in the array, no output
  const PoolGeom p = pool_geom(d);
  const bool avg = d.poolKind == POOL_AVG;
POOL_PY:
  for (int py = 0; py < int(d.hp); py++) {
  POOL_PX:
    for (int px = 0; px < int(d.wp); px++) {
      sint<16> r[Po];
      sint<64> S[Po];
#pragma HLS ARRAY_PARTITION variable = r complete
#pragma HLS ARRAY_PARTITION variable = S complete
      for (int m = 0; m < Po; m++) {
        r[m] = -32768;
        S[m] = 0;
      }
      int n = 0;
    POOL_WY:
      for (int wy = 0; wy < p.kh; wy++) {
        const int cy = py * p.sh - p.pt + wy;
        if (cy < 0 || cy >= int(d.hc)) continue;
      POOL_WX:
        for (int wx = 0; wx < p.kw; wx++) {
#pragma HLS PIPELINE II = 1
          const int cx = px * p.sw - p.pl + wx;
          if (cx < 0 || cx >= int(d.wc)) continue;
          const YVec<Po> y = y_s.read();
          for (int m = 0; m < Po; m++) {
            if (y.y[m] > r[m]) r[m] = y.y[m];
            S[m] += y.y[m];
          }
          n++;
        }
      }
      YVec<Po> o;
      for (int m = 0; m < Po; m++) {
        o.y[m] = n == 0 ? sint<16>(0) : avg ? sat16(rshr(S[m] * sint<64>(d.avgM), int(d.avgShift))) : r[m];
      }
      p_s.write(o);
    }
  }
}

}  // namespace cnna
