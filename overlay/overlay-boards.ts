// What the overlay generator needs about a board's processing system, derived from the boards
// database (boards/<name>/board.json: part, PS IP, HP / control port names, clock, reset, interrupt,
// board preset, HP width) plus the Vivado naming rules of the two PS IPs: which CONFIG parameter
// enables a port and sets its width, its clock pin, the DDR address segment it reaches, the aperture
// of the control master. The naming rules are checked against the real Vivado hand-off file in
// ../shared/fixtures by overlay.test.ts; CONFIG names are in overlay/vivado-reference.ts.
//
// Invariants: hpPorts keep the database's order (the engine's masters are assigned in that order);
// a port name that matches no rule is an E_CONFIG error naming the board and the port.
import { boardByName, type BoardSpec } from '../boards/index.ts';
import { CnnaError } from '../compiler/errors/cnna-error.ts';

export type PsKind = 'zynq_ultra_ps_e' | 'processing_system7';

export interface HpPort {
  /** Bus interface of the PS, e.g. S_AXI_HP0_FPD. */
  intf: string;
  /** Its clock pin, e.g. saxihp0_fpd_aclk. */
  clockPin: string;
  /** CONFIG parameter that enables it, and the one that sets its data width. */
  enableParam: string;
  widthParam: string;
  /** The PS address segment it reaches DDR through (get_bd_addr_segs), and the block name a .hwh shows. */
  ddrSegment: string;
  ddrBlock: string;
  /** DDR window the segment covers (what the engine's 32-bit addresses can reach). */
  ddrBase: number;
  ddrSize: number;
}

export interface OverlayBoard {
  name: string;
  /** Vivado part, e.g. xczu3eg-sbva484-1-e. */
  part: string;
  /** Vivado board part (board files); its preset configures the MIO, DDR and clocks of the PS. */
  boardPart: string;
  ps: PsKind;
  /** Block-design cell name of the PS (Vivado's default instance name). */
  psCell: string;
  /** bd_rule that applies the board preset, and its config. */
  presetRule: string;
  presetConfig: Record<string, string>;
  hpPorts: HpPort[];
  /** The PS's other PL slave ports, switched off (a preset may enable them; unclocked they fail validation). */
  otherSlaveParams: string[];
  /** Widest data width an HP port takes. */
  hpMaxBits: number;
  control: {
    intf: string;
    clockPin: string;
    enableParam: string;
    widthParam?: string;
    /** Other control masters of the PS, switched off (a preset may enable them; unclocked they fail validation). */
    disableParams: string[];
    /** The PS address space the control master belongs to (get_bd_addr_spaces). */
    addressSpace: string;
    /** Aperture of the control master: the engine's registers must lie inside it. */
    apertureBase: number;
    apertureSize: number;
  };
  clock: { pin: string; freqParam: string; enableParam: string };
  resetPin: string;
  irq: { pin: string; enableParams: Record<string, string> };
  /** Where the engine's registers go (the start of the control aperture), and the window size. */
  engineBase: number;
  engineRange: number;
}

const bad = (b: BoardSpec, what: string, name: string): CnnaError =>
  new CnnaError('E_CONFIG', `board ${b.name}: the overlay generator does not know the ${b.ps.ip} ${what} ${name}`, {
    hint: `check ps in boards/${b.name}/board.json; overlay/overlay-boards.ts names the ports it knows`,
  });

/** zynq_ultra_ps_e (PG201): S_AXI_HPn_FPD is S_AXI_GP(n+2), S_AXI_HPCn_FPD is S_AXI_GPn; HPM0/1_FPD are M_AXI_GP0/1, HPM0_LPD is GP2. */
function zynqUltra(b: BoardSpec): OverlayBoard {
  const hpPorts = b.ps.hpPortNames.map((intf): HpPort => {
    const m = /^S_AXI_HP(C?)(\d)_FPD$/.exec(intf);
    if (!m) throw bad(b, 'HP port', intf);
    const n = Number(m[2]);
    const gp = m[1] ? n : n + 2;
    const tag = `HP${m[1]}${n}`;
    return {
      intf, clockPin: `saxi${tag.toLowerCase()}_fpd_aclk`, enableParam: `PSU__USE__S_AXI_GP${gp}`, widthParam: `PSU__SAXIGP${gp}__DATA_WIDTH`,
      ddrSegment: `SAXIGP${gp}/${tag}_DDR_LOW`, ddrBlock: `${tag}_DDR_LOW`, ddrBase: 0, ddrSize: 0x8000_0000,
    };
  });
  const masters: Record<string, { gp: number; clock: string; base: number }> = {
    M_AXI_HPM0_FPD: { gp: 0, clock: 'maxihpm0_fpd_aclk', base: 0xa000_0000 },
    M_AXI_HPM1_FPD: { gp: 1, clock: 'maxihpm1_fpd_aclk', base: 0xb000_0000 },
    M_AXI_HPM0_LPD: { gp: 2, clock: 'maxihpm0_lpd_aclk', base: 0x8000_0000 },
  };
  const ctl = masters[b.ps.controlPort];
  if (!ctl) throw bad(b, 'control port', b.ps.controlPort);
  const pl = /^pl_clk(\d)$/.exec(b.ps.clock);
  if (!pl) throw bad(b, 'clock', b.ps.clock);
  const irq = /^pl_ps_irq(\d)$/.exec(b.ps.interrupt);
  if (!irq) throw bad(b, 'interrupt', b.ps.interrupt);
  return {
    name: b.name, part: b.part, boardPart: b.boardPreset ?? '', ps: 'zynq_ultra_ps_e', psCell: 'zynq_ultra_ps_e_0',
    presetRule: 'xilinx.com:bd_rule:zynq_ultra_ps_e', presetConfig: { apply_board_preset: '1' },
    hpPorts, hpMaxBits: b.hpPortBits,
    // S_AXI_GP0..6: HPC0, HPC1, HP0..HP3 (FPD) and the LPD slave (PG201).
    otherSlaveParams: [0, 1, 2, 3, 4, 5, 6].map((g) => `PSU__USE__S_AXI_GP${g}`).filter((p) => !hpPorts.some((h) => h.enableParam === p)),
    control: {
      intf: b.ps.controlPort, clockPin: ctl.clock, enableParam: `PSU__USE__M_AXI_GP${ctl.gp}`, widthParam: `PSU__MAXIGP${ctl.gp}__DATA_WIDTH`,
      disableParams: [0, 1, 2].filter((g) => g !== ctl.gp).map((g) => `PSU__USE__M_AXI_GP${g}`),
      addressSpace: 'Data', apertureBase: ctl.base, apertureSize: 0x1000_0000,
    },
    clock: { pin: b.ps.clock, freqParam: `PSU__CRL_APB__PL${pl[1]}_REF_CTRL__FREQMHZ`, enableParam: `PSU__FPGA_PL${pl[1]}_ENABLE` },
    resetPin: b.ps.reset,
    irq: { pin: b.ps.interrupt, enableParams: { [`PSU__USE__IRQ${irq[1]}`]: '1' } },
    engineBase: ctl.base, engineRange: 0x1_0000,
  };
}

