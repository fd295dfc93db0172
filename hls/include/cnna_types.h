// The type layer of the HLS engine: one set of names for integers of exact widths and for streams,
// backed by the vendor types (ap_int, hls::stream) under Vitis HLS and by plain C++ here (g++, no vendor
// headers). The kernels use only these names, so the same source is C-simulated here and synthesized
// there. No vendor code is copied: under Vitis the vendor headers are included, nothing else.
//
// Invariants:
//  - sint<W> holds every W-bit two's-complement value exactly (W <= 64);
//  - wrap<W>(v) is v reduced to W bits and sign-extended, which is what assigning to ap_int<W> does;
//    the kernels call it wherever the hardware register is W bits wide (the 48-bit accumulator), so both
//    builds compute the same bits even though sint<48> is an int64_t here;
//  - stream<T> is FIFO-ordered; reading an empty stream is a bug in the dataflow (C-sim stops with a
//    message rather than returning garbage).
#pragma once
#include <cstdint>

#if defined(__VITIS_HLS__) || defined(__SYNTHESIS__) || defined(CNNA_USE_AP_INT)
#include <ap_int.h>
#include <hls_stream.h>
namespace cnna {
template <int W> using sint = ap_int<W>;
template <int W> using uint = ap_uint<W>;
template <class T> using stream = hls::stream<T>;
template <int W, class T> inline sint<W> wrap(const T& v) { return sint<W>(v); }
}  // namespace cnna
#else
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <type_traits>
namespace cnna {
namespace detail {
template <int W> struct SIntOf {
  static_assert(W >= 1 && W <= 64, "sint<W> supports 1..64 bits");
  using type = std::conditional_t<(W <= 8), int8_t, std::conditional_t<(W <= 16), int16_t,
               std::conditional_t<(W <= 32), int32_t, int64_t>>>;
};
template <int W> struct UIntOf {
  static_assert(W >= 1 && W <= 64, "uint<W> supports 1..64 bits");
  using type = std::conditional_t<(W <= 8), uint8_t, std::conditional_t<(W <= 16), uint16_t,
               std::conditional_t<(W <= 32), uint32_t, uint64_t>>>;
};
}  // namespace detail
template <int W> using sint = typename detail::SIntOf<W>::type;
template <int W> using uint = typename detail::UIntOf<W>::type;

/** v reduced modulo 2^W and sign-extended (two's complement), as ap_int<W> would hold it. */
template <int W, class T> inline sint<W> wrap(T v) {
  static_assert(W >= 2 && W <= 64, "wrap<W> supports 2..64 bits");
  const uint64_t u = uint64_t(int64_t(v)) << (64 - W);
  return sint<W>(int64_t(u) >> (64 - W));
}

/** An unbounded FIFO with the read/write/empty interface of hls::stream (C-simulation only). */
template <class T> class stream {
 public:
  stream() = default;
  explicit stream(const char*) {}
  void write(const T& v) { q_.push_back(v); }
  T read() {
    if (q_.empty()) {
      std::fprintf(stderr, "cnna C-sim: read from an empty stream (dataflow producer/consumer counts differ)\n");
      std::abort();
    }
    T v = q_.front();
    q_.pop_front();
    return v;
  }
  bool empty() const { return q_.empty(); }
  bool full() const { return false; }
  std::size_t size() const { return q_.size(); }

 private:
  std::deque<T> q_;
};
}  // namespace cnna
#endif
