// The compute unit: takes one job at a time from the loader's slot and walks its loop nest
//   for (py, px) pooled outputs; for (wy, wx) the window's conv pixels inside [0,Hc)x[0,Wc);
//   for (ky, kx, cg) one MAC-array cycle: PI input channels of pixel (iy, ix) x the (ky,kx,cg) weight word,
// with iy = (cyb+wy)*sh + ky*dh - padT (ix alike); positions outside the tile read as zero (padding).
// It drives the input-bank and weight-ring read ports, the MAC array and the post-op pipeline, and pushes
// one Po-lane output vector per window into the output FIFO. Each pixel costs one setup cycle plus
// Kh*Kw*CG MAC cycles; each window one more setup cycle; each job a fixed drain.
// Invariants: a pixel is only started when the output FIFO has room for everything in flight; a conv job
// starts only when all its weight words are in the ring; an FC job consumes each word once it has arrived.
module cnna_compute #(
  parameter int unsigned Pi           = 16,
  parameter int unsigned Po           = 16,
  parameter int unsigned DataWidth    = 128,
  parameter int unsigned AddrWidth    = 32,
  parameter int unsigned InBankDepth  = 4096,
  parameter int unsigned WBankDepth   = 512,
  parameter int unsigned OutFifoDepth = 32,
  localparam int unsigned Bpp         = Po * 16 / DataWidth,  // output beats per pixel
  localparam int unsigned InAddrW     = $clog2(InBankDepth) + 1,  // {bank, entry}
  localparam int unsigned WAddrW      = $clog2(2 * WBankDepth),
  localparam int unsigned OutCntW     = $clog2(OutFifoDepth + 1),
  localparam int unsigned DrainCycles = 16
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
  output logic                 out_push_o,
  output logic [Po*16-1:0]     out_data_o,
  input  logic [OutCntW-1:0]   out_count_i,
  output logic                 mac_busy_o,
  output logic                 stall_o,
  output logic                 job_done_o,
  output logic [15:0]          job_layer_o
);
  typedef enum logic [2:0] {CIdle, CCmd, CWait, CWin, CPix, CMac, CDrain} cstate_e;
  cstate_e state_q, state_d;

  cnna_rtl_pkg::job_t    job_q;
  logic [Po*48-1:0]  bias_q;
  logic [Po*6-1:0]   shift_q;
  logic [31:0]       jobs_done_q, w_rel_q, widx_q, cg_off_q;
  logic [15:0]       py_q, px_q, cgi_q;
  logic [7:0]        ky_q, kx_q;
  logic signed [31:0] cyb_q, cxb_q, wy_q, wx_q, wy_lo_q, wy_hi_q, wx_lo_q, wx_hi_q;
  logic signed [31:0] ix0_q, iy_q, ix_q, a_row_q, a_q;
  logic              win_first_q, win_last_q, job_done_q;
  logic [4:0]        drain_q;

  // Job fields as signed 32-bit values.
  logic signed [31:0] hin_s, win_s, hc_s, wc_s, pkh_s, pkw_s, dh_s, dw_s, padl_s, dhw_s;
  assign hin_s  = 32'(job_q.hin);
  assign win_s  = 32'(job_q.win);
  assign hc_s   = 32'(job_q.hc);
  assign wc_s   = 32'(job_q.wc);
  assign pkh_s  = 32'(job_q.pkh);
  assign pkw_s  = 32'(job_q.pkw);
  assign dh_s   = 32'(job_q.dh);
  assign dw_s   = 32'(job_q.dw);
  assign padl_s = 32'(job_q.pad_l);
  assign dhw_s  = 32'(20'(job_q.dh) * 20'(job_q.win));

  // Window clamps: the window's candidates are the conv pixels inside [0,Hc) x [0,Wc).
  logic signed [31:0] wy_lo, wy_hi, wx_lo, wx_hi;
  always_comb begin
    wy_lo = (cyb_q < 0) ? -cyb_q : 32'sd0;
    wx_lo = (cxb_q < 0) ? -cxb_q : 32'sd0;
    wy_hi = pkh_s - 32'sd1;
    wx_hi = pkw_s - 32'sd1;
    if (hc_s - 32'sd1 - cyb_q < wy_hi) wy_hi = hc_s - 32'sd1 - cyb_q;
    if (wc_s - 32'sd1 - cxb_q < wx_hi) wx_hi = wc_s - 32'sd1 - cxb_q;
  end

  // Pixel setup: first input position of conv pixel (cyb+wy, cxb+wx).
  // Narrow operands keep each product in one DSP48E2: |cy|, |cx| < 2^17, stride < 16, win < 2^16.
  logic signed [17:0] pix_cy, pix_cx;
  logic signed [23:0] pix_iy0_n;
  logic signed [31:0] pix_iy0, pix_ix0, pix_a0;
  assign pix_cy    = 18'(cyb_q + wy_q);
  assign pix_cx    = 18'(cxb_q + wx_q);
  assign pix_iy0_n = 24'(pix_cy * $signed({1'b0, job_q.sh})) - 24'(job_q.pad_t);
  assign pix_iy0   = 32'(pix_iy0_n);
  assign pix_ix0   = 32'(pix_cx * $signed({1'b0, job_q.sw})) - padl_s;
  assign pix_a0    = 32'(pix_iy0_n * $signed({1'b0, job_q.win})) + pix_ix0;

  logic credit, w_ready, issue, last_mac, x_valid;
  assign credit   = 32'(out_count_i) + 32'd16 <= 32'(OutFifoDepth);
  assign w_ready  = (w_wr_i - job_q.w_base) >= job_q.nw;
  assign issue    = (state_q == CMac) && (!job_q.stream || (w_wr_i - job_q.w_base) > widx_q);
  assign last_mac = (widx_q == job_q.nw - 32'd1);
  assign x_valid  = (iy_q >= 0) && (iy_q < hin_s) && (ix_q >= 0) && (ix_q < win_s);

  logic pix_last_in_win, win_last_in_job;
  assign pix_last_in_win = (wx_q == wx_hi_q) && (wy_q == wy_hi_q);
  assign win_last_in_job = (32'(px_q) == 32'(job_q.wp) - 32'd1) && (32'(py_q) == 32'(job_q.hp) - 32'd1);

  always_comb begin
    state_d = state_q;
    unique case (state_q)
      CIdle:  if (slot_valid_i) state_d = CCmd;
      CCmd:   if (wr_cmd_ready_i) state_d = CWait;
      CWait:  if (job_q.stream || w_ready) state_d = CWin;
      CWin:   state_d = CPix;
      CPix:   if (credit) state_d = CMac;
      CMac: begin
        if (issue && last_mac) begin
          if (!pix_last_in_win) state_d = CPix;
          else if (!win_last_in_job) state_d = CWin;
          else state_d = CDrain;
        end
      end
      CDrain: if (drain_q == 5'(DrainCycles - 1)) state_d = CIdle;
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
      iy_q        <= '0;
      ix_q        <= '0;
      a_row_q     <= '0;
      a_q         <= '0;
      win_first_q <= 1'b0;
      win_last_q  <= 1'b0;
      job_done_q  <= 1'b0;
      drain_q     <= '0;
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
          cyb_q <= 32'sd0 - 32'(job_q.ppad_t);
          cxb_q <= 32'sd0 - 32'(job_q.ppad_l);
        end
        CWin: begin
          wy_lo_q <= wy_lo;
          wy_hi_q <= wy_hi;
          wx_lo_q <= wx_lo;
          wx_hi_q <= wx_hi;
          wy_q    <= wy_lo;
          wx_q    <= wx_lo;
        end
        CPix: begin
          iy_q        <= pix_iy0;
          ix0_q       <= pix_ix0;
          ix_q        <= pix_ix0;
          a_row_q     <= pix_a0;
          a_q         <= pix_a0;
          ky_q        <= '0;
          kx_q        <= '0;
          cgi_q       <= '0;
          cg_off_q    <= '0;
          widx_q      <= '0;
          win_first_q <= (wy_q == wy_lo_q) && (wx_q == wx_lo_q);
          win_last_q  <= pix_last_in_win;
        end
        CMac: begin
          if (issue) begin
            widx_q <= widx_q + 32'd1;
            if (job_q.stream) w_rel_q <= job_q.w_base + widx_q + 32'd1;
            if (cgi_q == job_q.cg - 16'd1) begin
              cgi_q    <= '0;
              cg_off_q <= '0;
              if (kx_q == job_q.kw - 8'd1) begin
                kx_q    <= '0;
                ky_q    <= ky_q + 8'd1;
                iy_q    <= iy_q + dh_s;
                ix_q    <= ix0_q;
                a_row_q <= a_row_q + dhw_s;
                a_q     <= a_row_q + dhw_s;
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
              if (wx_q != wx_hi_q) begin
                wx_q <= wx_q + 32'sd1;
              end else if (wy_q != wy_hi_q) begin
                wy_q <= wy_q + 32'sd1;
                wx_q <= wx_lo_q;
              end else if (32'(px_q) != 32'(job_q.wp) - 32'd1) begin
                px_q  <= px_q + 16'd1;
                cxb_q <= cxb_q + 32'(job_q.psw);
              end else begin
                px_q  <= '0;
                py_q  <= py_q + 16'd1;
                cxb_q <= 32'sd0 - 32'(job_q.ppad_l);
                cyb_q <= cyb_q + 32'(job_q.psh);
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
  logic [31:0] in_idx, w_idx;
  assign in_idx     = cg_off_q + 32'(a_q);
  assign w_idx      = job_q.w_base + widx_q;
  assign in_raddr_o = InAddrW'({job_q.in_bank, in_idx[InAddrW-2:0]});
  assign w_raddr_o  = w_idx[WAddrW-1:0];

  // Ring and bank indices wrap by design; kh is implied by nw (the loop ends on the last weight word).
  logic unused_bits;
  assign unused_bits = ^{in_idx[31:InAddrW-1], w_idx[31:WAddrW]};

  logic       v1_q, f1_q, l1_q, xv1_q;
  logic [1:0] t1_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      {v1_q, f1_q, l1_q, xv1_q} <= '0;
      t1_q <= '0;
    end else begin
      v1_q  <= issue;
      f1_q  <= (widx_q == 32'd0);
      l1_q  <= last_mac;
      xv1_q <= x_valid;
      t1_q  <= {win_last_q, win_first_q};
    end
  end

  logic             acc_valid;
  logic [1:0]       acc_tag;
  logic [Po*48-1:0] acc;
  cnna_mac_array #(.Pi(Pi), .Po(Po), .TagW(2)) u_mac (
    .clk_i, .rst_ni,
    .valid_i(v1_q),
    .first_i(f1_q),
    .last_i (l1_q),
    .tag_i  (t1_q),
    .x_i    (xv1_q ? in_rdata_i : '0),
    .w_i    (w_rdata_i),
    .bias_i (bias_q),
    .valid_o(acc_valid),
    .tag_o  (acc_tag),
    .acc_o  (acc)
  );

  cnna_post_op #(.Po(Po)) u_post (
    .clk_i, .rst_ni,
    .valid_i    (acc_valid),
    .tag_i      (acc_tag),
    .acc_i      (acc),
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
  assign wr_cmd_valid_o      = (state_q == CCmd);
  assign wr_cmd_addr_o       = AddrWidth'(job_q.out_addr);
  assign wr_cmd_row_beats_o  = 24'(job_q.wp) * 24'(Bpp);
  assign wr_cmd_rows_o       = job_q.hp;
  assign wr_cmd_row_stride_o = 32'(job_q.out_row_stride);
  assign jobs_done_o         = jobs_done_q;
  assign w_rel_o             = w_rel_q;
  assign idle_o              = (state_q == CIdle);
  assign mac_busy_o          = issue;
  assign stall_o             = (state_q == CWait && !(job_q.stream || w_ready)) ||
                               (state_q == CPix && !credit) || (state_q == CMac && !issue);
  assign job_done_o          = job_done_q;
  assign job_layer_o         = job_q.layer;
endmodule
