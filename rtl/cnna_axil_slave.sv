// AXI4-Lite control/status slave of the engine. 32-bit registers at byte offsets:
//   0x00 CTRL      W: bit0 start (write 1; ignored while busy). R: bit0 busy, bit1 done (sticky until the
//                  next start), bit2 idle
//   0x04 IRQ_EN    R/W: bit0 raise irq_o on done
//   0x08 ISR       R: bit0 done interrupt pending; W1C
//   0x10 BASE_LO   R/W: bundle base address (descriptors at BASE, every descriptor address is an offset)
//   0x14 BASE_HI   R/W: kept for 64-bit hosts; the engine's AXI address space is 32-bit
//   0x18 CONFIG_ID R: config hash bits 31:0        0x1C CONFIG_ID_HI R: config hash bits 63:32
//   0x20 CYCLES_LO R: cycles from start to done    0x24 CYCLES_HI    R
//   0x28 STATUS    R: error code of the last run (0 ok; 1..4 cnna_pkg::ERR_*, 5.. cnna_rtl_pkg::Err*)
//   0x2C STALLS    R: cycles the MAC array waited (data, weights or output space)
//   0x30 MAC_BUSY  R: cycles the MAC array issued work   0x34 JOBS R: JOB descriptors completed
//   0x38 RD_BEATS  R: AXI read beats                     0x3C WR_BEATS R: AXI write beats
// A write needs AW and W together; one transaction per channel in flight.
module cnna_axil_slave (
  input  logic        clk_i,
  input  logic        rst_ni,
  input  logic [7:0]  s_awaddr_i,
  input  logic        s_awvalid_i,
  output logic        s_awready_o,
  input  logic [31:0] s_wdata_i,
  input  logic [3:0]  s_wstrb_i,
  input  logic        s_wvalid_i,
  output logic        s_wready_o,
  output logic [1:0]  s_bresp_o,
  output logic        s_bvalid_o,
  input  logic        s_bready_i,
  input  logic [7:0]  s_araddr_i,
  input  logic        s_arvalid_i,
  output logic        s_arready_o,
  output logic [31:0] s_rdata_o,
  output logic [1:0]  s_rresp_o,
  output logic        s_rvalid_o,
  input  logic        s_rready_i,
  output logic        start_o,
  output logic [31:0] base_o,
  input  logic        busy_i,
  input  logic        done_i,
  input  logic [7:0]  error_i,
  input  logic [63:0] cycles_i,
  input  logic [31:0] stalls_i,
  input  logic [31:0] mac_busy_i,
  input  logic [31:0] jobs_i,
  input  logic [31:0] rd_beats_i,
  input  logic [31:0] wr_beats_i,
  output logic        irq_o
);
  logic        start_q, irq_en_q, done_q, isr_q, bvalid_q, rvalid_q;
  logic [31:0] base_q, base_hi_q, rdata_q;
  logic        wr_fire, rd_fire, start_req;

  assign wr_fire     = s_awvalid_i && s_wvalid_i && !bvalid_q;
  assign s_awready_o = wr_fire;
  assign s_wready_o  = wr_fire;
  assign s_bvalid_o  = bvalid_q;
  assign s_bresp_o   = 2'b00;
  assign rd_fire     = s_arvalid_i && !rvalid_q;
  assign s_arready_o = rd_fire;
  assign s_rvalid_o  = rvalid_q;
  assign s_rdata_o   = rdata_q;
  assign s_rresp_o   = 2'b00;
  assign start_req   = wr_fire && (s_awaddr_i[7:2] == 6'h00) && s_wstrb_i[0] && s_wdata_i[0] && !busy_i && !start_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      start_q   <= 1'b0;
      irq_en_q  <= 1'b0;
      done_q    <= 1'b0;
      isr_q     <= 1'b0;
      bvalid_q  <= 1'b0;
      rvalid_q  <= 1'b0;
      base_q    <= '0;
      base_hi_q <= '0;
      rdata_q   <= '0;
    end else begin
      start_q <= start_req;
      if (start_req) done_q <= 1'b0;
      if (done_i) begin
        done_q <= 1'b1;
        isr_q  <= 1'b1;
      end
      if (wr_fire) begin
        bvalid_q <= 1'b1;
        unique case (s_awaddr_i[7:2])
          6'h01:   irq_en_q <= s_wdata_i[0];
          6'h02:   if (s_wdata_i[0]) isr_q <= 1'b0;
          6'h04:   base_q <= s_wdata_i;
          6'h05:   base_hi_q <= s_wdata_i;
          default: ;
        endcase
      end else if (bvalid_q && s_bready_i) begin
        bvalid_q <= 1'b0;
      end
      if (rd_fire) begin
        rvalid_q <= 1'b1;
        unique case (s_araddr_i[7:2])
          6'h00:   rdata_q <= {29'd0, !busy_i, done_q, busy_i};
          6'h01:   rdata_q <= {31'd0, irq_en_q};
          6'h02:   rdata_q <= {31'd0, isr_q};
          6'h04:   rdata_q <= base_q;
          6'h05:   rdata_q <= base_hi_q;
          6'h06:   rdata_q <= cnna_pkg::CONFIG_HASH[31:0];
          6'h07:   rdata_q <= cnna_pkg::CONFIG_HASH[63:32];
          6'h08:   rdata_q <= cycles_i[31:0];
          6'h09:   rdata_q <= cycles_i[63:32];
          6'h0A:   rdata_q <= {24'd0, error_i};
          6'h0B:   rdata_q <= stalls_i;
          6'h0C:   rdata_q <= mac_busy_i;
          6'h0D:   rdata_q <= jobs_i;
          6'h0E:   rdata_q <= rd_beats_i;
          6'h0F:   rdata_q <= wr_beats_i;
          default: rdata_q <= 32'd0;
        endcase
      end else if (rvalid_q && s_rready_i) begin
        rvalid_q <= 1'b0;
      end
    end
  end

  assign start_o = start_q;
  assign base_o  = base_q;
  assign irq_o   = isr_q && irq_en_q;
endmodule
