// The boards database: one folder per board (boards/<name>/board.json + config.json), read once and
// schema-checked. `boardByName` is how every command resolves `--board`; an unknown name is an
// E_USAGE error that lists the known boards.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { validateConfig, type HwConfig } from '../compiler/contracts/hw-config.ts';
import { CnnaError } from '../compiler/errors/cnna-error.ts';
import { boardSpecSchema, SOURCED_FIELDS, type BoardSpec } from './board-spec.ts';

export type { BoardSpec } from './board-spec.ts';

const boardsDir = fileURLToPath(new URL('.', import.meta.url));

function loadSpec(name: string): BoardSpec {
  const file = join(boardsDir, name, 'board.json');
  const r = boardSpecSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!r.success) {
    throw new CnnaError('E_CONFIG', `${file} is invalid: ${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  }
  const b = r.data;
  if (b.name !== name) throw new CnnaError('E_CONFIG', `${file}: name is '${b.name}' but the folder is '${name}'`);
  const missing = SOURCED_FIELDS.filter((f) => !b.sources[f]);
  if (missing.length) throw new CnnaError('E_CONFIG', `${file}: no source for ${missing.join(', ')}`, { hint: 'every figure in board.json names where it comes from (sources)' });
  return Object.freeze(b);
}

/** Every board in the database, by name (folders holding a board.json), in name order. */
export const boardRegistry: Readonly<Record<string, BoardSpec>> = Object.freeze(Object.fromEntries(
  readdirSync(boardsDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(boardsDir, d.name, 'board.json')))
    .map((d) => d.name).sort()
    .map((n) => [n, loadSpec(n)]),
));

export function boardNames(): string[] {
  return Object.keys(boardRegistry);
}

export function boardByName(name: string): BoardSpec {
  const b = Object.hasOwn(boardRegistry, name) ? boardRegistry[name] : undefined;
  if (!b) throw new CnnaError('E_USAGE', `unknown board '${name}'`, { hint: `known boards: ${boardNames().join(', ')}` });
  return b;
}

/** Path of a board's default engine config. */
export function defaultConfigPath(board: string): string {
  return join(boardsDir, boardByName(board).name, 'config.json');
}

/** A board's default engine config (boards/<name>/config.json), validated. */
export function boardDefaultConfig(board: string): HwConfig {
  const file = defaultConfigPath(board);
  return validateConfig(JSON.parse(readFileSync(file, 'utf8')), file);
}

/**
 * Checks that a config names this board: board.name equal, board.part the board's part or a prefix of
 * it (device-package-speed; the temperature grade does not change the netlist).
 */
export function checkConfigBoard(c: HwConfig, b: BoardSpec, source: string): void {
  if (c.board.name !== b.name) {
    throw new CnnaError('E_CONFIG', `${source}: board.name is '${c.board.name}' but --board is '${b.name}'`, { hint: `use --board ${c.board.name}, or start from boards/${b.name}/config.json` });
  }
  if (!b.part.startsWith(c.board.part)) {
    throw new CnnaError('E_CONFIG', `${source}: board.part is '${c.board.part}' but board '${b.name}' is '${b.part}'`);
  }
}

/** Load a config file (or the board's default) and check it against the board. */
export function loadBoardConfig(file: string | undefined, board: string): HwConfig {
  const b = boardByName(board);
  if (!file) return boardDefaultConfig(board);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new CnnaError('E_IO', `cannot read hardware config ${file}: ${(e as Error).message}`);
  }
  const c = validateConfig(raw, file);
  checkConfigBoard(c, b, file);
  return c;
}

/** Effective DDR bytes per engine cycle: the lesser of the AXI ports and the reachable DDR bandwidth. */
export function ddrBytesPerCycle(c: HwConfig, b: BoardSpec): number {
  const axi = (c.axi.dataBits / 8) * c.axi.ports;
  return Math.min(axi, ddrControllerBytesPerCycle(c, b));
}

/**
 * The board's DDR read latency in cycles of the config's clock: `ddrLatencyCycles` is given at
 * `defaultClockMhz`, and the latency is a time (nanoseconds), so a faster clock waits more cycles. The
 * one rule the performance model (sim/perf), the Verilator and HLS harnesses' DDR models and the
 * sweep all use.
 */
export function ddrLatencyCyclesAt(b: BoardSpec, clockMhz: number): number {
  return Math.max(1, Math.round((b.ddrLatencyCycles * clockMhz) / b.defaultClockMhz));
}

/**
 * Bytes per engine cycle the board's one DDR controller delivers to the PL, shared by all AXI ports
 * (the Verilator harness's DDR model and the perf model share it between the engine's ports).
 */
export function ddrControllerBytesPerCycle(c: HwConfig, b: BoardSpec): number {
  return (b.ddrPeakBytesPerSec * b.ddrPlEfficiency) / (c.clockMhz * 1e6);
}
