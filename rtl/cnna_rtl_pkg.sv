// RTL-internal types that do not depend on the hardware config: the decoded job (job_t). The config, the
// descriptor and HEADER field positions, the register map and the status codes live in the generated
// package cnna_pkg (compiler/contracts/gen-sv-package.ts); never copy them here.
// Referenced as cnna_rtl_pkg::name everywhere (Yosys 0.23 rejects `import pkg::*`).
package cnna_rtl_pkg;
  // One decoded JOB descriptor (addresses already relocated by BASE) plus the engine's bookkeeping.
  // stream = the job computes a single conv pixel (hc = wc = hp = wp = 1) or is a BATCH job: its weight words
  // are used once (a BATCH job: once per row, all rows in a row), so they are consumed while they arrive (FC
  // layers) instead of after the whole block is in (never a WINOGRAD job: its tiles read the block again and
  // again). batch / acc_in / acc_out / wino: the BATCH, ACC_IN, ACC_OUT, WINOGRAD flags.
  typedef struct packed {
    logic        stream;
    logic        batch;
    logic        acc_in;
    logic        acc_out;
    logic        wino;     // WINOGRAD flag (an engine built with array.winograd)
    logic [1:0]  act;
    logic [1:0]  pool;
    logic [15:0] layer;
    logic [7:0]  kw;
    logic [3:0]  sh;
    logic [3:0]  sw;
    logic [3:0]  dh;
    logic [3:0]  dw;
    logic [7:0]  pad_t;
    logic [7:0]  pad_l;
    logic [7:0]  pkh;
    logic [7:0]  pkw;
    logic [3:0]  psh;
    logic [3:0]  psw;
    logic [7:0]  ppad_t;
    logic [7:0]  ppad_l;
    logic [15:0] hin;
    logic [15:0] win;
    logic [15:0] cg;
    logic [15:0] hc;
    logic [15:0] wc;
    logic [15:0] hp;
    logic [15:0] wp;
    logic [5:0]  avg_shift;
    logic [16:0] avg_m;
    logic [15:0] act_a;
    logic [15:0] act_b;
    logic [31:0] out_addr;
    logic [15:0] out_row_stride;
    logic [31:0] out_cg_stride;   // bytes between output lane groups
    logic [4:0]  out_groups;      // lane groups of PI written, 1..PO/PI
    logic        in_bank;
    logic [31:0] w_base;
    logic [31:0] nw;
    logic [31:0] plane;
  } job_t;
endpackage
