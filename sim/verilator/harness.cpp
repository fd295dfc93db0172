// Verilator testbench for cnna_top, shaped like Verilator's examples/make_tracing_c: unique_ptr context
// and model, VCD tracing switched on by the +trace plusarg (builds with CNNA_TRACE), logs in one folder.
//
// It plays the Zynq PS: an AXI4 DDR model (latency and bandwidth from the board definition, passed in
// by the TypeScript driver) and an AXI4-Lite host. The DDR model has two AXI4 slave ports, like two HP
// ports of the PS: port 0 (read + write, the engine's m_axi_*) and port 1 (read, m_axi1_*). Both share
// ONE controller's bandwidth (bytesPerCycle, a token bucket of at most 4 beats; each port moves at most
// one beat per cycle; R0, R1 and W take turns at first claim on the tokens), and every read burst
// waits latencyCycles after its address before its first beat; each slave port accepts at most maxBursts
// bursts (AR, or AW) that it has not finished. It checks the engine's side of the
// AXI protocol on every master (VALID held with the same payload until READY, INCR bursts of full
// beats within AXI_BURST and one 4 KB page, WLAST on exactly the last beat, WSTRB all ones) and reports
// the first violation of a run.
// It reads a command script:
//   ddr <bytes>                        allocate simulated DDR (zeroed)
//   timing <latencyCycles> <bytesPerCycle> <maxBursts>
//   stress <seed> <arPct> <rGapPct> <awPct> <wPct> <bMax> <latMax>
//                                      random backpressure from now on: ARREADY (both ports), AWREADY and
//                                      WREADY low with the given percent chance per cycle, a gap in RVALID
//                                      with rGapPct chance per beat, B responses 0..bMax cycles late and
//                                      read bursts 0..latMax cycles later than the latency (seeded PRNG)
//   inject read <port> <burst> <resp>  the next run answers its <burst>-th read burst (0-based, counted per
//   inject write <burst> <resp>        port) with RRESP <resp> on every beat, or the <burst>-th write burst
//                                      with BRESP <resp> (2 SLVERR, 3 DECERR); cleared after the run
//   load <addr> <file>                 copy a file into DDR
//   zero <addr> <bytes>
//   run <base> <maxCycles>             BASE=base, start, wait for the interrupt, print one JSON line
//                                      (no interrupt within maxCycles: the line says timeout, the script stops)
//   dump <addr> <bytes> <file>         write a DDR region (what the engine wrote) to a file
//   watch <lo> <hi>                    every later run also reports watchBytes: bytes read (either port)
//                                      from DDR addresses [lo, hi) (e.g. one layer's weight blocks)
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
  uint64_t ready;  // cycle at which the first beat (or the B response) may go
  uint8_t resp;    // RRESP / BRESP for this burst
};

// One read slave port of the DDR model.
struct ReadPort {
  std::deque<Burst> q;
  uint32_t beat = 0;
  bool holding = false;  // RVALID was high without a handshake: keep it (AXI: VALID stays until READY)
  uint64_t bursts = 0, beats = 0;  // this run
  int64_t injectBurst = -1;
  uint8_t injectResp = 0;
};

// Small seeded PRNG (xorshift64*), so a stress run is reproducible from its seed.
struct Prng {
  uint64_t s = 0x9E3779B97F4A7C15ull;
  void seed(uint64_t v) { s = v * 0x9E3779B97F4A7C15ull + 0x2545F4914F6CDD1Dull; if (!s) s = 1; }
  uint64_t next() { s ^= s >> 12; s ^= s << 25; s ^= s >> 27; return s * 0x2545F4914F6CDD1Dull; }
  bool pct(uint32_t p) { return p && (next() % 100) < p; }
  uint64_t upto(uint64_t n) { return n ? next() % (n + 1) : 0; }
};

struct Stress {
  bool on = false;
  uint32_t ar = 0, rGap = 0, aw = 0, w = 0;
  uint64_t bMax = 0, latMax = 0;
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
  size_t maxBursts = 16;
  Stress stress;
  Prng prng;
  int64_t injectWriteBurst = -1;
  uint8_t injectWriteResp = 0;

  void injectRead(int port, int64_t burst, uint8_t resp) {
    rd_[port].injectBurst = burst;
    rd_[port].injectResp = resp;
  }

