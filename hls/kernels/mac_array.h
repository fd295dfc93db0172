// MAC array kernel: Pi x Po signed 16x16-bit multiplies per step with exact 48-bit accumulation. It walks
// the job as the RTL's compute unit does: pooled outputs (py, px) -> the window's conv pixels clamped to
// [0, hc) x [0, wc) (padded positions are never candidates) -> taps (ky, kx, g), one input entry and one
// weight word per step. Each candidate's accumulator starts at the bias and leaves as one AccVec.
//
// Weights: a conv job first fills the weight bank with its kh·kw·cg words (reused by every candidate); a
// streamed job (hc = wc = hp = wp = 1) consumes each word as it arrives, so its block may be far larger
// than the bank (FC layers stream at DDR speed). Either way the kernel reads exactly kh·kw·cg words.
//
// BATCH jobs (FC layers of a batch bundle; docs/bundle-format.md "Batch"): the job's rows are images. Each
// streamed weight word is applied to every row (MAX_BATCH accumulator slots per lane) before the next word,
// so the word crosses DDR once per up to 8 images. ACC_IN starts the sums from the ones the previous job
// held instead of the bias; ACC_OUT holds them (in the array, across jobs) and emits nothing.
//
// WINOGRAD jobs (kernels/winograd.h): the block's 20·cg words are merged into 16·cg words of 20-bit lanes;
// each candidate's accumulator comes from its 2x2 tile, computed once and kept in a tile cache of two tile
// rows x WinoCacheCols tiles (direct-mapped by tile column), so the pooling walk's revisits (the second row
// of a tile, overlapping windows) reuse it: a region up to 2·WinoCacheCols outputs wide computes each tile
// once, a wider one recomputes some (same values, more steps).
#pragma once
#include "cnna_engine.h"
#include "kernels/winograd.h"

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

/** Tile columns of the Winograd tile cache (per tile row; two tile rows). */
constexpr int WinoCacheCols = 128;

/** A BATCH job: each streamed word applied to every row; sums from / to the held sums (ACC_IN / ACC_OUT). */
template <int Pi, int Po, int InBankEntries>
uint64_t mac_batch(const Desc& d, const Entry<Pi> bank[InBankEntries], stream<WWord<Pi, Po>>& w_s,
                   const BiasVec<Po>& bias, stream<AccVec<Po>>& acc_s) {
  // The held sums of an ACC_OUT job: MAX_BATCH x Po 48-bit registers that outlive the job.
  static sint<48> held[MAX_BATCH][Po];
#pragma HLS ARRAY_PARTITION variable = held complete dim = 2
  // One row of Po lanes is read or written at once (as acc below).
  sint<48> acc[MAX_BATCH][Po];
#pragma HLS ARRAY_PARTITION variable = acc complete dim = 2
  // One row's Po lanes per cycle (the rows share the array in turn, as the RTL's accumulator slots).
  const int rows = batch_rows(d);
  const bool accIn = (d.flags & FLAG_ACC_IN) != 0;
  for (int n = 0; n < MAX_BATCH; n++)
    for (int m = 0; m < Po; m++) acc[n][m] = accIn ? held[n][m] : bias.b[m];
BATCH_G:
  for (int g = 0; g < int(d.cg); g++) {
    const WWord<Pi, Po> w = w_s.read();
  BATCH_ROWS:
    for (int n = 0; n < MAX_BATCH; n++) {
#pragma HLS PIPELINE II = 1
      // The word stays on the array for MAX_BATCH steps, one per accumulator slot (used or not).
      if (n < rows) mac_step<Pi, Po>(acc[n], w, bank[int(g) * int(d.hin) + n]);
    }
  }
  if (!writes_outputs(d)) {
    for (int n = 0; n < MAX_BATCH; n++)
      for (int m = 0; m < Po; m++) held[n][m] = acc[n][m];
  } else {
  BATCH_OUT:
    for (int n = 0; n < rows; n++) {
#pragma HLS PIPELINE II = 1
      // One row's sums per cycle into the post-op's stream.
      AccVec<Po> out;
      for (int m = 0; m < Po; m++) out.a[m] = acc[n][m];
      acc_s.write(out);
    }
  }
  return uint64_t(d.cg) * rows;
}

