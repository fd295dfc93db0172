// AXI4 burst read master. Walks a strided 3-D region (planes x rows x rowBeats bus beats), issuing INCR
// bursts of at most MaxBurst beats that never cross a 4 KB boundary, and delivers the beats in order on
// a ready/valid stream. Invariant: beats in flight + beats in the FIFO <= FifoDepth, so R is always
// accepted (r_ready_o = 1) and several bursts overlap the DDR latency.
// A new command is accepted as soon as the previous one has issued all its bursts (cmd_ready_o).
// Timing: the next burst's length (len_q) is registered from addr_q / row_left_q; len_v_q marks it valid
// (addr_q and row_left_q did not change in the previous cycle). After an issue, AR is busy for that cycle
// anyway, so bursts still go out every second cycle; a new command waits one cycle more.
module cnna_axi_rd_master #(
  parameter int unsigned AddrWidth = 32,
  parameter int unsigned DataWidth = 128,
  parameter int unsigned MaxBurst  = 16,
  parameter int unsigned FifoDepth = 64,
  localparam int unsigned Bpb      = DataWidth / 8,
  localparam int unsigned CntW     = $clog2(FifoDepth + 1)
) (
  input  logic                 clk_i,
  input  logic                 rst_ni,
  input  logic                 cmd_valid_i,
  output logic                 cmd_ready_o,
  input  logic [AddrWidth-1:0] cmd_addr_i,
  input  logic [23:0]          cmd_row_beats_i,
  input  logic [15:0]          cmd_rows_i,
  input  logic [31:0]          cmd_row_stride_i,
  input  logic [15:0]          cmd_planes_i,
  input  logic [31:0]          cmd_plane_stride_i,
  output logic                 data_valid_o,
  input  logic                 data_ready_i,
  output logic [DataWidth-1:0] data_o,
  output logic                 err_o,
  output logic [AddrWidth-1:0] m_araddr_o,
  output logic [7:0]           m_arlen_o,
  output logic [2:0]           m_arsize_o,
  output logic [1:0]           m_arburst_o,
  output logic                 m_arvalid_o,
  input  logic                 m_arready_i,
  input  logic [DataWidth-1:0] m_rdata_i,
  input  logic [1:0]           m_rresp_i,
  input  logic                 m_rlast_i,
  input  logic                 m_rvalid_i,
  output logic                 m_rready_o
);
  logic                 busy_q, arvalid_q, err_q;
  logic [AddrWidth-1:0] addr_q, row_start_q, plane_start_q, araddr_q;
  logic [7:0]           arlen_q;
  logic [23:0]          row_left_q, row_beats_q;
  logic [15:0]          rows_left_q, rows_q, planes_left_q;
  logic [31:0]          row_stride_q, plane_stride_q;
  logic [CntW-1:0]      inflight_q, fifo_count;
  logic [8:0]           len_q;
  logic                 len_v_q, row_end_q;  // len_q is valid; the next burst ends the row
  logic [CntW-1:0]      room_q;              // FIFO space not yet claimed by bursts in flight
  logic                 more_rows_q, more_planes_q;  // rows_left_q > 1, planes_left_q > 1 (valid with len_v_q)
  logic                 issue, fifo_empty, fifo_full, rd_unused_last;

  // Burst at addr with beats left in the row: {the burst ends the row, its length}. The length is
  // min(MaxBurst, left, beats to the 4 KB boundary), formed from compares made side by side.
  function automatic logic [9:0] burst_len(logic [11:0] addr, logic [23:0] left);
    logic [9:0] to_4k, left10;
    logic       left_lt_max, left_le_max, t_lt_max, t_lt_left;
    to_4k       = 10'((13'd4096 - 13'(addr)) / 13'(Bpb));
    left10      = 10'(left);
    left_lt_max = (left[23:10] == '0) && (left10 < 10'(MaxBurst));
    left_le_max = (left[23:10] == '0) && (left10 <= 10'(MaxBurst));
    t_lt_max    = to_4k < 10'(MaxBurst);
    t_lt_left   = (left[23:10] != '0) || (to_4k < left10);
    burst_len[8:0] = t_lt_left ? (t_lt_max ? 9'(to_4k) : 9'(MaxBurst)) : (left_lt_max ? 9'(left10) : 9'(MaxBurst));
    burst_len[9]   = left_le_max && !t_lt_left;
  endfunction

  // room_q is a cycle old: since then beats have only moved from in flight to the FIFO or left it, and an
  // issue in that cycle cleared len_v_q, so it never overstates the space.
  assign issue = busy_q && !arvalid_q && len_v_q && (32'(len_q) <= 32'(room_q));

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      busy_q         <= 1'b0;
      arvalid_q      <= 1'b0;
      err_q          <= 1'b0;
      addr_q         <= '0;
      row_start_q    <= '0;
      plane_start_q  <= '0;
      araddr_q       <= '0;
      arlen_q        <= '0;
      row_left_q     <= '0;
      row_beats_q    <= '0;
      rows_left_q    <= '0;
      rows_q         <= '0;
      planes_left_q  <= '0;
      row_stride_q   <= '0;
      plane_stride_q <= '0;
      inflight_q     <= '0;
      len_q          <= '0;
      len_v_q        <= 1'b0;
      row_end_q      <= 1'b0;
      room_q         <= '0;
      more_rows_q    <= 1'b0;
      more_planes_q  <= 1'b0;
    end else begin
      {row_end_q, len_q} <= burst_len(addr_q[11:0], row_left_q);
      room_q  <= CntW'(FifoDepth) - inflight_q - fifo_count;
      more_rows_q   <= (rows_left_q > 16'd1);
      more_planes_q <= (planes_left_q > 16'd1);
      len_v_q <= !(cmd_valid_i && !busy_q) && !issue;
      if (cmd_valid_i && !busy_q) begin
        busy_q         <= 1'b1;
        addr_q         <= cmd_addr_i;
        row_start_q    <= cmd_addr_i;
        plane_start_q  <= cmd_addr_i;
        row_left_q     <= cmd_row_beats_i;
        row_beats_q    <= cmd_row_beats_i;
        rows_left_q    <= cmd_rows_i;
        rows_q         <= cmd_rows_i;
        planes_left_q  <= cmd_planes_i;
        row_stride_q   <= cmd_row_stride_i;
        plane_stride_q <= cmd_plane_stride_i;
      end
      if (arvalid_q && m_arready_i) arvalid_q <= 1'b0;
      if (issue) begin
        arvalid_q <= 1'b1;
        araddr_q  <= addr_q;
        arlen_q   <= 8'(len_q - 9'd1);
        if (row_end_q) begin
          if (more_rows_q) begin
            row_start_q <= row_start_q + AddrWidth'(row_stride_q);
            addr_q      <= row_start_q + AddrWidth'(row_stride_q);
            row_left_q  <= row_beats_q;
            rows_left_q <= rows_left_q - 16'd1;
          end else if (more_planes_q) begin
            plane_start_q <= plane_start_q + AddrWidth'(plane_stride_q);
            row_start_q   <= plane_start_q + AddrWidth'(plane_stride_q);
            addr_q        <= plane_start_q + AddrWidth'(plane_stride_q);
            row_left_q    <= row_beats_q;
            rows_left_q   <= rows_q;
            planes_left_q <= planes_left_q - 16'd1;
          end else begin
            busy_q <= 1'b0;
          end
        end else begin
          addr_q     <= addr_q + AddrWidth'(len_q) * AddrWidth'(Bpb);
          row_left_q <= row_left_q - 24'(len_q);
        end
      end
      inflight_q <= inflight_q + (issue ? CntW'(len_q) : '0) - CntW'(m_rvalid_i);
      if (m_rvalid_i && m_rresp_i != 2'b00) err_q <= 1'b1;
    end
  end

  cnna_fifo #(.Width(DataWidth), .Depth(FifoDepth)) u_fifo (
    .clk_i, .rst_ni,
    .push_i (m_rvalid_i),
    .wdata_i(m_rdata_i),
    .pop_i  (data_ready_i),
    .rdata_o(data_o),
    .empty_o(fifo_empty),
    .full_o (fifo_full),
    .count_o(fifo_count)
  );

  assign rd_unused_last = m_rlast_i ^ fifo_full;
  assign data_valid_o = !fifo_empty;
  assign cmd_ready_o  = !busy_q;
  assign err_o        = err_q;
  assign m_araddr_o   = araddr_q;
  assign m_arlen_o    = arlen_q;
  assign m_arsize_o   = 3'($clog2(Bpb));
  assign m_arburst_o  = 2'b01;
  assign m_arvalid_o  = arvalid_q;
  assign m_rready_o   = 1'b1;
endmodule
