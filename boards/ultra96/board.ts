// Ultra96 (ZU3EG) limits and the default engine config for it. The fit check (Yosys
// estimates vs these limits) and the perf model's DDR bandwidth read this file.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { validateConfig, type HwConfig } from '../../compiler/contracts/hw-config.ts';
import { CnnaError } from '../../compiler/errors/cnna-error.ts';

export interface BoardLimits {
  name: string;
  part: string;
  dsp48e2: number;
  bram36: number;
  lut: number;
  ff: number;
  /** LPDDR4 peak bytes/s. */
  ddrPeakBytesPerSec: number;
  /** Fraction of the peak reachable from the PL. */
  ddrPlEfficiency: number;
  /** DDR read latency seen by the PL, in engine cycles at the default clock. */
  ddrLatencyCycles: number;
  hpPortBits: number;
  hpPorts: number;
  defaultClockMhz: number;
}

export const ultra96: BoardLimits = {
  name: 'ultra96',
  part: 'xczu3eg-sbva484-1',
  dsp48e2: 360,
  bram36: 216,
  lut: 70_560,
  ff: 141_120,
  ddrPeakBytesPerSec: 4.26e9,
  ddrPlEfficiency: 0.92,
  ddrLatencyCycles: 40,
  hpPortBits: 128,
  hpPorts: 4,
  defaultClockMhz: 200,
};

export const boards: Record<string, BoardLimits> = { ultra96 };

export function getBoard(name: string): BoardLimits {
  const b = boards[name];
  if (!b) throw new CnnaError('E_USAGE', `unknown board '${name}'`, { hint: `known boards: ${Object.keys(boards).join(', ')}` });
  return b;
}

const defaultConfigPath = fileURLToPath(new URL('./config.json', import.meta.url));

export function defaultConfig(board = 'ultra96'): HwConfig {
  getBoard(board);
  return validateConfig(JSON.parse(readFileSync(defaultConfigPath, 'utf8')), defaultConfigPath);
}

/** Load a config file (or the board default) and check it against the board. */
export function loadConfig(file: string | undefined, board = 'ultra96'): HwConfig {
  if (!file) return defaultConfig(board);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new CnnaError('E_IO', `cannot read hardware config ${file}: ${(e as Error).message}`);
  }
  const c = validateConfig(raw, file);
  const b = getBoard(board);
  if (c.board.name !== b.name) {
    throw new CnnaError('E_CONFIG', `${file}: board.name is '${c.board.name}' but --board is '${b.name}'`);
  }
  return c;
}

/** Effective DDR bytes per engine cycle: the lesser of the AXI ports and the reachable DDR bandwidth. */
export function ddrBytesPerCycle(c: HwConfig, b: BoardLimits = ultra96): number {
  const axi = (c.axi.dataBits / 8) * c.axi.ports;
  const ddr = (b.ddrPeakBytesPerSec * b.ddrPlEfficiency) / (c.clockMhz * 1e6);
  return Math.min(axi, ddr);
}
