// The fused post-op pipeline of docs/numerics.md, Po lanes in parallel:
//   requantize  y = sat16(rshr(acc, shift[m]))            (rshr rounds half toward +inf; shift <= 63)
//   activation  none | ReLU | LeakyReLU rshr(y*aq, 15) | clip(lo, hi)
//   pooling     max over the window, or average sat16(rshr(S*M, avgShift)); "no pooling" is a 1x1 max window.
// tag_i = {winLast, winFirst}: the first/last pixel of a pooling window (in issue order).
// One output vector leaves (valid_o) per window, 9 cycles after the window's last pixel arrives.
// Rounding shifts use rshr(v, s) = (floor(v / 2^(s-1)) + 1) >> 1 for s >= 1 (the same value as
// (v + 2^(s-1)) >> s, without a wide add), and the saturation is decided by comparing floor(v / 2^(s-1))
// with constants, beside a 16-bit increment.
// Stages (each at most one carry chain, one shifter or one DSP multiply deep, for the timing estimate of
// docs/engine.md):
//   1 requantize shift by s-1              2 round + saturate          3 LeakyReLU product (DSP48E2)
//   4 activation select                    5 pooling state (sum, max)  6 average product, two 18-bit halves
//   7 halves summed                        8 average shift by s-1      9 round + saturate (or the max)
// The job-level inputs (shift_i, act_*, pool_i, avg_*) must hold while a job's data is in flight
// (the compute unit's drain covers the MAC array and this pipeline). The shift amounts minus one and their
// zero flags are registered per lane from shift_i and avg_shift_i (one cycle after they change, long before
// a job's first value arrives), so no subtract and no 16-lane fanout sits in front of the shifters.
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

  // sat16(rshr(v, s)) from t = floor(v / 2^(s-1)) (s >= 1, round) or t = v (s = 0, not round).
  function automatic logic signed [15:0] round_sat16(input logic signed [55:0] t, input logic round);
    if (!round) begin
      if (t > 56'sd32767) round_sat16 = 16'sd32767;
      else if (t < -56'sd32768) round_sat16 = -16'sd32768;
      else round_sat16 = t[15:0];
    end else begin
      if (t >= 56'sd65535) round_sat16 = 16'sd32767;
      else if (t <= -56'sd65538) round_sat16 = -16'sd32768;
      else round_sat16 = t[16:1] + 16'(t[0]);  // (t + 1) >> 1
    end
  endfunction

  // Control: valid and tag beside the data; w* = a window's last pixel left the pooling stage.
  logic       v1_q, v2_q, v3_q, v4_q, w5_q, w6_q, w7_q, w8_q, w9_q;
  logic [1:0] t1_q, t2_q, t3_q, t4_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      {v1_q, v2_q, v3_q, v4_q, w5_q, w6_q, w7_q, w8_q, w9_q} <= '0;
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
      w9_q <= w8_q;
    end
  end

  logic signed [47:0] q1_q [0:Po-1];   // acc >>> (shift - 1), or acc when shift = 0
  logic               r1_q [0:Po-1];   // shift != 0: round
  logic signed [15:0] y2_q [0:Po-1];   // requantized
  logic signed [31:0] l3_q [0:Po-1];   // y * aq
  logic signed [15:0] y3_q [0:Po-1];
  logic signed [15:0] y4_q [0:Po-1];   // activated
  logic signed [35:0] s5_q [0:Po-1];   // window sum: up to 2^18 values of int16
  logic signed [15:0] m5_q [0:Po-1];
  logic signed [35:0] ph6_q [0:Po-1];  // S[35:18] * M (signed)
  logic        [34:0] pl6_q [0:Po-1];  // S[17:0] * M (unsigned)
  logic signed [15:0] m6_q [0:Po-1];
  logic signed [55:0] a7_q [0:Po-1];   // S*M
  logic signed [15:0] m7_q [0:Po-1];
  logic signed [55:0] t8_q [0:Po-1];   // S*M >>> (avgShift - 1), or S*M when avgShift = 0
  logic               r8_q;
  logic signed [15:0] m8_q [0:Po-1];
  logic signed [15:0] y9_q [0:Po-1];

  // Stage 8's rounding flag (one for all lanes).
  always_ff @(posedge clk_i) r8_q <= (avg_shift_i != 6'd0);

  // Per-lane job constants: requantize shift - 1 and shift = 0, average shift - 1 and avgShift = 0.
  logic [5:0] qs_m1_q [0:Po-1];
  logic       qs_z_q  [0:Po-1];
  logic [5:0] as_m1_q [0:Po-1];
  logic       as_z_q  [0:Po-1];

  // One always_ff per lane and stage (generate loops), so any PO elaborates without procedural loops over
  // unpacked arrays.
  for (genvar m = 0; m < Po; m++) begin : g_lane
    // Stage 1: the requantize's shift by s-1 (s >= 48 leaves 0 or -1, which round to 0).
    always_ff @(posedge clk_i) begin
      qs_m1_q[m] <= shift_i[m*6 +: 6] - 6'd1;
      qs_z_q[m]  <= (shift_i[m*6 +: 6] == 6'd0);
      as_m1_q[m] <= avg_shift_i - 6'd1;
      as_z_q[m]  <= (avg_shift_i == 6'd0);
    end
    always_ff @(posedge clk_i) begin
      q1_q[m] <= qs_z_q[m] ? $signed(acc_i[m*48 +: 48]) : ($signed(acc_i[m*48 +: 48]) >>> qs_m1_q[m]);
      r1_q[m] <= !qs_z_q[m];
    end

    // Stage 2: rounding and saturation.
    always_ff @(posedge clk_i) y2_q[m] <= round_sat16(56'(q1_q[m]), r1_q[m]);

    // Stage 3: the LeakyReLU product y*aq (one DSP48E2 per lane); aq in [0, 2^15).
    always_ff @(posedge clk_i) begin
      l3_q[m] <= 32'(y2_q[m]) * 32'($signed(leaky_aq_i));
      y3_q[m] <= y2_q[m];
    end

    // Stage 4: activation. LeakyReLU for y < 0 is rshr(y*aq, 15) = (y*aq + 2^14)[30:15] = l3[30:15] + l3[14]
    // (adding 2^14 carries into bit 15 exactly when bit 14 is set), always within int16.
    always_ff @(posedge clk_i) begin
      logic signed [15:0] y;
      y = y3_q[m];
      unique case (act_i)
        2'(cnna_pkg::ACT_NONE):  y4_q[m] <= y;
        2'(cnna_pkg::ACT_RELU):  y4_q[m] <= (y < 0) ? 16'sd0 : y;
        2'(cnna_pkg::ACT_LEAKY): y4_q[m] <= (y < 0) ? l3_q[m][30:15] + 16'(l3_q[m][14]) : y;
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

    // Stage 7: S*M (|S*M| < 2^51: n <= 2^18 values, M < 2^17).
    always_ff @(posedge clk_i) begin
      a7_q[m] <= (56'(ph6_q[m]) <<< 18) + 56'($signed({1'b0, pl6_q[m]}));
      m7_q[m] <= m6_q[m];
    end

    // Stage 8: the average's shift by avgShift-1 (a shift >= 52 leaves 0 or -1, which round to 0).
    always_ff @(posedge clk_i) begin
      t8_q[m] <= as_z_q[m] ? a7_q[m] : (a7_q[m] >>> as_m1_q[m]);
      m8_q[m] <= m7_q[m];
    end

    // Stage 9: rounding and saturation of the average, or the max.
    always_ff @(posedge clk_i) y9_q[m] <= (pool_i == 2'(cnna_pkg::POOL_AVG)) ? round_sat16(t8_q[m], r8_q) : m8_q[m];
  end

  assign valid_o = w9_q;
  for (genvar m = 0; m < Po; m++) begin : g_y_out
    assign y_o[m*16 +: 16] = y9_q[m];
  end
endmodule
