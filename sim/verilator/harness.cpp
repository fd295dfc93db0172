// Verilator testbench for cnna_top, shaped like Verilator's examples/make_tracing_c: unique_ptr context
// and model, VCD tracing switched on by the +trace plusarg (builds with CNNA_TRACE), logs in one folder.
//
// It plays the Zynq PS: an AXI4 DDR model (latency and bandwidth from the board definition, passed in
// by the TypeScript driver) and an AXI4-Lite host. It reads a command script:
//   ddr <bytes>                        allocate simulated DDR (zeroed)
//   timing <latencyCycles> <bytesPerCycle>
//   load <addr> <file>                 copy a file into DDR
//   zero <addr> <bytes>
//   run <base> <maxCycles>             BASE=base, start, wait for the interrupt, print one JSON line
//   dump <addr> <bytes> <file>         write a DDR region (what the engine wrote) to a file
// It never computes layer results: outputs are whatever the engine wrote into the simulated DDR.
// Per run it reports the engine's own counters (read over AXI4-Lite) and, from the job_done_o/job_layer_o
// debug pins, cycles, MAC-busy and stall cycles per layer index.
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "Vcnna_top.h"
#include "cnna_config.h"  // generated from compiler/contracts/ (register map, status codes)
#include "verilated.h"
#ifdef CNNA_TRACE
#include "verilated_vcd_c.h"
#endif

namespace {

constexpr int kBeatBytes = cnna::AxiDataBits / 8;

struct Burst {
  uint64_t addr;
  uint32_t beats;
  uint64_t ready;  // cycle at which the first beat may go
};

struct LayerStat {
  uint64_t cycles = 0, mac = 0, stall = 0, jobs = 0, rdBeats = 0, wrBeats = 0;
};

class Bench {
 public:
  Bench(VerilatedContext* ctx, const std::string& logdir) : ctx_(ctx), top_(new Vcnna_top{ctx, "cnna"}) {
#ifdef CNNA_TRACE
    const char* flag = ctx->commandArgsPlusMatch("trace");
    if (flag && 0 == std::strcmp(flag, "+trace")) {
      ctx->traceEverOn(true);
      tfp_.reset(new VerilatedVcdC);
      top_->trace(tfp_.get(), 99);
      tfp_->open((logdir + "/cnna.vcd").c_str());
    }
#else
    (void)logdir;
#endif
    top_->rst_ni = 0;
    idleInputs();
    for (int i = 0; i < 4; ++i) tick();
    top_->rst_ni = 1;
    tick();
  }
  ~Bench() {
    top_->final();
#ifdef CNNA_TRACE
    if (tfp_) tfp_->close();
#endif
  }

  std::vector<uint8_t> ddr;
  uint64_t latency = 40;
  double bytesPerCycle = 16.0;

  bool run(uint32_t base, uint64_t maxCycles, std::string& json);

 private:
  VerilatedContext* ctx_;
  std::unique_ptr<Vcnna_top> top_;
#ifdef CNNA_TRACE
  std::unique_ptr<VerilatedVcdC> tfp_;
#endif
  uint64_t cycle_ = 0;
  double tokens_ = 0;
  std::deque<Burst> rq_, wq_;
  std::deque<uint64_t> bq_;
  uint32_t rBeat_ = 0, wBeat_ = 0;
  uint64_t rdTotal_ = 0, wrTotal_ = 0;
  bool oob_ = false;
  std::string oobMsg_;

  void idleInputs() {
    top_->s_axil_awvalid_i = 0;
    top_->s_axil_wvalid_i = 0;
    top_->s_axil_bready_i = 1;
    top_->s_axil_arvalid_i = 0;
    top_->s_axil_rready_i = 1;
    top_->m_axi_arready_i = 0;
    top_->m_axi_rvalid_i = 0;
    top_->m_axi_awready_i = 0;
    top_->m_axi_wready_i = 0;
    top_->m_axi_bvalid_i = 0;
  }

