// SystemC system model of the HLS engine (sc_main): the engine between a Zynq PS model, i.e. an AXI4-Lite
// host that writes BASE, starts the engine and waits for its interrupt, and a DDR model with the board's
// latency and bandwidth (passed in by the TypeScript driver, sim/hls/run-hls.ts).
//
// Two modes:
//   untimed  the engine thread calls the HLS top (cnna_top) once per start: the fast C-simulation;
//            cycle counters stay 0 (the driver takes cycles from the performance model).
//   clocked  the engine is a clocked module (SC_CTHREADs on the engine clock) made of the top's stages:
//            a loader thread (descriptor fetch, input tile into one of two banks, parameters, weights
//            into a two-block ring), a compute thread (MAC array, post-op, pooling: the HLS kernels, with
//            the array's cycle cost) and a writer thread; every DDR transfer goes through the DDR model,
//            which charges latency and shares its bandwidth, so loads overlap compute as in the hardware.
//            The register file counts cycles, MAC-busy and stall cycles, jobs and AXI beats.
// Either way the outputs are what the HLS kernels wrote into the simulated DDR.
//
// Script commands (one per line, as the Verilator harness reads them):
//   ddr <bytes> | timing <latencyCycles> <bytesPerCycle> [readPorts] | mode untimed|clocked | load <addr> <file>
//   zero <addr> <bytes> | run <base> <maxCycles> | dump <addr> <bytes> <file>
#include <systemc>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <deque>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "cnna_top.h"
#include "kernels/fetch.h"
#include "kernels/loader.h"
#include "kernels/mac_array.h"
#include "kernels/pool.h"
#include "kernels/post_op.h"
#include "kernels/writer.h"

using namespace sc_core;

namespace {

constexpr int kBeatBytes = cnna::AxiDataBits / 8;
constexpr int kDrainCycles = 16;  // the compute unit's per-job drain (docs/engine.md "Compute")

struct LayerStat {
  uint64_t cycles = 0, mac = 0, stall = 0, jobs = 0, rdBeats = 0, wrBeats = 0;
};

// DDR: one byte image; in clocked mode each transfer is charged the read latency and its share of the
// bandwidth (bytes per engine cycle, shared by reads and writes), and each master moves at most one
// AXI beat per cycle.
struct Ddr {
  std::vector<uint8_t> bytes;
  uint64_t latency = 40;
  double bytesPerCycle = 16.0;
  int readPorts = 1;  // AXI read masters (axi.ports): with 2, the weights stream on their own
  double ddrFree = 0, rdFree[2] = {0, 0}, wrFree = 0;  // cycle at which the DDR / each master is next free
  uint64_t rdBeats = 0, wrBeats = 0;

