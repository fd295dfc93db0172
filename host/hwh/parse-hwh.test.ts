// .hwh parser on the real Vivado hand-off file in ../shared/fixtures (expected values read from
// the XML by hand with grep, see each comment) and on the hand-written fixtures/mini-z7.hwh.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CnnaError } from '../../compiler/errors/cnna-error.ts';
import { allRegisters, findIp, parseHwh } from './parse-hwh.ts';
import { isMmioAllowed, mmioRangeFor } from './mmio-allowed.ts';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../..');
const shared = process.env.CNNA_SHARED ?? resolve(repoRoot, '../shared');
const realPath = resolve(shared, 'fixtures/ultra96_cnna16_172mhz.hwh');
const haveReal = existsSync(realPath);
const miniPath = resolve(here, 'fixtures/mini-z7.hwh');

describe.skipIf(!haveReal)(`real Vivado .hwh (${haveReal ? realPath : `skipped: ${realPath} is absent (set CNNA_SHARED)`})`, () => {
  const hwh = haveReal ? parseHwh(readFileSync(realPath, 'utf8'), realPath) : undefined!;

  it('reads the system info', () => {
    // <SYSTEMINFO ARCH="zynquplus" DEVICE="xczu3eg" NAME="CNNA_BD" PACKAGE="sbva484" SPEEDGRADE="-1"/>
    expect(hwh.system).toEqual({
      name: 'CNNA_BD', arch: 'zynquplus', device: 'xczu3eg', package: 'sbva484', speedGrade: '-1', vivadoVersion: '2019.1',
    });
  });

  it('lists the 15 IP instances with type and version', () => {
    // grep -c '<MODULE ' -> 15
    expect(hwh.ips.length).toBe(15);
    const byType = (t: string) => hwh.ips.filter((ip) => ip.type === t).map((ip) => ip.instance).sort();
    expect(byType('axi_dma')).toEqual(['axi_dma_BUF', 'axi_dma_CTRL', 'axi_dma_W', 'axi_dma_X', 'axi_dma_Y']);
    expect(byType('smartconnect')).toEqual(['axi_smc', 'axi_smc1', 'axi_smc2', 'axi_smc3']);
    expect(byType('axi_interconnect')).toEqual(['ps8_0_axi_periph']);
    expect(byType('xlconcat')).toEqual(['xlconcat_0']);
    const ps = findIp(hwh, 'zynq_ultra_ps_1')!;
    expect([ps.type, ps.version, ps.vlnv]).toEqual(['zynq_ultra_ps_e', '3.3', 'xilinx.com:ip:zynq_ultra_ps_e:3.3']);
    const dma = findIp(hwh, 'axi_dma_X')!;
    expect([dma.version, dma.vlnv, dma.ipType]).toEqual(['7.1', 'xilinx.com:ip:axi_dma:7.1', 'PERIPHERAL']);
    const cnn = findIp(hwh, 'cnn_0')!;
    expect([cnn.type, cnn.version, cnn.vlnv]).toEqual(['cnn', '456.122', 'xilinx.com:hls:cnn:456.122']);
    expect(findIp(hwh, 'axi_intc_0')!.version).toBe('4.1');
  });

  it('reads base addresses and ranges from the PS memory map', () => {
    // MEMRANGE lines 13856-13862 (master zynq_ultra_ps_1, M_AXI_HPM0_LPD)
    const expected: Array<[string, number, number, string]> = [
      ['axi_dma_BUF', 0x80000000, 0x80000fff, 'S_AXI_LITE'],
      ['axi_dma_W', 0x80001000, 0x80001fff, 'S_AXI_LITE'],
      ['axi_dma_X', 0x80002000, 0x80002fff, 'S_AXI_LITE'],
      ['axi_dma_Y', 0x80003000, 0x80003fff, 'S_AXI_LITE'],
      ['axi_intc_0', 0x80004000, 0x80004fff, 's_axi'],
      ['axi_dma_CTRL', 0x80005000, 0x80005fff, 'S_AXI_LITE'],
      ['cnn_0', 0x80010000, 0x8001ffff, 'S_AXI_SLV0'],
    ];
    for (const [inst, base, high, slaveIf] of expected) {
      const r = findIp(hwh, inst)!.addressRanges;
      expect(r.length, inst).toBe(1);
      expect([r[0]!.base, r[0]!.high, r[0]!.size, r[0]!.slaveInterface, r[0]!.master, r[0]!.masterInterface, r[0]!.memType])
        .toEqual([base, high, high - base + 1, slaveIf, 'zynq_ultra_ps_1', 'M_AXI_HPM0_LPD', 'REGISTER']);
    }
    expect(findIp(hwh, 'cnn_0')!.addressRanges[0]!.baseName).toBe('C_S_AXI_SLV0_BASEADDR');
    // grep -c '<MEMRANGE ' -> 12: 7 register ranges + 5 DMA masters seeing DDR 0x0-0x7FFFFFFF
    expect(hwh.memRanges.length).toBe(12);
    const ddr = hwh.memRanges.filter((r) => r.memType === 'MEMORY');
    expect(ddr.map((r) => `${r.master}:${r.masterInterface}->${r.slaveInterface}:${r.addressBlock}`).sort()).toEqual([
      'axi_dma_BUF:M_AXI_MM2S->S_AXI_HP3_FPD:HP3_DDR_LOW',
      'axi_dma_CTRL:M_AXI_MM2S->S_AXI_HP0_FPD:HP0_DDR_LOW',
      'axi_dma_W:M_AXI_MM2S->S_AXI_HP2_FPD:HP2_DDR_LOW',
      'axi_dma_X:M_AXI_MM2S->S_AXI_HP1_FPD:HP1_DDR_LOW',
      'axi_dma_Y:M_AXI_S2MM->S_AXI_HP0_FPD:HP0_DDR_LOW',
    ]);
    for (const r of ddr) expect([r.base, r.high, r.slave]).toEqual([0, 0x7fffffff, 'zynq_ultra_ps_1']);
  });

  it('reads the address blocks', () => {
    // <ADDRESSBLOCK ACCESS="read-write" INTERFACE="S_AXI_SLV0" NAME="Reg" RANGE="65536" USAGE="register"/>
    expect(findIp(hwh, 'cnn_0')!.addressBlocks).toEqual([
      { name: 'Reg', interface: 'S_AXI_SLV0', range: 65536, access: 'read-write', usage: 'register', registers: [] },
    ]);
    const b = findIp(hwh, 'axi_intc_0')!.addressBlocks;
    expect([b.length, b[0]!.interface, b[0]!.range]).toEqual([1, 'S_AXI', 4096]);
  });

  it('reads all 169 register definitions with offsets, widths and fields', () => {
    // grep -c '<REGISTER ' -> 169: 19 per axi_dma (x5) + 74 in axi_intc_0
    expect(allRegisters(hwh).length).toBe(169);
    expect(findIp(hwh, 'axi_dma_Y')!.addressBlocks[0]!.registers.length).toBe(19);
    expect(findIp(hwh, 'axi_intc_0')!.addressBlocks[0]!.registers.length).toBe(74);
    const regs = findIp(hwh, 'axi_dma_X')!.addressBlocks[0]!.registers;
    const off = Object.fromEntries(regs.map((r) => [r.name, r.offset]));
    expect(off).toMatchObject({
      MM2S_DMACR: 0x0, MM2S_DMASR: 0x04, MM2S_CURDESC: 0x08, MM2S_SA: 0x18, MM2S_SA_MSB: 0x1c, MM2S_LENGTH: 0x28,
      SG_CTL: 0x2c, S2MM_DMACR: 0x30, S2MM_DMASR: 0x34, S2MM_DA: 0x48, S2MM_LENGTH: 0x58,
    });
    const cr = regs.find((r) => r.name === 'MM2S_DMACR')!;
    expect([cr.width, cr.access, cr.resetValue, cr.enabled]).toEqual([32, 'read-write', 0x10002, true]);
    expect(cr.description).toBe('MM2S DMA Control Register');
    const f = Object.fromEntries(cr.fields.map((x) => [x.name, [x.bitOffset, x.bitWidth, x.access]]));
    expect(f).toMatchObject({
      RS: [0, 1, 'read-write'], Reset: [2, 1, 'read-write'], Keyhole: [3, 1, 'read-write'], IOC_IrqEn: [12, 1, 'read-write'],
      IRQThreshold: [16, 8, 'read-write'], IRQDelay: [24, 8, 'read-write'],
    });
    // The RS description holds "&#xA;" entities, decoded to newlines.
    expect(cr.fields.find((x) => x.name === 'RS')!.description).toContain('Run / Stop control');
    expect(cr.fields.find((x) => x.name === 'RS')!.description.split('\n').length).toBeGreaterThan(3);
    const intc = Object.fromEntries(findIp(hwh, 'axi_intc_0')!.addressBlocks[0]!.registers.map((r) => [r.name, [r.offset, r.width]]));
    expect(intc).toMatchObject({
      ISR: [0x0, 5], IPR: [0x4, 5], IER: [0x8, 5], IAR: [0xc, 5], MER: [0x1c, 2], ILR: [0x24, 5], 'IVAR[0]': [0x100, 32], 'IVAR[1]': [0x104, 32],
    });
  });

  it('reads the 172 MHz PL clock and the clock ports', () => {
    // PSU__CRL_APB__PL0_REF_CTRL__ACT_FREQMHZ=172.220505, __FREQMHZ=173, DIVISOR0=6, SRCSEL=RPLL, PSU__FPGA_PL0_ENABLE=1
    expect(hwh.clocks.ps).toBe('zynq_ultra_ps_1');
    expect(hwh.clocks.pl[0]).toEqual({
      index: 0, enabled: true, requestedMHz: 173, actualMHz: 172.220505, divisor0: 6, divisor1: 1, source: 'RPLL',
    });
    expect(hwh.clocks.pl.filter((c) => c.enabled).map((c) => c.index)).toEqual([0]);
    // grep -c 'CLKFREQUENCY=' -> 23, all 172220505 on zynq_ultra_ps_1_pl_clk0
    expect(hwh.clocks.ports.length).toBe(23);
    expect(new Set(hwh.clocks.ports.map((p) => `${p.freqHz}:${p.signal}`))).toEqual(new Set(['172220505:zynq_ultra_ps_1_pl_clk0']));
    expect(hwh.clocks.ports.find((p) => p.instance === 'zynq_ultra_ps_1' && p.port === 'pl_clk0')!.dir).toBe('O');
    const lite = findIp(hwh, 'axi_dma_BUF')!.busInterfaces.find((b) => b.name === 'S_AXI_LITE')!;
    expect([lite.type, lite.dataWidth, lite.parameters.FREQ_HZ]).toEqual(['SLAVE', 32, '172220505']);
  });

  it('traces interrupts through xlconcat to axi_intc_0 and the PS', () => {
    // xlconcat_0 In0..In4 <- X, W, BUF, Y(s2mm), CTRL; axi_intc_0.intr <- xlconcat_0.dout; pl_ps_irq0 <- axi_intc_0.irq
    expect(hwh.interrupts.map((l) => [l.instance, l.port, l.controller, l.index])).toEqual([
      ['axi_dma_X', 'mm2s_introut', 'axi_intc_0', 0],
      ['axi_dma_W', 'mm2s_introut', 'axi_intc_0', 1],
      ['axi_dma_BUF', 'mm2s_introut', 'axi_intc_0', 2],
      ['axi_dma_Y', 's2mm_introut', 'axi_intc_0', 3],
      ['axi_dma_CTRL', 'mm2s_introut', 'axi_intc_0', 4],
      ['axi_intc_0', 'irq', 'zynq_ultra_ps_1', 0],
    ]);
  });

  it('allows MMIO only inside a register range', () => {
    expect(isMmioAllowed(hwh, 0x80010000, 4)).toBe(true);
    expect(isMmioAllowed(hwh, 0x8001fffc, 4)).toBe(true);
    expect(isMmioAllowed(hwh, 0x8001fffd, 4)).toBe(false); // crosses the high end
    expect(isMmioAllowed(hwh, 0x80020000, 4)).toBe(false);
    expect(isMmioAllowed(hwh, 0x80005ffc, 4)).toBe(true);
    expect(isMmioAllowed(hwh, 0x80006000, 4)).toBe(false); // gap between CTRL DMA and cnn_0
    expect(isMmioAllowed(hwh, 0x80000ffc, 8)).toBe(false); // spans two ranges
    expect(isMmioAllowed(hwh, 0x00001000, 4)).toBe(false); // DDR is MEMORY, not MMIO
    expect(mmioRangeFor(hwh, 0x80004008, 4)!.slave).toBe('axi_intc_0');
  });
});