  bool inDdr(uint64_t a, uint64_t n) {
    if (a + n <= ddr.size()) return true;
    if (!oob_) {
      oob_ = true;
      std::ostringstream m;
      m << "engine accessed DDR [" << a << ", " << a + n << ") beyond the " << ddr.size() << "-byte image";
      oobMsg_ = m.str();
    }
    return false;
  }

  // One clock cycle: drive the DDR model's outputs, settle, sample handshakes, clock edge, update state.
  void tick() {
    tokens_ += bytesPerCycle;
    if (tokens_ > 4.0 * kBeatBytes) tokens_ = 4.0 * kBeatBytes;
    // Read data channel.
    bool rValid = !rq_.empty() && rq_.front().ready <= cycle_ && tokens_ >= kBeatBytes;
    top_->m_axi_rvalid_i = rValid;
    if (rValid) {
      const Burst& b = rq_.front();
      uint64_t a = b.addr + uint64_t(rBeat_) * kBeatBytes;
      uint32_t* words = reinterpret_cast<uint32_t*>(&top_->m_axi_rdata_i);
      for (int i = 0; i < kBeatBytes / 4; ++i) {
        uint32_t v = 0;
        if (inDdr(a + 4 * i, 4)) std::memcpy(&v, &ddr[a + 4 * i], 4);
        words[i] = v;
      }
      top_->m_axi_rlast_i = (rBeat_ + 1 == b.beats);
      top_->m_axi_rresp_i = 0;
    }
    top_->m_axi_arready_i = rq_.size() < 16;
    top_->m_axi_awready_i = wq_.size() < 16;
    bool wReadyNow = !wq_.empty() && tokens_ >= kBeatBytes * (rValid ? 2 : 1);
    top_->m_axi_wready_i = wReadyNow;
    bool bValid = !bq_.empty() && bq_.front() <= cycle_;
    top_->m_axi_bvalid_i = bValid;
    top_->m_axi_bresp_i = 0;

    top_->clk_i = 0;
    top_->eval();
#ifdef CNNA_TRACE
    if (tfp_) tfp_->dump(ctx_->time());
#endif
    ctx_->timeInc(1);
    const bool arFire = top_->m_axi_arvalid_o && top_->m_axi_arready_i;
    const bool rFire = rValid && top_->m_axi_rready_o;
    const bool awFire = top_->m_axi_awvalid_o && top_->m_axi_awready_i;
    const bool wFire = top_->m_axi_wvalid_o && wReadyNow;
    const bool bFire = bValid && top_->m_axi_bready_o;
    Burst ar{top_->m_axi_araddr_o, uint32_t(top_->m_axi_arlen_o) + 1, cycle_ + latency};
    Burst aw{top_->m_axi_awaddr_o, uint32_t(top_->m_axi_awlen_o) + 1, 0};
    if (wFire) {
      const Burst& b = wq_.front();
      uint64_t a = b.addr + uint64_t(wBeat_) * kBeatBytes;
      const uint32_t* words = reinterpret_cast<const uint32_t*>(&top_->m_axi_wdata_o);
      if (inDdr(a, kBeatBytes)) std::memcpy(&ddr[a], words, kBeatBytes);
    }
    top_->clk_i = 1;
    top_->eval();
#ifdef CNNA_TRACE
    if (tfp_) tfp_->dump(ctx_->time());
#endif
    ctx_->timeInc(1);
    ++cycle_;
    if (arFire) rq_.push_back(ar);
    if (rFire) {
      ++rdTotal_;
      tokens_ -= kBeatBytes;
      if (++rBeat_ == rq_.front().beats) {
        rBeat_ = 0;
        rq_.pop_front();
      }
    }
    if (awFire) wq_.push_back(aw);
    if (wFire) {
      ++wrTotal_;
      tokens_ -= kBeatBytes;
      if (++wBeat_ == wq_.front().beats) {
        wBeat_ = 0;
        wq_.pop_front();
        bq_.push_back(cycle_ + latency / 2);
      }
    }
    if (bFire) bq_.pop_front();
  }

