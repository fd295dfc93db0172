// The fused post-op pipeline of docs/numerics.md, Po lanes in parallel:
//   requantize  y = sat16(rshr(acc, shift[m]))            (rshr rounds half toward +inf; shift <= 63)
//   activation  none | ReLU | LeakyReLU rshr(y*aq, 15) | clip(lo, hi)
//   pooling     max over the window, or average sat16(rshr(S*M, avgShift)); "no pooling" is a 1x1 max window.
// tag_i = {winLast, winFirst}: the first/last pixel of a pooling window (in issue order).
// One output vector leaves (valid_o) per window, 8 cycles after the window's last pixel arrives.
// Stages (each at most one carry chain or one shifter deep, for the timing estimate of docs/engine.md):
//   1 rounding add of the requantize   2 shift + saturate        3 LeakyReLU product (DSP48E2)
//   4 activation select                5 pooling state (sum, max) 6 average product, two 18-bit halves
//   7 halves summed + rounding add     8 shift + saturate (or the max)
// The job-level inputs (shift_i, act_*, pool_i, avg_*) must hold while a job's data is in flight
// (the compute unit's drain covers the MAC array and this pipeline).
module cnna_post_op #(
  parameter int unsigned Po = 16
) (
  input  logic             clk_i,
  input  logic             rst_ni,
  input  logic             valid_i,
  input  logic [1:0]       tag_i,
  input  logic [Po*48-1:0] acc_i,
  input  logic [Po*6-1:0]  shift_i,
  input  logic [1:0]       act_i,
  input  logic [15:0]      leaky_aq_i,
  input  logic [15:0]      clip_lo_i,
  input  logic [15:0]      clip_hi_i,
  input  logic [1:0]       pool_i,
  input  logic [16:0]      avg_m_i,
  input  logic [5:0]       avg_shift_i,
  output logic             valid_o,
  output logic [Po*16-1:0] y_o
);

  function automatic logic signed [15:0] sat16(input logic signed [63:0] v);
    if (v > 64'sd32767) sat16 = 16'sd32767;
    else if (v < -64'sd32768) sat16 = -16'sd32768;
    else sat16 = v[15:0];
  endfunction

  // Control: valid and tag beside the data; w* = a window's last pixel left the pooling stage.
  logic       v1_q, v2_q, v3_q, v4_q, w5_q, w6_q, w7_q, w8_q;
  logic [1:0] t1_q, t2_q, t3_q, t4_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      {v1_q, v2_q, v3_q, v4_q, w5_q, w6_q, w7_q, w8_q} <= '0;
      {t1_q, t2_q, t3_q, t4_q} <= '0;
    end else begin
      v1_q <= valid_i;  t1_q <= tag_i;
      v2_q <= v1_q;     t2_q <= t1_q;
      v3_q <= v2_q;     t3_q <= t2_q;
      v4_q <= v3_q;     t4_q <= t3_q;
      w5_q <= v4_q && t4_q[1];
      w6_q <= w5_q;
      w7_q <= w6_q;
      w8_q <= w7_q;
    end
  end

  logic signed [48:0] a1_q [0:Po-1];   // acc + rounding bias (0 when shift >= 48)
  logic [5:0]         s1_q [0:Po-1];
  logic signed [15:0] y2_q [0:Po-1];   // requantized
  logic signed [31:0] l3_q [0:Po-1];   // y * aq + 2^14
  logic signed [15:0] y3_q [0:Po-1];
  logic signed [15:0] y4_q [0:Po-1];   // activated
  logic signed [35:0] s5_q [0:Po-1];   // window sum: up to 2^18 values of int16
  logic signed [15:0] m5_q [0:Po-1];
  logic signed [35:0] ph6_q [0:Po-1];  // S[35:18] * M (signed)
  logic        [34:0] pl6_q [0:Po-1];  // S[17:0] * M (unsigned)
  logic signed [15:0] m6_q [0:Po-1];
  logic signed [55:0] a7_q [0:Po-1];   // S*M + rounding bias (0 when avgShift >= 55)
  logic signed [15:0] m7_q [0:Po-1];
  logic signed [15:0] y8_q [0:Po-1];

  // One always_ff per lane and stage (generate loops), so any PO elaborates without procedural loops over
  // unpacked arrays.
  for (genvar m = 0; m < Po; m++) begin : g_lane
    // Stage 1: the requantize's rounding add. rshr of a 48-bit value by s >= 48 is 0 (the rounding bias
    // never reaches a whole unit), so the operand is cleared and stage 2 shifts a zero.
    always_ff @(posedge clk_i) begin
      logic signed [48:0] a;
      logic [5:0]         s;
      s = shift_i[m*6 +: 6];
      a = 49'($signed(acc_i[m*48 +: 48]));
      if (s >= 6'd48) a = '0;
      else if (s != 6'd0) a = a + (49'sd1 <<< (s - 6'd1));
      a1_q[m] <= a;
      s1_q[m] <= s;
    end

    // Stage 2: arithmetic shift and saturation.
    always_ff @(posedge clk_i) begin
      logic signed [48:0] sh;
      sh = a1_q[m] >>> s1_q[m];
      y2_q[m] <= sat16(64'(sh));
    end

    // Stage 3: the LeakyReLU product y*aq + 2^14 (one DSP48E2 per lane); aq in [0, 2^15).
    always_ff @(posedge clk_i) begin
      l3_q[m] <= 32'(y2_q[m]) * 32'($signed(leaky_aq_i)) + 32'sd16384;
      y3_q[m] <= y2_q[m];
    end

    // Stage 4: activation. LeakyReLU for y < 0 is rshr(y*aq, 15) = l3[30:15], always within int16.
    always_ff @(posedge clk_i) begin
      logic signed [15:0] y;
      y = y3_q[m];
      unique case (act_i)
        2'(cnna_pkg::ACT_NONE):  y4_q[m] <= y;
        2'(cnna_pkg::ACT_RELU):  y4_q[m] <= (y < 0) ? 16'sd0 : y;
        2'(cnna_pkg::ACT_LEAKY): y4_q[m] <= (y < 0) ? l3_q[m][30:15] : y;
        2'(cnna_pkg::ACT_CLIP):  y4_q[m] <= (y > $signed(clip_hi_i)) ? $signed(clip_hi_i) :
                             (y < $signed(clip_lo_i)) ? $signed(clip_lo_i) : y;
        default:  y4_q[m] <= y;
      endcase
    end

    // Stage 5: pooling state (running max and running sum), updated per pixel.
    always_ff @(posedge clk_i) begin
      if (v4_q) begin
        s5_q[m] <= (t4_q[0] ? 36'sd0 : s5_q[m]) + 36'(y4_q[m]);
        m5_q[m] <= (t4_q[0] || y4_q[m] > m5_q[m]) ? y4_q[m] : m5_q[m];
      end
    end

    // Stage 6: the average product S*M as two DSP-sized halves, S = S[35:18]*2^18 + S[17:0] (M < 2^17).
    always_ff @(posedge clk_i) begin
      ph6_q[m] <= 36'($signed(s5_q[m][35:18])) * 36'($signed({1'b0, avg_m_i}));
      pl6_q[m] <= 35'(s5_q[m][17:0]) * 35'(avg_m_i);
      m6_q[m]  <= m5_q[m];
    end

    // Stage 7: S*M (|S*M| < 2^51: n <= 2^18 values, M < 2^17) plus the rounding bias; a shift >= 55 gives 0.
    always_ff @(posedge clk_i) begin
      logic signed [55:0] a;
      a = (56'(ph6_q[m]) <<< 18) + 56'($signed({1'b0, pl6_q[m]}));
      if (avg_shift_i >= 6'd55) a = '0;
      else if (avg_shift_i != 6'd0) a = a + (56'sd1 <<< (avg_shift_i - 6'd1));
      a7_q[m] <= a;
      m7_q[m] <= m6_q[m];
    end

    // Stage 8: shift and saturation of the average, or the max.
    always_ff @(posedge clk_i) begin
      logic signed [55:0] sh;
      sh = a7_q[m] >>> avg_shift_i;
      y8_q[m] <= (pool_i == 2'(cnna_pkg::POOL_AVG)) ? sat16(64'(sh)) : m7_q[m];
    end
  end

  assign valid_o = w8_q;
  for (genvar m = 0; m < Po; m++) begin : g_y_out
    assign y_o[m*16 +: 16] = y8_q[m];
  end
endmodule