/** processing_system7 (PG082): S_AXI_HPn enabled by PCW_USE_S_AXI_HPn; M_AXI_GP0/1 at 0x4000_0000 / 0x8000_0000. */
function zynq7(b: BoardSpec): OverlayBoard {
  const hpPorts = b.ps.hpPortNames.map((intf): HpPort => {
    const m = /^S_AXI_HP(\d)$/.exec(intf);
    if (!m) throw bad(b, 'HP port', intf);
    return {
      intf, clockPin: `${intf}_ACLK`, enableParam: `PCW_USE_S_AXI_HP${m[1]}`, widthParam: `PCW_S_AXI_HP${m[1]}_DATA_WIDTH`,
      ddrSegment: `${intf}/HP${m[1]}_DDR_LOWOCM`, ddrBlock: `HP${m[1]}_DDR_LOWOCM`, ddrBase: 0, ddrSize: Math.min(b.ddr.sizeBytes, 0x4000_0000),
    };
  });
  const gp = /^M_AXI_GP([01])$/.exec(b.ps.controlPort);
  if (!gp) throw bad(b, 'control port', b.ps.controlPort);
  const fclk = /^FCLK_CLK(\d)$/.exec(b.ps.clock);
  if (!fclk) throw bad(b, 'clock', b.ps.clock);
  if (b.ps.interrupt !== 'IRQ_F2P') throw bad(b, 'interrupt', b.ps.interrupt);
  const base = gp[1] === '0' ? 0x4000_0000 : 0x8000_0000;
  return {
    name: b.name, part: b.part, boardPart: b.boardPreset ?? '', ps: 'processing_system7', psCell: 'processing_system7_0',
    presetRule: 'xilinx.com:bd_rule:processing_system7',
    presetConfig: { make_external: 'FIXED_IO, DDR', apply_board_preset: '1', Master: 'Disable', Slave: 'Disable' },
    hpPorts, hpMaxBits: b.hpPortBits,
    otherSlaveParams: [],
    control: {
      intf: b.ps.controlPort, clockPin: `${b.ps.controlPort}_ACLK`, enableParam: `PCW_USE_M_AXI_GP${gp[1]}`,
      disableParams: [`PCW_USE_M_AXI_GP${gp[1] === '0' ? 1 : 0}`],
      addressSpace: 'Data', apertureBase: base, apertureSize: 0x4000_0000,
    },
    clock: { pin: b.ps.clock, freqParam: `PCW_FPGA${fclk[1]}_PERIPHERAL_FREQMHZ`, enableParam: `PCW_FPGA_FCLK${fclk[1]}_ENABLE` },
    resetPin: b.ps.reset,
    irq: { pin: 'IRQ_F2P', enableParams: { PCW_USE_FABRIC_INTERRUPT: '1', PCW_IRQ_F2P_INTR: '1' } },
    // 0x43C0_0000 is where Vivado places the first AXI-Lite peripheral on GP0 (PYNQ-Z1/Z2 overlays).
    engineBase: base + 0x03c0_0000, engineRange: 0x1_0000,
  };
}

/** Vivado releases the generated project is written for; build.tcl names them and refuses others. */
export const TARGET_VIVADO_VERSIONS = ['2022.1', '2022.2', '2023.1', '2023.2'] as const;

/** The PS side of a board of the database (E_USAGE for an unknown board, E_CONFIG without a board preset). */
export function getOverlayBoard(name: string): OverlayBoard {
  const b = boardByName(name);
  if (!b.boardPreset) {
    throw new CnnaError('E_CONFIG', `board ${b.name} has no Vivado board preset in boards/${b.name}/board.json; the overlay's PS configuration comes from it`);
  }
  return b.ps.ip === 'zynq_ultra_ps_e' ? zynqUltra(b) : zynq7(b);
}
