// The boards database: every board loads, names a source for each figure, its derived DDR peak
// matches its bus, its default config validates and names it; unknown boards are refused naming
// the known ones (library and CLI); the Ultra96 exports keep working.
import { describe, expect, it } from 'vitest';
import { boardByName, boardDefaultConfig, boardNames, ddrBytesPerCycle, loadBoardConfig } from './index.ts';
import { SOURCED_FIELDS } from './board-spec.ts';
import { defaultConfig, getBoard, loadConfig, ultra96 } from './ultra96/board.ts';
import { cnna } from '../test/cli/run-cli.ts';
import { MAX_ARRAY_MACS } from '../compiler/contracts/hw-config.ts';

describe('boards database', () => {
  it('holds the five boards with their parts, resources and DSP types', () => {
    expect(boardNames()).toEqual(['kv260', 'pynq-z2', 'ultra96', 'ultra96v2', 'zcu104']);
    const row = (n: string) => {
      const b = boardByName(n);
      return [b.part, b.dsp, b.dspType, b.dspMultiplier, b.bram36, b.uram, b.lut, b.ff, b.ps.ip];
    };
    expect(row('ultra96')).toEqual(['xczu3eg-sbva484-1-e', 360, 'DSP48E2', '27x18', 216, 0, 70_560, 141_120, 'zynq_ultra_ps_e']);
    expect(row('ultra96v2')).toEqual(['xczu3eg-sbva484-1-i', 360, 'DSP48E2', '27x18', 216, 0, 70_560, 141_120, 'zynq_ultra_ps_e']);
    expect(row('pynq-z2')).toEqual(['xc7z020clg400-1', 220, 'DSP48E1', '25x18', 140, 0, 53_200, 106_400, 'processing_system7']);
    expect(row('zcu104')).toEqual(['xczu7ev-ffvc1156-2-e', 1728, 'DSP48E2', '27x18', 312, 96, 230_400, 460_800, 'zynq_ultra_ps_e']);
    expect(row('kv260')).toEqual(['xck26-sfvc784-2LV-c', 1248, 'DSP48E2', '27x18', 144, 64, 117_120, 234_240, 'zynq_ultra_ps_e']);
    expect(boardByName('pynq-z2').ps.hpPortNames).toEqual(['S_AXI_HP0', 'S_AXI_HP1', 'S_AXI_HP2', 'S_AXI_HP3']);
    expect(boardByName('kv260').ps.hpPortNames[0]).toBe('S_AXI_HP0_FPD');
    expect(boardByName('zcu104').boardPreset).toBe('xilinx.com:zcu104:part0:1.1');
  });

  it('the template\'s largest MAC array is the most DSP slices of any board', () => {
    expect(Math.max(...boardNames().map((n) => boardByName(n).dsp))).toBe(MAX_ARRAY_MACS);
  });

  it.each(boardNames())('%s: every figure names its source; the DDR peak is bus width x data rate', (n) => {
    const b = boardByName(n);
    for (const f of SOURCED_FIELDS) expect(b.sources[f], f).toMatch(/\S{3,}/);
    expect(b.ddrPeakBytesPerSec).toBeCloseTo((b.ddr.busBits / 8) * b.ddr.mtps * 1e6, -6);
    expect(b.hpPorts).toBe(b.ps.hpPortNames.length);
    expect(b.dspType === 'DSP48E1').toBe(b.family === 'zynq7000');
  });

  it.each(boardNames())('%s: the default config validates and names the board', (n) => {
    const c = boardDefaultConfig(n);
    expect(c.board.name).toBe(n);
    expect(boardByName(n).part.startsWith(c.board.part)).toBe(true);
    expect(c.array.pi * c.array.po).toBeLessThanOrEqual(boardByName(n).dsp);
    expect(c.axi.dataBits).toBeLessThanOrEqual(boardByName(n).hpPortBits);
  });

  it('refuses an unknown board naming the known ones, and a config for another board', () => {
    expect(() => boardByName('zedboard')).toThrow("unknown board 'zedboard'");
    try {
      boardByName('zedboard');
    } catch (e) {
      expect((e as { code: string; hint: string }).code).toBe('E_USAGE');
      expect((e as { hint: string }).hint).toBe('known boards: kv260, pynq-z2, ultra96, ultra96v2, zcu104');
    }
    expect(() => loadBoardConfig('boards/kv260/config.json', 'ultra96')).toThrow("boards/kv260/config.json: board.name is 'kv260' but --board is 'ultra96'");
  });

  it('keeps the Ultra96 exports: limits, default config, DDR bytes per cycle', () => {
    expect(getBoard('ultra96')).toBe(ultra96);
    expect(loadConfig(undefined, 'ultra96')).toEqual(defaultConfig());
    expect(defaultConfig().board).toEqual({ name: 'ultra96', part: 'xczu3eg-sbva484-1' });
    // 128-bit x 2 ports = 32 B/cycle; 4.264e9 x 0.92 / 200e6 = 19.61 B/cycle
    expect(ddrBytesPerCycle(defaultConfig(), ultra96)).toBeCloseTo(19.6144, 4);
    // PYNQ-Z2: 64-bit x 2 = 16 B/cycle; 2.1e9 x 0.85 / 100e6 = 17.85 -> the ports limit
    expect(ddrBytesPerCycle(boardDefaultConfig('pynq-z2'), boardByName('pynq-z2'))).toBe(16);
  });

  it('cnna compile --board with an unknown board exits 2 naming the known boards', () => {
    const r = cnna(['compile', 'models/default/fashion_cnn.onnx', '--board', 'zedboard', '-o', '/tmp/never-written']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("cnna: error [E_USAGE]: unknown board 'zedboard'\n  hint: known boards: kv260, pynq-z2, ultra96, ultra96v2, zcu104\n");
  });
});
