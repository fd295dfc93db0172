// The compute unit: takes one job at a time from the loader's slot and walks its loop nest
//   for (py, px) pooled outputs; for (wy, wx) the window's conv pixels inside [0,Hc)x[0,Wc);
//   for (ky, kx, cg) one MAC-array cycle: PI input channels of pixel (iy, ix) x the (ky,kx,cg) weight word,
// with iy = (cyb+wy)*sh + ky*dh - padT (ix alike); positions outside the tile read as zero (padding).
// It drives the input-bank and weight-ring read ports, the MAC array and the post-op pipeline, and pushes
// one Po-lane output vector per window into the output FIFO (of which outGroups lane groups of PI are written). Each pixel costs one setup cycle plus
// Kh*Kw*CG MAC cycles; each window one more setup cycle; each job a fixed drain.
// Invariants: a pixel is only started when the output FIFO has room for everything in flight; a conv job
// starts only when all its weight words are in the ring; an FC job consumes each word once it has arrived.
// A BATCH job (rows = images, kh = kw = 1, one column) walks words outer, rows inner: each arrived weight word
// is applied in MaxBatch consecutive cycles, one per accumulator slot of the MAC array's ring (rows beyond hin
// read zero and write nothing), then released. ACC_IN starts from the ring's held sums instead of the bias;
// ACC_OUT keeps them there: no output command, no outputs.
// A WINOGRAD job (Wino builds only) is walked by cnna_wino (2x2 tiles, 20 cycles per tile and channel group)
// and its MAC-array sums go through the output transform cnna_wino_ot to the post-op; its drain is longer
// (WinoDrain: the transform's five cycles more).
// Timing: no multiply sits in the loop nest. The job's products (stride x width, pooling stride x stride,
// padding x width) are job constants registered in two stages while the output command is issued (CCmd,
// CWait); the first input position and address of each pixel and window are kept by increments.
module cnna_compute #(
  parameter int unsigned Pi           = 16,
  parameter int unsigned Po           = 16,
  parameter int unsigned DataWidth    = 128,
  parameter int unsigned AddrWidth    = 32,
  parameter int unsigned InBankDepth  = 4096,
  parameter int unsigned WBankDepth   = 512,
  parameter int unsigned OutFifoDepth = 32,
  parameter int unsigned MaxBatch     = 8,
  parameter bit          Wino         = 1'b0,
  localparam int unsigned Bpe         = Pi * 16 / DataWidth,  // bus beats per output lane group (PI int16)
  localparam int unsigned InAddrW     = $clog2(InBankDepth) + 1,  // {bank, entry}
  localparam int unsigned WAddrW      = $clog2(2 * WBankDepth),
  localparam int unsigned OutCntW     = $clog2(OutFifoDepth + 1),
  localparam int unsigned DrainCycles = 16,
  localparam int unsigned WinoDrain   = 24,
  localparam int unsigned XW          = Wino ? 18 : 16,  // MAC operand widths (cnna_mac_array)
  localparam int unsigned WW          = Wino ? 20 : 16,
  localparam int unsigned TagW        = Wino ? 12 : 2
) (
  input  logic                 clk_i,
  input  logic                 rst_ni,
  input  logic                 start_i,        // a new run: job and weight-ring counters restart at 0
  input  logic                 slot_valid_i,
  output logic                 slot_take_o,
  input  cnna_rtl_pkg::job_t       slot_job_i,
  input  logic [Po*48-1:0]     slot_bias_i,
  input  logic [Po*6-1:0]      slot_shift_i,
  input  logic [31:0]          w_wr_i,
  output logic [31:0]          w_rel_o,
  output logic [31:0]          jobs_done_o,
  output logic                 idle_o,
  output logic [InAddrW-1:0]   in_raddr_o,
  input  logic [Pi*16-1:0]     in_rdata_i,
  output logic [WAddrW-1:0]    w_raddr_o,
  input  logic [Po*Pi*16-1:0]  w_rdata_i,
  output logic                 wr_cmd_valid_o,
  input  logic                 wr_cmd_ready_i,
  output logic [AddrWidth-1:0] wr_cmd_addr_o,
  output logic [23:0]          wr_cmd_row_beats_o,
  output logic [15:0]          wr_cmd_rows_o,
  output logic [31:0]          wr_cmd_row_stride_o,
  output logic [15:0]          wr_cmd_cols_o,          // output columns (wp)
  output logic [4:0]           wr_cmd_groups_o,        // lane groups written per output vector
  output logic                 wr_cmd_tiles_o,         // outputs come in 2x2 tiles (a WINOGRAD job without pooling)
  output logic [31:0]          wr_cmd_group_stride_o,  // bytes between lane groups
  output logic                 out_push_o,
  output logic [Po*16-1:0]     out_data_o,
  input  logic [OutCntW-1:0]   out_count_i,
  output logic                 mac_busy_o,
  output logic                 stall_o,
  output logic                 job_done_o,
  output logic [15:0]          job_layer_o
);
  typedef enum logic [2:0] {CIdle, CCmd, CWait, CWin, CPix, CMac, CDrain, CWino} cstate_e;
  cstate_e state_q, state_d;

  cnna_rtl_pkg::job_t    job_q;
  logic [Po*48-1:0]  bias_q;
  logic [Po*6-1:0]   shift_q;
  logic [31:0]       jobs_done_q, w_rel_q, widx_q, cg_off_q;
  logic [15:0]       py_q, px_q, cgi_q;
  logic [7:0]        ky_q, kx_q;
  logic signed [31:0] cyb_q, cxb_q, wy_q, wx_q, wy_lo_q, wy_hi_q, wx_lo_q, wx_hi_q;
  logic signed [31:0] ix0_q, iy_q, ix_q, a_row_q, a_q;
  logic [31:0]       w_idx_q;      // job_q.w_base + widx_q: the ring index of the next weight word
  logic [31:0]       w_idx1_q;     // w_idx_q + 1
  // Window start (cyb, cxb) times the stride, kept by increments: cybs = cyb*sh, cxbs = cxb*sw, cybsw = cyb*sh*win.
  logic signed [31:0] cybs_q, cxbs_q, cybsw_q;
  // Conv rows / columns left from the window start: remy = hc-1-cyb, remx = wc-1-cxb (the window's clamp).
  logic signed [31:0] remy_q, remx_q;
  // The current pixel's first input row / column and bank address, and the address of its window row's first pixel.
  logic signed [31:0] py0_q, px0_q, pa0_q, prow_q, wx0_q;
  logic              win_first_q, win_last_q, job_done_q;
  logic [7:0]        n_q;          // BATCH job: the row (image, accumulator slot) of this step
  // Registered in CPix for the pixel's MAC cycles (wx/wy/px/py change only on its last issue): the pixel is
  // the last of its window row / window / job row / job.
  logic              wx_end_q, wy_end_q, px_end_q, job_last_q;
  // last_q: widx_q == nw - 1 (the next issue is the pixel's last), kept a cycle early. mac_ok_q: the next
  // weight word may be issued (conv job, or a streamed job whose word has arrived: the write pointer of the
  // cycle before has passed it).
  logic              last_q, mac_ok_q, w_ready_q;
  logic [4:0]        drain_q;

  // Job fields as signed 32-bit values.
  logic signed [31:0] hin_s, win_s, dh_s, dw_s;
  assign hin_s  = 32'(job_q.hin);
  assign win_s  = 32'(job_q.win);
  assign dh_s   = 32'(job_q.dh);
  assign dw_s   = 32'(job_q.dw);

  // Job constants. Stage 1 is registered from the slot while the unit waits in CIdle (the loader holds the
  // slot until it is taken), stage 2 in CCmd from stage 1; CCmd lasts at least one cycle, so both are valid
  // from CWait on.
  logic        [11:0] k_pty_q, k_plx_q;  // ppad_t * sh, ppad_l * sw
  logic signed [16:0] k_nwin_q;         // -win
  logic signed [31:0] k_dhw_q, k_shw_q, k_pshsh_q, k_pswsw_q, k_cy0_q, k_cx0_q, k_padtw_q, k_pshshw_q, k_cy0w_q, k_c0_q, k_pkh_m1_q, k_pkw_m1_q, k_remy0_q, k_remx0_q;
  logic [31:0]       k_nw_m1_q, k_nw_m2_q, k_w_end_q;
  logic [15:0]       k_cg_m1_q, k_wp_m1_q, k_hp_m1_q;
  logic [7:0]        k_kw_m1_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      k_dhw_q    <= '0;
      k_shw_q    <= '0;
      k_pshsh_q  <= '0;
      k_pswsw_q  <= '0;
      k_pty_q    <= '0;
      k_plx_q    <= '0;
      k_nwin_q   <= '0;
      k_cy0_q    <= '0;
      k_cx0_q    <= '0;
      k_padtw_q  <= '0;
      k_pshshw_q <= '0;
      k_cy0w_q   <= '0;
      k_c0_q     <= '0;
      k_pkh_m1_q <= '0;
      k_pkw_m1_q <= '0;
      k_remy0_q  <= '0;
      k_remx0_q  <= '0;
      k_nw_m1_q  <= '0;
      k_nw_m2_q  <= '0;
      k_w_end_q  <= '0;
      k_cg_m1_q  <= '0;
      k_wp_m1_q  <= '0;
      k_hp_m1_q  <= '0;
      k_kw_m1_q  <= '0;
    end else if (state_q == CIdle) begin
      k_dhw_q   <= 32'(slot_job_i.dh) * 32'(slot_job_i.win);
      k_shw_q   <= 32'(slot_job_i.sh) * 32'(slot_job_i.win);
      k_pshsh_q <= 32'(slot_job_i.psh) * 32'(slot_job_i.sh);
      k_pswsw_q <= 32'(slot_job_i.psw) * 32'(slot_job_i.sw);
      k_pty_q   <= 12'(slot_job_i.ppad_t) * 12'(slot_job_i.sh);
      k_plx_q   <= 12'(slot_job_i.ppad_l) * 12'(slot_job_i.sw);
      k_nwin_q  <= 17'sd0 - 17'(slot_job_i.win);
      k_padtw_q <= 32'(slot_job_i.pad_t) * 32'(slot_job_i.win);
      k_w_end_q <= slot_job_i.w_base + slot_job_i.nw;
    end else if (state_q == CCmd) begin
      k_pshshw_q <= k_pshsh_q * win_s;
      k_cy0_q    <= 32'sd0 - 32'(k_pty_q);
      k_cx0_q    <= 32'sd0 - 32'(k_plx_q);
      k_cy0w_q   <= 32'($signed({1'b0, k_pty_q})) * 32'(k_nwin_q);
      k_c0_q     <= 32'sd0 - k_padtw_q - 32'(job_q.pad_l);
      k_pkh_m1_q <= 32'(job_q.pkh) - 32'sd1;
      k_pkw_m1_q <= 32'(job_q.pkw) - 32'sd1;
      k_remy0_q  <= 32'(job_q.hc) - 32'sd1 + 32'(job_q.ppad_t);
      k_remx0_q  <= 32'(job_q.wc) - 32'sd1 + 32'(job_q.ppad_l);
      k_nw_m1_q  <= job_q.nw - 32'd1;
      k_nw_m2_q  <= job_q.nw - 32'd2;
      k_cg_m1_q  <= job_q.cg - 16'd1;
      k_wp_m1_q  <= job_q.wp - 16'd1;
      k_hp_m1_q  <= job_q.hp - 16'd1;
      k_kw_m1_q  <= job_q.kw - 8'd1;
    end
  end

  // Window clamps: the window's candidates are the conv pixels inside [0,Hc) x [0,Wc).
  logic signed [31:0] wy_lo, wy_hi, wx_lo, wx_hi;
  always_comb begin
    wy_lo = cyb_q[31] ? -cyb_q : 32'sd0;
    wx_lo = cxb_q[31] ? -cxb_q : 32'sd0;
    wy_hi = (remy_q < k_pkh_m1_q) ? remy_q : k_pkh_m1_q;
    wx_hi = (remx_q < k_pkw_m1_q) ? remx_q : k_pkw_m1_q;
  end

  // Window setup: the window's first candidate is conv pixel (max(cyb,0), max(cxb,0)) (the clamp above),
  // whose first input row, column and bank address follow from the stride products without a multiply.
  logic signed [31:0] win_y0, win_x0, win_a0;
  assign win_y0 = (cyb_q[31] ? 32'sd0 : cybs_q) - 32'(job_q.pad_t);
  assign win_x0 = (cxb_q[31] ? 32'sd0 : cxbs_q) - 32'(job_q.pad_l);
  assign win_a0 = (cyb_q[31] ? 32'sd0 : cybsw_q) + (cxb_q[31] ? 32'sd0 : cxbs_q) + k_c0_q;

  logic credit, issue, last_mac, x_valid;
  logic wino_done, wino_mac, wino_stall;
  // A conv job's block is in when w_wr - w_base >= nw, i.e. w_wr - (w_base + nw) >= 0 (ring distances are far
  // below 2^31); a streamed job's next word has arrived when the write pointer has passed it (w_wr - w_base > widx).
  // w_ready_q (registered from the write pointer one cycle old, which only grows): the conv job's block is in.
  logic signed [31:0] w_past_end;
  assign w_past_end = w_wr_i - k_w_end_q;
  assign credit   = (OutFifoDepth >= 16) && (32'(out_count_i) <= 32'(OutFifoDepth) - 32'd16);
  assign issue    = (state_q == CMac) && mac_ok_q;
  assign last_mac = last_q;
  assign x_valid  = (iy_q >= 0) && (iy_q < hin_s) && (ix_q >= 0) && (ix_q < win_s);

  logic pix_last_in_win, win_last_in_job, batch_wrap, batch_row, w_adv;
  assign batch_wrap = (n_q == 8'(MaxBatch - 1));
  assign batch_row  = (16'(n_q) < job_q.hin);
  assign pix_last_in_win = win_last_q;
  assign win_last_in_job = job_last_q;

  // An issue that moves to the next weight word (a BATCH job applies each word MaxBatch times).
  assign w_adv = issue && (!job_q.batch || batch_wrap);

  // Whether the next cycle may issue: the write pointer against the three ring indices the next cycle may
  // read (the job's first word after CPix, the word after an issue, or the same word), compared in parallel.
  logic ne_base, ne_idx, ne_idx1;
  assign ne_base = (w_wr_i != job_q.w_base);
  assign ne_idx  = (w_wr_i != w_idx_q);
  assign ne_idx1 = (w_wr_i != w_idx1_q);
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      mac_ok_q  <= 1'b0;
      last_q    <= 1'b0;
      w_ready_q <= 1'b0;
    end else begin
      mac_ok_q  <= !job_q.stream || ((state_q == CPix) ? ne_base : w_adv ? ne_idx1 : ne_idx);
      w_ready_q <= (w_past_end >= 32'sd0);
      if (state_q == CPix) last_q <= (k_nw_m1_q == 32'd0);
      else if (w_adv) last_q <= (widx_q == k_nw_m2_q);
    end
  end

  always_comb begin
    state_d = state_q;
    unique case (state_q)
      CIdle:  if (slot_valid_i) state_d = CCmd;
      CCmd:   if (wr_cmd_ready_i || job_q.acc_out) state_d = CWait;
      CWait:  if (job_q.stream || w_ready_q) state_d = (Wino && job_q.wino) ? CWino : CWin;
      CWino:  if (wino_done) state_d = CDrain;
      CWin:   state_d = CPix;
      CPix:   if (credit) state_d = CMac;
      CMac: begin
        if (job_q.batch) begin
          if (issue && last_mac && batch_wrap) state_d = CDrain;
        end else if (issue && last_mac) begin
          if (!pix_last_in_win) state_d = CPix;
          else if (!win_last_in_job) state_d = CWin;
          else state_d = CDrain;
        end
      end
      CDrain: if (drain_q == ((Wino && job_q.wino) ? 5'(WinoDrain - 1) : 5'(DrainCycles - 1))) state_d = CIdle;
      default: state_d = CIdle;
    endcase
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q     <= CIdle;
      job_q       <= '0;
      bias_q      <= '0;
      shift_q     <= '0;
      jobs_done_q <= '0;
      w_rel_q     <= '0;
      widx_q      <= '0;
      cg_off_q    <= '0;
      py_q        <= '0;
      px_q        <= '0;
      cgi_q       <= '0;
      ky_q        <= '0;
      kx_q        <= '0;
      cyb_q       <= '0;
      cxb_q       <= '0;
      wy_q        <= '0;
      wx_q        <= '0;
      wy_lo_q     <= '0;
      wy_hi_q     <= '0;
      wx_lo_q     <= '0;
      wx_hi_q     <= '0;
      ix0_q       <= '0;
      w_idx_q     <= '0;
      w_idx1_q    <= '0;
      cybs_q      <= '0;
      cxbs_q      <= '0;
      cybsw_q     <= '0;
      remy_q      <= '0;
      remx_q      <= '0;
      py0_q       <= '0;
      px0_q       <= '0;
      pa0_q       <= '0;
      prow_q      <= '0;
      wx0_q       <= '0;
      iy_q        <= '0;
      ix_q        <= '0;
      a_row_q     <= '0;
      a_q         <= '0;
      win_first_q <= 1'b0;
      win_last_q  <= 1'b0;
      wx_end_q    <= 1'b0;
      wy_end_q    <= 1'b0;
      px_end_q    <= 1'b0;
      job_last_q  <= 1'b0;
      job_done_q  <= 1'b0;
      drain_q     <= '0;
      n_q         <= '0;
    end else begin
      state_q    <= state_d;
      job_done_q <= 1'b0;
      unique case (state_q)
        CIdle: begin
          if (slot_valid_i) begin
            job_q   <= slot_job_i;
            bias_q  <= slot_bias_i;
            shift_q <= slot_shift_i;
          end
        end
        CWait: begin
          py_q  <= '0;
          px_q  <= '0;
          cyb_q   <= 32'sd0 - 32'(job_q.ppad_t);
          cxb_q   <= 32'sd0 - 32'(job_q.ppad_l);
          cybs_q  <= k_cy0_q;
          cxbs_q  <= k_cx0_q;
          cybsw_q <= k_cy0w_q;
          remy_q  <= k_remy0_q;
          remx_q  <= k_remx0_q;
        end
        CWin: begin
          wy_lo_q <= wy_lo;
          wy_hi_q <= wy_hi;
          wx_lo_q <= wx_lo;
          wx_hi_q <= wx_hi;
          wy_q    <= wy_lo;
          wx_q    <= wx_lo;
          py0_q   <= win_y0;
          px0_q   <= win_x0;
          wx0_q   <= win_x0;
          pa0_q   <= win_a0;
          prow_q  <= win_a0;
        end
        CPix: begin
          iy_q        <= py0_q;
          ix0_q       <= px0_q;
          ix_q        <= px0_q;
          a_row_q     <= pa0_q;
          a_q         <= pa0_q;
          w_idx_q     <= job_q.w_base;
          w_idx1_q    <= job_q.w_base + 32'd1;
          ky_q        <= '0;
          kx_q        <= '0;
          cgi_q       <= '0;
          cg_off_q    <= '0;
          widx_q      <= '0;
          n_q         <= '0;
          win_first_q <= (wy_q == wy_lo_q) && (wx_q == wx_lo_q);
          wx_end_q    <= (wx_q == wx_hi_q);
          wy_end_q    <= (wy_q == wy_hi_q);
          px_end_q    <= (px_q == k_wp_m1_q);
          win_last_q  <= (wx_q == wx_hi_q) && (wy_q == wy_hi_q);
          job_last_q  <= (px_q == k_wp_m1_q) && (py_q == k_hp_m1_q);
        end
        CMac: begin
          if (issue && job_q.batch) begin
            // BATCH: the next row of the same word, or after the last slot the next word.
            if (batch_wrap) begin
              n_q      <= '0;
              a_q      <= '0;
              widx_q   <= widx_q + 32'd1;
              w_idx_q  <= w_idx1_q;
              w_idx1_q <= w_idx1_q + 32'd1;
              w_rel_q  <= w_idx1_q;
              cg_off_q <= cg_off_q + job_q.plane;
            end else begin
              n_q <= n_q + 8'd1;
              a_q <= a_q + 32'sd1;
            end
          end else if (issue) begin
            widx_q  <= widx_q + 32'd1;
            w_idx_q  <= w_idx1_q;
            w_idx1_q <= w_idx1_q + 32'd1;
            if (job_q.stream) w_rel_q <= w_idx1_q;
            if (cgi_q == k_cg_m1_q) begin
              cgi_q    <= '0;
              cg_off_q <= '0;
              if (kx_q == k_kw_m1_q) begin
                kx_q    <= '0;
                ky_q    <= ky_q + 8'd1;
                iy_q    <= iy_q + dh_s;
                ix_q    <= ix0_q;
                a_row_q <= a_row_q + k_dhw_q;
                a_q     <= a_row_q + k_dhw_q;
              end else begin
                kx_q <= kx_q + 8'd1;
                ix_q <= ix_q + dw_s;
                a_q  <= a_q + dw_s;
              end
            end else begin
              cgi_q    <= cgi_q + 16'd1;
              cg_off_q <= cg_off_q + job_q.plane;
            end
            if (last_mac) begin
              if (!wx_end_q) begin
                wx_q  <= wx_q + 32'sd1;
                px0_q <= px0_q + 32'(job_q.sw);
                pa0_q <= pa0_q + 32'(job_q.sw);
              end else if (!wy_end_q) begin
                wy_q   <= wy_q + 32'sd1;
                wx_q   <= wx_lo_q;
                py0_q  <= py0_q + 32'(job_q.sh);
                px0_q  <= wx0_q;
                prow_q <= prow_q + k_shw_q;
                pa0_q  <= prow_q + k_shw_q;
              end else if (!px_end_q) begin
                px_q   <= px_q + 16'd1;
                cxb_q  <= cxb_q + 32'(job_q.psw);
                cxbs_q <= cxbs_q + k_pswsw_q;
                remx_q <= remx_q - 32'(job_q.psw);
              end else begin
                px_q    <= '0;
                py_q    <= py_q + 16'd1;
                cxb_q   <= 32'sd0 - 32'(job_q.ppad_l);
                cxbs_q  <= k_cx0_q;
                remx_q  <= k_remx0_q;
                remy_q  <= remy_q - 32'(job_q.psh);
                cyb_q   <= cyb_q + 32'(job_q.psh);
                cybs_q  <= cybs_q + k_pshsh_q;
                cybsw_q <= cybsw_q + k_pshshw_q;
              end
            end
          end
        end
        CDrain: begin
          drain_q <= drain_q + 5'd1;
          if (state_d == CIdle) begin
            drain_q     <= '0;
            jobs_done_q <= jobs_done_q + 32'd1;
            job_done_q  <= 1'b1;
            if (!job_q.stream) w_rel_q <= job_q.w_base + job_q.nw;
          end
        end
        default: ;
      endcase
      if (start_i) begin
        jobs_done_q <= '0;
        w_rel_q     <= '0;
      end
    end
  end

  // Read ports (one-cycle RAM latency) and the control that travels with the read data.
  logic [31:0] in_idx;
  assign in_idx     = cg_off_q + 32'(a_q);
  logic [InAddrW-1:0] wino_in_raddr;
  logic [WAddrW-1:0]  wino_w_raddr;
  assign in_raddr_o = (Wino && job_q.wino) ? wino_in_raddr : InAddrW'({job_q.in_bank, in_idx[InAddrW-2:0]});
  assign w_raddr_o  = (Wino && job_q.wino) ? wino_w_raddr : w_idx_q[WAddrW-1:0];

  // Ring and bank indices wrap by design; kh is implied by nw (the loop ends on the last weight word).
  logic unused_bits;
  assign unused_bits = ^{in_idx[31:InAddrW-1], w_idx_q[31:WAddrW]};

  logic       v1_q, f1_q, l1_q, xv1_q;
  logic [1:0] t1_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      {v1_q, f1_q, l1_q, xv1_q} <= '0;
      t1_q <= '0;
    end else begin
      v1_q  <= issue;
      f1_q  <= (widx_q == 32'd0) && !(job_q.batch && job_q.acc_in);
      l1_q  <= last_mac && (!job_q.batch || (batch_row && !job_q.acc_out));
      xv1_q <= job_q.batch ? batch_row : x_valid;
      t1_q  <= job_q.batch ? 2'b11 : {win_last_q, win_first_q};
    end
  end

  // MAC-array operands: the direct path's int16 sign-extended to the array's widths, or a WINOGRAD job's
  // V (18 bits) and U (the ring's low 16 bits under the held high nibble).
  logic              mac_v, mac_f, mac_l;
  logic [TagW-1:0]   mac_t;
  logic [Pi*XW-1:0]  mac_x;
  logic [Po*Pi*WW-1:0] mac_w;
  logic [Po*48-1:0]  mac_bias;
  logic              post_v;
  logic [1:0]        post_t;
  logic [Po*48-1:0]  post_acc;
  logic             acc_valid;
  logic [TagW-1:0]  acc_tag;
  logic [Po*48-1:0] acc;
  if (Wino) begin : g_wino
    logic                wv, wf, wl;
    logic [11:0]         wt;
    logic [Pi*18-1:0]    wx;
    logic [Po*Pi*4-1:0]  wnib;
    logic                ot_v;
    logic [1:0]          ot_t;
    logic [Po*48-1:0]    ot_acc;
    logic                wino_start;
    assign wino_start = (state_q == CWait) && (state_d == CWino);
    cnna_wino #(.Pi(Pi), .Po(Po), .InAddrW(InAddrW), .WAddrW(WAddrW)) u_wino (
      .clk_i, .rst_ni,
      .start_i    (wino_start),
      .job_i      (job_q),
      .credit_i   (credit),
      .done_o     (wino_done),
      .mac_o      (wino_mac),
      .stall_o    (wino_stall),
      .in_raddr_o (wino_in_raddr),
      .in_rdata_i,
      .w_raddr_o  (wino_w_raddr),
      .w_rdata_i,
      .mac_valid_o(wv),
      .mac_first_o(wf),
      .mac_last_o (wl),
      .mac_tag_o  (wt),
      .mac_x_o    (wx),
      .mac_nib_o  (wnib)
    );
    assign mac_v    = job_q.wino ? wv : v1_q;
    assign mac_f    = job_q.wino ? wf : f1_q;
    assign mac_l    = job_q.wino ? wl : l1_q;
    assign mac_t    = job_q.wino ? wt : {10'd0, t1_q};
    assign mac_bias = job_q.wino ? '0 : bias_q;
    for (genvar ci = 0; ci < Pi; ci++) begin : g_x
      assign mac_x[ci*18 +: 18] = job_q.wino ? wx[ci*18 +: 18] : (xv1_q ? 18'($signed(in_rdata_i[ci*16 +: 16])) : 18'd0);
    end
    for (genvar l = 0; l < Po * Pi; l++) begin : g_w
      assign mac_w[l*20 +: 20] = {job_q.wino ? wnib[l*4 +: 4] : {4{w_rdata_i[l*16 + 15]}}, w_rdata_i[l*16 +: 16]};
    end
    cnna_wino_ot #(.Po(Po)) u_ot (
      .clk_i, .rst_ni,
      .start_i(wino_start),
      .valid_i(job_q.wino && acc_valid),
      .tag_i  (acc_tag),
      .m_i    (acc),
      .bias_i (bias_q),
      .valid_o(ot_v),
      .tag_o  (ot_t),
      .acc_o  (ot_acc)
    );
    assign post_v   = job_q.wino ? ot_v : acc_valid;
    assign post_t   = job_q.wino ? ot_t : acc_tag[1:0];
    assign post_acc = job_q.wino ? ot_acc : acc;
  end else begin : g_direct
    assign wino_done     = 1'b0;
    assign wino_mac      = 1'b0;
    assign wino_stall    = 1'b0;
    assign wino_in_raddr = '0;
    assign wino_w_raddr  = '0;
    assign mac_v    = v1_q;
    assign mac_f    = f1_q;
    assign mac_l    = l1_q;
    assign mac_t    = t1_q;
    assign mac_bias = bias_q;
    assign mac_x    = xv1_q ? in_rdata_i : '0;
    assign mac_w    = w_rdata_i;
    assign post_v   = acc_valid;
    assign post_t   = acc_tag;
    assign post_acc = acc;
  end

  cnna_mac_array #(.Pi(Pi), .Po(Po), .TagW(TagW), .MaxBatch(MaxBatch), .Wino(Wino)) u_mac (
    .clk_i, .rst_ni,
    .valid_i(mac_v),
    .first_i(mac_f),
    .rot_i  (job_q.batch || (Wino && job_q.wino)),
    .wino_i (Wino && job_q.wino),
    .last_i (mac_l),
    .tag_i  (mac_t),
    .x_i    (mac_x),
    .w_i    (mac_w),
    .bias_i (mac_bias),
    .valid_o(acc_valid),
    .tag_o  (acc_tag),
    .acc_o  (acc)
  );

  cnna_post_op #(.Po(Po)) u_post (
    .clk_i, .rst_ni,
    .valid_i    (post_v),
    .tag_i      (post_t),
    .acc_i      (post_acc),
    .shift_i    (shift_q),
    .act_i      (job_q.act),
    .leaky_aq_i (job_q.act_a),
    .clip_lo_i  (job_q.act_a),
    .clip_hi_i  (job_q.act_b),
    .pool_i     (job_q.pool),
    .avg_m_i    (job_q.avg_m),
    .avg_shift_i(job_q.avg_shift),
    .valid_o    (out_push_o),
    .y_o        (out_data_o)
  );

  assign slot_take_o         = (state_q == CIdle) && slot_valid_i;
  assign wr_cmd_valid_o      = (state_q == CCmd) && !job_q.acc_out;
  assign wr_cmd_addr_o       = AddrWidth'(job_q.out_addr);
  assign wr_cmd_row_beats_o  = 24'(job_q.wp) * 24'(Bpe);
  assign wr_cmd_rows_o       = job_q.hp;
  assign wr_cmd_row_stride_o = 32'(job_q.out_row_stride);
  assign wr_cmd_cols_o       = job_q.wp;
  assign wr_cmd_groups_o     = job_q.out_groups;
  assign wr_cmd_group_stride_o = job_q.out_cg_stride;
  assign wr_cmd_tiles_o      = Wino && job_q.wino && (job_q.pool == 2'(cnna_pkg::POOL_NONE));
  assign jobs_done_o         = jobs_done_q;
  assign w_rel_o             = w_rel_q;
  assign idle_o              = (state_q == CIdle);
  assign mac_busy_o          = issue || wino_mac;
  assign stall_o             = (state_q == CWait && !(job_q.stream || w_ready_q)) ||
                               (state_q == CPix && !credit) || (state_q == CMac && !issue) || wino_stall;
  assign job_done_o          = job_done_q;
  assign job_layer_o         = job_q.layer;
endmodule
