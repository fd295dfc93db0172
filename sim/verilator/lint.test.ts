// The RTL lint flow (lint.ts): `verilator --lint-only -Wall` with only the per-signal waivers of
// rtl/lint/verilator_waiver.vlt (no blanket waiver: every lint_off names a rule, a file and a signal)
// and Yosys `read_verilog -sv`, for the Ultra96 default and every config of the template test, and for
// four of them with array.winograd.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../boards/ultra96/board.ts';
import { validateConfig } from '../../compiler/contracts/hw-config.ts';
import { lintRtl } from './lint.ts';
import { waiverFile } from './rtl-sources.ts';
import { TEMPLATE_CONFIGS } from './template-configs.ts';

describe('RTL lint', () => {
  it('waives warnings only per rule, file and signal (no blanket waiver)', () => {
    const offs = readFileSync(waiverFile, 'utf8').split('\n').filter((l) => /^\s*lint_off/.test(l));
    expect(offs.length).toBeGreaterThan(0);
    expect(offs.filter((l) => !/-rule \S+ -file "[^"*]*\*?cnna_\w+\.sv" -match "[^"]+"/.test(l))).toEqual([]);
  });

  it.each(TEMPLATE_CONFIGS)('passes verilator --lint-only -Wall and Yosys read_verilog -sv for the template config %s', async (_name, config) => {
    const r = await lintRtl(config);
    expect(r.verilator).toEqual([]);
    expect(r.yosys).toEqual([]);
  }, 600_000);

  it('passes verilator --lint-only -Wall (with the waiver file) and Yosys read_verilog -sv for the Ultra96 config', async () => {
    const r = await lintRtl(defaultConfig());
    expect(r.verilator).toEqual([]);
    expect(r.yosys).toEqual([]);
  });

  it.each([
    ['the Ultra96 default', defaultConfig()],
    ...TEMPLATE_CONFIGS.filter(([n]) => /^(pi32 po32|pi8 po120|pi16 po48)/.test(n)),
  ])('passes both tools with array.winograd (the Winograd datapath) for %s', async (_name, config) => {
    const r = await lintRtl({ ...config, array: { ...config.array, winograd: true } });
    expect(r.verilator).toEqual([]);
    expect(r.yosys).toEqual([]);
  }, 600_000);

  it('refuses, at elaboration, a config validateConfig refuses (PI 8 with a 256-bit bus): both tools name the rule', async () => {
    const c = defaultConfig();
    const bad = { ...c, array: { pi: 8, po: 8 }, axi: { ...c.axi, dataBits: 256 as const } };
    expect(() => validateConfig(bad)).toThrow('axi.dataBits: 256 is wider than one input entry');
    const r = await lintRtl(bad);
    const msg = 'cnna_top: DataWidth = 256 must be 64, 128 or 256 and no wider than one input entry, Pi*16 = 128 (axi.dataBits)';
    expect(r.verilator.filter((l) => l.includes('USERERROR'))).toEqual([expect.stringContaining(msg)]);
    expect(r.yosys).toEqual([expect.stringContaining('ERROR: cnna_top: DataWidth = %0d must be 64, 128 or 256')]);
  });

  it('stays clean for a smaller array and shallower buffers', async () => {
    const c = defaultConfig();
    const small = validateConfig({ ...c, array: { pi: 8, po: 8 }, buffers: { ...c.buffers, inputBankEntries: 512, weightBankWords: 64 } });
    const r = await lintRtl(small);
    expect(r.verilator).toEqual([]);
    expect(r.yosys).toEqual([]);
  });
});