describe('hand-written fixtures/mini-z7.hwh', () => {
  const hwh = parseHwh(readFileSync(miniPath, 'utf8'), miniPath);

  it('reads the IP, its range, registers and decoded entities', () => {
    expect(hwh.system.arch).toBe('zynq');
    expect(hwh.ips.map((ip) => ip.instance)).toEqual(['cnna_0', 'processing_system7_0']);
    const ip = findIp(hwh, 'cnna_0')!;
    expect([ip.type, ip.version, ip.vlnv]).toEqual(['cnna', '1.0', 'cnna.dev:hls:cnna:1.0']);
    expect(ip.addressRanges.map((r) => [r.base, r.high, r.size])).toEqual([[0x43c00000, 0x43c0ffff, 0x10000]]);
    const [ctrl, desc] = ip.addressBlocks[0]!.registers;
    expect(ctrl!.description).toBe('Control & status: start, done, idle\n(ap_ctrl_hs)');
    expect([ctrl!.offset, ctrl!.width, ctrl!.resetValue]).toEqual([0, 32, 4]);
    expect(ctrl!.fields.map((f) => [f.name, f.bitOffset, f.bitWidth, f.access])).toEqual([
      ['AP_START', 0, 1, 'read-write'], ['AP_DONE', 1, 1, 'read-only'], ['RESERVED', 8, 24, 'read-only'],
    ]);
    expect(desc!.description).toBe('descriptor list base address (low word), <= 32 bits');
    expect([desc!.offset, desc!.access, desc!.resetValue, desc!.enabled]).toEqual([0x10, 'write-only', undefined, true]);
  });

  it('reads Zynq-7000 FCLK clocks and a direct interrupt', () => {
    expect(hwh.clocks.pl).toEqual([
      { index: 0, enabled: true, requestedMHz: 200, actualMHz: 199.998001, divisor0: 5, divisor1: 1, source: 'IO PLL' },
      { index: 1, enabled: false, requestedMHz: 50, actualMHz: 50, divisor0: undefined, divisor1: undefined, source: undefined },
    ]);
    expect(hwh.clocks.ports.map((p) => [p.instance, p.port, p.freqHz])).toEqual([
      ['cnna_0', 'ap_clk', 199998001], ['processing_system7_0', 'FCLK_CLK0', 199998001],
    ]);
    expect(findIp(hwh, 'cnna_0')!.busInterfaces[0]!.parameters.FREQ_HZ).toBe('199998001');
    expect(hwh.interrupts).toEqual([
      { instance: 'cnna_0', port: 'interrupt', controller: 'processing_system7_0', controllerPort: 'IRQ_F2P', index: 0, sensitivity: 'LEVEL_HIGH' },
    ]);
  });

  it('checks MMIO against every register range of the memory map', () => {
    expect(isMmioAllowed(hwh, 0x43c00000, 4)).toBe(true);
    expect(isMmioAllowed(hwh, 0x43c0fffc, 4)).toBe(true);
    expect(isMmioAllowed(hwh, 0x43c0fffe, 4)).toBe(false);
    expect(isMmioAllowed(hwh, 0x43bffffc, 4)).toBe(false);
    expect(isMmioAllowed(hwh, 0x40000010, 4)).toBe(true);
    expect(isMmioAllowed(hwh, 0x43c00000, 0)).toBe(false);
    expect(isMmioAllowed(hwh, -4, 4)).toBe(false);
    expect(isMmioAllowed(hwh, 0x43c00000 + 0.5, 4)).toBe(false);
  });
});

