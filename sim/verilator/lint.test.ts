import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../boards/ultra96/board.ts';
import { validateConfig } from '../../compiler/contracts/hw-config.ts';
import { lintRtl } from './lint.ts';

describe('RTL lint', () => {
  it('passes verilator --lint-only -Wall (with the waiver file) and Yosys read_verilog -sv for the Ultra96 config', async () => {
    const r = await lintRtl(defaultConfig());
    expect(r.verilator).toEqual([]);
    expect(r.yosys).toEqual([]);
  });

  it('stays clean for a smaller array and shallower buffers', async () => {
    const c = defaultConfig();
    const small = validateConfig({ ...c, array: { pi: 8, po: 8 }, buffers: { ...c.buffers, inputBankEntries: 512, weightBankWords: 64 } });
    const r = await lintRtl(small);
    expect(r.verilator).toEqual([]);
    expect(r.yosys).toEqual([]);
  });
});