  bool run(uint32_t base, uint64_t maxCycles, std::string& json);
  // Reads from [watchLo, watchHi) are counted per run (script command watch).
  uint64_t watchLo = 0, watchHi = 0;

 private:
  VerilatedContext* ctx_;
  std::unique_ptr<Vcnna_top> top_;
#ifdef CNNA_TRACE
  std::unique_ptr<VerilatedVcdC> tfp_;
#endif
  uint64_t cycle_ = 0;
  double tokens_ = 0;
  ReadPort rd_[2];
  std::deque<Burst> wq_, bq_;
  uint32_t wBeat_ = 0;
  bool bHolding_ = false;
  uint64_t wBursts_ = 0, errorsSent_ = 0, watchBytes_ = 0;
  uint64_t rdTotal_ = 0, wrTotal_ = 0;
  bool oob_ = false;
  std::string oobMsg_;
  // AXI protocol checks on the engine's masters (first violation of the run).
  std::string protoMsg_;
  struct Held { bool valid = false; uint64_t addr = 0; uint32_t len = 0; } heldAr_[2], heldAw_;
  bool heldW_ = false;
  std::vector<uint8_t> heldWdata_ = std::vector<uint8_t>(kBeatBytes);

  void protoErr(const std::string& m) {
    if (protoMsg_.empty()) protoMsg_ = m + " at cycle " + std::to_string(cycle_);
  }
  // A burst address as the engine may issue it: INCR, full beats, <= AXI_BURST beats, no 4 KB crossing.
  void checkBurst(const char* ch, uint64_t addr, uint32_t beats, uint32_t size, uint32_t burst) {
    std::ostringstream m;
    if (burst != 1) m << ch << "BURST " << burst << " is not INCR";
    else if ((1u << size) != uint32_t(kBeatBytes)) m << ch << "SIZE " << size << " is not the bus width";
    else if (addr % kBeatBytes) m << ch << "ADDR " << addr << " is not aligned to a beat";
    else if (beats > uint32_t(cnna::AxiBurst)) m << ch << "LEN " << beats - 1 << " exceeds the " << cnna::AxiBurst << "-beat burst";
    else if ((addr & 4095) + uint64_t(beats) * kBeatBytes > 4096) m << ch << " burst at " << addr << " of " << beats << " beats crosses 4 KB";
    if (!m.str().empty()) protoErr(m.str());
  }
  // VALID, once high, stays high with the same payload until READY.
  void checkHeld(Held& h, const char* ch, bool valid, bool ready, uint64_t addr, uint32_t len) {
    if (h.valid && (!valid || addr != h.addr || len != h.len)) protoErr(std::string(ch) + "VALID dropped or payload changed before " + ch + "READY");
    h = Held{valid && !ready, addr, len};
  }

