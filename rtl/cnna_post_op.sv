// The fused post-op pipeline of docs/numerics.md, Po lanes in parallel:
//   requantize  y = sat16(rshr(acc, shift[m]))            (rshr rounds half toward +inf; shift <= 63)
//   activation  none | ReLU | LeakyReLU rshr(y*aq, 15) | clip(lo, hi)
//   pooling     max over the window, or average sat16(rshr(S*M, avgShift)); "no pooling" is a 1x1 max window.
// tag_i = {winLast, winFirst}: the first/last pixel of a pooling window (in issue order).
// One output vector leaves (valid_o) per window, 5 cycles after the window's last pixel arrives.
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

  // LeakyReLU slope for y < 0: rshr(y * aq, 15), always within int16 for aq in [0, 2^15).
  function automatic logic signed [15:0] leaky(input logic signed [15:0] y, input logic signed [15:0] aq);
    logic signed [31:0] l;
    l = (32'(y) * 32'(aq) + 32'sd16384) >>> 15;
    leaky = l[15:0];
  endfunction

  // Stage 1: requantize.
  logic             v1_q, v2_q, v3_q, v4_q, v5_q;
  logic [1:0]       t1_q, t2_q;
  logic signed [15:0] y1_q [0:Po-1];
  logic signed [15:0] y2_q [0:Po-1];
  logic signed [35:0] s3_q [0:Po-1];  // window sum: up to 2^18 values of int16
  logic signed [15:0] m3_q [0:Po-1];
  logic signed [53:0] p4_q [0:Po-1];
  logic signed [15:0] m4_q [0:Po-1];
  logic signed [15:0] y5_q [0:Po-1];

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      {v1_q, v2_q, v3_q, v4_q, v5_q} <= '0;
      t1_q <= '0;
      t2_q <= '0;
    end else begin
      v1_q <= valid_i;
      t1_q <= tag_i;
      v2_q <= v1_q;
      t2_q <= t1_q;
      v3_q <= v2_q && t2_q[1];
      v4_q <= v3_q;
      v5_q <= v4_q;
    end
  end

  always_ff @(posedge clk_i) begin
    for (int m = 0; m < Po; m++) begin
      // rshr of a 48-bit value by s >= 48 is 0 (the rounding bias never reaches a whole unit).
      logic signed [48:0] a;
      logic [5:0]         s;
      s = shift_i[m*6 +: 6];
      a = 49'($signed(acc_i[m*48 +: 48]));
      if (s >= 6'd48) a = '0;
      else if (s != 6'd0) a = (a + (49'sd1 <<< (s - 6'd1))) >>> s;
      y1_q[m] <= sat16(64'(a));
    end
  end

  // Stage 2: activation.
  always_ff @(posedge clk_i) begin
    for (int m = 0; m < Po; m++) begin
      logic signed [15:0] y;
      y = y1_q[m];
      unique case (act_i)
        2'(cnna_pkg::ACT_NONE):  y2_q[m] <= y;
        2'(cnna_pkg::ACT_RELU):  y2_q[m] <= (y < 0) ? 16'sd0 : y;
        2'(cnna_pkg::ACT_LEAKY): y2_q[m] <= (y < 0) ? leaky(y, $signed(leaky_aq_i)) : y;
        2'(cnna_pkg::ACT_CLIP):  y2_q[m] <= (y > $signed(clip_hi_i)) ? $signed(clip_hi_i) :
                             (y < $signed(clip_lo_i)) ? $signed(clip_lo_i) : y;
        default:  y2_q[m] <= y;
      endcase
    end
  end

  // Stage 3: pooling state (running max and running sum), updated per pixel.
  always_ff @(posedge clk_i) begin
    if (v2_q) begin
      for (int m = 0; m < Po; m++) begin
        s3_q[m] <= (t2_q[0] ? 36'sd0 : s3_q[m]) + 36'(y2_q[m]);
        m3_q[m] <= (t2_q[0] || y2_q[m] > m3_q[m]) ? y2_q[m] : m3_q[m];
      end
    end
  end

  // Stage 4: average multiply. Stage 5: rounding shift and saturation (or the max).
  always_ff @(posedge clk_i) begin
    for (int m = 0; m < Po; m++) begin
      p4_q[m] <= 54'(s3_q[m]) * 54'($signed({1'b0, avg_m_i}));
      m4_q[m] <= m3_q[m];
    end
  end

  always_ff @(posedge clk_i) begin
    for (int m = 0; m < Po; m++) begin
      // |S*M| < 2^51 (n <= 2^18 values, M < 2^17), so a shift >= 55 gives 0.
      logic signed [55:0] a;
      a = 56'(p4_q[m]);
      if (avg_shift_i >= 6'd55) a = '0;
      else if (avg_shift_i != 6'd0) a = (a + (56'sd1 <<< (avg_shift_i - 6'd1))) >>> avg_shift_i;
      y5_q[m] <= (pool_i == 2'(cnna_pkg::POOL_AVG)) ? sat16(64'(a)) : m4_q[m];
    end
  end

  assign valid_o = v5_q;
  for (genvar m = 0; m < Po; m++) begin : g_y_out
    assign y_o[m*16 +: 16] = y5_q[m];
  end
endmodule
