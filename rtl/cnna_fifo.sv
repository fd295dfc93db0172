// Synchronous first-word-fall-through FIFO. Invariant: count_o = pushes - pops, never above Depth;
// a push when full or a pop when empty is ignored (callers check full_o / empty_o).
// RegOut = 1 keeps the head entry in a register (rdata_o, empty_o and full_o come from flip-flops, not through
// the distributed-RAM read): a push into an empty FIFO goes straight to the head register, so the latency is
// the same as with RegOut = 0 (the word can be popped the cycle after its push). The count is kept by
// +1 / -1 from the push and pop, never recomputed from the pointers.
module cnna_fifo #(
  parameter int unsigned Width  = 128,
  parameter int unsigned Depth  = 32,
  parameter bit          RegOut = 1'b0,
  localparam int unsigned PtrW = $clog2(Depth),
  localparam int unsigned CntW = $clog2(Depth + 1)
) (
  input  logic             clk_i,
  input  logic             rst_ni,
  input  logic             push_i,
  input  logic [Width-1:0] wdata_i,
  input  logic             pop_i,
  output logic [Width-1:0] rdata_o,
  output logic             empty_o,
  output logic             full_o,
  output logic [CntW-1:0]  count_o
);
  (* ram_style = "distributed" *) logic [Width-1:0] mem_q [0:Depth-1];
  logic [PtrW-1:0]  wptr_q, rptr_q;
  logic [CntW-1:0]  count_q;
  logic             do_push, do_pop;

  assign count_o = count_q;

  if (!RegOut) begin : g_comb
    assign empty_o = (count_q == '0);
    assign full_o  = (count_q == CntW'(Depth));
    assign rdata_o = mem_q[rptr_q];
    assign do_push = push_i && !full_o;
    assign do_pop  = pop_i && !empty_o;

    always_ff @(posedge clk_i) begin
      if (do_push) mem_q[wptr_q] <= wdata_i;
    end

    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        wptr_q  <= '0;
        rptr_q  <= '0;
        count_q <= '0;
      end else begin
        if (do_push) wptr_q <= (wptr_q == PtrW'(Depth - 1)) ? '0 : wptr_q + 1'b1;
        if (do_pop)  rptr_q <= (rptr_q == PtrW'(Depth - 1)) ? '0 : rptr_q + 1'b1;
        count_q <= count_q + CntW'(do_push) - CntW'(do_pop);
      end
    end
  end else begin : g_reg
    // The head register plus up to Depth - 1 entries in the RAM (mem_n_q of them). The empty and full
    // flags are registered and follow the push and pop (compared with the current count, not the next).
    logic [Width-1:0] head_q;
    logic             head_v_q, empty_q, full_q, mem_empty_q;
    logic             head_take, to_head, to_mem, from_mem;
    logic [CntW-1:0]  mem_n_q;

    assign empty_o   = empty_q;
    assign full_o    = full_q;
    assign rdata_o   = head_q;
    assign do_push   = push_i && !full_q;
    assign do_pop    = pop_i && head_v_q;
    // The head register takes a word when it is empty or being popped: from the RAM if it holds any, else
    // the pushed word.
    assign head_take = !head_v_q || do_pop;
    assign from_mem  = head_take && !mem_empty_q;
    assign to_head   = head_take && mem_empty_q && do_push;
    assign to_mem    = do_push && !to_head;

    always_ff @(posedge clk_i) begin
      if (to_mem) mem_q[wptr_q] <= wdata_i;
      if (from_mem) head_q <= mem_q[rptr_q];
      else if (to_head) head_q <= wdata_i;
    end

    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        wptr_q      <= '0;
        rptr_q      <= '0;
        count_q     <= '0;
        mem_n_q     <= '0;
        head_v_q    <= 1'b0;
        empty_q     <= 1'b1;
        full_q      <= 1'b0;
        mem_empty_q <= 1'b1;
      end else begin
        if (to_mem)   wptr_q <= (wptr_q == PtrW'(Depth - 1)) ? '0 : wptr_q + 1'b1;
        if (from_mem) rptr_q <= (rptr_q == PtrW'(Depth - 1)) ? '0 : rptr_q + 1'b1;
        if (head_take) head_v_q <= from_mem || to_head;
        mem_n_q <= mem_n_q + CntW'(to_mem) - CntW'(from_mem);
        if (to_mem && !from_mem) mem_empty_q <= 1'b0;
        else if (from_mem && !to_mem) mem_empty_q <= (mem_n_q == CntW'(1));
        count_q <= count_q + CntW'(do_push) - CntW'(do_pop);
        if (do_push && !do_pop) begin
          empty_q <= 1'b0;
          full_q  <= (count_q == CntW'(Depth - 1));
        end else if (do_pop && !do_push) begin
          empty_q <= (count_q == CntW'(1));
          full_q  <= 1'b0;
        end
      end
    end
  end
endmodule
