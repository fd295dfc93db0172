// MAC array kernel: Pi x Po signed 16x16-bit multiplies per step with exact 48-bit accumulation. It walks
// the job as the RTL's compute unit does: pooled outputs (py, px) -> the window's conv pixels clamped to
// [0, hc) x [0, wc) (padded positions are never candidates) -> taps (ky, kx, g), one input entry and one
// weight word per step. Each candidate's accumulator starts at the bias and leaves as one AccVec.
//
// Weights: a conv job first fills the weight bank with its kh·kw·cg words (reused by every candidate); a
// streamed job (hc = wc = hp = wp = 1) consumes each word as it arrives, so its block may be far larger
// than the bank (FC layers stream at DDR speed). Either way the kernel reads exactly kh·kw·cg words.
#pragma once
#include "cnna_engine.h"

namespace cnna {

template <int Pi, int Po>
inline void mac_step(sint<48> acc[Po], const WWord<Pi, Po>& w, const Entry<Pi>& x) {
MAC_LANES:
  for (int m = 0; m < Po; m++) {
#pragma HLS UNROLL
    // One DSP48E2 per product; an adder tree per lane. The dot product of Pi int16 pairs is exact in
    // 64 bits, and the lane's register is 48 bits: wrap<48> is the register's width, not a saturation.
    sint<64> s = 0;
  MAC_DOT:
    for (int ci = 0; ci < Pi; ci++) {
#pragma HLS UNROLL
      s += sint<32>(w.w[m][ci]) * sint<32>(x.v[ci]);
    }
    acc[m] = wrap<48>(acc[m] + s);
  }
}

template <int Pi, int Po, int InBankEntries, int WBankWords>
void mac_array(const Desc& d, const Entry<Pi> bank[InBankEntries], stream<WWord<Pi, Po>>& w_s,
               stream<BiasVec<Po>>& bias_s, stream<AccVec<Po>>& acc_s) {
  static_assert(WBankWords >= 1, "The weight bank holds at least one word.");
  // The weight bank: one job's block (the RTL's ring holds two, for the next job's prefetch).
  static WWord<Pi, Po> wbank[WBankWords];
#pragma HLS AGGREGATE variable = wbank
  // One whole word (Po x Pi int16) per address: the array reads one word per cycle.
  const BiasVec<Po> bias = bias_s.read();
  const bool streamed = is_streamed(d);
  const int kh = d.kh, kw = d.kw, cg = d.cg, hin = d.hin, win = d.win;
  const int nTap = kh * kw * cg;
  if (!streamed) {
  MAC_WFILL:
    for (int t = 0; t < nTap; t++) {
#pragma HLS PIPELINE II = 1
      wbank[t] = w_s.read();
    }
  }
  Entry<Pi> zero;
  for (int ci = 0; ci < Pi; ci++) zero.v[ci] = 0;
  const PoolGeom p = pool_geom(d);
  bool consumed = false;
MAC_PY:
  for (int py = 0; py < int(d.hp); py++) {
  MAC_PX:
    for (int px = 0; px < int(d.wp); px++) {
    MAC_WY:
      for (int wy = 0; wy < p.kh; wy++) {
        const int cy = py * p.sh - p.pt + wy;
        if (cy < 0 || cy >= int(d.hc)) continue;
      MAC_WX:
        for (int wx = 0; wx < p.kw; wx++) {
          const int cx = px * p.sw - p.pl + wx;
          if (cx < 0 || cx >= int(d.wc)) continue;
          sint<48> acc[Po];
#pragma HLS ARRAY_PARTITION variable = acc complete
          for (int m = 0; m < Po; m++) acc[m] = bias.b[m];
          int t = 0;
        MAC_KY:
          for (int ky = 0; ky < kh; ky++) {
            const int iy = cy * int(d.strideH) - int(d.padT) + ky * int(d.dilH);
          MAC_KX:
            for (int kx = 0; kx < kw; kx++) {
              const int ix = cx * int(d.strideW) - int(d.padL) + kx * int(d.dilW);
              const bool inside = iy >= 0 && iy < hin && ix >= 0 && ix < win;
            MAC_G:
              for (int g = 0; g < cg; g++, t++) {
#pragma HLS PIPELINE II = 1
                // One MAC step per cycle: an input entry (zero outside the tile = padding) and a word.
                const Entry<Pi>& x = inside ? bank[(g * hin + iy) * win + ix] : zero;
                if (streamed) {
                  const WWord<Pi, Po> w = w_s.read();
                  mac_step<Pi, Po>(acc, w, x);
                } else {
                  mac_step<Pi, Po>(acc, wbank[t], x);
                }
              }
            }
          }
          consumed = true;
          AccVec<Po> out;
          for (int m = 0; m < Po; m++) out.a[m] = acc[m];
          acc_s.write(out);
        }
      }
    }
  }
  // A streamed job whose only window had no candidate still takes its words off the stream.
  if (streamed && !consumed) {
  MAC_WDRAIN:
    for (int t = 0; t < nTap; t++) {
#pragma HLS PIPELINE II = 1
      (void)w_s.read();
    }
  }
}

}  // namespace cnna