  cnna::sint<16>* words() { return reinterpret_cast<cnna::sint<16>*>(bytes.data()); }
  static uint64_t beats(uint64_t n) { return (n + kBeatBytes - 1) / kBeatBytes; }
  /** A read of n bytes on read master `port`, issued at cycle `now`: returns the cycle its last beat arrives. */
  double read(double now, uint64_t n, int port = 0) {
    const uint64_t b = beats(n);
    rdBeats += b;
    double& free = rdFree[port < readPorts ? port : 0];
    const double start = std::max({now, free, ddrFree - latency});
    const double span = std::max(double(b), b * kBeatBytes / bytesPerCycle);
    ddrFree = std::max(ddrFree, start + latency) + b * kBeatBytes / bytesPerCycle;
    free = start + b;
    return std::max(start + latency + span, ddrFree);
  }
  /** A write of n bytes issued at `now`: returns the cycle its write response arrives. */
  double write(double now, uint64_t n) {
    const uint64_t b = beats(n);
    wrBeats += b;
    const double start = std::max({now, wrFree, ddrFree});
    ddrFree = start + b * kBeatBytes / bytesPerCycle;
    wrFree = start + b;
    return std::max(start + b, ddrFree) + latency / 2.0;
  }
};

// Register file of the AXI4-Lite slave: the contract's map (compiler/contracts/register-map.ts).
struct Regs {
  uint32_t ctrlDone = 0, busy = 0, irqEn = 0, isr = 0, baseLo = 0, baseHi = 0, status = 0, jobs = 0;
  uint64_t cycles = 0, stalls = 0, macBusy = 0, rdBeats = 0, wrBeats = 0;
  uint32_t read(uint32_t a) const {
    switch (a) {
      case cnna::REG_CTRL: return (busy ? cnna::CTRL_BUSY : 0) | (ctrlDone ? cnna::CTRL_DONE : 0) | (busy ? 0 : cnna::CTRL_IDLE);
      case cnna::REG_IRQ_EN: return irqEn;
      case cnna::REG_ISR: return isr;
      case cnna::REG_BASE_LO: return baseLo;
      case cnna::REG_BASE_HI: return baseHi;
      case cnna::REG_CONFIG_ID: return uint32_t(cnna::ConfigHash);
      case cnna::REG_CONFIG_ID_HI: return uint32_t(cnna::ConfigHash >> 32);
      case cnna::REG_CYCLES_LO: return uint32_t(cycles);
      case cnna::REG_CYCLES_HI: return uint32_t(cycles >> 32);
      case cnna::REG_STATUS: return status;
      case cnna::REG_STALLS: return uint32_t(stalls);
      case cnna::REG_MAC_BUSY: return uint32_t(macBusy);
      case cnna::REG_JOBS: return jobs;
      case cnna::REG_RD_BEATS: return uint32_t(rdBeats);
      case cnna::REG_WR_BEATS: return uint32_t(wrBeats);
      default: return 0;
    }
  }
};

using Entry = cnna::Entry<cnna::Pi>;
using YVec = cnna::YVec<cnna::Po>;

// One job between the clocked threads.
struct Token {
  cnna::Desc d;
  int bank = 0;
  uint32_t index = 0;
  bool reuseW = false;  // REUSE_WEIGHTS honoured (neither this job nor the one before streamed): no block load
  std::shared_ptr<double> weightsIn;  // cycle the job's last weight word arrives (set by the loader)
  double computeStart = 0;
  std::shared_ptr<cnna::stream<YVec>> out;
};

std::ostream& operator<<(std::ostream& o, const Token& t) { return o << "job " << t.index; }

SC_MODULE(System) {
  sc_in<bool> clk;
  sc_signal<bool, SC_MANY_WRITERS> irq;  // driven by the engine (done) and the host (ISR clear)
  Ddr ddr;
  Regs regs;
  bool clocked = false;
  sc_event startEv, doneEv, computedEv, writtenEv, weightsEv;
  std::map<uint32_t, LayerStat> layers;
  uint64_t runStart = 0;
  static sc_time clkPeriod;

  // Clocked engine state.
  std::vector<Entry> banks[2];
  sc_fifo<Token> slot{1};   // the one-entry job slot between loader and compute
  sc_fifo<Token> outQ{64};  // computed jobs waiting for the writer
  uint64_t jobsComputed = 0, jobsWritten = 0, jobsHanded = 0;
  std::vector<uint64_t> tileFirstJob;  // per input tile: index of its first job
  bool loaderDone = false;
  int err = 0;
  double lastDone = 0;
  uint64_t rdMark = 0, wrMark = 0;

  SC_CTOR(System) {
    banks[0].resize(cnna::InBankEntries);
    banks[1].resize(cnna::InBankEntries);
    SC_THREAD(untimedEngine);
    SC_THREAD(loaderThread);
    sensitive << clk.pos();
    dont_initialize();
    SC_THREAD(computeThread);
    sensitive << clk.pos();
    dont_initialize();
    SC_THREAD(writerThread);
    sensitive << clk.pos();
    dont_initialize();
  }

  double now() const { return sc_time_stamp() / clkPeriod; }
  /** Wait (in whole engine clocks) until cycle `cyc`. */
  void waitUntil(double cyc) {
    const double n = std::ceil(cyc - now() - 1e-9);
    if (n >= 1) wait(int(n));
  }

  // ---- untimed: the HLS top itself ----
  void untimedEngine() {
    for (;;) {
      wait(startEv);
      if (clocked) continue;
      uint32_t status = 0, jobs = 0;
      cnna::csim_ddr_bytes = ddr.bytes.size();
      cnna_top(ddr.words(), ddr.words(), uint64_t(regs.baseHi) << 32 | regs.baseLo, &status, &jobs);
      finish(status, jobs);
    }
  }

  void finish(uint32_t status, uint32_t jobs) {
    regs.status = status;
    regs.jobs = jobs;
    regs.busy = 0;
    regs.ctrlDone = 1;
    regs.isr |= cnna::IRQ_DONE;
    regs.cycles = clocked ? uint64_t(std::llround(now())) - runStart : 0;
    regs.rdBeats = ddr.rdBeats;
    regs.wrBeats = ddr.wrBeats;
    if (regs.irqEn & cnna::IRQ_DONE) irq.write(true);
    doneEv.notify(SC_ZERO_TIME);
  }

  // ---- clocked: loader (descriptor fetch, input tile, parameters, weights) ----
  void loaderThread() {
    for (;;) {
      wait(startEv);
      if (!clocked) continue;
      wait();  // align to the clock
      const uint64_t base = regs.baseLo;
      cnna::csim_ddr_bytes = ddr.bytes.size();
      uint8_t rec[cnna::DescBytes];
      uint32_t count = 0;
      int e = 0;
      if (base + cnna::DescBytes > ddr.bytes.size()) e = cnna::ERR_AXI;
      if (!e) {
        waitUntil(ddr.read(now(), cnna::DescBytes));
        cnna::fetch_record(ddr.words(), base, rec);
        e = cnna::check_header(rec, count);
      }
      uint32_t tiles = 0;
      bool prevStreamed = true;
      uint64_t held = 0;  // words of the previous job's block in the ring
      tileFirstJob.clear();
      for (uint32_t j = 1; !e && j <= count; j++) {
        const uint64_t at = base + uint64_t(j) * cnna::DescBytes;
        if (at + cnna::DescBytes > ddr.bytes.size()) { e = cnna::ERR_AXI; break; }
        waitUntil(ddr.read(now(), cnna::DescBytes));
        cnna::fetch_record(ddr.words(), at, rec);
        Token t;
        t.d = cnna::decode_desc(rec);
        t.index = j;
        e = cnna::check_job<cnna::Pi, cnna::InBankEntries, cnna::WBankWords>(t.d);
        if (!e && !cnna::job_in_ddr(base, t.d)) e = cnna::ERR_AXI;
        if (e) break;
        const cnna::Desc& d = t.d;
        // SYNC: every earlier output write completes before this job's input is read.
        if (d.flags & cnna::FLAG_SYNC) while (jobsWritten < jobsHanded) wait(writtenEv);
        const bool reuse = (d.flags & cnna::FLAG_REUSE_INPUT) && tiles > 0;
        if (!reuse) {
          // Tile T goes to bank T mod 2 once every job of tile T-2 is done.
          if (tiles >= 2) while (jobsComputed < tileFirstJob[tiles - 1]) wait(computedEv);
          tileFirstJob.push_back(jobsHanded);
          tiles++;
          const uint64_t n = uint64_t(d.hin) * d.win * d.cg;
          waitUntil(ddr.read(now(), n * 2 * cnna::Pi));
          cnna::load_input<cnna::Pi, cnna::InBankEntries>(ddr.words(), base, d, banks[(tiles - 1) & 1].data());
        }
        t.bank = int((tiles - 1) & 1);
        t.reuseW = (d.flags & cnna::FLAG_REUSE_WEIGHTS) && !prevStreamed && !cnna::is_streamed(d);
        prevStreamed = cnna::is_streamed(d);
        if (!t.reuseW) waitUntil(ddr.read(now(), cnna::WHeaderBytes));
        // The job is handed over (the slot holds one job, so the previous job is computing and the ring
        // has room for this block); its weight words follow into the ring, on their own read master when
        // there are two, so they load while the previous job computes.
        t.weightsIn = std::make_shared<double>(-1);
        slot.write(t);
        const uint64_t nWords = t.reuseW ? 0 : cnna::job_weight_words(d);
        // A Winograd block may fill the ring (WinoBlockWords, the ring's words): when it and the previous
        // job's block do not fit together, its words wait until the previous job is done and releases its
        // block (the RTL's ring room).
        if (nWords && !cnna::is_streamed(d) && held + nWords > uint64_t(cnna::WinoBlockWords))
          while (jobsComputed < jobsHanded) wait(computedEv);
        held = cnna::is_streamed(d) ? 0 : cnna::job_weight_words(d);
        *t.weightsIn = nWords ? ddr.read(now(), nWords * cnna::Pi * cnna::Po * 2, 1) : now();
        weightsEv.notify();
        jobsHanded++;
        if (d.flags & cnna::FLAG_LAST) break;
      }
      if (!e) {
        loaderDone = true;
        if (jobsWritten == jobsHanded) finish(cnna::ERR_NONE, uint32_t(jobsWritten));
        continue;
      }
      while (jobsWritten < jobsHanded) wait(writtenEv);
      err = e;
      loaderDone = true;
      finish(uint32_t(e), uint32_t(jobsWritten));
    }
  }

  // ---- clocked: compute (MAC array, post-op, pooling) ----
  void computeThread() {
    for (;;) {
      Token t = slot.read();
      const cnna::Desc& d = t.d;
      const uint64_t base = regs.baseLo;
      const double t0 = now();
      wait(SC_ZERO_TIME);  // the loader sets the weight arrival after the hand-over (once the ring has room)
      while (*t.weightsIn < 0) wait(weightsEv);
      const double weightsIn = *t.weightsIn;
      // Functional result: the HLS kernels on this job's bank and weight block.
      cnna::stream<cnna::WWord<cnna::Pi, cnna::Po>> w_s;
      cnna::stream<cnna::BiasVec<cnna::Po>> bias_s;
      cnna::stream<cnna::ShiftVec<cnna::Po>> shift_s;
      cnna::stream<cnna::AccVec<cnna::Po>> acc_s;
      cnna::stream<YVec> y_s;
      t.out = std::make_shared<cnna::stream<YVec>>();
      if (!t.reuseW) {
        cnna::load_params<cnna::Po>(ddr.words(), base, d, bias_s, shift_s);
        cnna::load_weights<cnna::Pi, cnna::Po, cnna::WHeaderBytes>(ddr.words(), base, d, w_s);
      }
      const uint64_t steps = cnna::mac_array<cnna::Pi, cnna::Po, cnna::InBankEntries, cnna::WBankWords>(d, t.reuseW, banks[t.bank].data(), w_s, bias_s, acc_s);
      const int nCand = cnna::count_candidates(d);
      cnna::post_op<cnna::Po>(d, nCand, t.reuseW, shift_s, acc_s, y_s);
      cnna::pool<cnna::Po>(d, y_s, *t.out);
      // Cycle cost of the array (docs/engine.md "Compute"): 1 setup cycle per pooling window, 1 per conv
      // pixel, kh·kw·cg MAC cycles per conv pixel. A conv job starts when its whole weight block is in;
      // a streamed job's MAC steps follow the words as they arrive. A BATCH job holds each word for
      // MAX_BATCH steps (one per accumulator slot, used or not). A Winograd job: 1 per window and per
      // candidate as above, 16·cg MAC steps per 2x2 tile it computes (the kernel's count: a tile served
      // from the tile cache costs none) plus 2 per tile for the output transform's two adder stages.
      double cost, end;
      if (cnna::is_batch(d)) {
        cost = 2 + double(d.cg) * cnna::MAX_BATCH;
        end = std::max(t0 + cost, weightsIn + cnna::MAX_BATCH);
      } else if (cnna::is_winograd(d)) {
        const double tiles = double(steps) / (16.0 * d.cg);
        cost = double(d.hp) * d.wp + nCand + double(steps) + 2 * tiles;
        end = std::max(t0, weightsIn) + cost;
      } else {
        cost = double(d.hp) * d.wp + double(nCand) * (1 + double(d.kh) * d.kw * d.cg);
        end = cnna::is_streamed(d) ? std::max(t0 + cost, weightsIn + 1) : std::max(t0, weightsIn) + cost;
      }
      const uint64_t stall = uint64_t(std::max(0.0, end - t0 - cost));
      regs.macBusy += steps;
      regs.stalls += stall;
      LayerStat& s = layers[d.layer];
      s.mac += steps;
      s.stall += stall;
      t.computeStart = t0;
      // The array then drains for 16 cycles (the post-op pipeline empties into the output FIFO) before
      // it takes the next job.
      waitUntil(end + kDrainCycles);
      jobsComputed++;
      computedEv.notify(SC_ZERO_TIME);
      outQ.write(t);
    }
  }

  // ---- clocked: writer ----
  void writerThread() {
    for (;;) {
      Token t = outQ.read();
      const cnna::Desc& d = t.d;
      const uint32_t groups = std::min<uint32_t>(d.outGroups, cnna::Po / cnna::Pi);
      // Outputs leave through the output FIFO as the array produces them, so the job's write bursts
      // overlap its compute: they occupy the DDR from the compute start; the job is done when the last
      // burst's response is back (at the earliest now, the end of the drain).
      // An ACC_OUT job writes nothing (its sums stay in the array).
      const double doneAt = cnna::writes_outputs(d) ? std::max(now(), ddr.write(t.computeStart, uint64_t(d.hp) * d.wp * groups * 2 * cnna::Pi)) : now();
      cnna::writer<cnna::Pi, cnna::Po>(ddr.words(), regs.baseLo, d, *t.out);
      waitUntil(doneAt);
      jobsWritten++;
      LayerStat& s = layers[d.layer];
      s.jobs++;
      s.cycles += uint64_t(std::llround(now() - lastDone));
      s.rdBeats += ddr.rdBeats - rdMark;
      s.wrBeats += ddr.wrBeats - wrMark;
      rdMark = ddr.rdBeats;
      wrMark = ddr.wrBeats;
      lastDone = now();
      regs.jobs = uint32_t(jobsWritten);
      writtenEv.notify(SC_ZERO_TIME);
      if (loaderDone && jobsWritten == jobsHanded && err == 0) finish(cnna::ERR_NONE, uint32_t(jobsWritten));
    }
  }

 public:
  // ---- AXI4-Lite host side ----
  void liteWrite(uint32_t a, uint32_t v) {
    if (clocked) wait(3 * clkPeriod);  // AW+W, then B
    switch (a) {
      case cnna::REG_CTRL:
        if ((v & cnna::CTRL_START) && !regs.busy) {
          regs.busy = 1;
          regs.ctrlDone = 0;
          regs.status = 0;
          regs.jobs = 0;
          irq.write(false);
          ddr.rdBeats = ddr.wrBeats = 0;
          ddr.ddrFree = ddr.rdFree[0] = ddr.rdFree[1] = ddr.wrFree = now();
          regs.stalls = regs.macBusy = 0;
          layers.clear();
          jobsComputed = jobsWritten = jobsHanded = 0;
          loaderDone = false;
          err = 0;
          runStart = uint64_t(std::llround(now()));
          lastDone = now();
          rdMark = wrMark = 0;
          startEv.notify(SC_ZERO_TIME);
        }
        break;
      case cnna::REG_IRQ_EN: regs.irqEn = v; break;
      case cnna::REG_ISR:
        regs.isr &= ~v;
        if (!regs.isr) irq.write(false);
        break;
      case cnna::REG_BASE_LO: regs.baseLo = v; break;
      case cnna::REG_BASE_HI: regs.baseHi = v; break;
      default: break;
    }
  }
  uint32_t liteRead(uint32_t a) {
    if (clocked) wait(2 * clkPeriod);  // AR, then R
    return regs.read(a);
  }
};
sc_time System::clkPeriod;

// The PS: reads the script and plays the host.
SC_MODULE(Host) {
  System* sys = nullptr;
  std::string script;
  int exitCode = 0;
  SC_CTOR(Host) { SC_THREAD(main); }

  void main() {
    std::ifstream in(script);
    if (!in) {
      std::fprintf(stderr, "cannot read script %s\n", script.c_str());
      exitCode = 2;
      sc_stop();
      return;
    }
    std::string line;
    while (std::getline(in, line)) {
      std::istringstream ls(line);
      std::string cmd;
      if (!(ls >> cmd) || cmd[0] == '#') continue;
      Ddr& ddr = sys->ddr;
      if (cmd == "ddr") {
        uint64_t n;
        ls >> n;
        ddr.bytes.assign(n + (n & 1), 0);
      } else if (cmd == "timing") {
        ls >> ddr.latency >> ddr.bytesPerCycle;
        if (!(ls >> ddr.readPorts)) ddr.readPorts = 1;
      } else if (cmd == "mode") {
        std::string m;
        ls >> m;
        sys->clocked = m == "clocked";
      } else if (cmd == "load" || cmd == "dump") {
        uint64_t addr, n = 0;
        std::string file;
        ls >> addr;
        if (cmd == "dump") ls >> n;
        ls >> file;
        if (cmd == "load") {
          std::ifstream f(file, std::ios::binary);
          std::vector<char> buf((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
          if (!f.good() && !f.eof()) { fail("cannot read " + file); return; }
          if (addr + buf.size() > ddr.bytes.size()) { fail(file + " does not fit DDR"); return; }
          std::memcpy(&ddr.bytes[addr], buf.data(), buf.size());
        } else {
          if (addr + n > ddr.bytes.size()) { fail("dump outside DDR"); return; }
          std::ofstream f(file, std::ios::binary);
          f.write(reinterpret_cast<const char*>(&ddr.bytes[addr]), std::streamsize(n));
        }
      } else if (cmd == "zero") {
        uint64_t addr, n;
        ls >> addr >> n;
        if (addr + n <= ddr.bytes.size()) std::memset(&ddr.bytes[addr], 0, n);
      } else if (cmd == "run") {
        uint64_t base, maxCycles;
        ls >> base >> maxCycles;
        run(uint32_t(base), maxCycles);
      } else {
        fail("unknown script command '" + cmd + "'");
        return;
      }
    }
    sc_stop();
  }

  void fail(const std::string& m) {
    std::fprintf(stderr, "%s\n", m.c_str());
    exitCode = 2;
    sc_stop();
  }

  void run(uint32_t base, uint64_t maxCycles) {
    System& s = *sys;
    s.liteWrite(cnna::REG_BASE_LO, base);
    s.liteWrite(cnna::REG_IRQ_EN, cnna::IRQ_DONE);
    s.liteWrite(cnna::REG_CTRL, cnna::CTRL_START);
    bool timeout = false;
    if (s.clocked) {
      wait(double(maxCycles) * System::clkPeriod, s.doneEv);
      if (s.regs.busy) timeout = true;
    } else {
      wait(s.doneEv);
    }
    const uint64_t cycles = uint64_t(s.liteRead(cnna::REG_CYCLES_LO)) | (uint64_t(s.liteRead(cnna::REG_CYCLES_HI)) << 32);
    std::ostringstream o;
    o << "{\"timeout\":" << (timeout ? "true" : "false") << ",\"status\":" << s.liteRead(cnna::REG_STATUS)
      << ",\"cycles\":" << cycles << ",\"stalls\":" << s.liteRead(cnna::REG_STALLS)
      << ",\"macBusy\":" << s.liteRead(cnna::REG_MAC_BUSY) << ",\"jobs\":" << s.liteRead(cnna::REG_JOBS)
      << ",\"rdBeats\":" << s.liteRead(cnna::REG_RD_BEATS) << ",\"wrBeats\":" << s.liteRead(cnna::REG_WR_BEATS)
      << ",\"configIdLo\":" << s.liteRead(cnna::REG_CONFIG_ID) << ",\"configIdHi\":" << s.liteRead(cnna::REG_CONFIG_ID_HI)
      << ",\"clocked\":" << (s.clocked ? "true" : "false") << ",\"layers\":[";
    bool first = true;
    for (const auto& kv : s.layers) {
      o << (first ? "" : ",") << "{\"layer\":" << kv.first << ",\"cycles\":" << kv.second.cycles << ",\"macBusy\":" << kv.second.mac
        << ",\"stalls\":" << kv.second.stall << ",\"jobs\":" << kv.second.jobs << ",\"rdBeats\":" << kv.second.rdBeats
        << ",\"wrBeats\":" << kv.second.wrBeats << "}";
      first = false;
    }
    o << "]}";
    std::printf("%s\n", o.str().c_str());
    std::fflush(stdout);
    s.liteWrite(cnna::REG_ISR, cnna::IRQ_DONE);
  }
};

}  // namespace

int sc_main(int argc, char** argv) {
  std::string script;
  double mhz = 200;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--script") && i + 1 < argc) script = argv[++i];
    else if (!std::strcmp(argv[i], "--mhz") && i + 1 < argc) mhz = std::atof(argv[++i]);
  }
  if (script.empty()) {
    std::fprintf(stderr, "usage: %s --script FILE [--mhz F]\n", argv[0]);
    return 2;
  }
  sc_report_handler::set_actions("/IEEE_Std_1666/deprecated", SC_DO_NOTHING);
  System::clkPeriod = sc_time(1000.0 / mhz, SC_NS);
  sc_clock clk("clk", System::clkPeriod);
  System sys("cnna");
  sys.clk(clk);
  Host host("ps");
  host.sys = &sys;
  host.script = script;
  sc_start();
  return host.exitCode;
}
