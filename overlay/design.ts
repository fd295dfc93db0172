// The overlay's design, computed once from the board, the hardware config and the engine's ports:
// the IP's VLNV and interfaces, the block-design cells, which engine master drives which HP port at
// which width, the address map (engine registers in the PS control aperture, DDR windows of the
// masters), the PL clock and the interrupt line. The Tcl, overlay.json, the PYNQ driver and the tests
// all read this one object, so they cannot disagree.
//
// Invariants: every engine master is on exactly one HP port: engine port N (m_axiN_*, m_axi_* is 0) on
// HP port N % usedPorts; the register window
// holds REG_SPAN and lies inside the control aperture; the AXI width is at most the HP port width.
import { configHash, type HwConfig } from '../compiler/contracts/hw-config.ts';
import { REG_SPAN } from '../compiler/contracts/register-map.ts';
import { CnnaError } from '../compiler/errors/cnna-error.ts';
import type { EnginePorts } from './engine-ports.ts';
import type { OverlayBoard } from './overlay-boards.ts';

export type EngineKind = 'rtl' | 'hls';

export interface AddressEntry {
  /** Master cell and its address space / interface. */
  master: string;
  masterSpace: string;
  masterIntf: string;
  /** Slave cell, its interface and the segment name (get_bd_addr_segs) / block name (.hwh ADDRESSBLOCK). */
  slave: string;
  slaveIntf: string;
  segment: string;
  block: string;
  base: number;
  range: number;
  memType: 'REGISTER' | 'MEMORY';
}

export interface HpAssignment {
  hp: string;
  clockPin: string;
  smartconnect: string;
  masters: string[];
  dataBits: number;
}

export interface OverlayDesign {
  board: string;
  part: string;
  ps: OverlayBoard['ps'];
  psCell: string;
  engine: EngineKind;
  configHash: string;
  clockMhz: number;
  ip: { vendor: string; library: string; name: string; version: string; vlnv: string; top: string };
  engineCell: string;
  /** The engine IP's clock, reset (active low) and interrupt pins. */
  pins: { clock: string; reset: string; interrupt: string };
  control: { intf: string; smartconnect: string; slaveIntf: string };
  masters: Array<{ name: string; mode: 'read' | 'write'; hp: string; space: string }>;
  hp: HpAssignment[];
  resetCell: string;
  addressMap: AddressEntry[];
  clock: { psPin: string; param: string; requestedMhz: number };
  interrupt: { from: string; pin: string; to: string; psPin: string; index: number; sensitivity: 'LEVEL_HIGH' };
  axi: { dataBits: number; addrBits: number; burstBeats: number };
  /** Byte size of the control slave's address block (the packaged IP's reg0). */
  regBlockBytes: number;
}

export const ENGINE_CELL = 'cnna_0';
export const CONTROL_INTF = 's_axi_control';
export const REG_BLOCK_BYTES = 4096;

/** What the block design needs of the engine IP: its VLNV, pins, control block and AXI masters. */
export interface EngineIp {
  engine: EngineKind;
  ip: { vendor: string; library: string; name: string; version: string; top: string };
  pins: { clock: string; reset: string; interrupt: string };
  /** Address block of the control slave (the segment is s_axi_control/<block>). */
  regBlock: string;
  masters: Array<{ name: string; mode: 'read' | 'write'; port: number; space: string }>;
}

/** The RTL engine, packaged by package_ip.tcl from the wrapper (ip-wrapper.ts). */
export function rtlEngineIp(ports: EnginePorts): EngineIp {
  return {
    engine: 'rtl',
    ip: { vendor: 'cnna.dev', library: 'rtl', name: 'cnna', version: '1.0', top: 'cnna' },
    pins: { clock: 'aclk', reset: 'aresetn', interrupt: 'interrupt' },
    regBlock: 'reg0',
    masters: ports.masters.map((m) => ({ name: m.name, mode: m.mode, port: m.port, space: m.name })),
  };
}

/**
 * The HLS engine as Vitis HLS exports it (export_design -format ip_catalog, with the VLNV
 * cnna.dev:hls:cnna:1.0 that writeOverlay sets, so its MODTYPE is "cnna" as the RTL engine's): top cnna_top,
 * ap_clk / ap_rst_n / interrupt, the s_axilite bundle "control" as s_axi_control with block Reg, and one
 * master m_axi_<bundle> (address space Data_m_axi_<bundle>) per m_axi bundle of the top's INTERFACE
 * pragmas (hls/cnna_top.cpp), numbered in the order they appear (engine port 0, 1, ...).
 */