  void liteWrite(uint8_t addr, uint32_t data) {
    top_->s_axil_awaddr_i = addr;
    top_->s_axil_awvalid_i = 1;
    top_->s_axil_wdata_i = data;
    top_->s_axil_wstrb_i = 0xF;
    top_->s_axil_wvalid_i = 1;
    for (int i = 0; i < 100; ++i) {
      top_->clk_i = 0;
      top_->eval();
      bool fire = top_->s_axil_awready_o;
      tick();
      if (fire) break;
    }
    top_->s_axil_awvalid_i = 0;
    top_->s_axil_wvalid_i = 0;
    tick();
  }

  uint32_t liteRead(uint8_t addr) {
    top_->s_axil_araddr_i = addr;
    top_->s_axil_arvalid_i = 1;
    for (int i = 0; i < 100; ++i) {
      top_->clk_i = 0;
      top_->eval();
      bool fire = top_->s_axil_arready_o;
      tick();
      if (fire) break;
    }
    top_->s_axil_arvalid_i = 0;
    for (int i = 0; i < 100; ++i) {
      top_->clk_i = 0;
      top_->eval();
      if (top_->s_axil_rvalid_o) {
        uint32_t v = top_->s_axil_rdata_o;
        tick();
        return v;
      }
      tick();
    }
    return 0xFFFFFFFFu;
  }
};

bool Bench::run(uint32_t base, uint64_t maxCycles, std::string& json) {
  liteWrite(cnna::REG_BASE_LO, base);
  liteWrite(cnna::REG_IRQ_EN, cnna::IRQ_DONE);
  liteWrite(cnna::REG_CTRL, cnna::CTRL_START);
  const uint64_t start = cycle_;
  std::map<uint32_t, LayerStat> layers;
  uint64_t lastDone = start;
  uint64_t macSince = 0, stallSince = 0, rdMark = rdTotal_, wrMark = wrTotal_;
  bool timeout = false;
  while (!top_->irq_o) {
    if (cycle_ - start > maxCycles || ctx_->gotFinish()) {
      timeout = true;
      break;
    }
    macSince += top_->mac_busy_o;
    stallSince += top_->stall_o;
    const bool jobDone = top_->job_done_o;
    const uint32_t layer = top_->job_layer_o;
    tick();
    if (jobDone) {
      LayerStat& s = layers[layer];
      s.cycles += cycle_ - lastDone;
      s.mac += macSince;
      s.stall += stallSince;
      s.jobs += 1;
      s.rdBeats += rdTotal_ - rdMark;
      s.wrBeats += wrTotal_ - wrMark;
      rdMark = rdTotal_;
      wrMark = wrTotal_;
      lastDone = cycle_;
      macSince = stallSince = 0;
    }
  }
  const uint64_t cycles = uint64_t(liteRead(cnna::REG_CYCLES_LO)) | (uint64_t(liteRead(cnna::REG_CYCLES_HI)) << 32);
  const uint32_t status = liteRead(cnna::REG_STATUS);
  std::ostringstream o;
  o << "{\"timeout\":" << (timeout ? "true" : "false") << ",\"status\":" << status << ",\"cycles\":" << cycles
    << ",\"stalls\":" << liteRead(cnna::REG_STALLS) << ",\"macBusy\":" << liteRead(cnna::REG_MAC_BUSY)
    << ",\"jobs\":" << liteRead(cnna::REG_JOBS) << ",\"rdBeats\":" << liteRead(cnna::REG_RD_BEATS)
    << ",\"wrBeats\":" << liteRead(cnna::REG_WR_BEATS) << ",\"configIdLo\":" << liteRead(cnna::REG_CONFIG_ID)
    << ",\"configIdHi\":" << liteRead(cnna::REG_CONFIG_ID_HI) << ",\"tailCycles\":" << (cycle_ - lastDone);
  if (oob_) o << ",\"ddrError\":\"" << oobMsg_ << "\"";
  o << ",\"layers\":[";
  bool first = true;
  for (const auto& kv : layers) {
    o << (first ? "" : ",") << "{\"layer\":" << kv.first << ",\"cycles\":" << kv.second.cycles
      << ",\"macBusy\":" << kv.second.mac << ",\"stalls\":" << kv.second.stall << ",\"jobs\":" << kv.second.jobs << ",\"rdBeats\":" << kv.second.rdBeats
      << ",\"wrBeats\":" << kv.second.wrBeats << "}";
    first = false;
  }
  o << "]}";
  json = o.str();
  liteWrite(cnna::REG_ISR, cnna::IRQ_DONE);
  return !timeout;
}

}  // namespace

