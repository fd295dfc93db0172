// The Winograd F(2x2, 3x3) walk of a WINOGRAD job (docs/bundle-format.md, docs/numerics.md): it drives the
// input-bank and weight-ring read ports and hands the MAC array 18-bit transformed inputs V and the high
// nibbles of the 20-bit transformed weights U (their low 16 bits are the ring's read data).
//
// Order: windows of the job's pooling in (py, px) order (no pooling: the 2x2 tiles themselves, each of
// their outputs a window of its own); per window the 2x2 tiles (ty, tx even, from conv output (0, 0)) that
// hold its candidates; per tile the channel groups g; per group one STEP of 20 cycles, one per word of the
// group's block run (c = 0..19: a high-nibble word, then four low words, four times; the block's order).
// A high-word cycle loads the word's nibbles and the row transform T = B^T d (row j = c / 5) of the tile's
// 4x4 input d; each low-word cycle k is one MAC-array cycle of position t = 4j + k with V = T B (column k).
// The MAC array's 16-slot ring holds the 16 sums M_t, started at 0 on the first group; on the last group
// each M_t leaves for the output transform (cnna_wino_ot) with the tile's 12-bit tag {last[3:0], first[3:0],
// mask[3:0]} (bit e = 2*dy + dx: the tile output is emitted / opens / closes its window).
// The 16 input entries of a step's d are read during the step before (cycles 0..15; d_next), and d_next
// becomes d_cur with that step's last cycle; a job starts with one step that only reads (the prologue).
// A tile's first step waits for output-FIFO credit (credit_i), as a direct pixel does.
// Timing: the walker runs two steps ahead (nn_*) and computes each tile's bank address (ty - padT) * win +
// tx - padL with one registered multiply; nothing in the 20-cycle issue loop multiplies.
module cnna_wino #(
  parameter int unsigned Pi      = 16,
  parameter int unsigned Po      = 16,
  parameter int unsigned InAddrW = 13,
  parameter int unsigned WAddrW  = 10
) (
  input  logic                   clk_i,
  input  logic                   rst_ni,
  input  logic                   start_i,   // run the job of job_i (its fields hold until done_o)
  input  cnna_rtl_pkg::job_t     job_i,
  input  logic                   credit_i,
  output logic                   done_o,    // pulse: the job's last cycle was issued
  output logic                   mac_o,     // a MAC-array cycle issued (profiling)
  output logic                   stall_o,
  output logic [InAddrW-1:0]     in_raddr_o,
  input  logic [Pi*16-1:0]       in_rdata_i,
  output logic [WAddrW-1:0]      w_raddr_o,
  input  logic [Po*Pi*16-1:0]    w_rdata_i,
  output logic                   mac_valid_o,
  output logic                   mac_first_o,
  output logic                   mac_last_o,
  output logic [11:0]            mac_tag_o,
  output logic [Pi*18-1:0]       mac_x_o,
  output logic [Po*Pi*4-1:0]     mac_nib_o
);
  // ---------------------------------------------------------------- walker
  typedef enum logic [2:0] {WIdle, WWin0, WWin1, WTile0, WTile1, WTile2, WOut, WEnd} wstate_e;
  wstate_e ws_q;

  logic               none_q;   // no pooling: the windows are the tiles, every output its own window
  logic [15:0]        py_q, px_q, ty_q, tx_q, g_q;
  logic [15:0]        e_hp_m1_q, e_wp_m1_q, cg_m1_q;
  logic [7:0]         e_pkh_m1_q, e_pkw_m1_q;
  logic [3:0]         e_psh_q, e_psw_q;
  logic [7:0]         e_ppl_q;
  logic signed [31:0] cyb_q, cxb_q, cy_lo_q, cy_hi_q, cx_lo_q, cx_hi_q;
  logic [15:0]        ty_first_q, ty_last_q, tx_first_q, tx_last_q;
  logic signed [17:0] iy0_q, ix0_q;
  logic signed [35:0] prod_q;
  logic signed [31:0] ag_q;
  logic [3:0]         mask_q, firsts_q, lasts_q;
  // The step after next: bank index of d[0][0] (its group's plane included), first input row / column.
  logic               nn_v_q, nn_end_q, nn_gf_q, nn_gl_q;
  logic [11:0]        nn_tag_q;
  logic signed [31:0] nn_a_q;
  logic signed [17:0] nn_iy0_q, nn_ix0_q;
  logic               nn_take;

  logic signed [31:0] hc_m1, wc_m1, cyb_hi, cxb_hi;
  assign hc_m1  = 32'(job_i.hc) - 32'sd1;
  assign wc_m1  = 32'(job_i.wc) - 32'sd1;
  assign cyb_hi = cyb_q + 32'(e_pkh_m1_q);
  assign cxb_hi = cxb_q + 32'(e_pkw_m1_q);

  // The tile's outputs inside the window, and which of them open / close it.
  logic [3:0] mask, low_bit, high_bit;
  logic       r0, r1, c0, c1;
  always_comb begin
    r0 = 32'(ty_q) >= cy_lo_q;
    r1 = 32'(ty_q) + 32'sd1 <= cy_hi_q;
    c0 = 32'(tx_q) >= cx_lo_q;
    c1 = 32'(tx_q) + 32'sd1 <= cx_hi_q;
    mask = {r1 & c1, r1 & c0, r0 & c1, r0 & c0};
    low_bit  = mask & (~mask + 4'd1);
    high_bit = mask[3] ? 4'b1000 : mask[2] ? 4'b0100 : mask[1] ? 4'b0010 : mask[0] ? 4'b0001 : 4'b0000;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      ws_q <= WIdle;
      none_q <= 1'b0;
      {py_q, px_q, ty_q, tx_q, g_q} <= '0;
      {e_hp_m1_q, e_wp_m1_q, cg_m1_q} <= '0;
      {e_pkh_m1_q, e_pkw_m1_q, e_psh_q, e_psw_q, e_ppl_q} <= '0;
      {cyb_q, cxb_q, cy_lo_q, cy_hi_q, cx_lo_q, cx_hi_q} <= '0;
      {ty_first_q, ty_last_q, tx_first_q, tx_last_q} <= '0;
      {iy0_q, ix0_q} <= '0;
      prod_q <= '0;
      ag_q <= '0;
      {mask_q, firsts_q, lasts_q} <= '0;
      {nn_v_q, nn_end_q, nn_gf_q, nn_gl_q} <= '0;
      nn_tag_q <= '0;
      nn_a_q <= '0;
      {nn_iy0_q, nn_ix0_q} <= '0;
    end else begin
      unique case (ws_q)
        WIdle: begin
          if (start_i) begin
            none_q     <= job_i.pool == 2'(cnna_pkg::POOL_NONE);
            e_hp_m1_q  <= (job_i.pool == 2'(cnna_pkg::POOL_NONE)) ? ((job_i.hc + 16'd1) >> 1) - 16'd1 : job_i.hp - 16'd1;
            e_wp_m1_q  <= (job_i.pool == 2'(cnna_pkg::POOL_NONE)) ? ((job_i.wc + 16'd1) >> 1) - 16'd1 : job_i.wp - 16'd1;
            e_pkh_m1_q <= (job_i.pool == 2'(cnna_pkg::POOL_NONE)) ? 8'd1 : job_i.pkh - 8'd1;
            e_pkw_m1_q <= (job_i.pool == 2'(cnna_pkg::POOL_NONE)) ? 8'd1 : job_i.pkw - 8'd1;
            e_psh_q    <= (job_i.pool == 2'(cnna_pkg::POOL_NONE)) ? 4'd2 : job_i.psh;
            e_psw_q    <= (job_i.pool == 2'(cnna_pkg::POOL_NONE)) ? 4'd2 : job_i.psw;
            e_ppl_q    <= (job_i.pool == 2'(cnna_pkg::POOL_NONE)) ? 8'd0 : job_i.ppad_l;
            cyb_q      <= (job_i.pool == 2'(cnna_pkg::POOL_NONE)) ? 32'sd0 : 32'sd0 - 32'(job_i.ppad_t);
            cxb_q      <= (job_i.pool == 2'(cnna_pkg::POOL_NONE)) ? 32'sd0 : 32'sd0 - 32'(job_i.ppad_l);
            cg_m1_q    <= job_i.cg - 16'd1;
            py_q       <= '0;
            px_q       <= '0;
            nn_v_q     <= 1'b0;
            nn_end_q   <= 1'b0;
            ws_q       <= WWin0;
          end
        end
        WWin0: begin
          cy_lo_q <= cyb_q[31] ? 32'sd0 : cyb_q;
          cx_lo_q <= cxb_q[31] ? 32'sd0 : cxb_q;
          cy_hi_q <= (cyb_hi < hc_m1) ? cyb_hi : hc_m1;
          cx_hi_q <= (cxb_hi < wc_m1) ? cxb_hi : wc_m1;
          ws_q    <= WWin1;
        end
        WWin1: begin
          ty_first_q <= 16'(cy_lo_q) & ~16'd1;
          ty_q       <= 16'(cy_lo_q) & ~16'd1;
          ty_last_q  <= 16'(cy_hi_q) & ~16'd1;
          tx_first_q <= 16'(cx_lo_q) & ~16'd1;
          tx_q       <= 16'(cx_lo_q) & ~16'd1;
          tx_last_q  <= 16'(cx_hi_q) & ~16'd1;
          ws_q       <= WTile0;
        end
        WTile0: begin
          iy0_q    <= 18'(ty_q) - 18'(job_i.pad_t);
          ix0_q    <= 18'(tx_q) - 18'(job_i.pad_l);
          mask_q   <= mask;
          firsts_q <= none_q ? mask : (ty_q == ty_first_q && tx_q == tx_first_q) ? low_bit : 4'd0;
          lasts_q  <= none_q ? mask : (ty_q == ty_last_q && tx_q == tx_last_q) ? high_bit : 4'd0;
          ws_q     <= WTile1;
        end
        WTile1: begin
          prod_q <= iy0_q * $signed({2'b00, job_i.win});
          ws_q   <= WTile2;
        end
        WTile2: begin
          ag_q     <= 32'(prod_q) + 32'(ix0_q);
          g_q      <= '0;
          nn_v_q   <= 1'b1;
          nn_a_q   <= 32'(prod_q) + 32'(ix0_q);
          nn_iy0_q <= iy0_q;
          nn_ix0_q <= ix0_q;
          nn_gf_q  <= 1'b1;
          nn_gl_q  <= (cg_m1_q == 16'd0);
          nn_tag_q <= {lasts_q, firsts_q, mask_q};
          ws_q     <= WOut;
        end
        WOut: begin
          if (nn_take) begin
            if (g_q != cg_m1_q) begin
              g_q     <= g_q + 16'd1;
              ag_q    <= ag_q + 32'(job_i.plane);
              nn_a_q  <= ag_q + 32'(job_i.plane);
              nn_gf_q <= 1'b0;
              nn_gl_q <= (g_q + 16'd1 == cg_m1_q);
            end else begin
              nn_v_q <= 1'b0;
              ws_q   <= WTile0;
              if (tx_q != tx_last_q) begin
                tx_q <= tx_q + 16'd2;
              end else if (ty_q != ty_last_q) begin
                ty_q <= ty_q + 16'd2;
                tx_q <= tx_first_q;
              end else if (px_q != e_wp_m1_q) begin
                px_q  <= px_q + 16'd1;
                cxb_q <= cxb_q + 32'(e_psw_q);
                ws_q  <= WWin0;
              end else if (py_q != e_hp_m1_q) begin
                px_q  <= '0;
                py_q  <= py_q + 16'd1;
                cxb_q <= 32'sd0 - 32'(e_ppl_q);
                cyb_q <= cyb_q + 32'(e_psh_q);
                ws_q  <= WWin0;
              end else begin
                nn_v_q   <= 1'b1;
                nn_end_q <= 1'b1;
                ws_q     <= WEnd;
              end
            end
          end
        end
        WEnd: if (done_o) ws_q <= WIdle;
        default: ws_q <= WIdle;
      endcase
    end
  end

  // ---------------------------------------------------------------- issue
  typedef enum logic [1:0] {IIdle, IInit, IRun} istate_e;
  istate_e is_q;
  logic [4:0]         c_q;
  logic               cur_end_q, cur_dummy_q, cur_gf_q, cur_gl_q;
  logic [11:0]        cur_tag_q;
  logic               nxt_end_q, nxt_gf_q, nxt_gl_q;
  logic [11:0]        nxt_tag_q;
  logic signed [31:0] rd_a_q, rd_arow_q, rd_iy_q, rd_ix_q, rd_ix0_q;
  logic [31:0]        w_idx_q;
  logic               issue, step_end, x_valid, is_hi;

  assign step_end = (c_q == 5'd19);
  assign issue    = (is_q == IRun) && !cur_end_q && (!step_end || nn_v_q || nxt_end_q) &&
                    (c_q != 5'd0 || !cur_gf_q || credit_i);
  assign nn_take  = ((is_q == IInit) && nn_v_q && !nn_end_q) || (issue && step_end && !nxt_end_q);
  assign x_valid  = (rd_iy_q >= 0) && (rd_iy_q < 32'(job_i.hin)) && (rd_ix_q >= 0) && (rd_ix_q < 32'(job_i.win));
  assign is_hi    = (c_q == 5'd0) || (c_q == 5'd5) || (c_q == 5'd10) || (c_q == 5'd15);

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      is_q <= IIdle;
      c_q  <= '0;
      {cur_end_q, cur_dummy_q, cur_gf_q, cur_gl_q} <= '0;
      cur_tag_q <= '0;
      {nxt_end_q, nxt_gf_q, nxt_gl_q} <= '0;
      nxt_tag_q <= '0;
      {rd_a_q, rd_arow_q, rd_iy_q, rd_ix_q, rd_ix0_q} <= '0;
      w_idx_q <= '0;
    end else begin
      unique case (is_q)
        IIdle: begin
          if (start_i) begin
            is_q        <= IInit;
            c_q         <= '0;
            cur_end_q   <= 1'b0;
            cur_dummy_q <= 1'b1;  // the prologue: reads the first step's input, issues no MAC cycle
            cur_gf_q    <= 1'b0;
            cur_gl_q    <= 1'b0;
            cur_tag_q   <= '0;
            w_idx_q     <= job_i.w_base;
          end
        end
        IInit: begin
          if (nn_v_q) begin
            is_q      <= IRun;
            nxt_end_q <= nn_end_q;
            nxt_gf_q  <= nn_gf_q;
            nxt_gl_q  <= nn_gl_q;
            nxt_tag_q <= nn_tag_q;
            rd_a_q    <= nn_a_q;
            rd_arow_q <= nn_a_q;
            rd_iy_q   <= 32'(nn_iy0_q);
            rd_ix_q   <= 32'(nn_ix0_q);
            rd_ix0_q  <= 32'(nn_ix0_q);
          end
        end
        IRun: begin
          if (cur_end_q) begin
            is_q <= IIdle;
          end else if (issue) begin
            c_q <= step_end ? 5'd0 : c_q + 5'd1;
            if (!cur_dummy_q) w_idx_q <= (step_end && cur_gl_q) ? job_i.w_base : w_idx_q + 32'd1;
            if (c_q < 5'd16) begin
              if (c_q[1:0] == 2'd3) begin
                rd_arow_q <= rd_arow_q + 32'(job_i.win);
                rd_a_q    <= rd_arow_q + 32'(job_i.win);
                rd_iy_q   <= rd_iy_q + 32'sd1;
                rd_ix_q   <= rd_ix0_q;
              end else begin
                rd_a_q  <= rd_a_q + 32'sd1;
                rd_ix_q <= rd_ix_q + 32'sd1;
              end
            end
            if (step_end) begin
              cur_end_q   <= nxt_end_q;
              cur_dummy_q <= 1'b0;
              cur_gf_q    <= nxt_gf_q;
              cur_gl_q    <= nxt_gl_q;
              cur_tag_q   <= nxt_tag_q;
              if (!nxt_end_q) begin
                nxt_end_q <= nn_end_q;
                nxt_gf_q  <= nn_gf_q;
                nxt_gl_q  <= nn_gl_q;
                nxt_tag_q <= nn_tag_q;
                rd_a_q    <= nn_a_q;
                rd_arow_q <= nn_a_q;
                rd_iy_q   <= 32'(nn_iy0_q);
                rd_ix_q   <= 32'(nn_ix0_q);
                rd_ix0_q  <= 32'(nn_ix0_q);
              end
            end
          end
        end
        default: is_q <= IIdle;
      endcase
    end
  end

  assign done_o     = (is_q == IRun) && cur_end_q;
  assign mac_o      = issue && !cur_dummy_q && !is_hi;
  assign stall_o    = (is_q == IRun) && !cur_end_q && !issue;
  assign in_raddr_o = InAddrW'({job_i.in_bank, rd_a_q[InAddrW-2:0]});
  assign w_raddr_o  = w_idx_q[WAddrW-1:0];

  // Only the job fields of the walk are used (and the struct's others are the direct path's).
  logic unused_bits;
  assign unused_bits = ^{rd_a_q[31:InAddrW-1], w_idx_q[31:WAddrW], prod_q[35:32], job_i};

  // ---------------------------------------------------------------- stage 1 (read data present)
  logic       s1_v_q, s1_real_q, s1_rd_q, s1_xv_q, s1_hi_q, s1_swap_q, s1_gf_q, s1_gl_q;
  logic [3:0] s1_ri_q;  // d entry written (read cycle c)
  logic [1:0] s1_j_q, s1_k_q;
  logic [11:0] s1_tag_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      {s1_v_q, s1_real_q, s1_rd_q, s1_xv_q, s1_hi_q, s1_swap_q, s1_gf_q, s1_gl_q} <= '0;
      s1_ri_q  <= '0;
      s1_j_q   <= '0;
      s1_k_q   <= '0;
      s1_tag_q <= '0;
    end else begin
      s1_v_q    <= issue;
      s1_real_q <= !cur_dummy_q;
      s1_rd_q   <= (c_q < 5'd16) && !nxt_end_q;
      s1_xv_q   <= x_valid;
      s1_hi_q   <= is_hi;
      s1_swap_q <= step_end;
      s1_gf_q   <= cur_gf_q;
      s1_gl_q   <= cur_gl_q;
      s1_ri_q   <= c_q[3:0];
      s1_j_q    <= (c_q < 5'd5) ? 2'd0 : (c_q < 5'd10) ? 2'd1 : (c_q < 5'd15) ? 2'd2 : 2'd3;
      s1_k_q    <= (c_q < 5'd5) ? 2'(c_q - 5'd1) : (c_q < 5'd10) ? 2'(c_q - 5'd6) : (c_q < 5'd15) ? 2'(c_q - 5'd11) : 2'(c_q - 5'd16);
      s1_tag_q  <= cur_tag_q;
    end
  end

  // d_next / d_cur: 16 entries of Pi int16, entry 4*r + s = input row r, column s of the tile.
  logic [16*Pi*16-1:0] dn_q, dc_q;
  always_ff @(posedge clk_i) begin
    if (s1_v_q && s1_rd_q) dn_q[s1_ri_q*Pi*16 +: Pi*16] <= s1_xv_q ? in_rdata_i : '0;
    if (s1_v_q && s1_swap_q) dc_q <= dn_q;
  end

  // High-nibble word, held for the four low words after it.
  logic [Po*Pi*16-1:0] hi_q;
  always_ff @(posedge clk_i) begin
    if (s1_v_q && s1_hi_q) hi_q <= w_rdata_i;
  end

  // B^T of F(2x2, 3x3), row r: out = x[a] + sign * x[b] with (a, b, sign) = (0, 2, -), (1, 2, +), (2, 1, -), (1, 3, -).
  // T = B^T d (row s1_j, 17 bits), registered on the high-word cycle; V = T B (column s1_k, 18 bits) per low word.
  for (genvar ci = 0; ci < Pi; ci++) begin : g_lane
    logic signed [16:0] t_q [0:3];
    for (genvar q = 0; q < 4; q++) begin : g_col
      logic signed [15:0] d0, d1, d2, d3;
      assign d0 = dc_q[(0*4 + q)*Pi*16 + ci*16 +: 16];
      assign d1 = dc_q[(1*4 + q)*Pi*16 + ci*16 +: 16];
      assign d2 = dc_q[(2*4 + q)*Pi*16 + ci*16 +: 16];
      assign d3 = dc_q[(3*4 + q)*Pi*16 + ci*16 +: 16];
      always_ff @(posedge clk_i) begin
        if (s1_v_q && s1_hi_q) begin
          unique case (s1_j_q)
            2'd0: t_q[q] <= 17'(d0) - 17'(d2);
            2'd1: t_q[q] <= 17'(d1) + 17'(d2);
            2'd2: t_q[q] <= 17'(d2) - 17'(d1);
            default: t_q[q] <= 17'(d1) - 17'(d3);
          endcase
        end
      end
    end
    logic signed [17:0] v;
    always_comb begin
      unique case (s1_k_q)
        2'd0: v = 18'(t_q[0]) - 18'(t_q[2]);
        2'd1: v = 18'(t_q[1]) + 18'(t_q[2]);
        2'd2: v = 18'(t_q[2]) - 18'(t_q[1]);
        default: v = 18'(t_q[1]) - 18'(t_q[3]);
      endcase
    end
    assign mac_x_o[ci*18 +: 18] = v;
  end

  for (genvar l = 0; l < Po * Pi; l++) begin : g_nib
    assign mac_nib_o[l*4 +: 4] = hi_q[l*16 + 4*s1_k_q +: 4];
  end

  assign mac_valid_o = s1_v_q && s1_real_q && !s1_hi_q;
  assign mac_first_o = s1_gf_q;
  assign mac_last_o  = s1_gl_q;
  assign mac_tag_o   = s1_tag_q;
endmodule