  void idleInputs() {
    top_->s_axil_awvalid_i = 0;
    top_->s_axil_wvalid_i = 0;
    top_->s_axil_bready_i = 1;
    top_->s_axil_arvalid_i = 0;
    top_->s_axil_rready_i = 1;
    top_->m_axi_arready_i = 0;
    top_->m_axi_rvalid_i = 0;
    top_->m_axi1_arready_i = 0;
    top_->m_axi1_rvalid_i = 0;
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

// Port p's pins: m_axi_* (p = 0) or m_axi1_* (p = 1).
#define RPIN(p, n) (*((p) ? &top_->m_axi1_##n : &top_->m_axi_##n))

  // One clock cycle: drive the DDR model's outputs, settle, sample handshakes, clock edge, update state.
  void tick() {
    const double beat = kBeatBytes;
    tokens_ += bytesPerCycle;
    if (tokens_ > 4.0 * beat) tokens_ = 4.0 * beat;
    // Who may claim the controller's tokens first this cycle: R0, R1, W in turn.
    double avail = tokens_;
    bool rValid[2] = {false, false};
    bool wReadyNow = false;
    for (int k = 0; k < 3; ++k) {
      const int ch = int((cycle_ + k) % 3);
      if (ch < 2) {
        ReadPort& P = rd_[ch];
        bool v = P.holding;
        if (!v && !P.q.empty() && P.q.front().ready <= cycle_ && avail >= beat && !(stress.on && prng.pct(stress.rGap))) v = true;
        if (v && !P.holding) avail -= beat;
        rValid[ch] = v;
      } else {
        wReadyNow = !wq_.empty() && avail >= beat && !(stress.on && prng.pct(stress.w));
        if (wReadyNow) avail -= beat;
      }
    }
    for (int p = 0; p < 2; ++p) {
      ReadPort& P = rd_[p];
      RPIN(p, rvalid_i) = rValid[p];
      if (rValid[p]) {
        const Burst& b = P.q.front();
        uint64_t a = b.addr + uint64_t(P.beat) * kBeatBytes;
        uint32_t* words = reinterpret_cast<uint32_t*>(&RPIN(p, rdata_i));
        for (int i = 0; i < kBeatBytes / 4; ++i) {
          uint32_t v = 0;
          if (inDdr(a + 4 * i, 4)) std::memcpy(&v, &ddr[a + 4 * i], 4);
          words[i] = v;
        }
        RPIN(p, rlast_i) = (P.beat + 1 == b.beats);
        RPIN(p, rresp_i) = b.resp;
      }
      RPIN(p, arready_i) = P.q.size() < maxBursts && !(stress.on && prng.pct(stress.ar));
    }
    top_->m_axi_awready_i = wq_.size() < maxBursts && !(stress.on && prng.pct(stress.aw));
    top_->m_axi_wready_i = wReadyNow;
    const bool bValid = bHolding_ || (!bq_.empty() && bq_.front().ready <= cycle_);
    top_->m_axi_bvalid_i = bValid;
    top_->m_axi_bresp_i = bValid ? bq_.front().resp : 0;

    top_->clk_i = 0;
    top_->eval();
#ifdef CNNA_TRACE
    if (tfp_) tfp_->dump(ctx_->time());
#endif
    ctx_->timeInc(1);
    bool arFire[2], rFire[2];
    Burst ar[2];
    for (int p = 0; p < 2; ++p) {
      arFire[p] = RPIN(p, arvalid_o) && RPIN(p, arready_i);
      rFire[p] = rValid[p] && RPIN(p, rready_o);
      uint64_t extra = stress.on ? prng.upto(stress.latMax) : 0;
      ar[p] = Burst{RPIN(p, araddr_o), uint32_t(RPIN(p, arlen_o)) + 1, cycle_ + latency + extra, 0};
    }
    const bool awFire = top_->m_axi_awvalid_o && top_->m_axi_awready_i;
    const bool wFire = top_->m_axi_wvalid_o && wReadyNow;
    for (int p = 0; p < 2; ++p) {
      checkHeld(heldAr_[p], p ? "AR(port 1) " : "AR ", RPIN(p, arvalid_o), RPIN(p, arready_i), RPIN(p, araddr_o), RPIN(p, arlen_o));
      if (arFire[p]) checkBurst(p ? "AR(port 1) " : "AR ", RPIN(p, araddr_o), uint32_t(RPIN(p, arlen_o)) + 1, RPIN(p, arsize_o), RPIN(p, arburst_o));
    }
    checkHeld(heldAw_, "AW ", top_->m_axi_awvalid_o, top_->m_axi_awready_i, top_->m_axi_awaddr_o, top_->m_axi_awlen_o);
    if (awFire) checkBurst("AW ", top_->m_axi_awaddr_o, uint32_t(top_->m_axi_awlen_o) + 1, top_->m_axi_awsize_o, top_->m_axi_awburst_o);
    {
      const uint8_t* wd = reinterpret_cast<const uint8_t*>(&top_->m_axi_wdata_o);
      if (heldW_ && (!top_->m_axi_wvalid_o || std::memcmp(wd, heldWdata_.data(), kBeatBytes) != 0)) protoErr("WVALID dropped or WDATA changed before WREADY");
      heldW_ = top_->m_axi_wvalid_o && !wReadyNow;
      if (heldW_) std::memcpy(heldWdata_.data(), wd, kBeatBytes);
    }
    if (wFire) {
      const bool last = wBeat_ + 1 == wq_.front().beats;
      if (bool(top_->m_axi_wlast_o) != last) protoErr(last ? "WLAST missing on the last beat of a burst" : "WLAST before the last beat of a burst");
      const uint64_t all = kBeatBytes >= 64 ? ~0ull : ((1ull << kBeatBytes) - 1);
      if ((uint64_t(top_->m_axi_wstrb_o) & all) != all) protoErr("WSTRB is not all ones");
    }
    const bool bFire = bValid && top_->m_axi_bready_o;
    Burst aw{top_->m_axi_awaddr_o, uint32_t(top_->m_axi_awlen_o) + 1, 0, 0};
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
    for (int p = 0; p < 2; ++p) {
      ReadPort& P = rd_[p];
      if (arFire[p]) {
        if (int64_t(P.bursts) == P.injectBurst) {
          ar[p].resp = P.injectResp;
          ++errorsSent_;
        }
        ++P.bursts;
        P.q.push_back(ar[p]);
      }
      P.holding = rValid[p] && !rFire[p];
      if (rFire[p]) {
        ++rdTotal_;
        ++P.beats;
        {
          const uint64_t a = P.q.front().addr + uint64_t(P.beat) * kBeatBytes;
          if (a >= watchLo && a < watchHi) watchBytes_ += kBeatBytes;
        }
        tokens_ -= beat;
        if (++P.beat == P.q.front().beats) {
          P.beat = 0;
          P.q.pop_front();
        }
      }
    }
    if (awFire) {
      if (int64_t(wBursts_) == injectWriteBurst) {
        aw.resp = injectWriteResp;
        ++errorsSent_;
      }
      ++wBursts_;
      wq_.push_back(aw);
    }
    if (wFire) {
      ++wrTotal_;
      tokens_ -= beat;
      if (++wBeat_ == wq_.front().beats) {
        wBeat_ = 0;
        Burst b = wq_.front();
        wq_.pop_front();
        b.ready = cycle_ + latency / 2 + (stress.on ? prng.upto(stress.bMax) : 0);
        bq_.push_back(b);
      }
    }
    bHolding_ = bValid && !bFire;
    if (bFire) bq_.pop_front();
  }
#undef RPIN

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
  for (ReadPort& P : rd_) P.bursts = P.beats = 0;
  wBursts_ = errorsSent_ = 0;
  watchBytes_ = 0;
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
  o << ",\"rdBursts\":[" << rd_[0].bursts << "," << rd_[1].bursts << "],\"rdPortBeats\":[" << rd_[0].beats << ","
    << rd_[1].beats << "],\"wrBursts\":" << wBursts_ << ",\"errorsInjected\":" << errorsSent_
    << ",\"watchBytes\":" << watchBytes_;
  if (oob_) o << ",\"ddrError\":\"" << oobMsg_ << "\"";
  if (!protoMsg_.empty()) o << ",\"axiProtocolError\":\"" << protoMsg_ << "\"";
  protoMsg_.clear();
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
  for (ReadPort& P : rd_) P.injectBurst = -1;
  injectWriteBurst = -1;
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
      ls >> bench.latency >> bench.bytesPerCycle >> bench.maxBursts;
    } else if (cmd == "stress") {
      uint64_t seed;
      Stress& st = bench.stress;
      ls >> seed >> st.ar >> st.rGap >> st.aw >> st.w >> st.bMax >> st.latMax;
      st.on = true;
      bench.prng.seed(seed);
    } else if (cmd == "inject") {
      std::string kind;
      int port = 0;
      int64_t burst;
      int resp;
      ls >> kind;
      if (kind == "read") ls >> port;
      ls >> burst >> resp;
      if ((kind != "read" && kind != "write") || port < 0 || port > 1 || resp < 0 || resp > 3) {
        std::fprintf(stderr, "bad inject command '%s'\n", line.c_str());
        return 2;
      }
      if (kind == "read") bench.injectRead(port, burst, uint8_t(resp));
      else {
        bench.injectWriteBurst = burst;
        bench.injectWriteResp = uint8_t(resp);
      }
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
    } else if (cmd == "watch") {
      ls >> bench.watchLo >> bench.watchHi;
    } else if (cmd == "zero") {
      uint64_t addr, n;
      ls >> addr >> n;
      if (addr + n <= bench.ddr.size()) std::memset(&bench.ddr[addr], 0, n);
    } else if (cmd == "run") {
      uint64_t base, maxCycles;
      ls >> base >> maxCycles;
      std::string json;
      const bool finished = bench.run(uint32_t(base), maxCycles, json);
      std::printf("%s\n", json.c_str());
      std::fflush(stdout);
      if (!finished) return 0;  // watchdog: the engine is hung, later runs would only wait too
    } else {
      std::fprintf(stderr, "unknown script command '%s'\n", cmd.c_str());
      return 2;
    }
  }
  return 0;
}
