// AXI4 burst write master. Takes 2-D region commands (rows x rowBeats bus beats, rowStride bytes apart;
// up to two queued) and a stream of data beats, and writes the beats in order as INCR bursts of at most
// MaxBurst beats that never cross a 4 KB boundary. A burst's address is issued only once all its beats
// are buffered, so W never stalls mid-burst. idle_o: no command, no buffered beat, no write response owed.
// Timing: the next burst's length is formed in two register stages: the beats to the 4 KB boundary
// (to_4k_q, from the command when it is loaded, else from addr_q), then the length and whether the burst
// ends the row (len_q, row_end_q). After an issue StAw and StData come before the next StAddr, so both
// are fresh by then; a new command waits one cycle in StAddr (len_v_q).
module cnna_axi_wr_master #(
  parameter int unsigned AddrWidth = 32,
  parameter int unsigned DataWidth = 128,
  parameter int unsigned MaxBurst  = 16,
  parameter int unsigned FifoDepth = 32,
  localparam int unsigned Bpb      = DataWidth / 8,
  localparam int unsigned CntW     = $clog2(FifoDepth + 1),
  localparam int unsigned CmdW     = AddrWidth + 24 + 16 + 32
) (
  input  logic                 clk_i,
  input  logic                 rst_ni,
  input  logic                 cmd_valid_i,
  output logic                 cmd_ready_o,
  input  logic [AddrWidth-1:0] cmd_addr_i,
  input  logic [23:0]          cmd_row_beats_i,
  input  logic [15:0]          cmd_rows_i,
  input  logic [31:0]          cmd_row_stride_i,
  input  logic                 data_valid_i,
  output logic                 data_ready_o,
  input  logic [DataWidth-1:0] data_i,
  output logic                 idle_o,
  output logic                 err_o,
  output logic [AddrWidth-1:0] m_awaddr_o,
  output logic [7:0]           m_awlen_o,
  output logic [2:0]           m_awsize_o,
  output logic [1:0]           m_awburst_o,
  output logic                 m_awvalid_o,
  input  logic                 m_awready_i,
  output logic [DataWidth-1:0] m_wdata_o,
  output logic [Bpb-1:0]       m_wstrb_o,
  output logic                 m_wlast_o,
  output logic                 m_wvalid_o,
  input  logic                 m_wready_i,
  input  logic [1:0]           m_bresp_i,
  input  logic                 m_bvalid_i,
  output logic                 m_bready_o
);
  typedef enum logic [1:0] {StIdle, StAddr, StAw, StData} state_e;
  state_e state_q, state_d;

  logic [CmdW-1:0]      cmd_in, cmd_out;
  logic                 cmd_empty, cmd_full, cmd_pop;
  logic [1:0]           unused_cmd_count;
  logic [AddrWidth-1:0] addr_q, row_start_q, awaddr_q;
  logic [23:0]          row_left_q, row_beats_q;
  logic [15:0]          rows_left_q;
  logic [31:0]          row_stride_q;
  logic [8:0]           len_q, beats_q;
  logic                 row_end_q;  // the next burst ends the row (row_left_q == len_q)
  logic                 len_v_q;    // len_q belongs to the loaded command
  logic [9:0]           to_4k_q;
  logic [CntW-1:0]      fifo_count;
  logic                 fifo_empty, fifo_full, last_row_q, err_q;
  logic [15:0]          outstanding_q;
  logic                 aw_fire, w_fire, b_fire, load_cmd, issue_aw;

  assign cmd_in = {cmd_addr_i, cmd_row_beats_i, cmd_rows_i, cmd_row_stride_i};
  cnna_fifo #(.Width(CmdW), .Depth(2)) u_cmd (
    .clk_i, .rst_ni,
    .push_i (cmd_valid_i),
    .wdata_i(cmd_in),
    .pop_i  (cmd_pop),
    .rdata_o(cmd_out),
    .empty_o(cmd_empty),
    .full_o (cmd_full),
    .count_o(unused_cmd_count)
  );
  assign cmd_ready_o = !cmd_full;

  cnna_fifo #(.Width(DataWidth), .Depth(FifoDepth)) u_data (
    .clk_i, .rst_ni,
    .push_i (data_valid_i),
    .wdata_i(data_i),
    .pop_i  (w_fire),
    .rdata_o(m_wdata_o),
    .empty_o(fifo_empty),
    .full_o (fifo_full),
    .count_o(fifo_count)
  );
  assign data_ready_o = !fifo_full;

  // Beats from addr to the next 4 KB boundary (1 .. 4096 / Bpb).
  function automatic logic [9:0] beats_to_4k(logic [11:0] addr);
    beats_to_4k = 10'((13'd4096 - 13'(addr)) / 13'(Bpb));
  endfunction
  // Burst with to_4k beats to the boundary and left beats in the row: {the burst ends the row, its length};
  // the length is min(MaxBurst, left, to_4k), formed from compares made side by side.
  function automatic logic [9:0] burst_len(logic [9:0] to_4k, logic [23:0] left);
    logic [9:0] left10;
    logic       left_lt_max, left_le_max, t_lt_max, t_lt_left;
    left10      = 10'(left);
    left_lt_max = (left[23:10] == '0) && (left10 < 10'(MaxBurst));
    left_le_max = (left[23:10] == '0) && (left10 <= 10'(MaxBurst));
    t_lt_max    = to_4k < 10'(MaxBurst);
    t_lt_left   = (left[23:10] != '0) || (to_4k < left10);
    burst_len[8:0] = t_lt_left ? (t_lt_max ? 9'(to_4k) : 9'(MaxBurst)) : (left_lt_max ? 9'(left10) : 9'(MaxBurst));
    burst_len[9]   = left_le_max && !t_lt_left;
  endfunction

  assign aw_fire  = (state_q == StAw) && m_awready_i;
  assign w_fire   = (state_q == StData) && !fifo_empty && m_wready_i;
  assign b_fire   = m_bvalid_i;
  assign load_cmd = (state_q == StIdle) && !cmd_empty;
  assign cmd_pop  = load_cmd;
  assign issue_aw = (state_q == StAddr) && len_v_q && (32'(fifo_count) >= 32'(len_q));

  always_comb begin
    state_d = state_q;
    unique case (state_q)
      StIdle: if (!cmd_empty) state_d = StAddr;
      StAddr: if (issue_aw) state_d = StAw;
      StAw:   if (m_awready_i) state_d = StData;
      StData: begin
        if (w_fire && beats_q == 9'd1) state_d = (last_row_q && row_left_q == '0) ? StIdle : StAddr;
      end
      default: state_d = StIdle;
    endcase
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q       <= StIdle;
      addr_q        <= '0;
      row_start_q   <= '0;
      awaddr_q      <= '0;
      row_left_q    <= '0;
      row_beats_q   <= '0;
      rows_left_q   <= '0;
      row_stride_q  <= '0;
      beats_q       <= '0;
      len_q         <= '0;
      row_end_q     <= 1'b0;
      len_v_q       <= 1'b0;
      to_4k_q       <= '0;
      last_row_q    <= 1'b0;
      outstanding_q <= '0;
      err_q         <= 1'b0;
    end else begin
      state_q <= state_d;
      to_4k_q            <= beats_to_4k(load_cmd ? cmd_out[CmdW-AddrWidth +: 12] : addr_q[11:0]);
      {row_end_q, len_q} <= burst_len(to_4k_q, row_left_q);
      len_v_q            <= !load_cmd;
      if (load_cmd) begin
        {addr_q, row_beats_q, rows_left_q, row_stride_q} <= cmd_out;
        row_start_q <= cmd_out[CmdW-1 -: AddrWidth];
        row_left_q  <= cmd_out[48 +: 24];
        last_row_q  <= (cmd_out[32 +: 16] <= 16'd1);
      end
      if (issue_aw) begin
        awaddr_q <= addr_q;
        beats_q  <= len_q;
        if (row_end_q && !last_row_q) begin
          row_start_q <= row_start_q + AddrWidth'(row_stride_q);
          addr_q      <= row_start_q + AddrWidth'(row_stride_q);
          row_left_q  <= row_beats_q;
          rows_left_q <= rows_left_q - 16'd1;
          last_row_q  <= (rows_left_q <= 16'd2);
        end else begin
          addr_q     <= addr_q + AddrWidth'(len_q) * AddrWidth'(Bpb);
          row_left_q <= row_left_q - 24'(len_q);
        end
      end
      if (w_fire) beats_q <= beats_q - 9'd1;
      outstanding_q <= outstanding_q + 16'(aw_fire) - 16'(b_fire);
      if (b_fire && m_bresp_i != 2'b00) err_q <= 1'b1;
    end
  end

  assign m_awaddr_o  = awaddr_q;
  assign m_awlen_o   = 8'(beats_q - 9'd1);
  assign m_awsize_o  = 3'($clog2(Bpb));
  assign m_awburst_o = 2'b01;
  assign m_awvalid_o = (state_q == StAw);
  assign m_wstrb_o   = '1;
  assign m_wlast_o   = (beats_q == 9'd1);
  assign m_wvalid_o  = (state_q == StData) && !fifo_empty;
  assign m_bready_o  = 1'b1;
  assign idle_o      = (state_q == StIdle) && cmd_empty && fifo_empty && (outstanding_q == '0);
  assign err_o       = err_q;
endmodule
