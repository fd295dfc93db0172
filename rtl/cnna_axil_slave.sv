// AXI4-Lite control/status slave of the engine: 32-bit registers at the byte offsets cnna_pkg::REG_*
// (the register map of compiler/contracts/register-map.ts; table in docs/engine.md). CTRL write bit
// CTRL_START_BIT starts a run (ignored while busy); CTRL reads busy, done (sticky until the next start)
// and idle; ISR is write-1-to-clear; STATUS holds the cnna_pkg::ERR_* code of the last run.
// Offsets outside the map read 0 and ignore writes.
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
  output logic [31:0] base_hi_o,
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
  // Word addresses (byte offset / 4) of the registers.
  localparam logic [5:0] WCtrl = 6'(cnna_pkg::REG_CTRL / 4);
  localparam logic [5:0] WIrqEn = 6'(cnna_pkg::REG_IRQ_EN / 4);
  localparam logic [5:0] WIsr = 6'(cnna_pkg::REG_ISR / 4);
  localparam logic [5:0] WBaseLo = 6'(cnna_pkg::REG_BASE_LO / 4);
  localparam logic [5:0] WBaseHi = 6'(cnna_pkg::REG_BASE_HI / 4);
  localparam logic [5:0] WConfigId = 6'(cnna_pkg::REG_CONFIG_ID / 4);
  localparam logic [5:0] WConfigIdHi = 6'(cnna_pkg::REG_CONFIG_ID_HI / 4);
  localparam logic [5:0] WCyclesLo = 6'(cnna_pkg::REG_CYCLES_LO / 4);
  localparam logic [5:0] WCyclesHi = 6'(cnna_pkg::REG_CYCLES_HI / 4);
  localparam logic [5:0] WStatus = 6'(cnna_pkg::REG_STATUS / 4);
  localparam logic [5:0] WStalls = 6'(cnna_pkg::REG_STALLS / 4);
  localparam logic [5:0] WMacBusy = 6'(cnna_pkg::REG_MAC_BUSY / 4);
  localparam logic [5:0] WJobs = 6'(cnna_pkg::REG_JOBS / 4);
  localparam logic [5:0] WRdBeats = 6'(cnna_pkg::REG_RD_BEATS / 4);
  localparam logic [5:0] WWrBeats = 6'(cnna_pkg::REG_WR_BEATS / 4);

  logic        start_q, irq_en_q, done_q, isr_q, bvalid_q, rvalid_q;
  logic [31:0] base_q, base_hi_q, rdata_q;
  logic        wr_fire, rd_fire, start_req;
  logic [31:0] ctrl_rd;

  always_comb begin
    ctrl_rd = '0;
    ctrl_rd[cnna_pkg::CTRL_BUSY_BIT] = busy_i;
    ctrl_rd[cnna_pkg::CTRL_DONE_BIT] = done_q;
    ctrl_rd[cnna_pkg::CTRL_IDLE_BIT] = !busy_i;
  end

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
  assign start_req   = wr_fire && (s_awaddr_i[7:2] == WCtrl) && s_wstrb_i[0] && s_wdata_i[cnna_pkg::CTRL_START_BIT] && !busy_i && !start_q;

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
          WIrqEn:      irq_en_q <= s_wdata_i[cnna_pkg::IRQ_DONE_BIT];
          WIsr:        if (s_wdata_i[cnna_pkg::IRQ_DONE_BIT]) isr_q <= 1'b0;
          WBaseLo:     base_q <= s_wdata_i;
          WBaseHi:     base_hi_q <= s_wdata_i;
          default:     ;
        endcase
      end else if (bvalid_q && s_bready_i) begin
        bvalid_q <= 1'b0;
      end
      if (rd_fire) begin
        rvalid_q <= 1'b1;
        unique case (s_araddr_i[7:2])
          WCtrl:       rdata_q <= ctrl_rd;
          WIrqEn:      rdata_q <= 32'(irq_en_q) << cnna_pkg::IRQ_DONE_BIT;
          WIsr:        rdata_q <= 32'(isr_q) << cnna_pkg::IRQ_DONE_BIT;
          WBaseLo:     rdata_q <= base_q;
          WBaseHi:     rdata_q <= base_hi_q;
          WConfigId:   rdata_q <= cnna_pkg::CONFIG_HASH[31:0];
          WConfigIdHi: rdata_q <= cnna_pkg::CONFIG_HASH[63:32];
          WCyclesLo:   rdata_q <= cycles_i[31:0];
          WCyclesHi:   rdata_q <= cycles_i[63:32];
          WStatus:     rdata_q <= {24'd0, error_i};
          WStalls:     rdata_q <= stalls_i;
          WMacBusy:    rdata_q <= mac_busy_i;
          WJobs:       rdata_q <= jobs_i;
          WRdBeats:    rdata_q <= rd_beats_i;
          WWrBeats:    rdata_q <= wr_beats_i;
          default:     rdata_q <= 32'd0;
        endcase
      end else if (rvalid_q && s_rready_i) begin
        rvalid_q <= 1'b0;
      end
    end
  end

  assign start_o = start_q;
  assign base_o  = base_q;
  assign base_hi_o = base_hi_q;
  assign irq_o   = isr_q && irq_en_q;
endmodule
