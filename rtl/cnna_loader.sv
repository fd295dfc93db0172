// The loader: walks the descriptor list in DDR and fills the on-chip buffers ahead of the compute unit.
// Record 0 at BASE is the HEADER: magic, version and config hash must match cnna_pkg, else the run ends
// at once with that error status. Then per JOB record (BASE+64, +128, ...): fetch 64 B, decode (fields
// at the cnna_pkg::D_* positions, addresses relocated by BASE) and check limits, optionally wait for all earlier output writes
// (sync), load the input tile into the free input bank (unless reuseInput), load the parameter block
// (bias, shifts) into the one-entry job slot, hand the job over, then stream the weight words into the
// weight ring. A job with REUSE_WEIGHTS, when neither it nor the previous job is streamed, loads neither
// parameters nor words: it computes on the previous job's block (its bias/shift header is still in
// param_q), which stays protected in the ring until the job is done. The weight ring gives double buffering for conv jobs (a job starts when all its words are
// in) and streaming for FC jobs (each word is consumed as soon as it arrives).
// Read ports (Ports = cnna_pkg::AXI_PORTS): with 2, read port 0 carries descriptors, input tiles and
// parameter blocks and read port 1 only weights, so a job's weights stream on port 1 while port 0 already
// fetches the next descriptor, its input tile and parameters (a weight command waits only until port 1
// has issued the previous one; the ring's write side counts words as they arrive, whatever job they
// belong to). With 1, everything goes over port 0 in turn: the next descriptor is fetched once the last
// weight word of the job has arrived; port 1 is tied off.
// AXI errors (axi_err_i, sticky for the run): the loader stops at the next point where no read is owed
// (before a hand-over or a new descriptor), hands nothing more over, waits for the jobs already handed
// over and the writes, and reports ERR_AXI.
// Invariants: input bank b is overwritten only after every job of the tile before the previous one is
// done (jobs_done_i >= cur_tile_first_q); a weight word is written only when w_wr_q - w_rel_i < WRing.
module cnna_loader #(
  parameter int unsigned Pi          = 16,
  parameter int unsigned Po          = 16,
  parameter int unsigned DataWidth   = 128,
  parameter int unsigned AddrWidth   = 32,
  parameter int unsigned InBankDepth = 4096,
  parameter int unsigned WBankDepth  = 512,
  parameter int unsigned Ports       = 1,
  localparam int unsigned Bpe        = Pi * 16 / DataWidth,       // beats per input entry
  localparam int unsigned Bpw        = Po * Pi * 16 / DataWidth,  // beats per weight word
  localparam int unsigned ParamBytes = cnna_pkg::W_HEADER_BYTES,  // bias + shift header (Po = cnna_pkg::PO)
  localparam int unsigned ParamBeats = ParamBytes * 8 / DataWidth,
  localparam int unsigned DescBeats  = 512 / DataWidth,
  localparam int unsigned WAddrW     = $clog2(2 * WBankDepth),
  localparam int unsigned WRing      = 1 << WAddrW,           // ring addresses wrap by truncation
  localparam int unsigned InAddrW    = $clog2(InBankDepth) + 1   // {bank, entry}
) (
  input  logic                 clk_i,
  input  logic                 rst_ni,
  input  logic                 start_i,
  input  logic [31:0]          desc_base_i,
  input  logic [31:0]          desc_base_hi_i,  // must be 0: the engine's AXI address is 32 bits
  output logic                 busy_o,
  output logic                 done_o,
  output logic [7:0]           error_o,
  input  logic                 axi_err_i,
  // read port 0 (descriptors, input tiles, parameters; with Ports = 1 also weights)
  output logic                 rd_cmd_valid_o,
  input  logic                 rd_cmd_ready_i,
  output logic [AddrWidth-1:0] rd_cmd_addr_o,
  output logic [23:0]          rd_cmd_row_beats_o,
  output logic [15:0]          rd_cmd_rows_o,
  output logic [31:0]          rd_cmd_row_stride_o,
  output logic [15:0]          rd_cmd_planes_o,
  output logic [31:0]          rd_cmd_plane_stride_o,
  input  logic                 rd_valid_i,
  output logic                 rd_ready_o,
  input  logic [DataWidth-1:0] rd_data_i,
  // read port 1 (weights; unused with Ports = 1): one contiguous region per command
  output logic                 rd1_cmd_valid_o,
  input  logic                 rd1_cmd_ready_i,
  output logic [AddrWidth-1:0] rd1_cmd_addr_o,
  output logic [23:0]          rd1_cmd_row_beats_o,
  input  logic                 rd1_valid_i,
  output logic                 rd1_ready_o,
  input  logic [DataWidth-1:0] rd1_data_i,
  // buffer write ports (sub-word = one bus beat)
  output logic                 in_we_o,
  output logic [InAddrW-1:0]   in_waddr_o,
  output logic [15:0]          in_wsub_o,
  output logic [DataWidth-1:0] in_wdata_o,
  output logic                 w_we_o,
  output logic [WAddrW-1:0]    w_waddr_o,
  output logic [15:0]          w_wsub_o,
  output logic [DataWidth-1:0] w_wdata_o,
  // job hand-over
  output logic                 slot_valid_o,
  input  logic                 slot_take_i,
  output cnna_rtl_pkg::job_t       slot_job_o,
  output logic [Po*48-1:0]     slot_bias_o,
  output logic [Po*6-1:0]      slot_shift_o,
  output logic [31:0]          w_wr_o,
  input  logic [31:0]          w_rel_i,
  input  logic [31:0]          jobs_done_i,
  input  logic                 compute_idle_i,
  input  logic                 writer_idle_i
);
  typedef enum logic [4:0] {
    LIdle, LHdrCmd, LHdrData, LHdrCheck, LFetchCmd, LFetchData, LDecode, LSync, LInWait, LInCmd, LInData,
    LParamWait, LParamCmd, LParamData, LWCmd, LWWait, LHand, LFin
  } lstate_e;
  lstate_e state_q, state_d;

  logic [511:0]             desc_q;
  logic [ParamBytes*8-1:0]  param_q;     // not reset: always written before it is read
  logic [31:0]              base_hi_q, base_q, desc_ptr_q, jobs_pushed_q, cur_tile_first_q, w_wr_q, nw_q, plane_q;
  logic [31:0]              n_in_m1_q, nw_m1_q;  // entries and words of the job, minus one
  logic [31:0]              cnt_q;       // beats or entries received in the current phase
  logic [15:0]              sub_q, w_sub_q;
  logic [31:0]              w_alloc_q;   // ring words handed over to jobs (w_wr_q: words arrived)
  logic [31:0]              w_alloc_m1_q;  // w_alloc_q - 1
  logic                     wcmd_valid_q;
  logic [AddrWidth-1:0]     wcmd_addr_q;
  logic [23:0]              wcmd_beats_q;
  logic [7:0]               err_q;
  logic                     bank_q, slot_valid_q, done_q;
  logic                     prev_ok_q;     // the previous job of this run was not streamed (its block is whole)
  logic [31:0]              prev_w_base_q; // ring position of the previous job's block
  logic                     hold_q;        // a job that reuses the block at hold_base_q is not done yet
  logic [31:0]              hold_base_q, hold_job_q;
  cnna_rtl_pkg::job_t           job_q;
  logic [Po*48-1:0]         bias_q;
  logic [Po*6-1:0]          shift_q;

  // Descriptor fields (docs/bundle-format.md), at the positions of the generated package.
