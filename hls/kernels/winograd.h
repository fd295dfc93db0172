// Winograd kernel: exact-integer F(2x2, 3x3) (docs/numerics.md "Winograd F(2x2, 3x3)", the same transforms
// as compiler/golden/fixed/winograd.ts). The MAC array calls it for WINOGRAD jobs:
//   - wino_fill merges the job's block (20 words per channel group: per run j of four positions, a word of
//     high nibbles, then four words of low halves; docs/bundle-format.md) into 16 words of 20-bit lanes
//     per group, holding one high word at a time as the words stream in;
//   - wino_tile computes one 2x2 output tile: per channel group the 4x4 input patch from the input bank
//     (zero outside the tile = padding), V = B^T d B per lane (18 bits), then 16 MAC steps (one per
//     position t, Po x Pi products of 20 x 18 bits, exact sums M_t per output lane), and the output
//     transform Y = A^T M A, which is exactly 4x the direct sum, so Y >> 2 plus the bias is the direct
//     accumulator bit for bit.
// Widths (proved in docs/numerics.md): |V| <= 2^17, |U| <= 9·2^15 < 2^19, products < 2^36, every M_t of at
// most 3640 lanes below 2^47 (the 48-bit register), Y (sums of nine M_t) below 2^51 (fabric adders).
#pragma once
#include "cnna_engine.h"

