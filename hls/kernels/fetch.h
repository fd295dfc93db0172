// Fetch kernel: reads 64-byte records from DDR (the HEADER at BASE, JOB j at BASE + 64·j) and decodes
// them with the generated field extractors (explicit bit fields, no pointer casts). It also checks a
// record the way the RTL's loader does and returns the status code the engine stops with.
#pragma once
#include "cnna_engine.h"

namespace cnna {

inline void fetch_record(const sint<16>* ddr, uint64_t addr, uint8_t rec[DescBytes]) {
FETCH:
  for (int i = 0; i < DescBytes / 2; i++) {
#pragma HLS PIPELINE II = 1
    const uint16_t w = uint16_t(ddr[(addr >> 1) + i]);
    rec[2 * i] = uint8_t(w & 0xFF);
    rec[2 * i + 1] = uint8_t(w >> 8);
  }
}

/** Status of the HEADER record (0 ok), and its job count. */
inline int check_header(const uint8_t h[DescBytes], uint32_t& count) {
  const uint32_t opcode = desc_bits(h, H_OPCODE_OFFSET, 0, 8);
  const uint32_t version = desc_bits(h, H_VERSION_OFFSET, 0, 16);
  const uint32_t magic = desc_bits(h, H_MAGIC_OFFSET, 0, 32);
  const uint64_t hash = uint64_t(desc_bits(h, H_HASH_LO_OFFSET, 0, 32)) | (uint64_t(desc_bits(h, H_HASH_HI_OFFSET, 0, 32)) << 32);
  count = desc_bits(h, H_COUNT_OFFSET, 0, 32);
  if (opcode != uint32_t(OPC_HEADER) || magic != HeaderMagic) return ERR_BAD_MAGIC;
  if (version != uint32_t(FormatVersion)) return ERR_BAD_VERSION;
  if (hash != ConfigHash) return ERR_CONFIG_MISMATCH;
  return ERR_NONE;
}

/** Status of a JOB descriptor against the engine's limits (0 ok), in the RTL loader's order. */
template <int InBankEntries, int WBankWords>
int check_job(const Desc& d) {
  if (d.opcode != uint32_t(OPC_JOB)) return ERR_BAD_OPCODE;
  if (d.kh == 0 || d.kw == 0 || d.strideH == 0 || d.strideW == 0 || d.dilH == 0 || d.dilW == 0 || d.poolKh == 0 ||
      d.poolKw == 0 || d.poolStrideH == 0 || d.poolStrideW == 0 || d.hin == 0 || d.win == 0 || d.cg == 0 ||
      d.hc == 0 || d.wc == 0 || d.hp == 0 || d.wp == 0)
    return ERR_ZERO_DIM;
  if (uint64_t(d.hin) * d.win * d.cg > uint64_t(InBankEntries)) return ERR_INPUT_BANK;
  if (!is_streamed(d) && uint64_t(d.kh) * d.kw * d.cg > uint64_t(WBankWords)) return ERR_WEIGHT_BANK;
  return ERR_NONE;
}

}  // namespace cnna