/** A WINOGRAD job: merge the block, then each candidate from its (cached) 2x2 tile, in the candidate walk. */
template <int Pi, int Po, int InBankEntries, int UBankWords>
uint64_t mac_winograd(const Desc& d, bool reuseW, const Entry<Pi> bank[InBankEntries], stream<WWord<Pi, Po>>& w_s,
                      const BiasVec<Po>& bias, stream<AccVec<Po>>& acc_s) {
  static UWord<Pi, Po> ubank[UBankWords];
#pragma HLS AGGREGATE variable = ubank
  // One merged word (Po x Pi x 20 bits) per address: one MAC step per cycle.
  static sint<48> cache[2][WinoCacheCols][4][Po];
#pragma HLS ARRAY_PARTITION variable = cache complete dim = 4
  // The tile cache: one address per (tile row, tile column, output of the tile) holds all Po lanes, so a
  // candidate is one read and a computed tile four writes.
  static int tagY[2][WinoCacheCols], tagX[2][WinoCacheCols];
  if (!reuseW) wino_fill<Pi, Po, UBankWords>(int(d.cg), w_s, ubank);
  for (int r = 0; r < 2; r++)
    for (int c = 0; c < WinoCacheCols; c++) tagY[r][c] = -1;
  const PoolGeom p = pool_geom(d);
  uint64_t steps = 0;
WINO_PY:
  for (int py = 0; py < int(d.hp); py++) {
  WINO_PX:
    for (int px = 0; px < int(d.wp); px++) {
      for (int wy = 0; wy < p.kh; wy++) {
        const int cy = py * p.sh - p.pt + wy;
        if (cy < 0 || cy >= int(d.hc)) continue;
        for (int wx = 0; wx < p.kw; wx++) {
          const int cx = px * p.sw - p.pl + wx;
          if (cx < 0 || cx >= int(d.wc)) continue;
          const int ty = cy >> 1, tx = cx >> 1;
          const int r = ty & 1, c = tx % WinoCacheCols;
          if (tagY[r][c] != ty || tagX[r][c] != tx) {
            wino_tile<Pi, Po, InBankEntries, UBankWords>(d, bank, ubank, bias, 2 * ty, 2 * tx, cache[r][c]);
            tagY[r][c] = ty;
            tagX[r][c] = tx;
            steps += 16 * uint64_t(d.cg);
          }
          AccVec<Po> out;
          for (int m = 0; m < Po; m++) out.a[m] = cache[r][c][(cy & 1) * 2 + (cx & 1)][m];
          acc_s.write(out);
        }
      }
    }
  }
  return steps;
}

/**
 * The MAC array process of one job; returns its MAC steps (Pi x Po each), which the clocked system model
 * charges. `reuseW` (REUSE_WEIGHTS, neither this job nor the previous one streamed): the bank and the bias
 * of the previous job are kept and nothing is read from the weight and bias streams.
 */
template <int Pi, int Po, int InBankEntries, int WBankWords>
uint64_t mac_array(const Desc& d, bool reuseW, const Entry<Pi> bank[InBankEntries], stream<WWord<Pi, Po>>& w_s,
                   stream<BiasVec<Po>>& bias_s, stream<AccVec<Po>>& acc_s) {
  static_assert(WBankWords >= 1, "The weight bank holds at least one word.");
  // The weight bank: one job's block (the RTL's ring holds two, for the next job's prefetch).
  static WWord<Pi, Po> wbank[WBankWords];
#pragma HLS AGGREGATE variable = wbank
  // One whole word (Po x Pi int16) per address: the array reads one word per cycle.
  static BiasVec<Po> keptBias;
  if (!reuseW) keptBias = bias_s.read();
  const BiasVec<Po> bias = keptBias;
  if (is_batch(d)) return mac_batch<Pi, Po, InBankEntries>(d, bank, w_s, bias, acc_s);
  // The merged Winograd store holds 16 of the block's 20 words per group (the same bits) of the largest
  // Winograd block, WinoBlockWords (the weight ring: such a block may exceed the direct bank); an engine
  // without array.winograd has none (a one-word placeholder its jobs never reach: check_job refuses them).
  if (Winograd && is_winograd(d)) return mac_winograd<Pi, Po, InBankEntries, (Winograd ? WinoBlockWords * 4 / 5 : 1)>(d, reuseW, bank, w_s, bias, acc_s);
  const bool streamed = is_streamed(d);
  const int kh = d.kh, kw = d.kw, cg = d.cg, hin = d.hin, win = d.win;
  const int nTap = kh * kw * cg;
  if (!streamed && !reuseW) {
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
  uint64_t steps = 0;
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
          steps += uint64_t(nTap);
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
  return steps;
}

}  // namespace cnna