namespace cnna {

/** One merged Winograd weight word: Po x Pi transformed weights U of one position t and channel group. */
template <int Pi, int Po> struct UWord {
  sint<20> u[Po][Pi];
};

/** U = sext20(nibble << 16 | low) of position t from its low half and its run's high-nibble word. */
inline sint<20> wino_unpack(sint<16> low, sint<16> high, int t) {
  const int nib = (int(uint16_t(high)) >> (4 * (t & 3))) & 0xF;
  return sint<20>((nib >= 8 ? nib - 16 : nib) * 65536 + int(uint16_t(low)));
}

/** The job's 20·cg block words, as they stream in, into 16·cg merged words: ubank[t·cg + g]. */
template <int Pi, int Po, int UBankWords>
void wino_fill(int cg, stream<WWord<Pi, Po>>& w_s, UWord<Pi, Po> ubank[UBankWords]) {
WINO_FILL_G:
  for (int g = 0; g < cg; g++) {
  WINO_FILL_RUN:
    for (int j = 0; j < 4; j++) {
      const WWord<Pi, Po> hi = w_s.read();
    WINO_FILL_LO:
      for (int q = 0; q < 4; q++) {
#pragma HLS PIPELINE II = 1
        // One low word per cycle, merged with the held high word into one 20-bit-lane word.
        const WWord<Pi, Po> lo = w_s.read();
        UWord<Pi, Po> u;
        for (int m = 0; m < Po; m++)
          for (int ci = 0; ci < Pi; ci++) u.u[m][ci] = wino_unpack(lo.w[m][ci], hi.w[m][ci], q);
        ubank[(4 * j + q) * cg + g] = u;
      }
    }
  }
}

/** V = B^T d B of one lane's 4x4 patch d (row-major): each output is ±d ± d ± d ± d, 18 bits. */
inline void wino_input(const sint<16> d[16], sint<18> v[16]) {
#pragma HLS INLINE
  // Inlined: a few adders per lane, which should sit beside the patch registers, not behind a call.
  sint<18> t[16];
  for (int c = 0; c < 4; c++) {
    t[c] = sint<18>(d[c] - d[8 + c]);
    t[4 + c] = sint<18>(d[4 + c] + d[8 + c]);
    t[8 + c] = sint<18>(d[8 + c] - d[4 + c]);
    t[12 + c] = sint<18>(d[4 + c] - d[12 + c]);
  }
  for (int r = 0; r < 4; r++) {
    v[r * 4] = sint<18>(t[r * 4] - t[r * 4 + 2]);
    v[r * 4 + 1] = sint<18>(t[r * 4 + 1] + t[r * 4 + 2]);
    v[r * 4 + 2] = sint<18>(t[r * 4 + 2] - t[r * 4 + 1]);
    v[r * 4 + 3] = sint<18>(t[r * 4 + 1] - t[r * 4 + 3]);
  }
}

/** Y = A^T M A of one lane's 16 sums: the 2x2 outputs (y00, y01, y10, y11), each 4x the direct sum. */
inline void wino_output(const sint<48> m[16], sint<64> y[4]) {
#pragma HLS INLINE
  // Inlined into the per-lane unrolled loop: one adder tree per output lane.
  sint<64> s[8];
  for (int c = 0; c < 4; c++) {
    s[c] = sint<64>(m[c]) + m[4 + c] + m[8 + c];
    s[4 + c] = sint<64>(m[4 + c]) - m[8 + c] - m[12 + c];
  }
  y[0] = s[0] + s[1] + s[2];
  y[1] = s[1] - s[2] - s[3];
  y[2] = s[4] + s[5] + s[6];
  y[3] = s[5] - s[6] - s[7];
}

/**
 * One 2x2 tile at conv output (ty, tx) (even): out[k][m] = wrap48(bias[m] + Y_k / 4) for k = 2·dy + dx,
 * exactly the direct accumulator of conv output (ty + dy, tx + dx). 16·cg MAC steps.
 */
template <int Pi, int Po, int InBankEntries, int UBankWords>
void wino_tile(const Desc& d, const Entry<Pi> bank[InBankEntries], const UWord<Pi, Po> ubank[UBankWords],
               const BiasVec<Po>& bias, int ty, int tx, sint<48> out[4][Po]) {
  const int cg = d.cg, hin = d.hin, win = d.win;
  sint<48> M[16][Po];
#pragma HLS ARRAY_PARTITION variable = M complete dim = 0
  // Registers (16 x Po x 48 bits): a MAC step adds into the Po sums of one position, and the output
  // transform reads all 16 positions of every lane at once.
  for (int t = 0; t < 16; t++)
    for (int m = 0; m < Po; m++) M[t][m] = 0;
WINO_G:
  for (int g = 0; g < cg; g++) {
    // Input transform of group g: 16 bank reads (the patch), then B^T d B per lane.
    sint<16> patch[Pi][16];
    sint<18> V[Pi][16];
#pragma HLS ARRAY_PARTITION variable = patch complete dim = 0
#pragma HLS ARRAY_PARTITION variable = V complete dim = 0
    // Registers, not RAMs: the patch is written one position per cycle and transformed all at once, and a
    // MAC step reads V of every lane for one position.
  WINO_PATCH:
    for (int k = 0; k < 16; k++) {
#pragma HLS PIPELINE II = 1
      // One input-bank read per cycle (one entry = Pi lanes): 16 per channel group, as many as its MAC steps.
      const int iy = ty - int(d.padT) + (k >> 2);
      const int ix = tx - int(d.padL) + (k & 3);
      const bool inside = iy >= 0 && iy < hin && ix >= 0 && ix < win;
      for (int ci = 0; ci < Pi; ci++) patch[ci][k] = inside ? bank[(g * hin + iy) * win + ix].v[ci] : sint<16>(0);
    }
    for (int ci = 0; ci < Pi; ci++) wino_input(patch[ci], V[ci]);
  WINO_T:
    for (int t = 0; t < 16; t++) {
#pragma HLS PIPELINE II = 1
      // One MAC step: Po x Pi products U·V (20 x 18 bits: one DSP48E2 each, A and B ports), summed per lane.
      const UWord<Pi, Po>& u = ubank[t * cg + g];
      for (int m = 0; m < Po; m++) {
        sint<64> s = 0;
        for (int ci = 0; ci < Pi; ci++) s += sint<64>(sint<38>(u.u[m][ci]) * sint<38>(V[ci][t]));
        M[t][m] = wrap<48>(M[t][m] + s);
      }
    }
  }
WINO_OUT:
  for (int m = 0; m < Po; m++) {
#pragma HLS UNROLL
    // Output transform in fabric (adders of up to 52 bits), the exact shift by 2, the bias.
    sint<48> mm[16];
    for (int t = 0; t < 16; t++) mm[t] = M[t][m];
    sint<64> y[4];
    wino_output(mm, y);
    for (int k = 0; k < 4; k++) out[k][m] = wrap<48>(sint<64>(bias.b[m]) + (y[k] >> 2));
  }
}

}  // namespace cnna
