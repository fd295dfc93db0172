// The HLS engine's top function (synthesized as the IP's top; C-simulated by the SystemC system model in
// hls/sim/ and by the testbench in hls/tb/). Sizes come from the generated cnna_config.h.
#pragma once
#include "cnna_engine.h"

/**
 * Runs the program at BASE: checks the HEADER, then fetches and runs JOB descriptors until one with the
 * LAST flag (or the header's count). `ddr_rd` and `ddr_wr` are the engine's two AXI4 masters onto the
 * same DDR (byte address 0 = DDR address 0); all descriptor addresses are offsets from BASE.
 * `status` receives the engine status code (0 ok), `jobs` the JOB descriptors completed.
 */
void cnna_top(const cnna::sint<16>* ddr_rd, cnna::sint<16>* ddr_wr, uint64_t base, uint32_t* status, uint32_t* jobs);

namespace cnna {
/** C-simulation only: DDR bytes behind the pointers (0: unchecked); an access beyond stops with ERR_AXI. */
extern uint64_t csim_ddr_bytes;
/** C-simulation only: whether every byte the job touches lies inside csim_ddr_bytes. */
bool job_in_ddr(uint64_t base, const Desc& d);
}  // namespace cnna
