// C-simulation testbench of the exported HLS project (finn-hlslib tb/ style: a plain main() with a golden
// check). It runs with g++ here and under Vitis HLS csim_design / cosim_design: for every vector listed in
// vectors/index.txt it places the program's DDR image at BASE in a zeroed memory, calls cnna_top as the
// host would (BASE, start), and checks the status, the job count and every expected output element.
// Returns 0 only when every case passes.
//
// vectors/index.txt: one case per line, `name ddrBytes jobs checks`; vectors/<name>.ddr is the DDR image
// (descriptors, weights, inputs at their offsets); vectors/<name>.chk holds `checks` uint32 int16-word
// indices (from BASE) and then `checks` int16 expected values, little-endian.
// Usage: tb_cnna [vector-dir] [--max N]
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cnna_top.h"

namespace {

constexpr uint32_t kBase = 4096;  // non-zero, so relocation by BASE is exercised

bool readFile(const std::string& path, std::vector<char>& out) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return false;
  out.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  return true;
}

uint32_t le32(const char* p) {
  return uint32_t(uint8_t(p[0])) | uint32_t(uint8_t(p[1])) << 8 | uint32_t(uint8_t(p[2])) << 16 | uint32_t(uint8_t(p[3])) << 24;
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir;
  long maxCases = -1;
  for (int i = 1; i < argc; i++) {
    if (!std::strcmp(argv[i], "--max") && i + 1 < argc) maxCases = std::atol(argv[++i]);
    else dir = argv[i];
  }
  const char* candidates[] = {"vectors", "tb/vectors", "../../../../tb/vectors"};
  std::ifstream index;
  if (!dir.empty()) index.open(dir + "/index.txt");
  for (const char* c : candidates) {
    if (index.is_open()) break;
    dir = c;
    index.open(dir + "/index.txt");
  }
  if (!index.is_open()) {
    std::fprintf(stderr, "tb_cnna: cannot find vectors/index.txt (pass the vector directory as the first argument)\n");
    return 2;
  }
  std::string line;
  int run = 0, pass = 0;
  while (std::getline(index, line) && (maxCases < 0 || run < maxCases)) {
    std::istringstream ls(line);
    std::string name;
    uint64_t ddrBytes = 0;
    uint32_t jobsWant = 0, checks = 0;
    if (!(ls >> name >> ddrBytes >> jobsWant >> checks)) continue;
    run++;
    std::vector<char> img, chk;
    if (!readFile(dir + "/" + name + ".ddr", img) || !readFile(dir + "/" + name + ".chk", chk) || chk.size() != size_t(checks) * 6) {
      std::printf("%s: FAIL (vector files missing or short)\n", name.c_str());
      continue;
    }
    const uint64_t words = (kBase + ddrBytes + 1) / 2;
    std::vector<cnna::sint<16>> ddr(words, cnna::sint<16>(0));
    for (size_t i = 0; i + 1 < img.size() && i / 2 < ddrBytes / 2; i += 2) {
      ddr[kBase / 2 + i / 2] = cnna::sint<16>(int16_t(uint16_t(uint8_t(img[i])) | uint16_t(uint8_t(img[i + 1])) << 8));
    }
#ifndef __SYNTHESIS__
    cnna::csim_ddr_bytes = words * 2;
#endif
    uint32_t status = 0xFFFFFFFFu, jobs = 0;
    cnna_top(ddr.data(), ddr.data(), kBase, &status, &jobs);
    uint32_t bad = 0;
    for (uint32_t k = 0; k < checks; k++) {
      const uint32_t at = le32(&chk[4 * k]);
      const int16_t want = int16_t(uint16_t(uint8_t(chk[4 * checks + 2 * k])) | uint16_t(uint8_t(chk[4 * checks + 2 * k + 1])) << 8);
      const int16_t got = kBase / 2 + at < words ? int16_t(ddr[kBase / 2 + at]) : int16_t(0x7FFF);
      if (got != want) {
        if (bad == 0) std::printf("%s: output word %u is %d, expected %d\n", name.c_str(), at, int(got), int(want));
        bad++;
      }
    }
    const bool ok = status == 0 && jobs == jobsWant && bad == 0;
    if (ok) pass++;
    std::printf("%s: %s (status %u, %u/%u jobs, %u/%u values differ)\n", name.c_str(), ok ? "ok" : "FAIL", status, jobs, jobsWant, bad, checks);
  }
  std::printf("tb_cnna: %d/%d cases pass\n", pass, run);
  return run > 0 && pass == run ? 0 : 1;
}
