// Parses the `stat` report Yosys prints after `synth_xilinx` (flattened design) into cell counts and
// the resource figures the board fit check needs. LUT counts include LUTs used as distributed RAM and
// shift registers (UltraScale+ primitive sizes); FFs are the FD* primitives.
export interface ResourceCounts {
  dsp48e2: number;
  ramb36: number;
  ramb18: number;
  /** RAMB36 + RAMB18 / 2. */
  bram36Equivalent: number;
  lut: number;
  lutAsLogic: number;
  lutAsMemory: number;
  ff: number;
  carry8: number;
  cells: Record<string, number>;
}

const LUTRAM_LUTS: Record<string, number> = {
  RAM16X1S: 1, RAM32X1S: 1, RAM64X1S: 1, RAM128X1S: 2, RAM256X1S: 4, RAM512X1S: 8,
  RAM16X1D: 2, RAM32X1D: 2, RAM64X1D: 2, RAM128X1D: 4, RAM256X1D: 8,
  RAM32M: 4, RAM64M: 4, RAM32M16: 8, RAM64M8: 8, SRL16E: 1, SRLC32E: 1, SRLC16E: 1,
};

/** Cell counts of the last `=== module ===` block in a Yosys stat report (the flattened top). */
export function parseYosysStat(text: string): ResourceCounts {
  const blocks = text.split(/^=== .* ===$/m);
  const body = blocks[blocks.length - 1] ?? '';
  const cells: Record<string, number> = {};
  let inCells = false;
  for (const line of body.split('\n')) {
    if (/Number of cells:/.test(line)) { inCells = true; continue; }
    if (!inCells) continue;
    const m = /^\s+(\$?[\w$]+)\s+(\d+)\s*$/.exec(line);
    if (m) cells[m[1]] = (cells[m[1]] ?? 0) + Number(m[2]);
    else if (line.trim() !== '' && Object.keys(cells).length > 0) break;
  }
  const get = (k: string) => cells[k] ?? 0;
  let lutAsLogic = 0;
  for (let i = 1; i <= 6; i++) lutAsLogic += get(`LUT${i}`);
  let lutAsMemory = 0;
  for (const [k, n] of Object.entries(LUTRAM_LUTS)) lutAsMemory += get(k) * n;
  const ff = ['FDRE', 'FDSE', 'FDCE', 'FDPE', 'LDCE', 'LDPE'].reduce((a, k) => a + get(k), 0);
  const ramb36 = get('RAMB36E2');
  const ramb18 = get('RAMB18E2');
  return {
    dsp48e2: get('DSP48E2'),
    ramb36,
    ramb18,
    bram36Equivalent: ramb36 + ramb18 / 2,
    lut: lutAsLogic + lutAsMemory,
    lutAsLogic,
    lutAsMemory,
    ff,
    carry8: get('CARRY8'),
    cells,
  };
}
