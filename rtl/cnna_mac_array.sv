// The MAC array: Po output lanes x Pi input lanes of signed 16x16-bit multiplies per cycle.
// Each valid cycle adds, per output lane m, sum_ci w[m][ci] * x[ci] to that lane's 48-bit accumulator;
// first_i starts a new sum at bias[m], last_i hands the finished sum to the post-op pipeline.
// rot_i (a BATCH job, held for the whole job): each lane keeps MaxBatch sums in a ring that turns by one
// slot per valid cycle, so MaxBatch consecutive cycles update MaxBatch different sums (one per image) and
// the next MaxBatch cycles find each sum back in the accumulator register; the ring keeps its sums between
// jobs (ACC_OUT / ACC_IN). acc_o is always the accumulator register (slot 0).
// Wino (an engine with array.winograd): operands are 18-bit inputs x 20-bit weights (the Winograd transforms'
// V and U, docs/numerics.md; one DSP48E2 each, B and A ports), and the ring has Ring = max(MaxBatch, 16) slots:
// wino_i (held for a WINOGRAD job, with rot_i) turns it over all 16 slots, one per Winograd position t, so the
// cycles of one channel group add to the 16 sums M_t in turn (first_i starts each at bias_i, which the compute
// unit drives to 0 for such jobs); a BATCH job turns the first MaxBatch slots as without Wino.
// Pipeline: input registers -> products (DSP48E2 A/B/M registers) -> groups of 4 -> lane sum -> accumulator.
// Invariant: the accumulation is exact in 48 bits (wrapping like any 48-bit adder); the quantizer's accumulator
// bound (docs/numerics.md) keeps bias + sum in range.
module cnna_mac_array #(
  parameter int unsigned Pi   = 16,
  parameter int unsigned Po   = 16,
  parameter int unsigned TagW = 2,
  parameter int unsigned MaxBatch = 8,
  parameter bit          Wino = 1'b0,
  localparam int unsigned XW      = Wino ? 18 : 16,            // input operand bits
  localparam int unsigned WW      = Wino ? 20 : 16,            // weight operand bits
  localparam int unsigned PW      = XW + WW,                   // product bits
  localparam int unsigned GW      = PW + 2,                    // sum of 4 products
  localparam int unsigned NGroups = (Pi + 3) / 4,
  localparam int unsigned SW      = GW + $clog2(NGroups + 1),  // lane sum
  localparam int unsigned Ring    = (Wino && MaxBatch < 16) ? 16 : MaxBatch,
  localparam int unsigned Latency = 5
) (
  input  logic                clk_i,
  input  logic                rst_ni,
  input  logic                valid_i,
  input  logic                first_i,
  input  logic                rot_i,
  input  logic                wino_i,
  input  logic                last_i,
  input  logic [TagW-1:0]     tag_i,
  input  logic [Pi*XW-1:0]    x_i,
  input  logic [Po*Pi*WW-1:0] w_i,
  input  logic [Po*48-1:0]    bias_i,
  output logic                valid_o,
  output logic [TagW-1:0]     tag_o,
  output logic [Po*48-1:0]    acc_o
);
  // Control pipeline: valid, first, last, tag travel beside the data.
  logic [Latency-2:0] v_q, f_q, l_q;
  logic [TagW-1:0]    t_q [0:Latency-2];

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      v_q <= '0;
      f_q <= '0;
      l_q <= '0;
      for (int s = 0; s < Latency - 1; s++) t_q[s] <= '0;
    end else begin
      v_q <= {v_q[Latency-3:0], valid_i};
      f_q <= {f_q[Latency-3:0], first_i};
      l_q <= {l_q[Latency-3:0], last_i};
      t_q[0] <= tag_i;
      for (int s = 1; s < Latency - 1; s++) t_q[s] <= t_q[s-1];
    end
  end

  // Per-lane registers are built in generate loops (one always_ff per lane), so any PI x PO elaborates
  // without procedural loops over unpacked arrays.
  logic signed [XW-1:0] x_q [0:Pi-1];
  logic signed [47:0] acc_q [0:Po-1];

  for (genvar ci = 0; ci < Pi; ci++) begin : g_x
    always_ff @(posedge clk_i) begin
      if (valid_i) x_q[ci] <= x_i[ci*XW +: XW];
    end
  end

  for (genvar m = 0; m < Po; m++) begin : g_lane
    logic signed [WW-1:0] w_q [0:Pi-1];
    logic signed [PW-1:0] p_q [0:Pi-1];
    logic signed [GW-1:0] g_q [0:NGroups-1];
    logic signed [SW-1:0] s_q;

    for (genvar ci = 0; ci < Pi; ci++) begin : g_mul
      always_ff @(posedge clk_i) begin
        if (valid_i) w_q[ci] <= w_i[(m*Pi + ci)*WW +: WW];
        if (v_q[0]) p_q[ci] <= w_q[ci] * x_q[ci];
      end
    end

    for (genvar g = 0; g < NGroups; g++) begin : g_grp
      always_ff @(posedge clk_i) begin
        if (v_q[1]) begin
          logic signed [GW-1:0] sum;
          sum = '0;
          for (int k = 0; k < 4; k++) begin
            if (g*4 + k < Pi) sum = sum + GW'(p_q[g*4 + k]);
          end
          g_q[g] <= sum;
        end
      end
    end

    always_ff @(posedge clk_i) begin
      if (v_q[2]) begin
        logic signed [SW-1:0] sum;
        sum = '0;
        for (int g = 0; g < NGroups; g++) sum = sum + SW'(g_q[g]);
        s_q <= sum;
      end
    end

    // Accumulator: stage Latency-1 sees the control of stage Latency-2. held_q: ring slots 1..Ring-1; the
    // slot that comes back is held_q[MaxBatch-2] (BATCH) or held_q[14] (Winograd).
    logic signed [47:0] held_q [0:Ring-2];
    logic signed [47:0] back;
    if (Wino) begin : g_back_wino
      assign back = wino_i ? held_q[14] : held_q[MaxBatch-2];
    end else begin : g_back
      assign back = held_q[MaxBatch-2];
    end
    always_ff @(posedge clk_i) begin
      if (v_q[Latency-2]) acc_q[m] <= (f_q[Latency-2] ? $signed(bias_i[m*48 +: 48]) : rot_i ? back : acc_q[m]) + 48'(s_q);
    end
    for (genvar k = 0; k < Ring - 1; k++) begin : g_ring
      if (k == 0) begin : g_head
        always_ff @(posedge clk_i) begin
          if (v_q[Latency-2] && rot_i) held_q[k] <= acc_q[m];
        end
      end else begin : g_next
        always_ff @(posedge clk_i) begin
          if (v_q[Latency-2] && rot_i) held_q[k] <= held_q[k-1];
        end
      end
    end
  end

  if (!Wino) begin : g_no_wino
    logic unused_wino;
    assign unused_wino = wino_i;
  end

  logic          out_v_q;
  logic [TagW-1:0] out_t_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      out_v_q <= 1'b0;
      out_t_q <= '0;
    end else begin
      out_v_q <= v_q[Latency-2] && l_q[Latency-2];
      out_t_q <= t_q[Latency-2];
    end
  end

  assign valid_o = out_v_q;
  assign tag_o   = out_t_q;
  for (genvar m = 0; m < Po; m++) begin : g_acc_out
    assign acc_o[m*48 +: 48] = acc_q[m];
  end
endmodule
