// Output command splitter between the compute unit and the write master. A job's outputs leave the
// output FIFO as one vector per pooled pixel in (row, column) order; of each vector, `groups` lane groups
// of PI int16 are written, lane group g at addr + g*groupStride + py*rowStride + px*2*PI.
//   groups == 1: one region command for the whole job (rows x cols*Bpe beats, rowStride apart), passed
//                through unchanged: whole output rows go out in long bursts;
//   groups > 1 : one command per pixel (groups rows of Bpe beats, groupStride apart), addresses by
//                increments (next column +2*PI bytes, next row +rowStride).
//   tiles      : (a WINOGRAD job without pooling, whose vectors come per 2x2 tile of the region: (0,0), (0,1),
//                (1,0), (1,1) of each tile, tiles in (row, column) order, edge tiles cut to the region) per tile
//                one region command of up to 2 rows x 2 columns (groups == 1), or one command per pixel.
// Invariant: commands leave in the order of the vectors in the output FIFO; a job's command is taken
// (cmd_ready_o) only when the previous job's commands have all been issued.
module cnna_out_cmd #(
  parameter int unsigned Pi        = 16,
  parameter int unsigned DataWidth = 128,
  parameter int unsigned AddrWidth = 32,
  localparam int unsigned Bpe      = Pi * 16 / DataWidth  // bus beats per lane group
) (
  input  logic                 clk_i,
  input  logic                 rst_ni,
  input  logic                 cmd_valid_i,
  output logic                 cmd_ready_o,
  input  logic [AddrWidth-1:0] cmd_addr_i,
  input  logic [23:0]          cmd_row_beats_i,
  input  logic [15:0]          cmd_rows_i,
  input  logic [31:0]          cmd_row_stride_i,
  input  logic [15:0]          cmd_cols_i,
  input  logic [4:0]           cmd_groups_i,
  input  logic [31:0]          cmd_group_stride_i,
  input  logic                 cmd_tiles_i,
  output logic                 wr_valid_o,
  input  logic                 wr_ready_i,
  output logic [AddrWidth-1:0] wr_addr_o,
  output logic [23:0]          wr_row_beats_o,
  output logic [15:0]          wr_rows_o,
  output logic [31:0]          wr_row_stride_o
);
  logic                 split_q;  // a per-pixel job is being issued
  logic                 tile_q;   // a tiled job is being issued
  logic [AddrWidth-1:0] row_addr_q, pix_addr_q, tile_addr_q;
  logic [15:0]          rows_left_q, cols_left_q, cols_q;
  logic [31:0]          row_stride_q, group_stride_q;
  logic [4:0]           groups_q;
  logic [1:0]           tp_q;     // pixel of the tile (dy, dx) issued next (groups > 1)
  logic                 pass, take_split, take_tile, fire, tfire;
  logic                 t_two_rows, t_two_cols, t_last_pix;

  assign pass       = !split_q && !tile_q && cmd_valid_i && (cmd_groups_i <= 5'd1) && !cmd_tiles_i;
  assign take_split = !split_q && !tile_q && cmd_valid_i && (cmd_groups_i > 5'd1) && !cmd_tiles_i;
  assign take_tile  = !split_q && !tile_q && cmd_valid_i && cmd_tiles_i;
  assign fire       = split_q && wr_ready_i;
  assign tfire      = tile_q && wr_ready_i;
  assign cmd_ready_o = !split_q && !tile_q && (cmd_groups_i > 5'd1 || cmd_tiles_i || wr_ready_i);
  assign t_two_rows = rows_left_q > 16'd1;
  assign t_two_cols = cols_left_q > 16'd1;
  // The tile's last command: the whole tile (groups == 1), or its last pixel.
  assign t_last_pix = (groups_q <= 5'd1) || ((tp_q[1] || !t_two_rows) && (tp_q[0] || !t_two_cols));

  always_comb begin
    if (tile_q && groups_q <= 5'd1) begin
      wr_valid_o      = 1'b1;
      wr_addr_o       = tile_addr_q;
      wr_row_beats_o  = t_two_cols ? 24'(2 * Bpe) : 24'(Bpe);
      wr_rows_o       = t_two_rows ? 16'd2 : 16'd1;
      wr_row_stride_o = row_stride_q;
    end else if (tile_q) begin
      wr_valid_o      = 1'b1;
      wr_addr_o       = pix_addr_q;
      wr_row_beats_o  = 24'(Bpe);
      wr_rows_o       = 16'(groups_q);
      wr_row_stride_o = group_stride_q;
    end else if (split_q) begin
      wr_valid_o      = 1'b1;
      wr_addr_o       = pix_addr_q;
      wr_row_beats_o  = 24'(Bpe);
      wr_rows_o       = 16'(groups_q);
      wr_row_stride_o = group_stride_q;
    end else begin
      wr_valid_o      = pass;
      wr_addr_o       = cmd_addr_i;
      wr_row_beats_o  = cmd_row_beats_i;
      wr_rows_o       = cmd_rows_i;
      wr_row_stride_o = cmd_row_stride_i;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      split_q        <= 1'b0;
      tile_q         <= 1'b0;
      tile_addr_q    <= '0;
      tp_q           <= '0;
      row_addr_q     <= '0;
      pix_addr_q     <= '0;
      rows_left_q    <= '0;
      cols_left_q    <= '0;
      cols_q         <= '0;
      row_stride_q   <= '0;
      group_stride_q <= '0;
      groups_q       <= '0;
    end else if (take_split) begin
      split_q        <= 1'b1;
      row_addr_q     <= cmd_addr_i;
      pix_addr_q     <= cmd_addr_i;
      rows_left_q    <= cmd_rows_i;
      cols_left_q    <= cmd_cols_i;
      cols_q         <= cmd_cols_i;
      row_stride_q   <= cmd_row_stride_i;
      group_stride_q <= cmd_group_stride_i;
      groups_q       <= cmd_groups_i;
    end else if (take_tile) begin
      tile_q         <= 1'b1;
      row_addr_q     <= cmd_addr_i;
      tile_addr_q    <= cmd_addr_i;
      pix_addr_q     <= cmd_addr_i;
      tp_q           <= '0;
      rows_left_q    <= cmd_rows_i;
      cols_left_q    <= cmd_cols_i;
      cols_q         <= cmd_cols_i;
      row_stride_q   <= cmd_row_stride_i;
      group_stride_q <= cmd_group_stride_i;
      groups_q       <= cmd_groups_i;
    end else if (tfire) begin
      if (!t_last_pix) begin
        // Next pixel of the tile: (0,0) -> (0,1) -> (1,0) -> (1,1), skipping a missing column.
        if (!tp_q[0] && t_two_cols) begin
          tp_q       <= {tp_q[1], 1'b1};
          pix_addr_q <= pix_addr_q + AddrWidth'(Pi * 2);
        end else begin
          tp_q       <= 2'b10;
          pix_addr_q <= tile_addr_q + AddrWidth'(row_stride_q);
        end
      end else begin
        tp_q <= '0;
        if (t_two_cols && cols_left_q > 16'd2) begin
          cols_left_q <= cols_left_q - 16'd2;
          tile_addr_q <= tile_addr_q + AddrWidth'(Pi * 4);
          pix_addr_q  <= tile_addr_q + AddrWidth'(Pi * 4);
        end else if (t_two_rows && rows_left_q > 16'd2) begin
          rows_left_q <= rows_left_q - 16'd2;
          cols_left_q <= cols_q;
          row_addr_q  <= row_addr_q + AddrWidth'(2 * row_stride_q);
          tile_addr_q <= row_addr_q + AddrWidth'(2 * row_stride_q);
          pix_addr_q  <= row_addr_q + AddrWidth'(2 * row_stride_q);
        end else begin
          tile_q <= 1'b0;
        end
      end
    end else if (fire) begin
      if (cols_left_q > 16'd1) begin
        cols_left_q <= cols_left_q - 16'd1;
        pix_addr_q  <= pix_addr_q + AddrWidth'(Pi * 2);
      end else if (rows_left_q > 16'd1) begin
        rows_left_q <= rows_left_q - 16'd1;
        cols_left_q <= cols_q;
        row_addr_q  <= row_addr_q + AddrWidth'(row_stride_q);
        pix_addr_q  <= row_addr_q + AddrWidth'(row_stride_q);
      end else begin
        split_q <= 1'b0;
      end
    end
  end
endmodule