export function hlsEngineIp(topCpp: string): EngineIp {
  const masters: EngineIp['masters'] = [];
  for (const m of topCpp.matchAll(/HLS INTERFACE\s+mode\s*=\s*m_axi\b([^)\n]*)/g)) {
    const bundle = /bundle\s*=\s*(\w+)/.exec(m[1])?.[1];
    if (!bundle || masters.some((x) => x.name === `m_axi_${bundle}`)) continue;
    const writes = /max_write_burst_length/.test(m[1]) && !/max_read_burst_length/.test(m[1]);
    masters.push({ name: `m_axi_${bundle}`, mode: writes ? 'write' : 'read', port: masters.length, space: `Data_m_axi_${bundle}` });
  }
  if (!/HLS INTERFACE\s+mode\s*=\s*s_axilite\s+port\s*=\s*return\s+bundle\s*=\s*control/.test(topCpp)) {
    throw new CnnaError('E_FORMAT', 'hls/cnna_top.cpp: no s_axilite control bundle (port = return bundle = control) for the overlay to connect');
  }
  return {
    engine: 'hls',
    ip: { vendor: 'cnna.dev', library: 'hls', name: 'cnna', version: '1.0', top: 'cnna_top' },
    pins: { clock: 'ap_clk', reset: 'ap_rst_n', interrupt: 'interrupt' },
    regBlock: 'Reg',
    masters,
  };
}

export function buildDesign(board: OverlayBoard, config: HwConfig, eng: EngineIp): OverlayDesign {
  const engine = eng.engine;
  if (!board.part.startsWith(config.board.part)) {
    throw new CnnaError('E_CONFIG', `the config is for part ${config.board.part} (board ${config.board.name}), but board ${board.name} is ${board.part}`, {
      hint: `pass a config whose board.part is ${board.part.replace(/-[a-z]$/, '')} (cnna overlay --board ${board.name} --config FILE)`,
    });
  }
  if (config.axi.dataBits > board.hpMaxBits) {
    throw new CnnaError('E_CONFIG', `axi.dataBits is ${config.axi.dataBits}, but the HP ports of ${board.name} (${board.ps}) are at most ${board.hpMaxBits} bits wide`, {
      hint: `use axi.dataBits ${board.hpMaxBits} or less for ${board.name}`,
    });
  }
  if (eng.masters.length === 0) throw new CnnaError('E_FORMAT', `the ${engine} engine has no AXI master port`);
  const enginePorts = Math.max(...eng.masters.map((m) => m.port)) + 1;
  const used = Math.max(1, Math.min(config.axi.ports, board.hpPorts.length, enginePorts));
  const hp: HpAssignment[] = board.hpPorts.slice(0, used).map((p, k) => ({
    hp: p.intf, clockPin: p.clockPin, smartconnect: `axi_smc_hp${k}`, masters: [], dataBits: config.axi.dataBits,
  }));
  const masters = eng.masters.map((m) => {
    const a = hp[m.port % used];
    a.masters.push(m.name);
    return { name: m.name, mode: m.mode, hp: a.hp, space: m.space };
  });
  const ip = eng.ip;
  const range = board.engineRange;
  if (range < REG_SPAN || board.engineBase < board.control.apertureBase || board.engineBase + range > board.control.apertureBase + board.control.apertureSize) {
    throw new CnnaError('E_CONFIG', `board ${board.name}: the engine window 0x${board.engineBase.toString(16)}+0x${range.toString(16)} is outside the ${board.control.intf} aperture`);
  }
  const addressMap: AddressEntry[] = [{
    master: board.psCell, masterSpace: board.control.addressSpace, masterIntf: board.control.intf,
    slave: ENGINE_CELL, slaveIntf: CONTROL_INTF, segment: `${CONTROL_INTF}/${eng.regBlock}`, block: eng.regBlock,
    base: board.engineBase, range, memType: 'REGISTER',
  }];
  for (const m of masters) {
    const p = board.hpPorts.find((h) => h.intf === m.hp)!;
    addressMap.push({
      master: ENGINE_CELL, masterSpace: m.space, masterIntf: m.name,
      slave: board.psCell, slaveIntf: p.intf, segment: p.ddrSegment, block: p.ddrBlock,
      base: p.ddrBase, range: p.ddrSize, memType: 'MEMORY',
    });
  }
  return {
    board: board.name,
    part: board.part,
    ps: board.ps,
    psCell: board.psCell,
    engine,
    configHash: configHash(config),
    clockMhz: config.clockMhz,
    ip: { ...ip, vlnv: `${ip.vendor}:${ip.library}:${ip.name}:${ip.version}` },
    engineCell: ENGINE_CELL,
    pins: eng.pins,
    control: { intf: board.control.intf, smartconnect: 'axi_smc_ctrl', slaveIntf: CONTROL_INTF },
    masters,
    hp,
    resetCell: 'proc_sys_reset_0',
    addressMap,
    clock: { psPin: board.clock.pin, param: board.clock.freqParam, requestedMhz: config.clockMhz },
    interrupt: { from: ENGINE_CELL, pin: eng.pins.interrupt, to: board.psCell, psPin: board.irq.pin, index: 0, sensitivity: 'LEVEL_HIGH' },
    axi: { dataBits: config.axi.dataBits, addrBits: 32, burstBeats: config.axi.burstBeats },
    regBlockBytes: REG_BLOCK_BYTES,
  };
}
