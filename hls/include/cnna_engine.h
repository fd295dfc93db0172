// Shared vocabulary of the HLS engine's kernels: the data that flows between them (one channel-group
// entry, one weight word, one accumulator / output vector, the per-job parameters), the fixed-point
// primitives of docs/numerics.md, and the job geometry helpers every kernel walks identically.
// Compile-time sizes are template parameters (UpperCamel), bound to the generated config header
// (cnna_config.h) only in the top; runtime counts are descriptor fields.
#pragma once
#include "cnna_config.h"
#include "cnna_types.h"

namespace cnna {

/** One input entry: the Pi int16 channels of one pixel of one channel group (2·Pi bytes in DDR). */
template <int Pi> struct Entry {
  sint<16> v[Pi];
};

/** One weight word: Po x Pi int16, element [m][ci] is W[ky][kx][g][m][ci] (docs/bundle-format.md). */
template <int Pi, int Po> struct WWord {
  sint<16> w[Po][Pi];
};

/** Po accumulators of one conv output pixel, 48 bits each (the DSP48E2 P register). */
template <int Po> struct AccVec {
  sint<48> a[Po];
};

/** Po int16 values: one activated conv output, or one pooled output. */
template <int Po> struct YVec {
  sint<16> y[Po];
};

/** The job's bias (bits 47:0 of the int64 in DDR) per output lane. */
template <int Po> struct BiasVec {
  sint<48> b[Po];
};

/** The job's requantize shift per output lane (u8, <= 63). */
template <int Po> struct ShiftVec {
  uint<8> s[Po];
};

/** sat16(v): clamp to [-32768, 32767]. */
inline sint<16> sat16(sint<64> v) {
  return v > 32767 ? sint<16>(32767) : v < -32768 ? sint<16>(-32768) : sint<16>(v);
}

/** rshr(a, s): floor((a + 2^(s-1)) / 2^s), round half toward +inf; |a| < 2^62, so s >= 63 gives 0. */
inline sint<64> rshr(sint<64> a, int s) {
  if (s == 0) return a;
  if (s >= 63) return 0;
  return (a + (sint<64>(1) << (s - 1))) >> s;
}

/** The activation of step 3 of docs/numerics.md on an int16 value. */
inline sint<16> activate(sint<16> y, int act, int a, int b) {
  switch (act) {
    case ACT_RELU: return y > 0 ? y : sint<16>(0);
    case ACT_LEAKY: return y >= 0 ? y : sint<16>(rshr(sint<64>(sint<32>(y) * sint<32>(a)), 15));
    case ACT_CLIP: return y < a ? sint<16>(a) : y > b ? sint<16>(b) : y;
    default: return y;
  }
}

/** Pooling window of a job; NONE is a 1x1 window, stride 1, no pad. */
struct PoolGeom {
  int kh, kw, sh, sw, pt, pl;
};
inline PoolGeom pool_geom(const Desc& d) {
  if (d.poolKind == POOL_NONE) return PoolGeom{1, 1, 1, 1, 0, 0};
  return PoolGeom{int(d.poolKh), int(d.poolKw), int(d.poolStrideH), int(d.poolStrideW), int(d.poolPadT), int(d.poolPadL)};
}

inline bool is_winograd(const Desc& d) { return (d.flags & FLAG_WINOGRAD) != 0; }
inline bool is_batch(const Desc& d) { return (d.flags & FLAG_BATCH) != 0; }
/** ACC_OUT: the job's sums stay in the MAC array for the next job (ACC_IN); nothing is written. */
inline bool writes_outputs(const Desc& d) { return (d.flags & FLAG_ACC_OUT) == 0; }

/**
 * A streamed job consumes each weight word as it arrives (FC layers, per-pixel conv jobs, BATCH jobs);
 * a Winograd job never streams (its block is merged into 20-bit lanes first).
 */
inline bool is_streamed(const Desc& d) {
  if (is_winograd(d)) return false;
  return (d.hc == 1 && d.wc == 1 && d.hp == 1 && d.wp == 1) || is_batch(d);
}

/** Weight words (Po x Pi int16) of the job's block after its header: kh·kw·cg, or 20·cg for Winograd. */
inline uint32_t job_weight_words(const Desc& d) {
  return is_winograd(d) ? uint32_t(WinoWordsPerGroup) * d.cg : d.kh * d.kw * d.cg;
}

/** Rows (images) of a BATCH job the array computes: hc, at most MAX_BATCH accumulator slots. */
inline int batch_rows(const Desc& d) { return int(d.hc) < MAX_BATCH ? int(d.hc) : MAX_BATCH; }

/** Number of conv outputs the whole job evaluates (every pool window's candidates, overlaps counted). */
inline int count_candidates(const Desc& d) {
  if (!writes_outputs(d)) return 0;  // ACC_OUT: the sums are held, none leaves the array
  if (is_batch(d)) return batch_rows(d);
  const PoolGeom p = pool_geom(d);
  int n = 0;
COUNT_PY:
  for (int py = 0; py < int(d.hp); py++) {
  COUNT_PX:
    for (int px = 0; px < int(d.wp); px++) {
      for (int wy = 0; wy < p.kh; wy++) {
        const int cy = py * p.sh - p.pt + wy;
        if (cy < 0 || cy >= int(d.hc)) continue;
        for (int wx = 0; wx < p.kw; wx++) {
          const int cx = px * p.sw - p.pl + wx;
          if (cx >= 0 && cx < int(d.wc)) n++;
        }
      }
    }
  }
  return n;
}

}  // namespace cnna
