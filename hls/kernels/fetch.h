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
template <int Pi, int InBankEntries, int WBankWords>
int check_job(const Desc& d) {
  if (d.opcode != uint32_t(OPC_JOB)) return ERR_BAD_OPCODE;
  if (d.kh == 0 || d.kw == 0 || d.strideH == 0 || d.strideW == 0 || d.dilH == 0 || d.dilW == 0 || d.poolKh == 0 ||
      d.poolKw == 0 || d.poolStrideH == 0 || d.poolStrideW == 0 || d.hin == 0 || d.win == 0 || d.cg == 0 ||
      d.hc == 0 || d.wc == 0 || d.hp == 0 || d.wp == 0)
    return ERR_ZERO_DIM;
  // A JOB this engine cannot run stops it with BAD_OPCODE (the drivers refuse such bundles first, naming the
  // descriptor): a WINOGRAD job on an engine without array.winograd, or not 3x3 / stride 1 / dilation 1 /
  // at most WinoMaxLanes lanes; a BATCH job not of the batch shape (docs/bundle-format.md "Batch").
  if (is_winograd(d) && (!Winograd || d.kh != 3 || d.kw != 3 || d.strideH != 1 || d.strideW != 1 || d.dilH != 1 ||
                         d.dilW != 1 || uint64_t(d.cg) * Pi > uint64_t(WinoMaxLanes) || is_batch(d)))
    return ERR_BAD_OPCODE;
  if (is_batch(d) && (d.kh != 1 || d.kw != 1 || d.win != 1 || d.wc != 1 || d.wp != 1 || d.hin != d.hc || d.hp != d.hc ||
                      d.hc > uint32_t(MAX_BATCH) || d.strideH != 1 || d.strideW != 1 || d.dilH != 1 || d.dilW != 1 ||
                      d.poolKind != uint32_t(POOL_NONE) || d.padT != 0 || d.padL != 0))
    return ERR_BAD_OPCODE;
  if ((d.flags & (FLAG_ACC_IN | FLAG_ACC_OUT)) && !is_batch(d)) return ERR_BAD_OPCODE;
  if (uint64_t(d.hin) * d.win * d.cg > uint64_t(InBankEntries)) return ERR_INPUT_BANK;
  // A WINOGRAD block may fill the whole weight ring (WinoBlockWords = maxBlockWords, as the RTL's loader).
  if (!is_streamed(d) && uint64_t(job_weight_words(d)) > uint64_t(is_winograd(d) ? WinoBlockWords : WBankWords))
    return ERR_WEIGHT_BANK;
  return ERR_NONE;
}

}  // namespace cnna
