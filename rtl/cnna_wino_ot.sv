// The Winograd output transform: takes a tile's 16 sums M_t (t = 4*row + column, in order, one per valid_i,
// Po lanes of 48 bits, the MAC array's finished sums of a WINOGRAD job) and gives the tile's outputs
// Y = A^T M A (A^T = [1 1 1 0; 0 1 -1 -1]), each exactly 4x the direct sum (docs/numerics.md), as
// acc = bias + Y / 4 (an exact arithmetic shift; 48 bits, wrapping like the MAC array's adder) to the post-op,
// output e = 2*dy + dx in order 0..3, only those in the tile's mask, with their window tags.
// Per lane four 50-bit sums (|Y| < 2^49) collect M_t as it arrives (add, subtract or keep); with M_15 they are
// copied to the emission registers, which give one output per cycle in the next four cycles (a tile's next
// M_15 is at least 20 cycles later). tag_i (with M_15) = {last[3:0], first[3:0], mask[3:0]}.
// start_i (a new job) restarts the position count.
module cnna_wino_ot #(
  parameter int unsigned Po = 16
) (
  input  logic             clk_i,
  input  logic             rst_ni,
  input  logic             start_i,
  input  logic             valid_i,
  input  logic [11:0]      tag_i,
  input  logic [Po*48-1:0] m_i,
  input  logic [Po*48-1:0] bias_i,
  output logic             valid_o,
  output logic [1:0]       tag_o,    // {window last, window first}
  output logic [Po*48-1:0] acc_o
);
  logic [3:0]  t_q;
  logic [2:0]  e_q;       // emission cycle 0..3; 4 = idle
  logic [11:0] tag_q;
  logic        out_v_q;
  logic [1:0]  out_t_q;

  // Coefficient of M_t in Y_e: alpha_dy[row] * alpha_dx[column], alpha_0 = (1 1 1 0), alpha_1 = (0 1 -1 -1).
  // Code: 0 keep, 1 add, 2 subtract.
  function automatic logic [1:0] coef(input logic [3:0] t, input int e);
    logic [1:0] ar, ac;  // alpha as code
    logic [1:0] r, c;
    r = t[3:2];
    c = t[1:0];
    if (e / 2 == 0) ar = (r == 2'd3) ? 2'd0 : 2'd1;
    else ar = (r == 2'd0) ? 2'd0 : (r == 2'd1) ? 2'd1 : 2'd2;
    if (e % 2 == 0) ac = (c == 2'd3) ? 2'd0 : 2'd1;
    else ac = (c == 2'd0) ? 2'd0 : (c == 2'd1) ? 2'd1 : 2'd2;
    if (ar == 2'd0 || ac == 2'd0) coef = 2'd0;
    else if (ar == ac) coef = 2'd1;
    else coef = 2'd2;
  endfunction

  logic [1:0] cf [0:3];
  for (genvar e = 0; e < 4; e++) begin : g_cf
    assign cf[e] = coef(t_q, e);
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      t_q     <= '0;
      e_q     <= 3'd4;
      tag_q   <= '0;
      out_v_q <= 1'b0;
      out_t_q <= '0;
    end else begin
      if (start_i) t_q <= '0;
      else if (valid_i) t_q <= t_q + 4'd1;
      if (valid_i && t_q == 4'd15) begin
        tag_q <= tag_i;
        e_q   <= 3'd0;
      end else if (e_q != 3'd4) begin
        e_q <= e_q + 3'd1;
      end
      out_v_q <= (e_q != 3'd4) && tag_q[{2'b00, e_q[1:0]}];
      out_t_q <= {tag_q[{2'b10, e_q[1:0]}], tag_q[{2'b01, e_q[1:0]}]};
    end
  end

  for (genvar m = 0; m < Po; m++) begin : g_lane
    logic signed [49:0] y_q [0:3];
    logic signed [49:0] ys_q [0:3];
    logic signed [49:0] mv;
    logic signed [47:0] acc_q;
    assign mv = 50'($signed(m_i[m*48 +: 48]));
    for (genvar e = 0; e < 4; e++) begin : g_y
      logic signed [49:0] base, sum;
      assign base = (t_q == 4'd0) ? 50'sd0 : y_q[e];
      always_comb begin
        unique case (cf[e])
          2'd1: sum = base + mv;
          2'd2: sum = base - mv;
          default: sum = base;
        endcase
      end
      always_ff @(posedge clk_i) begin
        if (valid_i) y_q[e] <= sum;
        if (valid_i && t_q == 4'd15) ys_q[e] <= sum;
      end
    end
    logic signed [49:0] sel;
    assign sel = ys_q[e_q[1:0]];
    logic unused_sel;
    assign unused_sel = ^sel[1:0];  // Y is a multiple of 4
    always_ff @(posedge clk_i) begin
      acc_q <= $signed(bias_i[m*48 +: 48]) + sel[49:2];
    end
    assign acc_o[m*48 +: 48] = acc_q;
  end

  assign valid_o = out_v_q;
  assign tag_o   = out_t_q;
endmodule