int main(int argc, char** argv) {
  const std::unique_ptr<VerilatedContext> ctx{new VerilatedContext};
  ctx->commandArgs(argc, argv);
  std::string script, logdir = "logs";
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--script") && i + 1 < argc) script = argv[++i];
    else if (!std::strcmp(argv[i], "--logdir") && i + 1 < argc) logdir = argv[++i];
  }
  if (script.empty()) {
    std::fprintf(stderr, "usage: %s --script FILE [--logdir DIR] [+trace]\n", argv[0]);
    return 2;
  }
  Verilated::mkdir(logdir.c_str());
  std::ifstream in(script);
  if (!in) {
    std::fprintf(stderr, "cannot read script %s\n", script.c_str());
    return 2;
  }
  Bench bench(ctx.get(), logdir);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    std::string cmd;
    if (!(ls >> cmd) || cmd[0] == '#') continue;
    if (cmd == "ddr") {
      uint64_t n;
      ls >> n;
      bench.ddr.assign(n, 0);
    } else if (cmd == "timing") {
      ls >> bench.latency >> bench.bytesPerCycle;
    } else if (cmd == "load" || cmd == "dump") {
      uint64_t addr, n = 0;
      std::string file;
      ls >> addr;
      if (cmd == "dump") ls >> n;
      ls >> file;
      if (cmd == "load") {
        std::ifstream f(file, std::ios::binary);
        std::vector<char> buf((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
        if (!f.good() && !f.eof()) {
          std::fprintf(stderr, "cannot read %s\n", file.c_str());
          return 2;
        }
        if (addr + buf.size() > bench.ddr.size()) {
          std::fprintf(stderr, "%s (%zu bytes) does not fit DDR at %llu\n", file.c_str(), buf.size(), (unsigned long long)addr);
          return 2;
        }
        std::memcpy(&bench.ddr[addr], buf.data(), buf.size());
      } else {
        if (addr + n > bench.ddr.size()) {
          std::fprintf(stderr, "dump [%llu, +%llu) is outside DDR\n", (unsigned long long)addr, (unsigned long long)n);
          return 2;
        }
        std::ofstream f(file, std::ios::binary);
        f.write(reinterpret_cast<const char*>(&bench.ddr[addr]), std::streamsize(n));
      }
    } else if (cmd == "zero") {
      uint64_t addr, n;
      ls >> addr >> n;
      if (addr + n <= bench.ddr.size()) std::memset(&bench.ddr[addr], 0, n);
    } else if (cmd == "run") {
      uint64_t base, maxCycles;
      ls >> base >> maxCycles;
      std::string json;
      bench.run(uint32_t(base), maxCycles, json);
      std::printf("%s\n", json.c_str());
      std::fflush(stdout);
    } else {
      std::fprintf(stderr, "unknown script command '%s'\n", cmd.c_str());
      return 2;
    }
  }
  return 0;
}
