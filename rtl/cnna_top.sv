// cnna engine top: AXI4-Lite control slave, AXI4 master port 0 (m_axi_*: reads descriptors, input
// tiles and parameters, writes outputs), AXI4 read-only master port 1 (m_axi1_*: weights) when
// cnna_pkg::AXI_PORTS = 2 (with 1, port 0 also reads the weights and port 1 is tied off: ARVALID 0),
// the loader, the compute unit (MAC array + post-op) and the on-chip buffers:
//   input banks : 2 x InBankDepth entries of Pi int16, stored as Bpe sub-RAMs of one bus beat each;
//   weight ring : 2 x WBankDepth words (rounded up to a power of two) of Po x Pi int16, stored as Bpw
//                 sub-RAMs of one bus beat each.
// Sizes come from the generated package cnna_pkg (written from the TypeScript hardware config).
// Debug outputs (job_done_o, job_layer_o, mac_busy_o, stall_o) let a testbench log cycles per descriptor.
module cnna_top #(
  parameter int unsigned Pi           = cnna_pkg::PI,
  parameter int unsigned Po           = cnna_pkg::PO,
  parameter int unsigned DataWidth    = cnna_pkg::AXI_DATA_W,
  parameter int unsigned AddrWidth    = 32,
  parameter int unsigned InBankDepth  = cnna_pkg::IN_BANK_ENTRIES,
  parameter int unsigned WBankDepth   = cnna_pkg::W_BANK_WORDS,
  parameter int unsigned MaxBurst     = cnna_pkg::AXI_BURST,
  parameter int unsigned RdFifoDepth  = cnna_pkg::AXI_RD_FIFO,
  parameter int unsigned OutFifoDepth = cnna_pkg::OUT_FIFO_ENTRIES,
  parameter int unsigned Ports        = cnna_pkg::AXI_PORTS,
  localparam int unsigned Bpe         = Pi * 16 / DataWidth,
  localparam int unsigned Bpw         = Po * Pi * 16 / DataWidth,
  localparam int unsigned Bpg         = Pi * 16 / DataWidth,  // beats per output lane group
  localparam int unsigned InAddrW     = $clog2(InBankDepth) + 1,  // {bank, entry}
  localparam int unsigned WAddrW      = $clog2(2 * WBankDepth),
  localparam int unsigned OutCntW     = $clog2(OutFifoDepth + 1)
) (
  input  logic                 clk_i,
  input  logic                 rst_ni,
  // AXI4-Lite slave
  input  logic [7:0]           s_axil_awaddr_i,
  input  logic                 s_axil_awvalid_i,
  output logic                 s_axil_awready_o,
  input  logic [31:0]          s_axil_wdata_i,
  input  logic [3:0]           s_axil_wstrb_i,
  input  logic                 s_axil_wvalid_i,
  output logic                 s_axil_wready_o,
  output logic [1:0]           s_axil_bresp_o,
  output logic                 s_axil_bvalid_o,
  input  logic                 s_axil_bready_i,
  input  logic [7:0]           s_axil_araddr_i,
  input  logic                 s_axil_arvalid_i,
  output logic                 s_axil_arready_o,
  output logic [31:0]          s_axil_rdata_o,
  output logic [1:0]           s_axil_rresp_o,
  output logic                 s_axil_rvalid_o,
  input  logic                 s_axil_rready_i,
  // AXI4 master port 0: read channels
  output logic [AddrWidth-1:0] m_axi_araddr_o,
  output logic [7:0]           m_axi_arlen_o,
  output logic [2:0]           m_axi_arsize_o,
  output logic [1:0]           m_axi_arburst_o,
  output logic                 m_axi_arvalid_o,
  input  logic                 m_axi_arready_i,
  input  logic [DataWidth-1:0] m_axi_rdata_i,
  input  logic [1:0]           m_axi_rresp_i,
  input  logic                 m_axi_rlast_i,
  input  logic                 m_axi_rvalid_i,
  output logic                 m_axi_rready_o,
  // AXI4 master port 0: write channels
  output logic [AddrWidth-1:0] m_axi_awaddr_o,
  output logic [7:0]           m_axi_awlen_o,
  output logic [2:0]           m_axi_awsize_o,
  output logic [1:0]           m_axi_awburst_o,
  output logic                 m_axi_awvalid_o,
  input  logic                 m_axi_awready_i,
  output logic [DataWidth-1:0] m_axi_wdata_o,
  output logic [DataWidth/8-1:0] m_axi_wstrb_o,
  output logic                 m_axi_wlast_o,
  output logic                 m_axi_wvalid_o,
  input  logic                 m_axi_wready_i,
  input  logic [1:0]           m_axi_bresp_i,
  input  logic                 m_axi_bvalid_i,
  output logic                 m_axi_bready_o,
  // AXI4 master port 1 (weights, read only)
  output logic [AddrWidth-1:0] m_axi1_araddr_o,
  output logic [7:0]           m_axi1_arlen_o,
  output logic [2:0]           m_axi1_arsize_o,
  output logic [1:0]           m_axi1_arburst_o,
  output logic                 m_axi1_arvalid_o,
  input  logic                 m_axi1_arready_i,
  input  logic [DataWidth-1:0] m_axi1_rdata_i,
  input  logic [1:0]           m_axi1_rresp_i,
  input  logic                 m_axi1_rlast_i,
  input  logic                 m_axi1_rvalid_i,
  output logic                 m_axi1_rready_o,
  output logic                 irq_o,
  // debug / profiling
  output logic                 job_done_o,
  output logic [15:0]          job_layer_o,
  output logic                 mac_busy_o,
  output logic                 stall_o
);
  if (Ports < 1 || Ports > 2) begin : g_bad_ports
    $error("cnna_top: axi.ports must be 1 or 2");
  end

  // Elaboration checks: the template range of compiler/contracts/hw-config.ts (validateConfig refuses
  // these configs first, naming the field; this stands behind it for any other flow).
  if (!(Pi == 8 || Pi == 16 || Pi == 32 || Pi == 64)) begin : g_bad_pi
    $error("cnna_top: Pi = %0d, the engine is built for Pi in {8, 16, 32, 64} (array.pi)", Pi);
  end
  if (Po % Pi != 0 || Po > 128 || Po / Pi > 15) begin : g_bad_po
    $error("cnna_top: Po = %0d must be a multiple of Pi = %0d, at most 128 and at most 15 lane groups (array.po)", Po, Pi);
  end
  if (Pi * Po > 1728) begin : g_bad_macs
    $error("cnna_top: Pi x Po = %0d multiplies, more than the 1728 DSP slices of the largest board (array.po)", Pi * Po);
  end
  if (!(DataWidth == 64 || DataWidth == 128 || DataWidth == 256) || DataWidth > Pi * 16) begin : g_bad_axi
    $error("cnna_top: DataWidth = %0d must be 64, 128 or 256 and no wider than one input entry, Pi*16 = %0d (axi.dataBits)", DataWidth, Pi * 16);
  end
  if (MaxBurst < 1 || MaxBurst > 256) begin : g_bad_burst
    $error("cnna_top: MaxBurst = %0d must be 1..256 (axi.burstBeats)", MaxBurst);
  end
  if (RdFifoDepth < MaxBurst) begin : g_bad_rd_fifo
    $error("cnna_top: RdFifoDepth = %0d cannot hold one burst of MaxBurst = %0d beats (the read master would never issue)", RdFifoDepth, MaxBurst);
  end
  if (InBankDepth < 16 || WBankDepth < 1 || OutFifoDepth < 16) begin : g_bad_depth
    $error("cnna_top: buffer depths %0d / %0d / %0d below the minimum 16 / 1 / 16 (buffers.*)", InBankDepth, WBankDepth, OutFifoDepth);
  end

  logic        start, busy, done, rd_err, wr_err, axi_err_q;
  logic [31:0] desc_base, desc_base_hi;
  logic [7:0]  error;
  logic [63:0] cycles_q;
  logic [31:0] stalls_q, mac_busy_q, rd_beats_q, wr_beats_q, jobs_done;

  // Read master <-> loader.
  logic                 rd_cmd_valid, rd_cmd_ready, rd_valid, rd_ready;
  logic [AddrWidth-1:0] rd_cmd_addr;
  logic [23:0]          rd_cmd_row_beats;
  logic [15:0]          rd_cmd_rows, rd_cmd_planes;
  logic [31:0]          rd_cmd_row_stride, rd_cmd_plane_stride;
  logic [DataWidth-1:0] rd_data;
  // Read port 1 <-> loader (weights).
  logic                 rd1_cmd_valid, rd1_cmd_ready, rd1_valid, rd1_ready;
  logic [AddrWidth-1:0] rd1_cmd_addr;
  logic [23:0]          rd1_cmd_row_beats;
  logic [DataWidth-1:0] rd1_data;

  // Buffers.
  logic                 in_we, w_we;
  logic [InAddrW-1:0]   in_waddr, in_raddr;
  logic [WAddrW-1:0]    w_waddr, w_raddr;
  logic [15:0]          in_wsub, w_wsub;
  logic [DataWidth-1:0] in_wdata, w_wdata;
  logic [Pi*16-1:0]     in_rdata;
  logic [Po*Pi*16-1:0]  w_rdata;

  // Loader <-> compute.
  logic                 slot_valid, slot_take, compute_idle, writer_idle;
  cnna_rtl_pkg::job_t       slot_job;
  logic [Po*48-1:0]     slot_bias;
  logic [Po*6-1:0]      slot_shift;
  logic [31:0]          w_wr, w_rel;

  // Compute -> writer.
  logic                 wr_cmd_valid, wr_cmd_ready, out_push, out_empty, out_full, out_pop;
  logic [AddrWidth-1:0] wr_cmd_addr;
  logic [23:0]          wr_cmd_row_beats;
  logic [15:0]          wr_cmd_rows, wr_cmd_cols;
  logic [31:0]          wr_cmd_row_stride, wr_cmd_group_stride;
  logic [4:0]           wr_cmd_groups;
  logic                 wr_cmd_tiles;
  // Out-command splitter -> write master.
  logic                 wm_cmd_valid, wm_cmd_ready;
  logic [AddrWidth-1:0] wm_cmd_addr;
  logic [23:0]          wm_cmd_row_beats;
  logic [15:0]          wm_cmd_rows;
  logic [31:0]          wm_cmd_row_stride;
  logic [Po*16-1:0]     out_data;
  logic [Po*16+7:0]     out_head;  // {last beat index = lane groups to write * Bpg - 1, Po int16}
  logic [7:0]           out_beats_m1;
  logic                 beat_last;
  logic [OutCntW-1:0]   out_count;
  logic                 beat_valid, beat_ready;
  logic [7:0]           beat_sel_q;

  cnna_axil_slave u_ctrl (
    .clk_i, .rst_ni,
    .s_awaddr_i (s_axil_awaddr_i),
    .s_awvalid_i(s_axil_awvalid_i),
    .s_awready_o(s_axil_awready_o),
    .s_wdata_i  (s_axil_wdata_i),
    .s_wstrb_i  (s_axil_wstrb_i),
    .s_wvalid_i (s_axil_wvalid_i),
    .s_wready_o (s_axil_wready_o),
    .s_bresp_o  (s_axil_bresp_o),
    .s_bvalid_o (s_axil_bvalid_o),
    .s_bready_i (s_axil_bready_i),
    .s_araddr_i (s_axil_araddr_i),
    .s_arvalid_i(s_axil_arvalid_i),
    .s_arready_o(s_axil_arready_o),
    .s_rdata_o  (s_axil_rdata_o),
    .s_rresp_o  (s_axil_rresp_o),
    .s_rvalid_o (s_axil_rvalid_o),
    .s_rready_i (s_axil_rready_i),
    .start_o    (start),
    .base_o     (desc_base),
    .base_hi_o  (desc_base_hi),
    .busy_i     (busy),
    .done_i     (done),
    .error_i    (error),
    .cycles_i   (cycles_q),
    .stalls_i   (stalls_q),
    .mac_busy_i (mac_busy_q),
    .jobs_i     (jobs_done),
    .rd_beats_i (rd_beats_q),
    .wr_beats_i (wr_beats_q),
    .irq_o
  );

  cnna_axi_rd_master #(
    .AddrWidth(AddrWidth), .DataWidth(DataWidth), .MaxBurst(MaxBurst), .FifoDepth(RdFifoDepth)
  ) u_rd (
    .clk_i, .rst_ni,
    .cmd_valid_i       (rd_cmd_valid),
    .cmd_ready_o       (rd_cmd_ready),
    .cmd_addr_i        (rd_cmd_addr),
    .cmd_row_beats_i   (rd_cmd_row_beats),
    .cmd_rows_i        (rd_cmd_rows),
    .cmd_row_stride_i  (rd_cmd_row_stride),
    .cmd_planes_i      (rd_cmd_planes),
    .cmd_plane_stride_i(rd_cmd_plane_stride),
    .data_valid_o      (rd_valid),
    .data_ready_i      (rd_ready),
    .data_o            (rd_data),
    .err_o             (rd_err),  // the error is taken from the R channel below, cleared on start
    .m_araddr_o        (m_axi_araddr_o),
    .m_arlen_o         (m_axi_arlen_o),
    .m_arsize_o        (m_axi_arsize_o),
    .m_arburst_o       (m_axi_arburst_o),
    .m_arvalid_o       (m_axi_arvalid_o),
    .m_arready_i       (m_axi_arready_i),
    .m_rdata_i         (m_axi_rdata_i),
    .m_rresp_i         (m_axi_rresp_i),
    .m_rlast_i         (m_axi_rlast_i),
    .m_rvalid_i        (m_axi_rvalid_i),
    .m_rready_o        (m_axi_rready_o)
  );

  if (Ports == 2) begin : g_rd1
    logic rd1_err;
    cnna_axi_rd_master #(
      .AddrWidth(AddrWidth), .DataWidth(DataWidth), .MaxBurst(MaxBurst), .FifoDepth(RdFifoDepth)
    ) u_rd1 (
      .clk_i, .rst_ni,
      .cmd_valid_i       (rd1_cmd_valid),
      .cmd_ready_o       (rd1_cmd_ready),
      .cmd_addr_i        (rd1_cmd_addr),
      .cmd_row_beats_i   (rd1_cmd_row_beats),
      .cmd_rows_i        (16'd1),
      .cmd_row_stride_i  (32'd0),
      .cmd_planes_i      (16'd1),
      .cmd_plane_stride_i(32'd0),
      .data_valid_o      (rd1_valid),
      .data_ready_i      (rd1_ready),
      .data_o            (rd1_data),
      .err_o             (rd1_err),
      .m_araddr_o        (m_axi1_araddr_o),
      .m_arlen_o         (m_axi1_arlen_o),
      .m_arsize_o        (m_axi1_arsize_o),
      .m_arburst_o       (m_axi1_arburst_o),
      .m_arvalid_o       (m_axi1_arvalid_o),
      .m_arready_i       (m_axi1_arready_i),
      .m_rdata_i         (m_axi1_rdata_i),
      .m_rresp_i         (m_axi1_rresp_i),
      .m_rlast_i         (m_axi1_rlast_i),
      .m_rvalid_i        (m_axi1_rvalid_i),
      .m_rready_o        (m_axi1_rready_o)
    );
    logic unused_rd1_err;
    assign unused_rd1_err = rd1_err;
  end else begin : g_no_rd1
    assign rd1_cmd_ready    = 1'b0;
    assign rd1_valid        = 1'b0;
    assign rd1_data         = '0;
    assign m_axi1_araddr_o  = '0;
    assign m_axi1_arlen_o   = '0;
    assign m_axi1_arsize_o  = '0;
    assign m_axi1_arburst_o = '0;
    assign m_axi1_arvalid_o = 1'b0;
    assign m_axi1_rready_o  = 1'b1;
    logic unused_port1;
    assign unused_port1 = m_axi1_arready_i ^ (^m_axi1_rdata_i) ^ (^m_axi1_rresp_i) ^ m_axi1_rlast_i ^
                          m_axi1_rvalid_i ^ rd1_cmd_valid ^ (^rd1_cmd_addr) ^ (^rd1_cmd_row_beats) ^ rd1_ready;
  end

  // AXI error: any R beat (either port) or B response other than OKAY; sticky until the next start.
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) axi_err_q <= 1'b0;
    else if (start) axi_err_q <= 1'b0;
    else if ((m_axi_rvalid_i && m_axi_rready_o && m_axi_rresp_i != 2'b00) ||
             (m_axi1_rvalid_i && m_axi1_rready_o && m_axi1_rresp_i != 2'b00 && Ports == 2) ||
             (m_axi_bvalid_i && m_axi_bready_o && m_axi_bresp_i != 2'b00)) axi_err_q <= 1'b1;
  end
  logic unused_master_err;
  assign unused_master_err = rd_err ^ wr_err;

  cnna_loader #(
    .Pi(Pi), .Po(Po), .DataWidth(DataWidth), .AddrWidth(AddrWidth),
    .InBankDepth(InBankDepth), .WBankDepth(WBankDepth), .Ports(Ports)
  ) u_loader (
    .clk_i, .rst_ni,
    .start_i              (start),
    .desc_base_i          (desc_base),
    .desc_base_hi_i       (desc_base_hi),
    .busy_o               (busy),
    .done_o               (done),
    .error_o              (error),
    .axi_err_i            (axi_err_q),
    .rd_cmd_valid_o       (rd_cmd_valid),
    .rd_cmd_ready_i       (rd_cmd_ready),
    .rd_cmd_addr_o        (rd_cmd_addr),
    .rd_cmd_row_beats_o   (rd_cmd_row_beats),
    .rd_cmd_rows_o        (rd_cmd_rows),
    .rd_cmd_row_stride_o  (rd_cmd_row_stride),
    .rd_cmd_planes_o      (rd_cmd_planes),
    .rd_cmd_plane_stride_o(rd_cmd_plane_stride),
    .rd_valid_i           (rd_valid),
    .rd_ready_o           (rd_ready),
    .rd_data_i            (rd_data),
    .rd1_cmd_valid_o      (rd1_cmd_valid),
    .rd1_cmd_ready_i      (rd1_cmd_ready),
    .rd1_cmd_addr_o       (rd1_cmd_addr),
    .rd1_cmd_row_beats_o  (rd1_cmd_row_beats),
    .rd1_valid_i          (rd1_valid),
    .rd1_ready_o          (rd1_ready),
    .rd1_data_i           (rd1_data),
    .in_we_o              (in_we),
    .in_waddr_o           (in_waddr),
    .in_wsub_o            (in_wsub),
    .in_wdata_o           (in_wdata),
    .w_we_o               (w_we),
    .w_waddr_o            (w_waddr),
    .w_wsub_o             (w_wsub),
    .w_wdata_o            (w_wdata),
    .slot_valid_o         (slot_valid),
    .slot_take_i          (slot_take),
    .slot_job_o           (slot_job),
    .slot_bias_o          (slot_bias),
    .slot_shift_o         (slot_shift),
    .w_wr_o               (w_wr),
    .w_rel_i              (w_rel),
    .jobs_done_i          (jobs_done),
    .compute_idle_i       (compute_idle),
    .writer_idle_i        (writer_idle)
  );

  for (genvar s = 0; s < Bpe; s++) begin : g_in_bank
    cnna_sdp_ram #(.Width(DataWidth), .Depth(1 << InAddrW)) u_ram (
      .clk_i,
      .we_i   (in_we && in_wsub == 16'(s)),
      .waddr_i(in_waddr),
      .wdata_i(in_wdata),
      .raddr_i(in_raddr),
      .rdata_o(in_rdata[s*DataWidth +: DataWidth])
    );
  end

  for (genvar s = 0; s < Bpw; s++) begin : g_w_ring
    cnna_sdp_ram #(.Width(DataWidth), .Depth(1 << WAddrW)) u_ram (
      .clk_i,
      .we_i   (w_we && w_wsub == 16'(s)),
      .waddr_i(w_waddr),
      .wdata_i(w_wdata),
      .raddr_i(w_raddr),
      .rdata_o(w_rdata[s*DataWidth +: DataWidth])
    );
  end

  cnna_compute #(
    .Pi(Pi), .Po(Po), .DataWidth(DataWidth), .AddrWidth(AddrWidth),
    .InBankDepth(InBankDepth), .WBankDepth(WBankDepth), .OutFifoDepth(OutFifoDepth),
    .MaxBatch(cnna_pkg::MAX_BATCH),
    .Wino(cnna_pkg::WINOGRAD != 0)
  ) u_compute (
    .clk_i, .rst_ni,
    .start_i            (start),
    .slot_valid_i       (slot_valid),
    .slot_take_o        (slot_take),
    .slot_job_i         (slot_job),
    .slot_bias_i        (slot_bias),
    .slot_shift_i       (slot_shift),
    .w_wr_i             (w_wr),
    .w_rel_o            (w_rel),
    .jobs_done_o        (jobs_done),
    .idle_o             (compute_idle),
    .in_raddr_o         (in_raddr),
    .in_rdata_i         (in_rdata),
    .w_raddr_o          (w_raddr),
    .w_rdata_i          (w_rdata),
    .wr_cmd_valid_o     (wr_cmd_valid),
    .wr_cmd_ready_i     (wr_cmd_ready),
    .wr_cmd_addr_o      (wr_cmd_addr),
    .wr_cmd_row_beats_o (wr_cmd_row_beats),
    .wr_cmd_rows_o      (wr_cmd_rows),
    .wr_cmd_row_stride_o(wr_cmd_row_stride),
    .wr_cmd_cols_o      (wr_cmd_cols),
    .wr_cmd_groups_o    (wr_cmd_groups),
    .wr_cmd_group_stride_o(wr_cmd_group_stride),
    .wr_cmd_tiles_o     (wr_cmd_tiles),
    .out_push_o         (out_push),
    .out_data_o         (out_data),
    .out_count_i        (out_count),
    .mac_busy_o,
    .stall_o,
    .job_done_o,
    .job_layer_o
  );

  // Output vectors (Po int16, tagged with their job's lane-group count; the compute unit's drain keeps
  // the job's fields until its last vector is pushed) wait here, then leave as groups*Bpg bus beats each.
  // Each entry carries its last beat's index (groups*Bpg - 1, from the job's registered lane-group count), and
  // the FIFO's head and count are registers, so the pop decision is an 8-bit compare of flip-flops.
  assign out_beats_m1 = 8'(wr_cmd_groups) * 8'(Bpg) - 8'd1;
  cnna_fifo #(.Width(Po*16+8), .Depth(OutFifoDepth), .RegOut(1'b1)) u_out (
    .clk_i, .rst_ni,
    .push_i (out_push),
    .wdata_i({out_beats_m1, out_data}),
    .pop_i  (out_pop),
    .rdata_o(out_head),
    .empty_o(out_empty),
    .full_o (out_full),
    .count_o(out_count)
  );
  assign beat_valid = !out_empty;
  assign beat_last  = (beat_sel_q == out_head[Po*16 +: 8]);
  assign out_pop    = beat_valid && beat_ready && beat_last;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) beat_sel_q <= '0;
    else if (beat_valid && beat_ready) beat_sel_q <= beat_last ? '0 : beat_sel_q + 8'd1;
  end

  cnna_out_cmd #(.Pi(Pi), .DataWidth(DataWidth), .AddrWidth(AddrWidth)) u_out_cmd (
    .clk_i, .rst_ni,
    .cmd_valid_i       (wr_cmd_valid),
    .cmd_ready_o       (wr_cmd_ready),
    .cmd_addr_i        (wr_cmd_addr),
    .cmd_row_beats_i   (wr_cmd_row_beats),
    .cmd_rows_i        (wr_cmd_rows),
    .cmd_row_stride_i  (wr_cmd_row_stride),
    .cmd_cols_i        (wr_cmd_cols),
    .cmd_groups_i      (wr_cmd_groups),
    .cmd_group_stride_i(wr_cmd_group_stride),
    .cmd_tiles_i       (wr_cmd_tiles),
    .wr_valid_o        (wm_cmd_valid),
    .wr_ready_i        (wm_cmd_ready),
    .wr_addr_o         (wm_cmd_addr),
    .wr_row_beats_o    (wm_cmd_row_beats),
    .wr_rows_o         (wm_cmd_rows),
    .wr_row_stride_o   (wm_cmd_row_stride)
  );

  cnna_axi_wr_master #(
    .AddrWidth(AddrWidth), .DataWidth(DataWidth), .MaxBurst(MaxBurst), .FifoDepth(2 * MaxBurst)
  ) u_wr (
    .clk_i, .rst_ni,
    .cmd_valid_i     (wm_cmd_valid),
    .cmd_ready_o     (wm_cmd_ready),
    .cmd_addr_i      (wm_cmd_addr),
    .cmd_row_beats_i (wm_cmd_row_beats),
    .cmd_rows_i      (wm_cmd_rows),
    .cmd_row_stride_i(wm_cmd_row_stride),
    .data_valid_i    (beat_valid),
    .data_ready_o    (beat_ready),
    .data_i          (out_head[beat_sel_q*DataWidth +: DataWidth]),
    .idle_o          (writer_idle),
    .err_o           (wr_err),
    .m_awaddr_o      (m_axi_awaddr_o),
    .m_awlen_o       (m_axi_awlen_o),
    .m_awsize_o      (m_axi_awsize_o),
    .m_awburst_o     (m_axi_awburst_o),
    .m_awvalid_o     (m_axi_awvalid_o),
    .m_awready_i     (m_axi_awready_i),
    .m_wdata_o       (m_axi_wdata_o),
    .m_wstrb_o       (m_axi_wstrb_o),
    .m_wlast_o       (m_axi_wlast_o),
    .m_wvalid_o      (m_axi_wvalid_o),
    .m_wready_i      (m_axi_wready_i),
    .m_bresp_i       (m_axi_bresp_i),
    .m_bvalid_i      (m_axi_bvalid_i),
    .m_bready_o      (m_axi_bready_o)
  );

  // Profiling counters, cleared on start. The events are registered first and counted a cycle later (each
  // counter is then an increment under an enable); no event happens in a run's first or last busy cycle
  // (the engine starts by reading its HEADER and ends on a write response), so the totals are exact.
  logic stall_ev_q, mac_ev_q, rd0_ev_q, rd1_ev_q, wr_ev_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      {stall_ev_q, mac_ev_q, rd0_ev_q, rd1_ev_q, wr_ev_q} <= '0;
    end else begin
      stall_ev_q <= stall_o;
      mac_ev_q   <= mac_busy_o;
      rd0_ev_q   <= m_axi_rvalid_i && m_axi_rready_o;
      rd1_ev_q   <= Ports == 2 && m_axi1_rvalid_i && m_axi1_rready_o;
      wr_ev_q    <= m_axi_wvalid_o && m_axi_wready_i;
    end
  end
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      cycles_q   <= '0;
      stalls_q   <= '0;
      mac_busy_q <= '0;
      rd_beats_q <= '0;
      wr_beats_q <= '0;
    end else if (start) begin
      cycles_q   <= '0;
      stalls_q   <= '0;
      mac_busy_q <= '0;
      rd_beats_q <= '0;
      wr_beats_q <= '0;
    end else if (busy) begin
      cycles_q <= cycles_q + 64'd1;
      if (stall_ev_q) stalls_q <= stalls_q + 32'd1;
      if (mac_ev_q) mac_busy_q <= mac_busy_q + 32'd1;
      if (rd0_ev_q || rd1_ev_q) rd_beats_q <= rd_beats_q + ((rd0_ev_q && rd1_ev_q) ? 32'd2 : 32'd1);
      if (wr_ev_q) wr_beats_q <= wr_beats_q + 32'd1;
    end
  end

  logic unused_full;
  assign unused_full = out_full;
endmodule
