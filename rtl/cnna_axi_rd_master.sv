// AXI4 burst read master. Walks a strided 3-D region (planes x rows x rowBeats bus beats), issuing INCR
// bursts of at most MaxBurst beats that never cross a 4 KB boundary, and delivers the beats in order on
// a ready/valid stream. Invariant: beats in flight + beats in the FIFO <= FifoDepth, so R is always
// accepted (r_ready_o = 1) and several bursts overlap the DDR latency. Addresses are bus aligned (the
// bundle's regions are; an unaligned start would end a page with a zero-beat burst).
// A new command is accepted as soon as the previous one has issued all its bursts (cmd_ready_o); it is
// registered first (cmd_*_q, so the client's command logic ends at these registers) and taken over in
// the next cycle.
// Timing: every burst decision comes from registers, and the addresses move by increments.
// - to_4k_q, the beats left to the 4 KB boundary, is carried along with addr_q: minus the burst length
//   within a page, the page size at a boundary, and at a row or plane change the value registered for
//   the next row / plane start (next_row_q = row_start_q + row_stride_q and its to_4k, registered every
//   cycle, valid one cycle after row_start_q moves; a row takes at least one burst, two cycles). A
//   command's start value is formed from the registered command address.
// - The next burst's length (len_q = min(MaxBurst, row_left_q, to_4k_q)) is registered; len_v_q marks it
//   valid (nothing it depends on changed in the previous cycle). After an issue, AR is busy for that cycle
//   anyway, so bursts still go out every second cycle; a command's first burst goes out three cycles
//   after it is accepted (registered, taken over, length registered).
// - The FIFO-space check is registered: room_max_q (room for a longest burst, counted like room_q) lets
//   a burst go at once; a smaller room is compared with len_q one cycle later (fit_q), so only a nearly
//   full FIFO costs a cycle.
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
  localparam int unsigned PageBeats = 4096 / Bpb;  // beats in a 4 KB page (<= 512)
  logic                 busy_q, arvalid_q, err_q;
  logic [AddrWidth-1:0] addr_q, row_start_q, plane_start_q, araddr_q, next_row_q, next_plane_q;
  logic [7:0]           arlen_q;
  logic [23:0]          row_left_q, row_beats_q;
  logic [15:0]          rows_left_q, rows_q, planes_left_q;
  logic [31:0]          row_stride_q, plane_stride_q;
  logic [CntW-1:0]      inflight_q, fifo_count;
  logic [9:0]           to_4k_q, next_row_t4k_q, next_plane_t4k_q;
  logic                 cmd_pend_q;                  // a command is registered and not yet taken over
  logic [AddrWidth-1:0] cmd_addr_q;
  logic [23:0]          cmd_row_beats_q;
  logic [15:0]          cmd_rows_q, cmd_planes_q;
  logic [31:0]          cmd_row_stride_q, cmd_plane_stride_q;
  logic [8:0]           len_q;
  logic                 len_v_q, row_end_q, page_end_q;  // len_q is valid; the burst ends the row / the page
  logic [CntW-1:0]      room_q;                      // FIFO space not yet claimed by bursts in flight
  logic                 room_max_q;                  // room_q >= MaxBurst, from the same counts
  logic                 fit_q;                       // len_q <= room_q, no issue in the two cycles before
  logic                 more_rows_q, more_planes_q;  // rows_left_q > 1, planes_left_q > 1 (valid with len_v_q)
  logic                 issue, take, accept, fifo_empty, fifo_full, rd_unused_last;

  // Beats from a bus-aligned address to the next 4 KB boundary (1..PageBeats).
  function automatic logic [9:0] to_4k(logic [11:0] addr);
    to_4k = 10'((13'd4096 - 13'(addr)) / 13'(Bpb));
  endfunction

  // The next burst from registers: {ends the row, ends the page, length = min(MaxBurst, left, to_4k)}.
  logic       left_le_t, left_le_max, t_le_max;
  logic [8:0] len_d;
  assign left_le_t   = (row_left_q[23:10] == '0) && (row_left_q[9:0] <= to_4k_q);
  assign left_le_max = row_left_q <= 24'(MaxBurst);
  assign t_le_max    = to_4k_q <= 10'(MaxBurst);
  assign len_d       = left_le_t ? (left_le_max ? 9'(row_left_q) : 9'(MaxBurst)) : (t_le_max ? 9'(to_4k_q) : 9'(MaxBurst));

  // room_q is a cycle old: since then beats have only moved from in flight to the FIFO or left it, and an
  // issue in that cycle cleared len_v_q, so it never overstates the space; fit_q compares len_q with a
  // room_q taken after two cycles without an issue, so it does not either.
  assign accept = cmd_valid_i && !busy_q && !cmd_pend_q;
  assign take   = cmd_pend_q;
  assign issue = busy_q && !arvalid_q && len_v_q && (room_max_q || fit_q);
  logic [CntW-1:0] inflight_add, inflight_keep;
  assign inflight_add  = inflight_q + CntW'(len_q) - CntW'(m_rvalid_i);
  assign inflight_keep = inflight_q - CntW'(m_rvalid_i);

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      busy_q           <= 1'b0;
      arvalid_q        <= 1'b0;
      err_q            <= 1'b0;
      addr_q           <= '0;
      row_start_q      <= '0;
      plane_start_q    <= '0;
      next_row_q       <= '0;
      next_plane_q     <= '0;
      araddr_q         <= '0;
      arlen_q          <= '0;
      row_left_q       <= '0;
      row_beats_q      <= '0;
      rows_left_q      <= '0;
      rows_q           <= '0;
      planes_left_q    <= '0;
      row_stride_q     <= '0;
      plane_stride_q   <= '0;
      inflight_q       <= '0;
      to_4k_q          <= '0;
      next_row_t4k_q   <= '0;
      next_plane_t4k_q <= '0;
      cmd_pend_q         <= 1'b0;
      cmd_addr_q         <= '0;
      cmd_row_beats_q    <= '0;
      cmd_rows_q         <= '0;
      cmd_planes_q       <= '0;
      cmd_row_stride_q   <= '0;
      cmd_plane_stride_q <= '0;
      len_q            <= '0;
      len_v_q          <= 1'b0;
      row_end_q        <= 1'b0;
      page_end_q       <= 1'b0;
      room_q           <= '0;
      room_max_q       <= 1'b0;
      fit_q            <= 1'b0;
      more_rows_q      <= 1'b0;
      more_planes_q    <= 1'b0;
    end else begin
      len_q         <= len_d;
      row_end_q     <= left_le_t && left_le_max;
      page_end_q    <= !left_le_t && t_le_max;
      len_v_q       <= !take && !issue;
      room_q        <= CntW'(FifoDepth) - inflight_q - fifo_count;
      room_max_q    <= (32'(inflight_q) + 32'(fifo_count)) <= 32'(FifoDepth - MaxBurst);
      fit_q         <= len_v_q && !issue && (32'(len_q) <= 32'(room_q));
      more_rows_q   <= (rows_left_q > 16'd1);
      more_planes_q <= (planes_left_q > 16'd1);
      next_row_q       <= row_start_q + AddrWidth'(row_stride_q);
      next_plane_q     <= plane_start_q + AddrWidth'(plane_stride_q);
      next_row_t4k_q   <= to_4k(12'(row_start_q + AddrWidth'(row_stride_q)));
      next_plane_t4k_q <= to_4k(12'(plane_start_q + AddrWidth'(plane_stride_q)));
      if (accept) begin
        cmd_pend_q         <= 1'b1;
        cmd_addr_q         <= cmd_addr_i;
        cmd_row_beats_q    <= cmd_row_beats_i;
        cmd_rows_q         <= cmd_rows_i;
        cmd_planes_q       <= cmd_planes_i;
        cmd_row_stride_q   <= cmd_row_stride_i;
        cmd_plane_stride_q <= cmd_plane_stride_i;
      end
      if (take) begin
        cmd_pend_q     <= 1'b0;
        busy_q         <= 1'b1;
        addr_q         <= cmd_addr_q;
        row_start_q    <= cmd_addr_q;
        plane_start_q  <= cmd_addr_q;
        to_4k_q        <= to_4k(cmd_addr_q[11:0]);
        row_left_q     <= cmd_row_beats_q;
        row_beats_q    <= cmd_row_beats_q;
        rows_left_q    <= cmd_rows_q;
        rows_q         <= cmd_rows_q;
        planes_left_q  <= cmd_planes_q;
        row_stride_q   <= cmd_row_stride_q;
        plane_stride_q <= cmd_plane_stride_q;
      end
      if (arvalid_q && m_arready_i) arvalid_q <= 1'b0;
      if (issue) begin
        arvalid_q <= 1'b1;
        araddr_q  <= addr_q;
        arlen_q   <= 8'(len_q - 9'd1);
        if (row_end_q) begin
          if (more_rows_q) begin
            row_start_q <= next_row_q;
            addr_q      <= next_row_q;
            to_4k_q     <= next_row_t4k_q;
            row_left_q  <= row_beats_q;
            rows_left_q <= rows_left_q - 16'd1;
          end else if (more_planes_q) begin
            plane_start_q <= next_plane_q;
            row_start_q   <= next_plane_q;
            addr_q        <= next_plane_q;
            to_4k_q       <= next_plane_t4k_q;
            row_left_q    <= row_beats_q;
            rows_left_q   <= rows_q;
            planes_left_q <= planes_left_q - 16'd1;
          end else begin
            busy_q <= 1'b0;
          end
        end else begin
          addr_q     <= addr_q + AddrWidth'(len_q) * AddrWidth'(Bpb);
          row_left_q <= row_left_q - 24'(len_q);
          to_4k_q    <= page_end_q ? 10'(PageBeats) : to_4k_q - 10'(len_q);
        end
      end
      inflight_q <= issue ? inflight_add : inflight_keep;
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
  assign cmd_ready_o  = !busy_q && !cmd_pend_q;
  assign err_o        = err_q;
  assign m_araddr_o   = araddr_q;
  assign m_arlen_o    = arlen_q;
  assign m_arsize_o   = 3'($clog2(Bpb));
  assign m_arburst_o  = 2'b01;
  assign m_arvalid_o  = arvalid_q;
  assign m_rready_o   = 1'b1;
endmodule