`define CNNA_FIELD(NAME) desc_q[cnna_pkg::D_``NAME``_LSB +: cnna_pkg::D_``NAME``_W]
  logic [7:0]  d_opcode, d_flags, d_kh, d_kw;
  logic [4:0]  d_groups;
  logic [15:0] d_hin, d_win, d_cg, d_hc, d_wc, d_hp, d_wp;
  logic        d_last, d_sync, d_reuse, d_stream, d_reuse_w, d_wino;
  assign d_opcode = 8'(`CNNA_FIELD(OPCODE));
  assign d_flags  = 8'(`CNNA_FIELD(FLAGS));
  assign d_kh     = 8'(`CNNA_FIELD(KH));
  assign d_kw     = 8'(`CNNA_FIELD(KW));
  assign d_hin    = 16'(`CNNA_FIELD(HIN));
  assign d_win    = 16'(`CNNA_FIELD(WIN));
  assign d_cg     = 16'(`CNNA_FIELD(CG));
  assign d_hc     = 16'(`CNNA_FIELD(HC));
  assign d_wc     = 16'(`CNNA_FIELD(WC));
  assign d_hp     = 16'(`CNNA_FIELD(HP));
  assign d_wp     = 16'(`CNNA_FIELD(WP));
  assign d_reuse  = d_flags[cnna_pkg::FLAG_REUSE_INPUT_BIT];
  assign d_sync   = d_flags[cnna_pkg::FLAG_SYNC_BIT];
  assign d_last   = d_flags[cnna_pkg::FLAG_LAST_BIT];
  // Lane groups written: outGroups, at most PO/PI (as the executable spec, sim/ref, clamps it).
  assign d_groups = (5'(`CNNA_FIELD(OUT_GROUPS)) > 5'(Po / Pi)) ? 5'(Po / Pi) : 5'(`CNNA_FIELD(OUT_GROUPS));
  // WINOGRAD (an engine built with array.winograd only): 20 words per channel group, never streamed.
  assign d_wino   = (cnna_pkg::WINOGRAD != 0) && d_flags[cnna_pkg::FLAG_WINOGRAD_BIT];
  assign d_stream = (((d_hc == 16'd1) && (d_wc == 16'd1) && (d_hp == 16'd1) && (d_wp == 16'd1)) ||
                    d_flags[cnna_pkg::FLAG_BATCH_BIT]) && !d_wino;
  // REUSE_WEIGHTS is honored when neither this nor the previous job of the run is streamed: the previous
  // block (and its bias/shift header, still in param_q) is then whole in the ring.
  assign d_reuse_w = d_flags[cnna_pkg::FLAG_REUSE_WEIGHTS_BIT] && !d_stream && prev_ok_q;

  // Header record fields (byte offsets of docs/bundle-format.md "HEADER").
  logic [7:0]  h_opcode;
  logic [15:0] h_version;
  logic [31:0] h_magic;
  logic [63:0] h_hash;
  logic [31:0] h_ddr_bytes;
`define CNNA_HFIELD(NAME) desc_q[cnna_pkg::H_``NAME``_LSB +: cnna_pkg::H_``NAME``_W]
  assign h_opcode  = `CNNA_HFIELD(OPCODE);
  assign h_version = `CNNA_HFIELD(VERSION);
  assign h_magic   = `CNNA_HFIELD(MAGIC);
  assign h_hash    = {`CNNA_HFIELD(HASH_HI), `CNNA_HFIELD(HASH_LO)};
  assign h_ddr_bytes = `CNNA_HFIELD(DDR_BYTES);
`undef CNNA_HFIELD
  // Header check in two register stages while LHdrCheck holds desc_q: stage 1 registers each field's
  // compare and the end address BASE + ddrBytes (33 bits), stage 2 the first failing check in the order
  // of docs/engine.md (magic/opcode, version, config hash, base).
  logic        hdr_magic_bad_q, hdr_ver_bad_q, hdr_hash_bad_q, hdr_base_hi_q;
  logic [32:0] hdr_end_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      hdr_magic_bad_q <= 1'b0;
      hdr_ver_bad_q   <= 1'b0;
      hdr_hash_bad_q  <= 1'b0;
      hdr_base_hi_q   <= 1'b0;
      hdr_end_q       <= '0;
    end else begin
      hdr_magic_bad_q <= h_opcode != 8'(cnna_pkg::OPC_HEADER) || h_magic != cnna_pkg::HEADER_MAGIC;
      hdr_ver_bad_q   <= h_version != 16'(cnna_pkg::FORMAT_VERSION);
      hdr_hash_bad_q  <= h_hash != cnna_pkg::CONFIG_HASH;
      hdr_base_hi_q   <= base_hi_q != 32'd0;
      hdr_end_q       <= 33'(base_q) + 33'(h_ddr_bytes);
    end
  end
  logic [7:0] hdr_err;
  always_comb begin
    hdr_err = 8'(cnna_pkg::ERR_NONE);
    if (hdr_magic_bad_q) hdr_err = 8'(cnna_pkg::ERR_BAD_MAGIC);
    else if (hdr_ver_bad_q) hdr_err = 8'(cnna_pkg::ERR_BAD_VERSION);
    else if (hdr_hash_bad_q) hdr_err = 8'(cnna_pkg::ERR_CONFIG_MISMATCH);
    else if (hdr_base_hi_q || (hdr_end_q[32] && hdr_end_q[31:0] != 32'd0)) hdr_err = 8'(cnna_pkg::ERR_BAD_BASE);
  end

  // Descriptor decode in three register stages (one DSP48E2 multiply or one compare per stage); LDecode
  // waits DecStages cycles for them while desc_q holds the record. The input-tile size hin*win*cg is only
  // formed from factors that are each <= InBankDepth (a larger factor is already an INPUT_BANK error), so
  // it fits one multiply and never wraps.
  localparam int unsigned DecStages = 3;
  localparam int unsigned NinW      = $clog2(InBankDepth + 1);
  logic [31:0]       dec_plane_a_q, dec_nw_b_q, dec_n_in_m1_q, dec_nw_m1_q;
  logic [15:0]       dec_kk_a_q;
  logic [2*NinW-1:0] dec_n_in_b_q;
  logic              dec_opc_a_q, dec_zero_a_q, dec_cg_big_a_q, dec_stream_a_q, dec_wino_a_q;
  logic              dec_opc_b_q, dec_zero_b_q, dec_in_big_b_q, dec_stream_b_q, dec_wino_b_q;
  logic [7:0]        dec_err_q, hdr_err_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      dec_plane_a_q  <= '0;
      dec_kk_a_q     <= '0;
      dec_opc_a_q    <= 1'b0;
      dec_zero_a_q   <= 1'b0;
      dec_cg_big_a_q <= 1'b0;
      dec_stream_a_q <= 1'b0;
      dec_wino_a_q   <= 1'b0;
      dec_wino_b_q   <= 1'b0;
      dec_n_in_b_q   <= '0;
      dec_nw_b_q     <= '0;
      dec_opc_b_q    <= 1'b0;
      dec_zero_b_q   <= 1'b0;
      dec_in_big_b_q <= 1'b0;
      dec_stream_b_q <= 1'b0;
      dec_err_q      <= '0;
      dec_n_in_m1_q  <= '0;
      dec_nw_m1_q    <= '0;
    end else begin
      // Stage A: the two-factor products and the field checks.
      dec_plane_a_q  <= 32'(d_hin) * 32'(d_win);
      dec_kk_a_q     <= d_wino ? 16'd20 : 16'(d_kh) * 16'(d_kw);
      dec_opc_a_q    <= (d_opcode != 8'(cnna_pkg::OPC_JOB));
      dec_zero_a_q   <= d_kh == 0 || d_kw == 0 || `CNNA_FIELD(STRIDE_H) == 0 || `CNNA_FIELD(STRIDE_W) == 0 ||
                        `CNNA_FIELD(DIL_H) == 0 || `CNNA_FIELD(DIL_W) == 0 || `CNNA_FIELD(POOL_KH) == 0 ||
                        `CNNA_FIELD(POOL_KW) == 0 || `CNNA_FIELD(POOL_STRIDE_H) == 0 ||
                        `CNNA_FIELD(POOL_STRIDE_W) == 0 || d_hin == 0 || d_win == 0 || d_cg == 0 || d_hc == 0 ||
                        d_wc == 0 || d_hp == 0 || d_wp == 0 || d_groups == 0;
      dec_cg_big_a_q <= 32'(d_cg) > 32'(InBankDepth);
      dec_stream_a_q <= d_stream;
      dec_wino_a_q   <= d_wino;
      // Stage B: the three-factor products.
      dec_n_in_b_q   <= dec_plane_a_q[NinW-1:0] * d_cg[NinW-1:0];
      dec_nw_b_q     <= 32'(dec_kk_a_q) * 32'(d_cg);
      dec_opc_b_q    <= dec_opc_a_q;
      dec_zero_b_q   <= dec_zero_a_q;
      dec_in_big_b_q <= dec_cg_big_a_q || (dec_plane_a_q > 32'(InBankDepth));
      dec_stream_b_q <= dec_stream_a_q;
      dec_wino_b_q   <= dec_wino_a_q;
      // Stage C: the limit checks, in the order of docs/engine.md (opcode, zero dimension, input bank, weight bank).
      if (dec_opc_b_q) dec_err_q <= 8'(cnna_pkg::ERR_BAD_OPCODE);
      else if (dec_zero_b_q) dec_err_q <= 8'(cnna_pkg::ERR_ZERO_DIM);
      else if (dec_in_big_b_q || 32'(dec_n_in_b_q) > 32'(InBankDepth)) dec_err_q <= 8'(cnna_pkg::ERR_INPUT_BANK);
      // (a WINOGRAD block may fill the whole ring: its next job's words wait for room)
      else if (!dec_stream_b_q && dec_nw_b_q > (dec_wino_b_q ? 32'(WRing) : 32'(WBankDepth))) dec_err_q <= 8'(cnna_pkg::ERR_WEIGHT_BANK);
      else dec_err_q <= 8'(cnna_pkg::ERR_NONE);
      dec_n_in_m1_q <= 32'(dec_n_in_b_q) - 32'd1;
      dec_nw_m1_q   <= dec_nw_b_q - 32'd1;
    end
  end
  logic dec_ready;
  assign dec_ready = (cnt_q == 32'(DecStages));

  logic last_beat, w_space, in_bank_free, drained, drained_q;
  assign in_bank_free = jobs_done_i >= cur_tile_first_q;
  // Registered: once every job handed over is done and the writer is idle, that stays so until the next
  // hand-over, which clears it in the same cycle.
  assign drained      = drained_q;
  assign last_beat    = (sub_q == 16'(Bpe - 1));

  always_comb begin
    rd_ready_o = 1'b0;
    unique case (state_q)
      LHdrData, LFetchData, LInData, LParamData: rd_ready_o = 1'b1;
      LWWait:                          rd_ready_o = w_space;
      default:                         rd_ready_o = 1'b0;
    endcase
  end

  logic rd_fire;
  assign rd_fire = rd_valid_i && rd_ready_o;

  // Weight beats into the ring: from port 1 whenever they arrive (Ports = 2), or from port 0 in LWWait.
  logic w_valid, w_fire, w_word_done, w_last_word, w_cmd_free, handover;
  logic [AddrWidth-1:0] w_cmd_addr;
  logic [23:0]          w_cmd_beats;
  logic [DataWidth-1:0] w_data;
  if (Ports == 2) begin : g_w_port1
    assign w_valid     = rd1_valid_i;
    assign w_data      = rd1_data_i;
    assign rd1_ready_o = w_space;
    assign w_cmd_free  = !wcmd_valid_q;
  end else begin : g_w_port0
    assign w_valid     = rd_valid_i && (state_q == LWWait);
    assign w_data      = rd_data_i;
    assign rd1_ready_o = 1'b0;
    assign w_cmd_free  = rd_cmd_ready_i;
    logic unused_port1;
    assign unused_port1 = rd1_valid_i ^ (^rd1_data_i) ^ rd1_cmd_ready_i ^ wcmd_valid_q ^ (^wcmd_addr_q) ^ (^wcmd_beats_q);
  end
  assign w_fire      = w_valid && w_space;
  assign w_word_done = w_fire && (w_sub_q == 16'(Bpw - 1));
  assign w_last_word = w_word_done && (w_wr_q == w_alloc_m1_q);

  // Weight-ring space, registered: the ring has room for the next word if the words written and not yet
  // released, counting the one completed this cycle, stay below WRing. A release seen one cycle late only
  // delays the next word (never overwrites an unreleased one).
  // The floor is registered too (a cycle late it is only lower, which delays words, never overwrites):
  // a hold starts at a hand-over, and the next words that could reach the held block belong to a later
  // job, allocated at its own hand-over many cycles after. Words in use never exceed WRing, so the count
  // is exact modulo 2 * WRing (WAddrW + 1 bits).
  logic                w_space_q;
  logic [WAddrW:0]     w_used;
  logic [WAddrW:0]     w_floor_q;  // the floor modulo 2 * WRing
  assign w_space = w_space_q;
  // A reused block stays protected until the job that reuses it is done (the compute unit released it
  // when the job before finished): the ring's floor is then the older of the two.
  assign w_used  = (WAddrW + 1)'(w_wr_q) - w_floor_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      w_space_q <= 1'b1;
      w_floor_q <= '0;
    end else begin
      if (state_q == LIdle && start_i) w_floor_q <= '0;  // w_wr_q and the released count restart at 0
      else w_floor_q <= (WAddrW + 1)'((hold_q && hold_base_q < w_rel_i) ? hold_base_q : w_rel_i);
      w_space_q <= w_word_done ? (w_used < (WAddrW + 1)'(WRing - 1)) : (w_used < (WAddrW + 1)'(WRing));
    end
  end
  // LWCmd: the job is handed over (and its weight command queued) once the weight port can take it;
  // LHand: a job that reuses the previous block is handed over at once (no weight command).
  assign handover    = ((state_q == LWCmd) && !axi_err_i && w_cmd_free) || ((state_q == LHand) && !axi_err_i);

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) drained_q <= 1'b0;
    else drained_q <= !slot_valid_q && !handover && compute_idle_i && writer_idle_i && (jobs_done_i == jobs_pushed_q);
  end

  always_comb begin
    state_d = state_q;
    unique case (state_q)
      LIdle:      if (start_i) state_d = LHdrCmd;
      LHdrCmd:    if (rd_cmd_ready_i) state_d = LHdrData;
      LHdrData:   if (rd_fire && cnt_q == 32'(DescBeats - 1)) state_d = LHdrCheck;
      LHdrCheck:  if (cnt_q == 32'd2) state_d = (axi_err_i || hdr_err_q != 8'(cnna_pkg::ERR_NONE)) ? LFin : LFetchCmd;
      LFetchCmd:  if (rd_cmd_ready_i) state_d = LFetchData;
      LFetchData: if (rd_fire && cnt_q == 32'(DescBeats - 1)) state_d = LDecode;
      LDecode: begin
        if (dec_ready) state_d = (axi_err_i || dec_err_q != 8'(cnna_pkg::ERR_NONE)) ? LFin : (d_sync ? LSync : LInWait);
      end
      LSync:      if (drained) state_d = LInWait;
      LInWait:    if (d_reuse) state_d = LParamWait; else if (in_bank_free) state_d = LInCmd;
      LInCmd:     if (rd_cmd_ready_i) state_d = LInData;
      LInData:    if (rd_fire && last_beat && cnt_q == n_in_m1_q) state_d = LParamWait;
      LParamWait: if (!slot_valid_q) state_d = d_reuse_w ? LHand : LParamCmd;
      LParamCmd:  if (rd_cmd_ready_i) state_d = LParamData;
      LParamData: if (rd_fire && cnt_q == 32'(ParamBeats - 1)) state_d = LWCmd;
      LWCmd: begin
        if (axi_err_i) state_d = LFin;
        else if (handover) state_d = (Ports == 2) ? (d_last ? LFin : LFetchCmd) : LWWait;
      end
      LWWait:     if (w_last_word) state_d = (d_last || axi_err_i) ? LFin : LFetchCmd;
      LHand:      state_d = (d_last || axi_err_i) ? LFin : LFetchCmd;
      LFin:       if (drained) state_d = LIdle;
      default:    state_d = LIdle;
    endcase
    // Waiting states owe no read data: an AXI error ends the run there at once.
    if (axi_err_i && (state_q == LSync || state_q == LInWait || state_q == LParamWait)) state_d = LFin;
  end

  always_comb begin
    rd_cmd_valid_o        = 1'b0;
    rd_cmd_addr_o         = AddrWidth'(desc_ptr_q);
    rd_cmd_row_beats_o    = 24'(DescBeats);
    rd_cmd_rows_o         = 16'd1;
    rd_cmd_row_stride_o   = 32'd0;
    rd_cmd_planes_o       = 16'd1;
    rd_cmd_plane_stride_o = 32'd0;
    unique case (state_q)
      LHdrCmd, LFetchCmd: rd_cmd_valid_o = 1'b1;
      LInCmd: begin
        rd_cmd_valid_o        = 1'b1;
        rd_cmd_addr_o         = AddrWidth'(base_q + 32'(`CNNA_FIELD(IN_ADDR)));
        rd_cmd_row_beats_o    = 24'(d_win) * 24'(Bpe);
        rd_cmd_rows_o         = d_hin;
        rd_cmd_row_stride_o   = 32'(`CNNA_FIELD(IN_ROW_STRIDE));
        rd_cmd_planes_o       = d_cg;
        rd_cmd_plane_stride_o = 32'(`CNNA_FIELD(IN_CG_STRIDE));
      end
      LParamCmd: begin
        rd_cmd_valid_o     = 1'b1;
        rd_cmd_addr_o      = AddrWidth'(base_q + 32'(`CNNA_FIELD(W_ADDR)));
        rd_cmd_row_beats_o = 24'(ParamBeats);
      end
      LWCmd: begin
        rd_cmd_valid_o     = (Ports == 1) && !axi_err_i;
        rd_cmd_addr_o      = w_cmd_addr;
        rd_cmd_row_beats_o = w_cmd_beats;
      end
      default: ;
    endcase
  end
  assign w_cmd_addr          = AddrWidth'(base_q + 32'(`CNNA_FIELD(W_ADDR)) + 32'(ParamBytes));
  assign w_cmd_beats         = 24'(nw_q) * 24'(Bpw);
  assign rd1_cmd_valid_o     = (Ports == 2) && wcmd_valid_q;
  assign rd1_cmd_addr_o      = wcmd_addr_q;
  assign rd1_cmd_row_beats_o = wcmd_beats_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q          <= LIdle;
      desc_q           <= '0;
      desc_ptr_q       <= '0;
      base_q           <= '0;
      base_hi_q        <= '0;
      prev_ok_q        <= 1'b0;
      prev_w_base_q    <= '0;
      hold_q           <= 1'b0;
      hold_base_q      <= '0;
      hold_job_q       <= '0;
      jobs_pushed_q    <= '0;
      cur_tile_first_q <= '0;
      w_wr_q           <= '0;
      nw_q             <= '0;
      plane_q          <= '0;
      n_in_m1_q        <= '0;
      nw_m1_q          <= '0;
      hdr_err_q        <= '0;
      w_alloc_m1_q     <= '1;
      cnt_q            <= '0;
      sub_q            <= '0;
      w_sub_q          <= '0;
      w_alloc_q        <= '0;
      wcmd_valid_q     <= 1'b0;
      wcmd_addr_q      <= '0;
      wcmd_beats_q     <= '0;
      err_q            <= '0;
      bank_q           <= 1'b1;
      slot_valid_q     <= 1'b0;
      done_q           <= 1'b0;
      job_q            <= '0;
      bias_q           <= '0;
      shift_q          <= '0;
    end else begin
      state_q <= state_d;
      done_q  <= 1'b0;
      if (slot_take_i) slot_valid_q <= 1'b0;
      if (hold_q && jobs_done_i > hold_job_q) hold_q <= 1'b0;
      // cnt_q / sub_q restart in each command state (the data state after it counts from 0), and a
      // descriptor's last beat clears cnt_q for LHdrCheck / LDecode; no counter depends on state_d.
      unique case (state_q)
        LHdrCmd, LFetchCmd, LInCmd, LParamCmd: begin
          cnt_q <= '0;
          sub_q <= '0;
        end
        LIdle: begin
          if (start_i) begin
            base_q           <= desc_base_i;
            base_hi_q        <= desc_base_hi_i;
            prev_ok_q        <= 1'b0;
            hold_q           <= 1'b0;
            desc_ptr_q       <= desc_base_i;
            jobs_pushed_q    <= '0;
            cur_tile_first_q <= '0;
            w_alloc_q        <= '0;
            w_alloc_m1_q     <= '1;
            err_q            <= 8'(cnna_pkg::ERR_NONE);
            bank_q           <= 1'b1;
          end
        end
        LHdrData: begin
          if (rd_fire) begin
            for (int b = 0; b < DescBeats; b++) begin
              if (cnt_q[3:0] == 4'(b)) desc_q[b*DataWidth +: DataWidth] <= rd_data_i;
            end
            cnt_q <= (cnt_q == 32'(DescBeats - 1)) ? 32'd0 : cnt_q + 32'd1;
          end
        end
        LHdrCheck: begin
          // Two cycles for the header checks to register (cnt_q 0: the field compares, 1: hdr_err_q).
          hdr_err_q <= hdr_err;
          if (cnt_q != 32'd2) begin
            cnt_q <= cnt_q + 32'd1;
          end else begin
            err_q      <= axi_err_i ? 8'(cnna_pkg::ERR_AXI) : hdr_err_q;
            desc_ptr_q <= desc_ptr_q + 32'(cnna_pkg::DESC_BYTES);
          end
        end
        LFetchData: begin
          if (rd_fire) begin
            for (int b = 0; b < DescBeats; b++) begin
              if (cnt_q[3:0] == 4'(b)) desc_q[b*DataWidth +: DataWidth] <= rd_data_i;
            end
            cnt_q <= (cnt_q == 32'(DescBeats - 1)) ? 32'd0 : cnt_q + 32'd1;
          end
        end
        LDecode: begin
          if (!dec_ready) begin
            cnt_q <= cnt_q + 32'd1;
          end else begin
            plane_q   <= dec_plane_a_q;
            n_in_m1_q <= dec_n_in_m1_q;
            nw_q      <= dec_nw_b_q;
            nw_m1_q   <= dec_nw_m1_q;
            err_q     <= axi_err_i ? 8'(cnna_pkg::ERR_AXI) : dec_err_q;
          end
        end
        LInWait: begin
          if (!d_reuse && in_bank_free) begin
            bank_q           <= !bank_q;
            cur_tile_first_q <= jobs_pushed_q;
          end
        end
        LInData: begin
          if (rd_fire) begin
            sub_q <= last_beat ? 16'd0 : sub_q + 16'd1;
            if (last_beat) cnt_q <= cnt_q + 32'd1;
          end
        end
        LParamData: begin
          if (rd_fire) begin
            for (int b = 0; b < ParamBeats; b++) begin
              if (cnt_q[7:0] == 8'(b)) param_q[b*DataWidth +: DataWidth] <= rd_data_i;
            end
            cnt_q <= cnt_q + 32'd1;
          end
        end
        LWCmd, LHand: begin
          if (handover) begin
            // Hand the job over: the slot is free (checked in LParamWait) and its words start at w_alloc_q.
            slot_valid_q  <= 1'b1;
            // (LHand: the job reuses the previous job's block; nothing is allocated or fetched.)
            prev_ok_q     <= !d_stream;
            if (state_q == LHand) begin
              hold_q      <= 1'b1;
              hold_base_q <= prev_w_base_q;
              hold_job_q  <= jobs_pushed_q;
              if (!d_last) desc_ptr_q <= desc_ptr_q + 32'(cnna_pkg::DESC_BYTES);
            end else begin
              prev_w_base_q <= w_alloc_q;
              w_alloc_q     <= w_alloc_q + nw_q;
              w_alloc_m1_q  <= w_alloc_q + nw_m1_q;
            end
            if (Ports == 2 && state_q == LWCmd) begin
              wcmd_valid_q <= 1'b1;
              wcmd_addr_q  <= w_cmd_addr;
              wcmd_beats_q <= w_cmd_beats;
              if (!d_last) desc_ptr_q <= desc_ptr_q + 32'(cnna_pkg::DESC_BYTES);
            end
            jobs_pushed_q <= jobs_pushed_q + 32'd1;
            job_q.stream         <= d_stream;
            job_q.batch          <= d_flags[cnna_pkg::FLAG_BATCH_BIT];
            job_q.acc_in         <= d_flags[cnna_pkg::FLAG_ACC_IN_BIT];
            job_q.acc_out        <= d_flags[cnna_pkg::FLAG_ACC_OUT_BIT];
            job_q.wino           <= d_wino;
            job_q.act            <= 2'(`CNNA_FIELD(ACT));
            job_q.pool           <= 2'(`CNNA_FIELD(POOL_KIND));
            job_q.layer          <= 16'(`CNNA_FIELD(LAYER));
            job_q.kw             <= d_kw;
            job_q.sh             <= 4'(`CNNA_FIELD(STRIDE_H));
            job_q.sw             <= 4'(`CNNA_FIELD(STRIDE_W));
            job_q.dh             <= 4'(`CNNA_FIELD(DIL_H));
            job_q.dw             <= 4'(`CNNA_FIELD(DIL_W));
            job_q.pad_t          <= 8'(`CNNA_FIELD(PAD_T));
            job_q.pad_l          <= 8'(`CNNA_FIELD(PAD_L));
            job_q.pkh            <= 8'(`CNNA_FIELD(POOL_KH));
            job_q.pkw            <= 8'(`CNNA_FIELD(POOL_KW));
            job_q.psh            <= 4'(`CNNA_FIELD(POOL_STRIDE_H));
            job_q.psw            <= 4'(`CNNA_FIELD(POOL_STRIDE_W));
            job_q.ppad_t         <= 8'(`CNNA_FIELD(POOL_PAD_T));
            job_q.ppad_l         <= 8'(`CNNA_FIELD(POOL_PAD_L));
            job_q.hin            <= d_hin;
            job_q.win            <= d_win;
            job_q.cg             <= d_cg;
            job_q.hc             <= d_hc;
            job_q.wc             <= d_wc;
            job_q.hp             <= d_hp;
            job_q.wp             <= d_wp;
            job_q.avg_shift      <= 6'(`CNNA_FIELD(AVG_SHIFT));
            job_q.avg_m          <= 17'(`CNNA_FIELD(AVG_M));
            job_q.act_a          <= 16'(`CNNA_FIELD(ACT_A));
            job_q.act_b          <= 16'(`CNNA_FIELD(ACT_B));
            job_q.out_addr       <= base_q + 32'(`CNNA_FIELD(OUT_ADDR));
            job_q.out_row_stride <= 16'(`CNNA_FIELD(OUT_ROW_STRIDE));
            job_q.out_cg_stride  <= 32'(`CNNA_FIELD(OUT_CG_STRIDE));
            job_q.out_groups     <= d_groups;
            job_q.in_bank        <= bank_q;
            job_q.w_base         <= (state_q == LHand) ? prev_w_base_q : w_alloc_q;
            job_q.nw             <= nw_q;
            job_q.plane          <= plane_q;
            for (int m = 0; m < Po; m++) begin
              bias_q[m*48 +: 48] <= param_q[m*64 +: 48];
              shift_q[m*6 +: 6]  <= param_q[Po*64 + m*8 +: 6];
            end
          end
        end
        LWWait: begin
          if (w_last_word && !d_last && !axi_err_i) desc_ptr_q <= desc_ptr_q + 32'(cnna_pkg::DESC_BYTES);
        end
        LFin: begin
          if (axi_err_i && err_q == 8'(cnna_pkg::ERR_NONE)) err_q <= 8'(cnna_pkg::ERR_AXI);
          if (drained) done_q <= 1'b1;
        end
        default: ;
      endcase
      if (Ports == 2 && wcmd_valid_q && rd1_cmd_ready_i) wcmd_valid_q <= 1'b0;
      if (state_q == LIdle && start_i) begin
        w_wr_q  <= '0;
        w_sub_q <= '0;
      end else if (w_fire) begin
        w_sub_q <= (w_sub_q == 16'(Bpw - 1)) ? 16'd0 : w_sub_q + 16'd1;
        if (w_word_done) w_wr_q <= w_wr_q + 32'd1;
      end
    end
  end

  assign busy_o        = (state_q != LIdle);
  assign done_o        = done_q;
  assign error_o       = err_q;
  assign in_we_o       = (state_q == LInData) && rd_fire;
  assign in_waddr_o    = InAddrW'({bank_q, cnt_q[InAddrW-2:0]});
  assign in_wsub_o     = sub_q;
  assign in_wdata_o    = rd_data_i;
  assign w_we_o        = w_fire;
  assign w_waddr_o     = w_wr_q[WAddrW-1:0];
  assign w_wsub_o      = w_sub_q;
  assign w_wdata_o     = w_data;
  assign slot_valid_o  = slot_valid_q;
  assign slot_job_o    = job_q;
  assign slot_bias_o   = bias_q;
  assign slot_shift_o  = shift_q;
  assign w_wr_o        = w_wr_q;
`undef CNNA_FIELD
endmodule