describe('malformed .hwh', () => {
  const mini = readFileSync(miniPath, 'utf8');
  const err = (xml: string): CnnaError => {
    try {
      parseHwh(xml, 'x.hwh');
    } catch (e) {
      if (e instanceof CnnaError) return e;
      throw e;
    }
    throw new Error('no error');
  };

  it('rejects a truncated file with its position', () => {
    const e = err(mini.slice(0, 2000));
    expect(e.code).toBe('E_FORMAT');
    expect(e.message).toMatch(/^x\.hwh: malformed XML at line \d+, column \d+: /);
  });

  it('rejects a non-EDKSYSTEM root and a missing MODULES section', () => {
    expect(err('<foo/>').message).toBe('x.hwh: root element is <foo>, expected <EDKSYSTEM>');
    expect(err('<EDKSYSTEM><SYSTEMINFO/></EDKSYSTEM>').message).toBe('x.hwh: <EDKSYSTEM> has no <MODULES> section');
  });

  it('rejects a bad number naming the module and attribute', () => {
    const e = err(mini.replace('BASEVALUE="0x43C00000"', 'BASEVALUE="0x43G00000"'));
    expect(e.code).toBe('E_FORMAT');
    expect(e.message).toBe('x.hwh: module processing_system7_0 MEMRANGE for cnna_0 BASEVALUE is "0x43G00000", not a number');
    const e2 = err(mini.replace('<PROPERTY NAME="BIT_WIDTH" VALUE="24"/>', '<PROPERTY NAME="BIT_WIDTH" VALUE=""/>'));
    expect(e2.message).toBe('x.hwh: module cnna_0 address block Reg register CTRL field RESERVED BIT_WIDTH is "", not a number');
  });

  it('rejects a range whose high end is below its base', () => {
    const e = err(mini.replace('HIGHVALUE="0x43C0FFFF"', 'HIGHVALUE="0x43BFFFFF"'));
    expect(e.message).toBe('x.hwh: module processing_system7_0 MEMRANGE for cnna_0 has HIGHVALUE below BASEVALUE');
  });
});
